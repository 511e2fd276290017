/**
 * Only values that exist may key the page cache (docs/security.md, "Page cache keys"). On
 * the real server, every real page is read (twice, so each is kept), the cache's entry
 * count is noted from /metrics, and then a flood of made-up and aliased addresses is sent:
 * random tags, random query values on every kind of page, tags written another way,
 * repeated parameters, case and percent-encoding aliases, trailing slashes. Each is
 * answered (404, a redirect to the real address, or the page itself), and the entry count
 * does not grow.
 */
import crypto from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'

const METRICS_TOKEN = 'page-cache-keys-metrics-token'

let server: KilnServer

beforeAll(async () => {
  const contentDir = makeContentDir({
    'blog/first-post.mdx': '---\ntitle: First\ndate: 2026-01-01\ntags: [react, css]\n---\n\nOne.\n',
    'blog/second-post.mdx': '---\ntitle: Second\ndate: 2026-01-02\ntags: [react]\n---\n\nTwo.\n',
    'pages/about.mdx': '---\ntitle: About\n---\n\nAbout.\n',
  })
  server = await startServer({ contentDir, env: { METRICS_TOKEN } })
})

afterAll(() => server?.stop())

async function cacheEntries(): Promise<number> {
  const text = await (await get(server, '/metrics', { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).text()
  return Number(/^kiln_page_cache_entries (\S+)$/m.exec(text)![1])
}

const REAL_PAGES = [
  '/',
  '/blog',
  '/blog?tag=react',
  '/blog?tag=css',
  '/blog/first-post',
  '/blog/second-post',
  '/tags',
  '/tags/react',
  '/tags/css',
  '/about',
  '/blog/rss.xml',
  '/blog/atom.xml',
  '/blog/feed.json',
  '/sitemap.xml',
  '/robots.txt',
]

const random = () => crypto.randomBytes(6).toString('hex')

describe('page cache keys', () => {
  let realEntries = 0

  it('keeps every real page', async () => {
    for (let round = 0; round < 2; round++) {
      for (const path of REAL_PAGES) {
        const response = await get(server, path)
        expect(response.status, path).toBe(200)
        await response.arrayBuffer()
        if (round === 1) expect(response.headers.get('x-kiln-cache'), path).toBe('hit')
      }
    }
    realEntries = await cacheEntries()
    expect(realEntries).toBe(REAL_PAGES.length)
  })

  it('answers an unknown tag 404, a tag written another way with a redirect, and stores neither', async () => {
    for (const path of [
      `/blog?tag=${random()}`,
      `/tags/${random()}`,
      '/blog?tag=%3Cscript%3E',
      '/blog?tag=a/b',
      `/blog?tag=${'x'.repeat(300)}`,
    ]) {
      expect((await get(server, path)).status, path).toBe(404)
    }
    for (const [path, to] of [
      ['/blog?tag=React', '/blog?tag=react'],
      ['/blog?tag=%20react%20', '/blog?tag=react'],
      ['/blog?tag=react&tag=css', '/blog?tag=react'],
      ['/blog?tag=react&tag=react', '/blog?tag=react'],
      ['/blog?tag=', '/blog'],
      ['/tags/REACT', '/tags/react'],
    ]) {
      const response = await get(server, path)
      expect(response.status, path).toBe(301)
      expect(response.headers.get('location'), path).toBe(to)
    }
    expect(await cacheEntries()).toBe(realEntries)
  })

  it('never stores a page under random query values, whatever the page', async () => {
    for (let i = 0; i < 5; i++) {
      for (const path of REAL_PAGES) {
        const url = `${path}${path.includes('?') ? '&' : '?'}${random()}=${random()}`
        const response = await get(server, url)
        expect(response.status, url).toBeLessThan(500)
        await response.arrayBuffer()
        // ?tag= is read by /blog only; anywhere else it is noise.
        if (!path.includes('?')) {
          const tagged = await get(server, `${path}?tag=${random()}`)
          expect(tagged.status, path).toBeLessThan(500)
          await tagged.arrayBuffer()
        }
      }
    }
    expect(await cacheEntries()).toBe(realEntries)
  })

  it('never stores a page under an alias of its address', async () => {
    for (const path of [
      '/BLOG/first-post',
      '/Blog/first-post',
      '/blog/first-post/',
      '/blog/%66irst-post',
      '/TAGS/react',
      '/tags/react/',
      '/tags/%72eact',
      '/About',
      '/about/',
      '/%61bout',
      '/BLOG',
      '/blog/',
      '//blog',
      '/TAGS',
    ]) {
      const response = await get(server, path)
      expect(response.status, path).toBeLessThan(500)
      await response.arrayBuffer()
      const again = await get(server, path)
      expect(again.headers.get('x-kiln-cache'), path).not.toBe('hit')
      await again.arrayBuffer()
    }
    expect(await cacheEntries()).toBe(realEntries)
  })
})
