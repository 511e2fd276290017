/**
 * The feeds over content Kiln did not write: the react.dev blog posts in ../shared/corpus,
 * full of components no blog defines and of HTML in MDX. Each feed must still be
 * well-formed, carry every post, and point only at absolute addresses.
 */
import fs from 'node:fs'
import path from 'node:path'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { corpusDir, get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'

const SITE_URL = 'https://react-blog.example.com'

function corpusBlogPosts(): Record<string, string> {
  const files: Record<string, string> = {}
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const absolute = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(absolute)
      else if (/\.mdx?$/.test(entry.name) && entry.name !== 'index.md') {
        // As corpus.test.ts names them: blog/2023/03/16/x.md becomes blog/blog-2023-03-16-x.md.
        const slug = `blog-${path
          .relative(path.join(corpusDir, 'blog'), absolute)
          .replace(/\.mdx?$/, '')
          .replace(/[/\\]/g, '-')}`
        files[`blog/${slug}.md`] = fs.readFileSync(absolute, 'utf8')
      }
    }
  }
  walk(path.join(corpusDir, 'blog'))
  return files
}

const hasCorpus = fs.existsSync(path.join(corpusDir, 'blog'))

describe.skipIf(!hasCorpus)('feeds of the react.dev blog', () => {
  let server: KilnServer
  let posts: number

  beforeAll(async () => {
    const files = corpusBlogPosts()
    posts = Object.keys(files).length
    server = await startServer({ contentDir: makeContentDir(files), env: { SITE_URL } })
  }, 300_000)
  afterAll(() => server?.stop())

  it.each([
    ['/blog/rss.xml', 'item'],
    ['/blog/atom.xml', 'entry'],
  ])(
    '%s is well-formed XML with every post',
    async (feedPath, itemName) => {
      const response = await get(server, feedPath)
      expect(response.status).toBe(200)
      const text = await response.text()
      expect(XMLValidator.validate(text)).toBe(true)
      const document = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === itemName }).parse(text)
      const items = (itemName === 'item' ? document.rss.channel.item : document.feed.entry) as unknown[]
      expect(items.length).toBe(Math.min(posts, 50))
      // Links and images in the posts' bodies point at the site, never at a bare path.
      expect(text).not.toMatch(/(?:href|src)="\/(?!\/)/)
      expect(text).toContain(`href="${SITE_URL}/`)
    },
    300_000,
  )

  it('/blog/feed.json is JSON Feed 1.1 with every post', async () => {
    const feed = (await (await get(server, '/blog/feed.json')).json()) as {
      version: string
      items: { url: string; content_html: string }[]
    }
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1')
    expect(feed.items.length).toBe(Math.min(posts, 50))
    for (const item of feed.items) {
      expect(item.url.startsWith(`${SITE_URL}/blog/`)).toBe(true)
      expect(item.content_html.length).toBeGreaterThan(0)
    }
  }, 300_000)
})
