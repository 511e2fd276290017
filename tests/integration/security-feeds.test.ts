/**
 * Feeds, the sitemap and a post's <head> stay well-formed whatever the posts' frontmatter
 * and text hold (docs/security.md, "Feeds and metadata"): markup characters, quotes, a
 * CDATA end, control characters, U+FFFE and lone surrogates. The real server renders
 * them; RSS and Atom must parse as XML, JSON Feed as JSON, and every value must come back
 * as written (escaped on the way, never dropped), less only the characters XML 1.0
 * cannot carry at all.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'

// parsed XML and JSON documents: trees the assertions walk
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tree = any

const SITE_URL = 'https://hostile.example.com'
/** Operators are trusted, but their words still pass through the same escaping. */
const SITE_AUTHOR = `Ann <O'Hara> & "Co" ]]>`

/**
 * Hostile strings as YAML double-quoted scalars (escapes make the control characters,
 * U+FFFE and lone surrogates: YAML forbids them written raw), and what each must read as
 * once the characters XML cannot carry are gone.
 */
const TITLE_YAML =
  String.raw`"<script>alert('t')</script> & \"quoted\" ]]> tab\there ` +
  String.raw`\x01\x08\x0B\x0C\x1F\uFFFE\uD800 end\uDC00!"`
const TITLE = `<script>alert('t')</script> & "quoted" ]]> tab\there  end!`
const DESCRIPTION_YAML =
  String.raw`"Desc </description><evil/> &amp; &lt; ]]> ]]]]><![CDATA[ ` +
  String.raw`\x00\x1B\uDFFF kept \u00E9\U0001F600"`
const DESCRIPTION = `Desc </description><evil/> &amp; &lt; ]]> ]]]]><![CDATA[  kept é😀`
const TAGS_YAML = String.raw`["a<b>&c", "q\"uote's", "x]]>y", "ctl\x01z\uD800"]`
const TAGS = ['a<b>&c', `q"uote's`, 'x]]>y', 'ctlz']

const hostilePost = [
  '---',
  `title: ${TITLE_YAML}`,
  'date: 2026-03-01',
  `description: ${DESCRIPTION_YAML}`,
  `tags: ${TAGS_YAML}`,
  '---',
  '',
  // The body's own text: a CDATA end, a control character and U+FFFE, raw in the file.
  'Body with ]]> inside, a bell \u0007 here and \uFFFE there, & <b>bold</b> words.',
  '',
].join('\n')

let server: KilnServer

beforeAll(async () => {
  const contentDir = makeContentDir({
    'blog/hostile.mdx': hostilePost,
    'blog/plain.mdx': '---\ntitle: Plain\ndate: 2026-01-01\ntags: [plain]\n---\n\nPlain text.\n',
  })
  server = await startServer({ contentDir, env: { SITE_URL, SITE_AUTHOR } })
}, 90_000)

afterAll(() => server?.stop())

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  isArray: (name) => ['item', 'entry', 'category', 'url'].includes(name),
})
/** The text of a parsed node: a string, or the text of an element with attributes. */
const text = (node: Tree): string => (typeof node === 'string' ? node : (node?.['#text'] ?? ''))
/** HTML's escapes, for fields the feed formats define as HTML. */
const unescapeHtml = (html: string) =>
  html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(?:39|x27);/g, "'")
    .replace(/&amp;/g, '&')

/** Characters XML 1.0 cannot carry: C0 controls but tab, newline and CR; U+FFFE/U+FFFF; lone surrogates. */
const XML_UNSAFE =
  // eslint-disable-next-line no-control-regex -- finding them is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

async function fetchText(path: string): Promise<string> {
  const response = await get(server, path)
  expect(response.status, path).toBe(200)
  return response.text()
}

function expectWellFormedXml(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true)
  expect(XML_UNSAFE.test(xml), 'a character XML cannot carry').toBe(false)
  const document = parser.parse(xml, true)
  return document as Tree
}

describe('feeds with hostile posts', () => {
  it('RSS is well-formed and carries every hostile value intact', async () => {
    const rss = expectWellFormedXml(await fetchText('/blog/rss.xml'))
    const item = rss.rss.channel.item.find((entry: Tree) => text(entry.link).endsWith('/blog/hostile'))
    expect(text(item.title)).toBe(TITLE)
    // RSS's description is HTML.
    expect(unescapeHtml(text(item.description))).toBe(DESCRIPTION)
    expect(item.category.map(text)).toEqual(TAGS)
    expect(text(item['dc:creator'])).toBe(SITE_AUTHOR)
    const content = text(item['content:encoded'])
    expect(content).toContain(']]')
    expect(content).toMatch(/a bell\s+here/)
  })

  it('Atom is well-formed and carries every hostile value intact', async () => {
    const atom = expectWellFormedXml(await fetchText('/blog/atom.xml'))
    const entry = atom.feed.entry.find((candidate: Tree) => candidate.link['@href'].endsWith('/blog/hostile'))
    // Atom's title and summary are type="html".
    expect(unescapeHtml(text(entry.title))).toBe(TITLE)
    expect(unescapeHtml(text(entry.summary))).toBe(DESCRIPTION)
    expect(entry.category.map((category: Tree) => category['@term'])).toEqual(TAGS)
    expect(text(entry.author.name)).toBe(SITE_AUTHOR)
  })

  it('JSON Feed parses and carries every hostile value intact', async () => {
    const body = await fetchText('/blog/feed.json')
    expect(XML_UNSAFE.test(JSON.parse(JSON.stringify(body)))).toBe(false)
    const feed = JSON.parse(body) as Tree
    const item = feed.items.find((candidate: Tree) => candidate.url.endsWith('/blog/hostile'))
    expect(item.title).toBe(TITLE)
    expect(item.summary).toBe(DESCRIPTION)
    expect(item.tags).toEqual(TAGS)
    expect(feed.authors[0].name).toBe(SITE_AUTHOR)
    expect(XML_UNSAFE.test(JSON.stringify(item))).toBe(false)
  })

  it('the sitemap is well-formed and lists exactly the tags that have a page', async () => {
    const sitemap = expectWellFormedXml(await fetchText('/sitemap.xml'))
    const locations: string[] = sitemap.urlset.url.map((url: Tree) => text(url.loc))
    expect(locations).toContain(`${SITE_URL}/blog/hostile`)
    const tagPages = locations.filter((location) => location.startsWith(`${SITE_URL}/tags/`))
    expect(tagPages.sort()).toEqual([`${SITE_URL}/tags/ctlz`, `${SITE_URL}/tags/plain`])
    for (const location of tagPages)
      expect((await get(server, location.slice(SITE_URL.length))).status, location).toBe(200)
    // A tag no URL can name (markup, quotes) has no page, so no place in the sitemap.
    expect((await get(server, `/tags/${encodeURIComponent(TAGS[0])}`)).status).toBe(404)
  })

  it('the post’s <head> carries the values as text, not markup', async () => {
    const html = await fetchText('/blog/hostile')
    const head = /<head>([\s\S]*?)<\/head>/.exec(html)![1]
    expect(XML_UNSAFE.test(head), 'a control character in the head').toBe(false)
    // One title element, one JSON-LD script: nothing broke out of an attribute or a script.
    expect(head.match(/<title>/g)).toHaveLength(1)
    expect(head.match(/<script\b/g)?.length ?? 0).toBe((head.match(/<\/script>/g) ?? []).length)
    expect(head).not.toContain("<script>alert('t')")
    expect(head).not.toContain('<evil/>')
    const og = /<meta property="og:title" content="([^"]*)"/.exec(head)![1]
    expect(unescapeHtml(og)).toBe(TITLE)
    const description = /<meta name="description" content="([^"]*)"/.exec(head)![1]
    expect(unescapeHtml(description)).toBe(DESCRIPTION)
    const tags = [...head.matchAll(/<meta property="article:tag" content="([^"]*)"/g)].map((match) =>
      unescapeHtml(match[1]),
    )
    expect(tags).toEqual(TAGS)
    const ldJson = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(head)![1]
    const structured = JSON.parse(ldJson) as Tree
    expect(structured.headline).toBe(TITLE)
    expect(structured.description).toBe(DESCRIPTION)
    expect(structured.author.name).toBe(SITE_AUTHOR)
  })
})
