/**
 * Publishing on the real server: scheduled posts, pages of post lists and tags' own feeds.
 * A blog of 45 posts (so lists have three pages), a post scheduled for 2099 (never public
 * here), and one scheduled a few seconds ahead while the test runs: it is hidden like a
 * draft until its instant, then appears everywhere (lists, its tag, feeds, the sitemap,
 * search, its own page) with no edit, restart or refresh: the test only waits. Preview
 * links open the hidden post to anyone, uncached, until revoked or expired.
 */
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'
import Database from 'better-sqlite3'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdmin, signIn } from '../helpers/auth.ts'
import { stopServer } from '../helpers/fixtures.ts'
import { get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'
import { until } from '../helpers/wait.ts'

const METRICS_TOKEN = 'publishing-metrics-token'
const ADMIN = 'publishing-admin@example.com'
const PASSWORD = 'a long enough password'
const POSTS = 45

const slugOf = (n: number) => `post-${String(n).padStart(2, '0')}`

function contentFiles(): Record<string, string> {
  const files: Record<string, string> = {}
  for (let n = 1; n <= POSTS; n++) {
    const tags = ['all', ...(n <= 25 ? ['many'] : []), ...(n % 10 === 0 ? ['tens'] : [])]
    // Post n is dated n days into 2026, at noon in the site's zone: post-45 is the newest.
    const day = new Date(Date.UTC(2026, 0, n)).toISOString().slice(0, 10)
    files[`blog/${slugOf(n)}.mdx`] =
      `---\ntitle: Post number ${n}\ndate: ${day}T12:00\ntags: [${tags.join(', ')}]\n---\n\nBody of post ${n}.\n`
  }
  files['blog/far-future.mdx'] =
    '---\ntitle: A letter to 2099\ndate: 2099-01-01T09:00:00+01:00\ntags: [all, future-only]\n---\n\n' +
    'Farfuturistic words.\n'
  return files
}

let server: KilnServer
let adminCookie: string

beforeAll(async () => {
  server = await startServer({
    contentDir: makeContentDir(contentFiles()),
    env: { METRICS_TOKEN, SITE_TIMEZONE: 'Europe/Paris', CONTENT_SCAN_INTERVAL_MS: '200' },
  })
  await createAdmin(server, ADMIN, PASSWORD)
  adminCookie = await signIn(server, ADMIN, PASSWORD)
})

afterAll(() => stopServer(server))

async function page(pathname: string, cookie?: string) {
  const response = await get(server, pathname, { headers: cookie ? { Cookie: cookie } : {}, redirect: 'manual' })
  return { status: response.status, headers: response.headers, text: await response.text() }
}

async function cacheEntries(): Promise<number> {
  const response = await get(server, '/metrics', { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })
  return Number(/^kiln_page_cache_entries (\S+)$/m.exec(await response.text())![1])
}

/** The post slugs a list page shows, in order. */
const listed = (html: string) => [...html.matchAll(/<li[^>]*data-slug="([^"]+)"/g)].map((match) => match[1])

describe('scheduled posts', () => {
  it('are hidden from readers everywhere, and shown to an admin marked "Scheduled" with their time', async () => {
    for (const pathname of [
      '/blog',
      '/blog?tag=all',
      '/tags/all',
      '/blog/rss.xml',
      '/sitemap.xml',
      '/search?q=farfuturistic',
    ]) {
      const { status, text } = await page(pathname)
      expect(status, pathname).toBe(200)
      expect(text, pathname).not.toContain('far-future')
      expect(text, pathname).not.toContain('A letter to 2099')
    }
    expect((await page('/blog/far-future')).status).toBe(404)
    expect((await page('/tags/future-only')).status).toBe(404)
    expect((await page('/tags/future-only/rss.xml')).status).toBe(404)

    const list = await page('/blog', adminCookie)
    expect(listed(list.text)[0]).toBe('far-future')
    expect(list.text).toMatch(/Scheduled <time datetime="2099-01-01T08:00:00.000Z">2099-01-01 08:00 UTC<\/time>/i)
    const own = await page('/blog/far-future', adminCookie)
    expect(own.status).toBe(200)
    expect(own.text).toContain('Scheduled')
    expect(own.text).toContain('<meta name="robots" content="noindex"/>')
    expect((await page('/search?q=farfuturistic', adminCookie)).text).toContain('A letter to 2099')
  })

  it('appear at their time on every list, feed, the sitemap, search and their own page, with no edit', async () => {
    // A few seconds ahead, written with an offset: 12 s leaves time to see it hidden first.
    const at = Date.now() + 12_000
    const offset = new Date(at + 3_600_000).toISOString().slice(0, 19) + '+01:00'
    fs.writeFileSync(
      path.join(server.contentDir, 'blog', 'soon.mdx'),
      `---\ntitle: Soon enough\ndate: ${offset}\ntags: [all, soon-tag]\n---\n\nQuokkaworthy news.\n`,
    )
    // The server has indexed it once an admin sees it, scheduled.
    await until(async () => (await page('/blog', adminCookie)).text.includes('Soon enough'), 'the post indexed')

    const readers = {
      '/blog': (text: string) => listed(text)[0] === 'soon',
      '/tags/all': (text: string) => listed(text)[0] === 'soon',
      '/blog/rss.xml': (text: string) => text.includes('/blog/soon</link>'),
      '/tags/all/feed.json': (text: string) => JSON.parse(text).items[0]?.url.endsWith('/blog/soon'),
      '/sitemap.xml': (text: string) => text.includes('/blog/soon</loc>'),
      '/search?q=quokkaworthy': (text: string) => text.includes('Soon enough'),
      '/blog/soon': (text: string) => text.includes('Quokkaworthy news.'),
    }
    // Before its time (when the answer came in before it): hidden, and the lists kept by the page cache.
    for (const round of [0, 1]) {
      for (const [pathname, shows] of Object.entries(readers)) {
        const answer = await page(pathname)
        if (Date.now() >= at) break
        expect(shows(answer.text), pathname).toBe(false)
        if (pathname === '/blog/soon') expect(answer.status).toBe(404)
        if (round === 1 && pathname === '/blog') expect(answer.headers.get('x-kiln-cache')).toBe('hit')
      }
    }
    // Then it appears everywhere by itself.
    for (const [pathname, shows] of Object.entries(readers)) {
      await until(async () => {
        const answer = await page(pathname)
        return answer.status === 200 && shows(answer.text)
      }, `${pathname} to show the scheduled post`)
    }
    expect(Date.now()).toBeGreaterThanOrEqual(at)
  })
})

describe('pages of post lists', () => {
  it('show 20 posts a page with links to the others, and rel prev/next', async () => {
    const one = await page('/tags/many')
    expect(listed(one.text)).toEqual(Array.from({ length: 20 }, (_, i) => slugOf(25 - i)))
    expect(one.text).toContain('<link rel="next" href="/tags/many?page=2"/>')
    expect(one.text).not.toContain('rel="prev"')
    expect(one.text).toMatch(/<a[^>]*href="\/tags\/many\?page=2"[^>]*data-testid="more-posts"/)

    const two = await page('/tags/many?page=2')
    expect(two.status).toBe(200)
    expect(listed(two.text)).toEqual([5, 4, 3, 2, 1].map(slugOf))
    expect(two.text).toContain('<link rel="prev" href="/tags/many"/>')
    expect(two.text).not.toContain('rel="next"')
    expect(two.text).not.toContain('data-testid="more-posts"')
    expect(two.text).toContain('<link rel="canonical" href="')
    expect(two.text).toMatch(/<link rel="canonical" href="[^"]*\/tags\/many\?page=2"/)

    const blog = await page('/blog?tag=many&page=2')
    expect(listed(blog.text)).toEqual([5, 4, 3, 2, 1].map(slugOf))
    expect(blog.text).toContain('<link rel="prev" href="/blog?tag=many"/>')

    // Every post of the blog, once, across its pages.
    const all: string[] = []
    for (let n = 1; n <= 3; n++) all.push(...listed((await page(n === 1 ? '/blog' : `/blog?page=${n}`)).text))
    expect(new Set(all).size).toBe(all.length)
    expect(all).toEqual(expect.arrayContaining(Array.from({ length: POSTS }, (_, i) => slugOf(i + 1))))
    expect((await page('/blog?page=3')).text).toMatch(/aria-label="Pages"/)
  })

  it('answer page 1 with a redirect to the list, a page that does not exist with 404, and keep neither', async () => {
    for (const pathname of ['/blog?page=2', '/tags/many?page=2', '/blog?tag=many&page=2']) {
      await page(pathname)
      await page(pathname)
    }
    const before = await cacheEntries()
    for (const [pathname, location] of [
      ['/blog?page=1', '/blog'],
      ['/tags/many?page=1', '/tags/many'],
      ['/blog?tag=many&page=1', '/blog?tag=many'],
      ['/blog?tag=MANY&page=2', '/blog?tag=many&page=2'],
    ]) {
      const answer = await page(pathname)
      expect(answer.status, pathname).toBe(301)
      expect(answer.headers.get('location'), pathname).toBe(location)
    }
    const bad = ['999', '4', 'abc', '0', '-1', '1.5', '02', '1e1', '', '%20', '9'.repeat(30)]
    for (const value of bad) {
      for (const base of ['/blog?page=', '/tags/many?page=', '/blog?tag=many&page=']) {
        const answer = await page(`${base}${value}`)
        expect(answer.status, `${base}${value}`).toBe(404)
        expect(answer.headers.get('x-kiln-cache'), `${base}${value}`).not.toBe('hit')
      }
    }
    expect((await page('/tags/many?page=3')).status).toBe(404)
    expect((await page('/blog?page=2&page=3')).status).toBe(404)
    expect(await cacheEntries()).toBe(before)
  })
})

describe('tag feeds', () => {
  it('are RSS, Atom and JSON Feed of the tag’s posts, linked from the tag page', async () => {
    const parser = new XMLParser({ ignoreAttributes: false })
    const rss = await get(server, '/tags/tens/rss.xml')
    expect(rss.status).toBe(200)
    expect(rss.headers.get('content-type')).toContain('application/rss+xml')
    const rssText = await rss.text()
    expect(XMLValidator.validate(rssText)).toBe(true)
    const channel = parser.parse(rssText).rss.channel
    expect(channel.title).toContain('#tens')
    expect(channel.item.map((item: { link: string }) => item.link.replace(/^.*\/blog\//, ''))).toEqual(
      [40, 30, 20, 10].map(slugOf),
    )

    const atom = await (await get(server, '/tags/tens/atom.xml')).text()
    expect(XMLValidator.validate(atom)).toBe(true)
    expect(parser.parse(atom).feed.entry).toHaveLength(4)

    const json = await get(server, '/tags/tens/feed.json')
    expect(json.headers.get('content-type')).toContain('application/feed+json')
    const feed = JSON.parse(await json.text())
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1')
    expect(feed.feed_url).toMatch(/\/tags\/tens\/feed\.json$/)
    expect(feed.items).toHaveLength(4)

    const tagPage = (await page('/tags/tens')).text
    for (const [type, href] of [
      ['application/rss+xml', '/tags/tens/rss.xml'],
      ['application/atom+xml', '/tags/tens/atom.xml'],
      ['application/feed+json', '/tags/tens/feed.json'],
    ]) {
      expect(tagPage).toMatch(new RegExp(`<link rel="alternate" type="${type.replace('+', '\\+')}"[^>]*href="${href}"`))
    }
  })

  it('answer an unknown tag with 404 and a tag written another way with a redirect, keeping neither', async () => {
    for (const pathname of ['/tags/tens/rss.xml', '/tags/tens/atom.xml', '/tags/tens/feed.json']) await page(pathname)
    const before = await cacheEntries()
    for (const file of ['rss.xml', 'atom.xml', 'feed.json']) {
      expect((await page(`/tags/no-such-tag/${file}`)).status).toBe(404)
      expect((await page(`/tags/%3Cscript%3E/${file}`)).status).toBe(404)
      const moved = await page(`/tags/TENS/${file}`)
      expect(moved.status).toBe(301)
      expect(moved.headers.get('location')).toBe(`/tags/tens/${file}`)
    }
    expect(await cacheEntries()).toBe(before)
  })
})

describe('preview links', () => {
  async function adminPost(fields: Record<string, string>, cookie: string | null = adminCookie) {
    const response = await fetch(`${server.url}/admin/previews`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Origin: server.url,
        ...(cookie ? { Cookie: cookie } : {}),
      },
      body: new URLSearchParams(fields).toString(),
    })
    return { status: response.status, text: await response.text() }
  }

  async function createLink(slug: string): Promise<string> {
    const { status, text } = await adminPost({ intent: 'create', slug, days: '7' })
    expect(status).toBe(200)
    return /\/preview\/([A-Za-z0-9_-]{43})/.exec(text)![1]
  }

  it('open a scheduled post to anyone without an account, marked, unindexed and never cached', async () => {
    const token = await createLink('far-future')
    const before = await cacheEntries()
    for (let round = 0; round < 2; round++) {
      const answer = await page(`/preview/${token}`)
      expect(answer.status).toBe(200)
      expect(answer.text).toContain('Preview, not published.')
      expect(answer.text).toContain('Farfuturistic words.')
      expect(answer.text).toContain('<meta name="robots" content="noindex"/>')
      expect(answer.headers.get('cache-control')).toBe('private, no-store')
      expect(answer.headers.get('x-robots-tag')).toBe('noindex')
      // The site's policy comes first; browsers apply the last one they know.
      expect(answer.headers.get('referrer-policy')).toMatch(/(^|, )no-referrer$/)
      expect(answer.headers.get('x-kiln-cache')).not.toBe('hit')
    }
    const module = await get(server, `/preview/${token}/module.js`)
    expect(module.status).toBe(200)
    expect(module.headers.get('cache-control')).toBe('private, no-store')
    expect(await module.text()).toContain('export default function')
    expect(await cacheEntries()).toBe(before)
    // The post itself stays hidden from readers.
    expect((await page('/blog/far-future')).status).toBe(404)
  })

  it('are 404 when forged, revoked or expired, and made only by an admin for a hidden post', async () => {
    for (const forged of [crypto.randomBytes(32).toString('base64url'), 'abc', 'x'.repeat(500)]) {
      expect((await page(`/preview/${forged}`)).status, forged).toBe(404)
      expect((await page(`/preview/${forged}/module.js`)).status, forged).toBe(404)
    }

    const revoked = await createLink('far-future')
    expect((await page(`/preview/${revoked}`)).status).toBe(200)
    const admin = await page('/admin/previews', adminCookie)
    const ids = [...admin.text.matchAll(/name="id" value="(\d+)"/g)].map((match) => match[1])
    expect(ids.length).toBeGreaterThanOrEqual(2)
    // The newest link is listed first.
    expect((await adminPost({ intent: 'revoke', id: ids[0] })).status).toBe(200)
    expect((await page(`/preview/${revoked}`)).status).toBe(404)
    expect((await page(`/preview/${revoked}/module.js`)).status).toBe(404)

    const expired = await createLink('far-future')
    const db = new Database(server.databasePath)
    try {
      db.prepare('UPDATE preview_links SET expires_at = ? WHERE token_hash = ?').run(
        Date.now() - 1,
        crypto.createHash('sha256').update(expired).digest('hex'),
      )
    } finally {
      db.close()
    }
    expect((await page(`/preview/${expired}`)).status).toBe(404)

    const published = await adminPost({ intent: 'create', slug: 'post-01' })
    expect(published.status).toBe(400)
    expect(published.text).toContain('is published already')
    expect((await adminPost({ intent: 'create', slug: 'far-future', days: '365' })).status).toBe(400)
    const anonymous = await adminPost({ intent: 'create', slug: 'far-future' }, null)
    expect(anonymous.status).toBe(302)
    expect(anonymous.text).not.toMatch(/\/preview\/[A-Za-z0-9_-]{43}/)
  })
})
