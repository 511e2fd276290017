/**
 * Feeds, sitemap, robots.txt, the SEO and sharing tags of every page, social images and
 * the links after a post, against a real server over HTTP with its own content folder:
 * 55 posts (so the feeds' limit of 50 shows), drafts dated after all of them (so they
 * would lead every list if they leaked), a post that fails to compile, and a page.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'

// parsed XML and JSON documents: trees the assertions walk
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tree = any

const SITE_URL = 'https://blog.example.com'
const EDIT_URL = 'https://git.example.com/me/blog/edit/main/content/'
const POSTS = 55

const slugOf = (n: number) => `post-${String(n).padStart(2, '0')}`
/** Post n is dated n days into 2026: post-55 is the newest. */
const dateOf = (n: number) => new Date(Date.UTC(2026, 0, n)).toISOString().slice(0, 10)

function contentFiles(): Record<string, string> {
  const files: Record<string, string> = {}
  for (let n = 1; n <= POSTS; n++) {
    const frontmatter = [
      '---',
      `title: Post number ${n}`,
      `date: ${dateOf(n)}`,
      `description: The description of post ${n}.`,
      `tags: [series, ${n % 2 === 0 ? 'even' : 'odd'}]`,
      ...(n === 54 ? ['updated: 2026-06-01', 'image: /images/cover-54.png'] : []),
      '---',
    ]
    const body = [
      `Body of post ${n}. See [the first post](/blog/post-01), [a sibling](post-02), [a ` +
        `heading](#part) and [elsewhere](https://other.example.org/x?a=1&b=2).`,
      '',
      '![A picture](/images/picture.png)',
      '',
      '## Part',
      '',
      'More text with <em>HTML</em> & an ampersand.',
    ]
    files[`blog/${slugOf(n)}.mdx`] = [...frontmatter, '', ...body, ''].join('\n')
  }
  // Newer than every post: a leak would put them first everywhere.
  files['blog/secret-draft.mdx'] = '---\ntitle: Secret draft\ndate: 2027-01-01\ndraft: true\n---\n\nNot yet.\n'
  files['blog/another-draft/index.mdx'] =
    '---\ntitle: Another draft\ndate: 2027-01-02\ndraft: true\n---\n\nNot yet either.\n'
  // Valid frontmatter, broken MDX: listed, but its body cannot be rendered.
  files['blog/broken-post.mdx'] =
    `---\ntitle: Broken & <odd> title\ndate: ${dateOf(50)}\ndescription: Its ` +
    `description stands in for its body.\n---\n\n<Unclosed\n`
  files['pages/about.mdx'] =
    '---\ntitle: About this blog\ndescription: Who writes here.\n---\n\nAbout [the blog](/blog).\n'
  return files
}

const published = Array.from({ length: POSTS }, (_, i) => i + 1)
/** The blog's order: newest first; on the same day, by slug. */
const newestFirst = [
  ...published.map((n) => ({ slug: slugOf(n), date: dateOf(n) })),
  { slug: 'broken-post', date: dateOf(50) },
].sort((a, b) => (a.date === b.date ? (a.slug < b.slug ? -1 : 1) : a.date < b.date ? 1 : -1))

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  isArray: (name, jpath) =>
    ['item', 'entry', 'url', 'category'].includes(name) || (name === 'link' && String(jpath).startsWith('feed')),
})

function parseXml(text: string) {
  expect(XMLValidator.validate(text)).toBe(true)
  return parser.parse(text)
}

const decode = (value: string) =>
  value
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')

/** Every <meta> of the head, as [name or property, content] pairs in order. */
function metaTags(html: string): [string, string][] {
  const head = html.slice(0, html.indexOf('</head>'))
  return [...head.matchAll(/<meta (?:name|property)="([^"]+)" content="([^"]*)"\/>/g)].map((match) => [
    match[1],
    decode(match[2]),
  ])
}
const metaOf = (html: string, key: string) => metaTags(html).find(([name]) => name === key)?.[1]
const canonicalOf = (html: string) => /<link rel="canonical" href="([^"]+)"\/>/.exec(html)?.[1]

function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return { width: view.getUint32(16), height: view.getUint32(20) }
}
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

describe('feeds, sitemap and sharing', () => {
  let server: KilnServer

  beforeAll(async () => {
    server = await startServer({
      contentDir: makeContentDir(contentFiles()),
      env: { SITE_URL, CONTENT_EDIT_URL: EDIT_URL, METRICS_TOKEN: 'metrics-token' },
    })
  }, 300_000)
  afterAll(() => server?.stop())

  describe('RSS 2.0', () => {
    let rss: Tree
    let response: Response

    beforeAll(async () => {
      response = await get(server, '/blog/rss.xml')
      rss = parseXml(await response.text())
    }, 300_000)

    it('answers with its content type', () => {
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8')
      expect(rss.rss['@version']).toBe('2.0')
    })

    it('lists the newest 50 published posts, newest first, and no draft', () => {
      const items = rss.rss.channel.item as Tree[]
      expect(items).toHaveLength(50)
      expect(items.map((item) => item.link)).toEqual(
        newestFirst.slice(0, 50).map((post) => `${SITE_URL}/blog/${post.slug}`),
      )
      expect(JSON.stringify(rss)).not.toContain('draft')
      expect(rss.rss.channel.link).toBe(`${SITE_URL}/blog`)
      // The feed's date is the newest change in it (post 54's update), not the time of the request.
      expect(rss.rss.channel.lastBuildDate).toBe(new Date('2026-06-01T00:00:00Z').toUTCString())
    })

    it('carries each post whole, with absolute links and images', () => {
      const item = (rss.rss.channel.item as Tree[]).find((entry) => entry.link === `${SITE_URL}/blog/post-53`)!
      expect(item.title).toBe('Post number 53')
      expect(item.description).toBe('The description of post 53.')
      // RSS's <author> must be an e-mail address; the author's name goes in <dc:creator>.
      expect(item['dc:creator']).toBe('Kiln')
      expect(item.author).toBeUndefined()
      expect(item.pubDate).toBe(new Date(`${dateOf(53)}T00:00:00Z`).toUTCString())
      expect(item.category.map((category: Record<string, string>) => category['#text'])).toEqual(['series', 'odd'])
      const html = item['content:encoded'] as string
      expect(html).toContain(`href="${SITE_URL}/blog/post-01"`)
      expect(html).toContain(`href="${SITE_URL}/blog/post-02"`)
      expect(html).toContain(`href="${SITE_URL}/blog/post-53#part"`)
      expect(html).toContain('href="https://other.example.org/x?a=1&amp;b=2"')
      expect(html).toContain(`src="${SITE_URL}/images/picture.png"`)
      expect(html).toContain('<h2 id="part">')
      expect(html).not.toMatch(/(?:href|src)="\/(?!\/)/)
    })

    it('falls back to the description for a post that cannot be built, and escapes its title', () => {
      const item = (rss.rss.channel.item as Tree[]).find((entry) => entry.link === `${SITE_URL}/blog/broken-post`)!
      expect(item.title).toBe('Broken & <odd> title')
      expect(item['content:encoded']).toContain('Its description stands in for its body.')
      expect(item['content:encoded']).toContain(`href="${SITE_URL}/blog/broken-post"`)
    })
  })

  describe('Atom', () => {
    let atom: Tree
    let response: Response

    beforeAll(async () => {
      response = await get(server, '/blog/atom.xml')
      atom = parseXml(await response.text())
    }, 300_000)

    it('answers with its content type and the newest 50 published posts', () => {
      expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8')
      expect(atom.feed['@xmlns']).toBe('http://www.w3.org/2005/Atom')
      const entries = atom.feed.entry as Tree[]
      expect(entries).toHaveLength(50)
      expect(entries.map((entry) => entry.id)).toEqual(
        newestFirst.slice(0, 50).map((post) => `${SITE_URL}/blog/${post.slug}`),
      )
      expect(atom.feed.updated).toBe('2026-06-01T00:00:00.000Z')
      expect(atom.feed.link.map((link: Record<string, string>) => [link['@rel'], link['@href']])).toContainEqual([
        'self',
        `${SITE_URL}/blog/atom.xml`,
      ])
    })

    it('has dates, tags and content for each entry', () => {
      const entry = (atom.feed.entry as Tree[]).find((candidate) => candidate.id === `${SITE_URL}/blog/post-54`)!
      expect(entry.published).toBe(`${dateOf(54)}T00:00:00.000Z`)
      expect(entry.updated).toBe('2026-06-01T00:00:00.000Z')
      expect(entry.category.map((category: Record<string, string>) => category['@term'])).toEqual(['series', 'even'])
      expect(entry.content['#text']).toContain(`src="${SITE_URL}/images/picture.png"`)
      expect(entry.summary['#text']).toBe('The description of post 54.')
      expect(entry.author.name).toBe('Kiln')
    })

    it('escapes titles, which Atom reads as HTML', () => {
      const entry = (atom.feed.entry as Tree[]).find((candidate) => candidate.id === `${SITE_URL}/blog/broken-post`)!
      expect(entry.title['#text']).toBe('Broken &amp; &lt;odd&gt; title')
      expect(entry.content['#text']).toContain('Its description stands in for its body.')
    })
  })

  describe('JSON Feed', () => {
    it('is version 1.1 with the newest 50 published posts', async () => {
      const response = await get(server, '/blog/feed.json')
      expect(response.headers.get('content-type')).toBe('application/feed+json; charset=utf-8')
      const feed = (await response.json()) as Tree
      expect(feed.version).toBe('https://jsonfeed.org/version/1.1')
      expect(feed.feed_url).toBe(`${SITE_URL}/blog/feed.json`)
      expect(feed.home_page_url).toBe(`${SITE_URL}/blog`)
      const items = feed.items as Tree[]
      expect(items).toHaveLength(50)
      expect(items.map((item) => item.url)).toEqual(
        newestFirst.slice(0, 50).map((post) => `${SITE_URL}/blog/${post.slug}`),
      )
      const updated = items.find((item) => item.url === `${SITE_URL}/blog/post-54`)!
      expect(updated.title).toBe('Post number 54')
      expect(updated.summary).toBe('The description of post 54.')
      expect(updated.tags).toEqual(['series', 'even'])
      expect(updated.date_published).toBe(`${dateOf(54)}T00:00:00.000Z`)
      expect(updated.date_modified).toBe('2026-06-01T00:00:00.000Z')
      expect(updated.image).toBe(`${SITE_URL}/images/cover-54.png`)
      expect(updated.authors).toEqual([{ name: 'Kiln', url: SITE_URL }])
      expect(updated.content_html).toContain(`href="${SITE_URL}/blog/post-01"`)
      expect(items.find((item) => item.url === `${SITE_URL}/blog/post-53`)!.image).toBe(
        `${SITE_URL}/blog/post-53/og.png`,
      )
      expect(items.find((item) => item.url === `${SITE_URL}/blog/broken-post`)!.title).toBe('Broken & <odd> title')
      expect(JSON.stringify(feed)).not.toContain('draft')
      expect(JSON.stringify(feed)).not.toContain('dc:creator')
    })
  })

  describe('sitemap and robots.txt', () => {
    it('lists exactly the published posts and pages and the lists, with lastmod', async () => {
      const response = await get(server, '/sitemap.xml')
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/^application\/xml/)
      const sitemap = parseXml(await response.text())
      const urls = sitemap.urlset.url as { loc: string; lastmod?: string }[]
      const expected = [
        '/',
        '/blog',
        '/tags',
        '/tags/even',
        '/tags/odd',
        '/tags/series',
        ...newestFirst.map((post) => `/blog/${post.slug}`),
        '/about',
      ].map((path) => SITE_URL + path)
      expect(urls.map((url) => url.loc).sort()).toEqual(expected.sort())
      const lastmod = Object.fromEntries(urls.map((url) => [url.loc, url.lastmod]))
      expect(lastmod[`${SITE_URL}/blog/post-10`]).toBe(dateOf(10))
      expect(lastmod[`${SITE_URL}/blog/post-54`]).toBe('2026-06-01')
      expect(lastmod[`${SITE_URL}/blog`]).toBe('2026-06-01')
      expect(lastmod[`${SITE_URL}/tags/odd`]).toBe(dateOf(55))
    })

    it('robots.txt points at the sitemap', async () => {
      const response = await get(server, '/robots.txt')
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8')
      expect((await response.text()).split('\n')).toContain(`Sitemap: ${SITE_URL}/sitemap.xml`)
    })
  })

  describe('a post page', () => {
    let html: string

    beforeAll(async () => {
      html = await (await get(server, '/blog/post-54')).text()
    })

    it('has a canonical URL, Open Graph and Twitter tags', () => {
      expect(canonicalOf(html)).toBe(`${SITE_URL}/blog/post-54`)
      expect(html).toContain('<title>Post number 54</title>')
      expect(metaOf(html, 'description')).toBe('The description of post 54.')
      expect(metaOf(html, 'og:title')).toBe('Post number 54')
      expect(metaOf(html, 'og:description')).toBe('The description of post 54.')
      expect(metaOf(html, 'og:url')).toBe(`${SITE_URL}/blog/post-54`)
      expect(metaOf(html, 'og:type')).toBe('article')
      expect(metaOf(html, 'og:site_name')).toBe('Kiln')
      // The frontmatter's image, made absolute.
      expect(metaOf(html, 'og:image')).toBe(`${SITE_URL}/images/cover-54.png`)
      expect(metaOf(html, 'twitter:card')).toBe('summary_large_image')
      expect(metaOf(html, 'twitter:title')).toBe('Post number 54')
      expect(metaOf(html, 'twitter:description')).toBe('The description of post 54.')
      expect(metaOf(html, 'twitter:image')).toBe(`${SITE_URL}/images/cover-54.png`)
    })

    it('has article dates, one article:tag per tag, and a BlogPosting in JSON-LD', () => {
      expect(metaOf(html, 'article:published_time')).toBe(`${dateOf(54)}T00:00:00.000Z`)
      expect(metaOf(html, 'article:modified_time')).toBe('2026-06-01T00:00:00.000Z')
      expect(
        metaTags(html)
          .filter(([name]) => name === 'article:tag')
          .map(([, content]) => content),
      ).toEqual(['series', 'even'])
      const script = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html)?.[1]
      expect(script).toBeTruthy()
      const posting = JSON.parse(script!) as Tree
      expect(posting['@context']).toBe('https://schema.org')
      expect(posting['@type']).toBe('BlogPosting')
      expect(posting.headline).toBe('Post number 54')
      expect(posting.description).toBe('The description of post 54.')
      expect(posting.datePublished).toBe(`${dateOf(54)}T00:00:00.000Z`)
      expect(posting.dateModified).toBe('2026-06-01T00:00:00.000Z')
      expect(posting.url).toBe(`${SITE_URL}/blog/post-54`)
      expect(posting.image).toBe(`${SITE_URL}/images/cover-54.png`)
      expect(posting.keywords).toBe('series, even')
      expect(posting.author).toEqual({ '@type': 'Person', name: 'Kiln' })
      expect(posting.publisher.name).toBe('Kiln')
    })

    it(
      'points at its generated card when it has no image of its ' + 'own, and has no modified time without `updated`',
      async () => {
        const other = await (await get(server, '/blog/post-53')).text()
        expect(metaOf(other, 'og:image')).toBe(`${SITE_URL}/blog/post-53/og.png`)
        expect(metaOf(other, 'twitter:image')).toBe(`${SITE_URL}/blog/post-53/og.png`)
        expect(metaOf(other, 'article:modified_time')).toBeUndefined()
      },
    )

    it('links the previous and next posts by date, skipping drafts and ending at the ends', async () => {
      const linksOf = (page: string) => ({
        previous: /<a rel="prev"[^>]* href="([^"]+)"/.exec(page)?.[1] ?? null,
        next: /<a rel="next"[^>]* href="([^"]+)"/.exec(page)?.[1] ?? null,
      })
      expect(linksOf(await (await get(server, '/blog/post-10')).text())).toEqual({
        previous: '/blog/post-09',
        next: '/blog/post-11',
      })
      // broken-post shares post 50's day and sorts before it by slug: it sits between posts 50 and 51.
      expect(linksOf(await (await get(server, '/blog/post-51')).text())).toEqual({
        previous: '/blog/broken-post',
        next: '/blog/post-52',
      })
      expect(linksOf(await (await get(server, '/blog/post-50')).text())).toEqual({
        previous: '/blog/post-49',
        next: '/blog/broken-post',
      })
      expect(linksOf(await (await get(server, '/blog/post-01')).text())).toEqual({
        previous: null,
        next: '/blog/post-02',
      })
      // The drafts are newer, but the newest published post has no next.
      expect(linksOf(await (await get(server, '/blog/post-55')).text())).toEqual({
        previous: '/blog/post-54',
        next: null,
      })
    })

    it('has an "Edit this post" link to its source under CONTENT_EDIT_URL', () => {
      const edit = /<a href="([^"]+)"[^>]*data-testid="edit-link"[^>]*>Edit this/.exec(html)
      expect(edit?.[1]).toBe(`${EDIT_URL}blog/post-54.mdx`)
    })
  })

  describe('every other page', () => {
    const pages = [
      { path: '/', title: 'Kiln', canonical: '/' },
      { path: '/blog', title: 'All posts', canonical: '/blog' },
      { path: '/blog?tag=even&utm_source=x', title: 'Posts tagged #even', canonical: '/blog?tag=even' },
      { path: '/tags', title: 'Tags', canonical: '/tags' },
      { path: '/tags/odd', title: '#odd', canonical: '/tags/odd' },
      { path: '/about', title: 'About this blog', canonical: '/about' },
    ]

    it.each(pages)(
      '$path has a title, description, canonical URL, sharing tags and the feeds',
      async ({ path, title, canonical }) => {
        const html = await (await get(server, path)).text()
        expect(html).toContain(`<title>${title.replace('&', '&amp;')}</title>`)
        expect(metaOf(html, 'description')?.length).toBeGreaterThan(5)
        expect(canonicalOf(html)).toBe(SITE_URL + canonical)
        expect(metaOf(html, 'og:url')).toBe(SITE_URL + canonical)
        expect(metaOf(html, 'og:type')).toBe('website')
        expect(metaOf(html, 'og:title')).toBe(title)
        expect(metaOf(html, 'og:site_name')).toBe('Kiln')
        expect(metaOf(html, 'og:image')).toBe(`${SITE_URL}/og.png`)
        expect(metaOf(html, 'twitter:card')).toBe('summary_large_image')
        expect(metaOf(html, 'twitter:image')).toBe(`${SITE_URL}/og.png`)
        expect(html).not.toContain('application/ld+json')
        expect(html).toContain(
          '<link rel="alternate" type="application/rss+xml" title="RSS feed" href="/blog/rss.xml"/>',
        )
        expect(html).toContain(
          '<link rel="alternate" type="application/atom+xml" title="Atom feed" href="/blog/atom.xml"/>',
        )
        expect(html).toContain(
          '<link rel="alternate" type="application/feed+json" title="JSON feed" href="/blog/feed.json"/>',
        )
      },
    )

    it('a 404 has a title and sharing tags, is not indexed and has no canonical URL', async () => {
      for (const path of ['/no/such/page', '/blog/secret-draft', '/tags/no-such-tag']) {
        const response = await get(server, path)
        expect(response.status, path).toBe(404)
        const html = await response.text()
        expect(html, path).toContain('<title>Page not found</title>')
        expect(metaOf(html, 'robots'), path).toBe('noindex')
        expect(canonicalOf(html), path).toBeUndefined()
        expect(metaOf(html, 'og:title'), path).toBe('Page not found')
        expect(html, path).toContain('type="application/rss+xml"')
      }
    })
  })

  describe('social images', () => {
    it("a post's card is a 1200x630 PNG with an ETag, answered 304 when unchanged", async () => {
      const response = await get(server, '/blog/post-53/og.png')
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('image/png')
      expect(response.headers.get('cache-control')).toMatch(/^public/)
      const etag = response.headers.get('etag')
      expect(etag).toMatch(/^"og-/)
      const bytes = new Uint8Array(await response.arrayBuffer())
      expect([...bytes.slice(0, 8)]).toEqual(PNG_MAGIC)
      expect(pngSize(bytes)).toEqual({ width: 1200, height: 630 })

      const again = await get(server, '/blog/post-53/og.png', { headers: { 'If-None-Match': etag! } })
      expect(again.status).toBe(304)
      const other = await get(server, '/blog/post-52/og.png')
      expect(other.headers.get('etag')).not.toBe(etag)
    })

    it("the site's card is a PNG too", async () => {
      const response = await get(server, '/og.png')
      expect(response.headers.get('content-type')).toBe('image/png')
      const bytes = new Uint8Array(await response.arrayBuffer())
      expect([...bytes.slice(0, 8)]).toEqual(PNG_MAGIC)
      expect(pngSize(bytes)).toEqual({ width: 1200, height: 630 })
    })

    it('drafts and unknown posts have no card', async () => {
      expect((await get(server, '/blog/secret-draft/og.png')).status).toBe(404)
      expect((await get(server, '/blog/no-such-post/og.png')).status).toBe(404)
    })
  })

  it('shows its caches and routes in /metrics', async () => {
    await get(server, '/blog/post-53/og.png')
    const text = await (await get(server, '/metrics', { headers: { Authorization: 'Bearer metrics-token' } })).text()
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1])
    expect(value('kiln_social_image_renders_total')).toBeGreaterThanOrEqual(3)
    expect(value('kiln_social_image_cache_hits_total')).toBeGreaterThanOrEqual(1)
    expect(value('kiln_social_image_cache_entries')).toBeGreaterThanOrEqual(3)
    expect(value('kiln_feed_html_cache_entries')).toBe(50 - 1)
    expect(value('kiln_feed_html_cache_hits_total')).toBeGreaterThan(0)
    expect(text).toMatch(/kiln_http_requests_total\{route="\/blog\/rss.xml",method="GET",status="200"\} 1/)
    expect(text).toMatch(/kiln_http_requests_total\{route="\/blog\/:slug\/og.png",method="GET",status="200"\}/)
    expect(text).toMatch(/kiln_http_requests_total\{route="\/sitemap.xml",method="GET",status="200"\}/)
  })
})

describe('without SITE_URL or CONTENT_EDIT_URL', () => {
  let server: KilnServer

  beforeAll(async () => {
    server = await startServer({
      contentDir: makeContentDir({
        'blog/first.mdx': '---\ntitle: First\ndate: 2026-01-01\n---\n\n[Second](/blog/second)\n',
        'blog/second.mdx': '---\ntitle: Second\ndate: 2026-01-02\n---\n\nHello.\n',
      }),
      // The default SITE_URL is made from PORT: this server gets a real one, not the 0 that
      // lets the other test servers take any free port.
      env: { PORT: String(await freePort()) },
    })
  }, 300_000)
  afterAll(() => server?.stop())

  it('uses http://localhost:$PORT for absolute URLs and shows no edit link', async () => {
    const local = `http://localhost:${server.port}`
    const html = await (await get(server, '/blog/first')).text()
    expect(canonicalOf(html)).toBe(`${local}/blog/first`)
    expect(html).not.toContain('data-testid="edit-link"')
    expect(html).not.toContain('Edit this')
    expect(await (await get(server, '/robots.txt')).text()).toContain(`Sitemap: ${local}/sitemap.xml`)
    const feed = (await (await get(server, '/blog/feed.json')).json()) as {
      items: { url: string; content_html: string }[]
    }
    expect(feed.items.map((item) => item.url)).toEqual([`${local}/blog/second`, `${local}/blog/first`])
    expect(feed.items[1].content_html).toContain(`href="${local}/blog/second"`)
  })
})

describe('configuration', () => {
  it.each([
    ['SITE_URL', 'blog.example.com'],
    ['SITE_URL', 'ftp://blog.example.com'],
    ['CONTENT_EDIT_URL', 'not a url'],
  ])('refuses %s=%s with a message naming it', async (name, value) => {
    const failure = startServer({ contentDir: makeContentDir({}), env: { [name]: value } })
    await expect(failure).rejects.toThrow(new RegExp(`${name} must be`))
  })
})
