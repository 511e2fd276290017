/**
 * The page cache, through the real server: hits and misses, the session bypass, the
 * encodings (decompressed and compared with identity), 304s, HEAD, eviction under a small
 * byte bound, a page bigger than the bound, invalidation by a real content refresh (the
 * watcher), and a slow post rendered once for many concurrent requests.
 */
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import zlib from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'
import { until as waitFor } from '../helpers/wait.ts'

const METRICS_TOKEN = 'page-cache-test-token'
const post = (title: string, body: string) => `---\ntitle: ${title}\ndate: 2026-03-01\n---\n\n${body}\n`
/** Words that compress poorly, so a page's compressed size is known to be large. */
const noise = (words: number) =>
  Array.from({ length: words }, (_, i) => ((i * 2654435761) % 4294967296).toString(36)).join(' ')

const files = {
  'blog/hello.mdx': post('Hello', 'The first words.'),
  'blog/second.mdx': post('Second', 'More words.'),
  // Tagged, so its tags' lists exist: only a tag that exists is a page the cache keeps.
  'blog/third.mdx': post('Third', 'Even more words.').replace(
    'date: 2026-03-01\n',
    'date: 2026-03-01\ntags: [notes, other]\n',
  ),
  'blog/fourth.mdx': post('Fourth', 'The last of the small ones.'),
  'blog/big.mdx': post('Big', noise(12_000)),
  // A post whose demo component busy-waits 400 ms while it renders, on purpose.
  'blog/slow-render/index.mdx': post('Slow render', "import { Busy } from './busy.tsx'\n\n<Busy />\n\nVersion one."),
  'blog/slow-render/busy.tsx':
    `export function Busy() {\n  const end = Date.now() + 400\n  while ` +
    `(Date.now() < end) {}\n  return <p>busy done</p>\n}\n`,
}

interface Raw {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

/** A GET (or HEAD) with node:http: the bytes exactly as sent, never decompressed. */
function raw(server: KilnServer, pathname: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${server.url}${pathname}`, { method, headers }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      )
    })
    request.on('error', reject)
    request.end()
  })
}

async function cacheFigures(server: KilnServer): Promise<Record<string, number>> {
  const text = await (
    await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })
  ).text()
  const figures: Record<string, number> = {}
  for (const line of text.split('\n')) {
    const match = /^kiln_page_cache_(\w+) (\S+)$/.exec(line)
    if (match) figures[match[1]] = Number(match[2])
  }
  return figures
}

describe('page cache', () => {
  let server: KilnServer
  let contentDir: string

  beforeAll(async () => {
    contentDir = makeContentDir(files)
    server = await startServer({ contentDir, env: { METRICS_TOKEN, CONTENT_WATCH: '1' } })
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('renders a page once, then answers from memory', async () => {
    const first = await raw(server, '/blog/hello', { 'Accept-Encoding': 'br' })
    expect(first.status).toBe(200)
    expect(first.headers['x-kiln-cache']).toBe('miss')
    const second = await raw(server, '/blog/hello', { 'Accept-Encoding': 'br' })
    expect(second.headers['x-kiln-cache']).toBe('hit')
    expect(second.body.equals(first.body)).toBe(true)
    expect(second.headers.etag).toBe(first.headers.etag)
    expect(second.headers['cache-control']).toMatch(/s-maxage=\d+/)
    expect(second.headers['cache-control']).toMatch(/stale-while-revalidate=\d+/)
    expect(second.headers['cache-control']).toMatch(/max-age=0/)
    expect(second.headers.vary).toMatch(/Accept-Encoding/)
    expect(second.headers['set-cookie']).toBeUndefined()
    expect(second.headers['x-kiln-page-cache']).toBeUndefined()
    expect(second.headers['server-timing']).toMatch(/total/)
  })

  it('answers a hit ahead of the middleware chain with the headers the chain gives, leaving it the rest', async () => {
    // The miss went through Express and the whole chain; the hit is answered before it.
    const miss = await raw(server, '/blog/big', { 'Accept-Encoding': 'gzip' })
    const hit = await raw(server, '/blog/big', { 'Accept-Encoding': 'gzip' })
    expect([miss.headers['x-kiln-cache'], hit.headers['x-kiln-cache']]).toEqual(['miss', 'hit'])
    const names = (answer: Raw) => Object.keys(answer.headers).sort()
    expect(names(hit)).toEqual(names(miss))
    for (const name of ['content-security-policy', 'permissions-policy', 'x-frame-options', 'cache-control', 'vary'])
      expect(hit.headers[name], name).toBe(miss.headers[name])
    expect(hit.headers['x-request-id']).not.toBe(miss.headers['x-request-id'])
    expect(hit.headers['server-timing']).toMatch(/cache;.*total;dur=/)
    // The access log and /metrics count it as any other answer.
    const accessLine = () =>
      server
        .stdout()
        .split('\n')
        .find((entry) => entry.includes(`"reqId":"${hit.headers['x-request-id']}"`))
    await waitFor(() => accessLine() !== undefined, 'the access line of the hit')
    const line = accessLine()!
    expect(JSON.parse(line)).toMatchObject({ method: 'GET', route: '/blog/:slug', status: 200, cache: 'hit' })
    // A kept page asked with what only the chain handles: a LiteFS cookie to check (a bad
    // one is cleared), a body to bound. Both are still answered, by the chain.
    const withCookie = await raw(server, '/blog/big', { 'Accept-Encoding': 'gzip', Cookie: 'txnum=not-a-number' })
    expect(withCookie.status).toBe(200)
    expect(String(withCookie.headers['set-cookie'])).toMatch(/^txnum=\d*;.*expires=Thu, 01 Jan 1970/i)
    expect(withCookie.headers['cache-control']).toMatch(/private/)
    const withBody = await new Promise<number>((resolve, reject) => {
      const body = 'x'.repeat(100_000)
      const headers = { 'Content-Length': String(body.length) }
      const request = http.request(`${server.url}/blog/big`, { method: 'GET', headers }, (response) => {
        response.resume()
        resolve(response.statusCode ?? 0)
      })
      request.on('error', reject)
      request.end(body)
    })
    expect(withBody).toBe(413)
  })

  it('keeps the home, list and tag pages too, and query strings apart', async () => {
    for (const pathname of ['/', '/blog', '/tags', '/blog?tag=notes']) {
      expect((await raw(server, pathname)).headers['x-kiln-cache'], pathname).toBe('miss')
      expect((await raw(server, pathname)).headers['x-kiln-cache'], pathname).toBe('hit')
    }
    expect((await raw(server, '/blog?tag=other')).headers['x-kiln-cache']).toBe('miss')
    // A parameter the page does not read cannot change it: the page's own entry answers,
    // so random queries neither churn the cache nor cost a render.
    const list = await raw(server, '/blog')
    for (const pathname of ['/blog?utm_source=feed', '/blog?r=1', '/blog?tag=notes&utm_source=feed']) {
      const response = await raw(server, pathname)
      expect(response.status, pathname).toBe(200)
      expect(response.headers['x-kiln-cache'], pathname).toBe('hit')
      if (!pathname.includes('tag=')) expect(response.headers.etag, pathname).toBe(list.headers.etag)
    }
  })

  it('answers a post under any query it does not read from its own entry, rendered at its own address', async () => {
    const before = await cacheFigures(server)
    // The first request of this post carries a query: it renders at the post's own address,
    // so nothing of the query reaches the page kept for every reader.
    const first = await raw(server, '/blog/fourth?evil=%22injected%22&r=1')
    expect(first.status).toBe(200)
    expect(first.headers['x-kiln-cache']).toBe('miss')
    const plain = await raw(server, '/blog/fourth')
    expect(plain.headers['x-kiln-cache']).toBe('hit')
    expect(plain.headers.etag).toBe(first.headers.etag)
    for (let i = 0; i < 5; i++) {
      const busted = await raw(server, `/blog/fourth?r=${i}&utm_campaign=x${i}`)
      expect(busted.headers['x-kiln-cache']).toBe('hit')
      expect(busted.headers.etag).toBe(plain.headers.etag)
    }
    const identity = await raw(server, '/blog/fourth?x=1', { 'Accept-Encoding': 'identity' })
    expect(identity.body.toString()).not.toContain('injected')
    expect(identity.body.toString()).not.toContain('evil')
    const after = await cacheFigures(server)
    // One render, one entry, seven hits.
    expect(after.misses_total - before.misses_total).toBe(1)
    expect(after.entries - before.entries).toBe(1)
    expect(after.hits_total - before.hits_total).toBe(7)
  })

  it("passes Remix's route manifest requests through with their query (client navigation needs it)", async () => {
    const home = await raw(server, '/')
    const version = /manifest-([0-9a-f]+)\.js/.exec(home.body.toString())?.[1]
    expect(version).toBeTruthy()
    // `/__manifest` looks like a page of `$page`: were its query dropped like a tracker's,
    // Remix would see no version, answer "reload the document", and every link would
    // become a full page load.
    const manifest = await raw(server, `/__manifest?p=%2Fblog&version=${version}`)
    expect(manifest.status).toBe(200)
    expect(JSON.parse(manifest.body.toString())).toHaveProperty(['routes/blog._index'])
    const stale = await raw(server, '/__manifest?p=%2Fblog&version=not-this-build')
    expect(stale.status).toBe(204)
  })

  it('bypasses the cache for a request with a session cookie', async () => {
    await raw(server, '/blog/second')
    const signedIn = await raw(server, '/blog/second', { Cookie: 'kiln_visitor=1; kiln_session=anything' })
    expect(signedIn.status).toBe(200)
    expect(signedIn.headers['x-kiln-cache']).toBe('bypass')
    expect(signedIn.headers.etag).toBeUndefined()
    expect(signedIn.headers['x-kiln-page-cache']).toBeUndefined()
    expect(signedIn.headers['cache-control']).toBe('private, no-store')
    // Other cookies share the anonymous page; the theme cookie gets its own.
    expect((await raw(server, '/blog/second', { Cookie: 'kiln_visitor=1' })).headers['x-kiln-cache']).toBe('hit')
    expect((await raw(server, '/blog/second', { Cookie: 'kiln_theme=dark' })).headers['x-kiln-cache']).toBe('miss')
    expect((await raw(server, '/blog/second', { Cookie: 'kiln_theme=dark' })).headers['x-kiln-cache']).toBe('hit')
  })

  it('never keeps what is not content-only: errors, admin pages, writes', async () => {
    for (let i = 0; i < 2; i++) {
      const missing = await raw(server, '/blog/no-such-post')
      expect(missing.status).toBe(404)
      expect(missing.headers['x-kiln-cache']).toBeUndefined()
      expect((await raw(server, '/login')).headers['x-kiln-cache']).toBeUndefined()
    }
    const post = await fetch(`${server.url}/blog/hello`, { method: 'POST' })
    expect(post.headers.get('x-kiln-cache')).toBe('bypass')
    // Data requests for client-side navigation are per-route JSON: never kept.
    expect((await raw(server, '/blog/hello.data')).headers['x-kiln-cache']).toBe('bypass')
  })

  it("serves the build's assets precompressed, immutable", async () => {
    const html = (await raw(server, '/')).body.toString()
    const scripts = [...new Set(html.match(/\/assets\/[\w.-]+\.js/g) ?? [])]
    expect(scripts.length).toBeGreaterThan(0)
    // The largest: big enough to be kept compressed.
    const sized = await Promise.all(
      scripts.map(async (pathname) => ({ pathname, response: await raw(server, pathname) })),
    )
    const { pathname: script, response: identity } = sized.sort(
      (a, b) => b.response.body.length - a.response.body.length,
    )[0]
    expect(identity.body.length).toBeGreaterThanOrEqual(1024)
    expect(identity.headers['content-encoding']).toBeUndefined()
    for (const [encoding, decompress] of [
      ['br', zlib.brotliDecompressSync],
      ['gzip', zlib.gunzipSync],
    ] as const) {
      const response = await raw(server, script, { 'Accept-Encoding': encoding })
      expect(response.status).toBe(200)
      expect(response.headers['cache-control']).toMatch(/immutable/)
      expect(response.headers['content-type']).toMatch(/javascript/)
      expect(response.headers['content-encoding']).toBe(encoding)
      expect(decompress(response.body).equals(identity.body)).toBe(true)
    }
  })

  it('serves brotli, gzip and identity by Accept-Encoding, all the same page', async () => {
    await raw(server, '/blog/third')
    const identity = await raw(server, '/blog/third', { 'Accept-Encoding': 'identity' })
    expect(identity.headers['content-encoding']).toBeUndefined()
    expect(identity.body.toString()).toContain('Even more words.')
    expect(Number(identity.headers['content-length'])).toBe(identity.body.length)

    const br = await raw(server, '/blog/third', { 'Accept-Encoding': 'gzip, deflate, br' })
    expect(br.headers['content-encoding']).toBe('br')
    expect(zlib.brotliDecompressSync(br.body).equals(identity.body)).toBe(true)

    const gzip = await raw(server, '/blog/third', { 'Accept-Encoding': 'gzip' })
    expect(gzip.headers['content-encoding']).toBe('gzip')
    expect(zlib.gunzipSync(gzip.body).equals(identity.body)).toBe(true)
    expect(new Set([identity.headers.etag, br.headers.etag, gzip.headers.etag]).size).toBe(3)

    for (const odd of ['', 'deflate', 'gzip;q=0, br;q=0', 'nonsense;;q=banana', 'br;q=2']) {
      const response = await raw(server, '/blog/third', { 'Accept-Encoding': odd })
      expect(response.headers['content-encoding'], odd).toBeUndefined()
      expect(response.body.equals(identity.body), odd).toBe(true)
    }
    const absent = await raw(server, '/blog/third')
    expect(absent.body.equals(identity.body)).toBe(true)
  })

  it('unzips a page once for clients that take no compression, then sends its kept plain copy', async () => {
    // Its own key (the light theme's page of this post), asked for uncompressed by nobody before.
    const light = { Cookie: 'kiln_theme=light' }
    await raw(server, '/blog/second', { ...light, 'Accept-Encoding': 'br' })
    const before = await cacheFigures(server)
    const answers = []
    for (let i = 0; i < 6; i++) {
      answers.push(await raw(server, '/blog/second', { ...light, 'Accept-Encoding': 'identity' }))
    }
    const after = await cacheFigures(server)
    for (const answer of answers) {
      expect(answer.headers['x-kiln-cache']).toBe('hit')
      expect(answer.headers['content-encoding']).toBeUndefined()
      expect(answer.body.equals(answers[0].body)).toBe(true)
      expect(Number(answer.headers['content-length'])).toBe(answer.body.length)
    }
    expect(answers[0].body.toString()).toContain('More words.')
    // The first identity request unzips and keeps the copy; the five after it are copies.
    expect(after.unzipped_total - before.unzipped_total).toBe(1)
    expect(after.plain_copies - before.plain_copies).toBe(1)
    expect(after.entries - before.entries).toBe(0)
  })

  it('answers 304 for a matching If-None-Match: one tag, a list, a weak tag', async () => {
    const page = await raw(server, '/blog/fourth', { 'Accept-Encoding': 'br' })
    const etag = page.headers.etag!
    expect(etag).toMatch(/^"[^"]+"$/)
    for (const ifNoneMatch of [etag, `"other", ${etag}`, `W/${etag}`, '*']) {
      const response = await raw(server, '/blog/fourth', { 'Accept-Encoding': 'br', 'If-None-Match': ifNoneMatch })
      expect(response.status, ifNoneMatch).toBe(304)
      expect(response.body.length).toBe(0)
      expect(response.headers.etag).toBe(etag)
    }
    const changed = await raw(server, '/blog/fourth', { 'Accept-Encoding': 'br', 'If-None-Match': '"not-this-one"' })
    expect(changed.status).toBe(200)
    expect(changed.body.equals(page.body)).toBe(true)
  })

  it('answers HEAD from the cache with the length and no body', async () => {
    const get = await raw(server, '/blog/hello', { 'Accept-Encoding': 'gzip' })
    const head = await raw(server, '/blog/hello', { 'Accept-Encoding': 'gzip' }, 'HEAD')
    expect(head.status).toBe(200)
    expect(head.headers['x-kiln-cache']).toBe('hit')
    expect(head.body.length).toBe(0)
    expect(Number(head.headers['content-length'])).toBe(get.body.length)
    const identityHead = await raw(server, '/blog/hello', {}, 'HEAD')
    const identity = await raw(server, '/blog/hello')
    expect(Number(identityHead.headers['content-length'])).toBe(identity.body.length)
  })

  it('renders a slow post once for many concurrent requests, and once again per new version', async () => {
    const before = await cacheFigures(server)
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => raw(server, '/blog/slow-render', { 'Accept-Encoding': 'br' })),
    )
    for (const response of responses) {
      expect(response.status).toBe(200)
      expect(zlib.brotliDecompressSync(response.body).toString()).toContain('busy done')
    }
    const after = await cacheFigures(server)
    expect(after.misses_total - before.misses_total).toBe(1)
    expect(after.hits_total - before.hits_total).toBe(5)

    // A real refresh (the watcher sees the save): the new version renders once more.
    fs.writeFileSync(
      path.join(contentDir, 'blog/slow-render/index.mdx'),
      post('Slow render', "import { Busy } from './busy.tsx'\n\n<Busy />\n\nVersion two."),
    )
    await waitFor(
      async () => (await (await fetch(`${server.url}/blog/slow-render`)).text()).includes('Version two.'),
      'the edited post',
    )
    await Promise.all(Array.from({ length: 6 }, () => raw(server, '/blog/slow-render', { 'Accept-Encoding': 'br' })))
    const edited = await cacheFigures(server)
    expect(edited.misses_total - after.misses_total).toBe(1)
  })

  it('re-renders an edited post and the lists after a body edit, and keeps every other page', async () => {
    const pages = ['/blog/hello', '/blog/second', '/blog/fourth', '/', '/blog', '/tags/notes']
    for (const page of pages) await raw(server, page)
    for (const page of pages) expect((await raw(server, page)).headers['x-kiln-cache'], page).toBe('hit')
    const before = await cacheFigures(server)
    // A real refresh (the watcher sees the save) of one post's body only.
    fs.writeFileSync(path.join(contentDir, 'blog/hello.mdx'), post('Hello', 'The first words, edited.'))
    await waitFor(async () => (await raw(server, '/blog/hello')).body.toString().includes('edited.'), 'the edited post')
    // Its neighbours and the pages that only show other posts were not rendered again.
    expect((await raw(server, '/blog/second')).headers['x-kiln-cache']).toBe('hit')
    expect((await raw(server, '/blog/fourth')).headers['x-kiln-cache']).toBe('hit')
    // The lists show reading times, read from the bodies: they are rendered again, once.
    expect((await raw(server, '/')).headers['x-kiln-cache']).toBe('miss')
    expect((await raw(server, '/blog')).headers['x-kiln-cache']).toBe('miss')
    expect((await raw(server, '/blog')).headers['x-kiln-cache']).toBe('hit')
    // The stale pages left the store when the change was seen, not when next asked for.
    expect((await cacheFigures(server)).entries).toBeLessThanOrEqual(before.entries)
  })

  it('re-renders every post when what their frame shows changes: a title', async () => {
    await raw(server, '/blog/second')
    await raw(server, '/blog/fourth')
    expect((await raw(server, '/blog/fourth')).headers['x-kiln-cache']).toBe('hit')
    // A new title is in the neighbours' links and every list.
    fs.writeFileSync(path.join(contentDir, 'blog/hello.mdx'), post('Hello again', 'The first words, edited.'))
    await waitFor(
      async () => (await raw(server, '/blog/hello')).body.toString().includes('Hello again'),
      'the retitled post',
    )
    expect((await raw(server, '/blog/fourth')).headers['x-kiln-cache']).toBe('miss')
    expect((await raw(server, '/blog/second')).headers['x-kiln-cache']).toBe('miss')
  })
})

describe('page cache under a small byte bound', () => {
  let server: KilnServer
  /** Room for two small pages but not three: measured, since a page's size follows the layout. */
  let MAX_BYTES = 0

  beforeAll(async () => {
    const probe = await startServer({ contentDir: makeContentDir(files), env: { METRICS_TOKEN } })
    try {
      await raw(probe, '/blog/hello', { 'Accept-Encoding': 'br' })
      MAX_BYTES = Math.floor((await cacheFigures(probe)).bytes * 2.5)
    } finally {
      await probe.stop()
    }
    expect(MAX_BYTES).toBeGreaterThan(0)
    server = await startServer({
      contentDir: makeContentDir(files),
      env: { METRICS_TOKEN, PAGE_CACHE_MAX_BYTES: String(MAX_BYTES) },
    })
  }, 300_000)
  afterAll(async () => {
    await server?.stop()
  })

  it('evicts the least recently used pages and never holds more than the bound', async () => {
    // Each small page is kept as brotli and gzip: two fit.
    const visit = async (slug: string) => {
      const response = await raw(server, `/blog/${slug}`, { 'Accept-Encoding': 'br' })
      expect(response.status).toBe(200)
      const figures = await cacheFigures(server)
      expect(figures.bytes).toBeLessThanOrEqual(MAX_BYTES)
      expect(figures.max_bytes).toBe(MAX_BYTES)
      return response.headers['x-kiln-cache']
    }
    expect(await visit('hello')).toBe('miss')
    expect(await visit('second')).toBe('miss')
    expect(await visit('hello')).toBe('hit') // hello is now the most recently used
    expect(await visit('third')).toBe('miss') // evicts second
    expect(await visit('hello')).toBe('hit')
    expect(await visit('second')).toBe('miss')
    const figures = await cacheFigures(server)
    expect(figures.evictions_total).toBeGreaterThanOrEqual(2)
    expect(figures.entries).toBe(2)
  })

  it('serves a page larger than the bound without keeping it', async () => {
    for (let i = 0; i < 2; i++) {
      const response = await raw(server, '/blog/big', { 'Accept-Encoding': 'gzip' })
      expect(response.status).toBe(200)
      expect(response.body.length).toBeGreaterThan(MAX_BYTES)
      expect(response.headers['x-kiln-cache']).toBe('miss')
      expect(zlib.gunzipSync(response.body).toString()).toContain('Big')
    }
    expect((await cacheFigures(server)).bytes).toBeLessThanOrEqual(MAX_BYTES)
  })
})
