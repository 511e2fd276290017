/**
 * The admin dashboard and /metrics on the real, built server: the redirect for anonymous
 * visitors, the memory figures against the process's own RSS (from /proc), the pool,
 * cache and content sections, the bearer token on /metrics, and route labels that stay
 * bounded whatever addresses are requested.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdminAndSignIn } from '../helpers/auth.ts'
import { stopServer } from '../helpers/fixtures.ts'
import { get, repoRoot, sampleContentDir, startServer, type KilnServer } from '../helpers/server.ts'

const ADMIN = 'dash@example.com'
const PASSWORD = 'a long dashboard password'
const TOKEN = 'metrics-token-for-the-test-0123456789'

let server: KilnServer
let noToken: KilnServer
let cookie: string

beforeAll(async () => {
  ;[server, noToken] = await Promise.all([
    startServer({ contentDir: sampleContentDir, env: { METRICS_TOKEN: TOKEN } }),
    startServer({ contentDir: sampleContentDir, env: { METRICS_TOKEN: '' } }),
  ])
  cookie = await createAdminAndSignIn(server, ADMIN, PASSWORD)
})

afterAll(() => Promise.all([stopServer(server), stopServer(noToken)]))

/** The text of every `data-stat="name"` element. */
function stats(html: string): Record<string, string> {
  const found: Record<string, string> = {}
  for (const match of html.matchAll(/data-stat="([^"]+)"[^>]*>([^<]*)</g)) found[match[1]] = match[2]
  return found
}

const megabytes = (text: string) => {
  const match = /^([\d.]+) MB$/.exec(text)
  if (!match) throw new Error(`not a MB figure: "${text}"`)
  return Number(match[1])
}

function vmRssMB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1])
  return kb / 1024
}

/** A GET whose body is read to the end: the request is counted when its last byte goes out. */
async function getStatus(s: KilnServer, pathname: string): Promise<number> {
  const response = await get(s, pathname)
  await response.arrayBuffer()
  return response.status
}

const metrics = (s: KilnServer, token = TOKEN) => get(s, '/metrics', { headers: { Authorization: `Bearer ${token}` } })

/** Label values of one label across the samples of one metric. */
function labelValues(text: string, metric: string, label: string): Set<string> {
  const values = new Set<string>()
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue
    const value = new RegExp(`[{,]${label}="([^"]*)"`).exec(line)?.[1]
    if (value !== undefined) values.add(value)
  }
  return values
}

function sample(text: string, metric: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue
    if (Object.entries(labels).every(([name, value]) => line.includes(`${name}="${value}"`)))
      return Number(line.split(' ').at(-1))
  }
  return undefined
}

describe('admin dashboard', () => {
  it('sends an anonymous visitor to sign in, and back here after', async () => {
    const response = await get(server, '/admin')
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/login?redirectTo=%2Fadmin')
  })

  it("shows the admin the server's memory, in MB, matching the process's RSS", async () => {
    // Take the page's figure and /proc's on either side of it: RSS moves a little per request.
    const before = vmRssMB(server.serverPid())
    const response = await get(server, '/admin', { headers: { Cookie: cookie } })
    const after = vmRssMB(server.serverPid())
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toContain('no-store')
    const html = await response.text()
    expect(html).toContain('<meta name="robots" content="noindex"/>')
    const figures = stats(html)
    const rss = megabytes(figures['memory-rss'])
    const tolerance = Math.max(8, 0.08 * after)
    expect(rss).toBeGreaterThan(Math.min(before, after) - tolerance)
    expect(rss).toBeLessThan(Math.max(before, after) + tolerance)
    for (const name of ['heapUsed', 'heapTotal', 'external', 'arrayBuffers'])
      expect(megabytes(figures[`memory-${name}`])).toBeGreaterThanOrEqual(0)
    expect(megabytes(figures['memory-heapUsed'])).toBeLessThanOrEqual(megabytes(figures['memory-heapTotal']))
    expect(megabytes(figures['memory-heapTotal'])).toBeLessThan(rss)

    // The chart: one line per series.
    expect(html).toContain('data-testid="memory-chart"')
    expect([...html.matchAll(/<polyline[^>]*data-series="([^"]+)"/g)].map((m) => m[1]).sort()).toEqual([
      'arrayBuffers',
      'external',
      'heapTotal',
      'heapUsed',
      'rss',
    ])

    expect(figures['node-version']).toBe(process.version)
    expect(figures['kiln-version']).toBe(
      JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version,
    )
    expect(figures['instance-role']).toBe('primary')
    expect(figures['event-loop-p50']).toMatch(/ms$|—/)
    expect(figures['event-loop-p99']).toMatch(/ms$|—/)
  })

  it('shows both worker pools, the component cache, the page cache and the content', async () => {
    // Read a post first, so the compile pool and the caches have something to count: an
    // anonymous read renders it (and keeps the page), a signed-in one renders it again
    // (the component cache's hit), the next anonymous one is the page cache's hit.
    expect(await getStatus(server, '/blog/code-highlighting')).toBe(200)
    expect((await get(server, '/blog/code-highlighting', { headers: { Cookie: cookie } })).status).toBe(200)
    expect(await getStatus(server, '/blog/code-highlighting')).toBe(200)
    const html = await (await get(server, '/admin', { headers: { Cookie: cookie } })).text()
    expect(Number(stats(html)['page-cache-entries'])).toBeGreaterThanOrEqual(1)
    expect(Number(stats(html)['page-cache-hits'])).toBeGreaterThanOrEqual(1)
    for (const section of [
      'memory',
      'process',
      'diagnostics',
      'pool-highlight',
      'pool-compile',
      'cache',
      'page-cache',
      'content',
    ]) {
      expect(html).toContain(`data-section="${section}"`)
    }
    const figures = stats(html)
    expect(Number(figures['pool-compile-jobs'])).toBeGreaterThanOrEqual(1)
    expect(Number(figures['pool-highlight-jobs'])).toBeGreaterThanOrEqual(1)
    expect(figures['pool-compile-threads']).toMatch(/^\d+ \/ 1$/)
    expect(figures['pool-compile-last']).not.toBe('none yet')
    expect(figures['cache-entries']).toMatch(/^[1-9]\d* \/ 50$/)
    expect(Number(figures['cache-misses'])).toBeGreaterThanOrEqual(1)
    expect(Number(figures['cache-hits'])).toBeGreaterThanOrEqual(1)
    expect(Number(figures['content-posts'])).toBeGreaterThan(5)
    // The diagnostics links are plain navigations without a `download` attribute: the
    // file arrives as an attachment, and a refusal (409, 503) shows as a page to read.
    for (const href of [
      '/admin/heapsnapshot?gzip=1',
      '/admin/heapsnapshot',
      '/admin/heapprofile?seconds=10',
      '/admin/cpuprofile?seconds=10',
    ]) {
      const link = [...html.matchAll(/<a [^>]*>/g)].map((m) => m[0]).find((tag) => tag.includes(`href="${href}"`))
      expect(link, href).toBeDefined()
      expect(link, href).not.toContain('download=""')
    }
  })

  it('samples memory every 5 s into the ring', async () => {
    const count = async () => {
      const html = await (await get(server, '/admin', { headers: { Cookie: cookie } })).text()
      return Number(/(\d+) of 720 samples/.exec(html)?.[1])
    }
    const first = await count()
    expect(first).toBeGreaterThanOrEqual(1)
    await new Promise((resolve) => setTimeout(resolve, 5_500))
    expect(await count()).toBeGreaterThan(first)
  })
})

describe('/metrics', () => {
  it('does not exist without METRICS_TOKEN', async () => {
    expect((await get(noToken, '/metrics')).status).toBe(404)
    expect((await metrics(noToken, 'anything')).status).toBe(404)
  })

  it('refuses a missing or wrong token with 401', async () => {
    const none = await get(server, '/metrics')
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect((await metrics(server, 'wrong')).status).toBe(401)
    expect((await metrics(server, TOKEN.replace(/.$/, 'x'))).status).toBe(401)
    expect((await metrics(server, `${TOKEN}x`)).status).toBe(401)
    expect((await get(server, '/metrics', { headers: { Authorization: TOKEN } })).status).toBe(401)
    expect(await (await metrics(server, 'wrong')).text()).not.toContain('process_resident_memory_bytes')
  })

  it("answers Prometheus text with the process's and Kiln's figures for the right token", async () => {
    expect(await getStatus(server, '/tags')).toBe(200)
    // A page's data request (a client-side navigation, the dashboard's refresh) counts as that page.
    expect(await getStatus(server, '/tags.data')).toBe(200)
    const response = await metrics(server)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await response.text()
    const rss = Number(/^process_resident_memory_bytes (\d+)/m.exec(text)?.[1])
    expect(rss / 1024 / 1024).toBeGreaterThan(vmRssMB(server.serverPid()) * 0.7)
    expect(sample(text, 'kiln_http_requests_total', { route: '/tags', method: 'GET', status: '200' })).toBe(2)
    expect(
      sample(text, 'kiln_http_request_duration_seconds_count', { route: '/tags', method: 'GET', status: '200' }),
    ).toBeGreaterThanOrEqual(1)
    expect(text).toMatch(/^kiln_http_request_duration_seconds_bucket\{le="0\.1",route="\/tags"/m)
    for (const name of [
      'kiln_component_cache_entries',
      'kiln_component_cache_bytes',
      'kiln_component_cache_hits_total',
      'kiln_component_cache_misses_total',
      'kiln_compiles_total',
      'kiln_compile_seconds_total',
      'kiln_content_entries',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(text, name).toMatch(new RegExp(`^${name}[ {]`, 'm'))
    }
    for (const pool of ['highlight', 'compile']) {
      for (const name of [
        'kiln_worker_pool_threads',
        'kiln_worker_pool_jobs_total',
        'kiln_worker_pool_failures_total',
      ]) {
        expect(sample(text, name, { pool }), `${name} ${pool}`).toBeGreaterThanOrEqual(0)
      }
    }
    expect(sample(text, 'kiln_worker_pool_jobs_total', { pool: 'compile' })).toBeGreaterThanOrEqual(1)
    expect(sample(text, 'kiln_content_entries', { kind: 'post' })).toBeGreaterThan(5)
  })

  it('keeps the route label bounded: 50 unknown addresses of any shape share one value', async () => {
    const before = await (await metrics(server)).text()
    const routesBefore = labelValues(before, 'kiln_http_requests_total', 'route')
    const random = () => crypto.randomBytes(6).toString('hex')
    const paths = Array.from(
      { length: 50 },
      (_, i) =>
        [
          `/${random()}`,
          `/${random()}/${random()}`,
          `/no/such/${random()}/page`,
          `/admin/${random()}`,
          `/x-${random()}.php?q=${random()}`,
        ][i % 5],
    )
    for (const pathname of paths) expect(await getStatus(server, pathname), pathname).toBe(404)

    const after = await (await metrics(server)).text()
    const routesAfter = labelValues(after, 'kiln_http_requests_total', 'route')
    const added = [...routesAfter].filter((route) => !routesBefore.has(route))
    expect(added.filter((route) => route !== 'other')).toEqual([])
    expect(routesAfter.has('other')).toBe(true)
    const otherBefore =
      sample(before, 'kiln_http_requests_total', { route: 'other', method: 'GET', status: '404' }) ?? 0
    expect(sample(after, 'kiln_http_requests_total', { route: 'other', method: 'GET', status: '404' })).toBe(
      otherBefore + 50,
    )
    // No address made it into the text at all.
    for (const pathname of paths) expect(after).not.toContain(pathname.split('?')[0])
    // Every series of the counter, and of the histogram, is one of a handful.
    expect(after.split('\n').filter((line) => line.startsWith('kiln_http_requests_total{')).length).toBeLessThan(20)
  })
})

describe("the pools' threads' heap", () => {
  let pooled: KilnServer
  let pooledCookie: string
  beforeAll(async () => {
    // Threads that outlive the test (their idle time far past it), so what is read is
    // decided by the requests below and never by a timer.
    pooled = await startServer({
      contentDir: sampleContentDir,
      env: { METRICS_TOKEN: TOKEN, HIGHLIGHT_IDLE_MS: '600000', COMPILE_IDLE_MS: '600000' },
    })
    pooledCookie = await createAdminAndSignIn(pooled, ADMIN, PASSWORD)
  })
  afterAll(() => stopServer(pooled))

  it('is 0 with no thread alive, the heap of the live threads once they work, and absent for processes', async () => {
    const before = await (await metrics(pooled)).text()
    expect(sample(before, 'kiln_worker_pool_threads', { pool: 'highlight' })).toBe(0)
    expect(sample(before, 'kiln_worker_pool_heap_bytes', { pool: 'highlight' })).toBe(0)
    expect(sample(before, 'kiln_worker_pool_heap_bytes', { pool: 'compile' })).toBe(0)
    // The image pool's workers are processes: no heap of this process to report.
    expect(sample(before, 'kiln_worker_pool_heap_bytes', { pool: 'image' })).toBeUndefined()
    const idleDashboard = stats(await (await get(pooled, '/admin', { headers: { Cookie: pooledCookie } })).text())
    expect(idleDashboard['pool-highlight-heap']).toBe('none')
    expect(idleDashboard['pool-image-heap']).toBeUndefined()

    // A post with code blocks: one compile thread and one highlight thread start, and stay.
    expect(await getStatus(pooled, '/blog/code-highlighting')).toBe(200)
    const after = await (await metrics(pooled)).text()
    for (const pool of ['highlight', 'compile']) {
      expect(sample(after, 'kiln_worker_pool_threads', { pool }), pool).toBe(1)
      // A thread's heap holds at least Node's own start-up (several MB), and less than its limit.
      const bytes = sample(after, 'kiln_worker_pool_heap_bytes', { pool })!
      expect(bytes, pool).toBeGreaterThan(2 * 1024 * 1024)
      expect(bytes, pool).toBeLessThan(1024 * 1024 * 1024)
    }
    const dashboard = stats(await (await get(pooled, '/admin', { headers: { Cookie: pooledCookie } })).text())
    expect(megabytes(dashboard['pool-highlight-heap'])).toBeGreaterThan(2)
    expect(megabytes(dashboard['pool-compile-heap'])).toBeGreaterThan(2)
  })
})

describe('the memory history and the leak trend', () => {
  it('reads days of history from SQLite, and flags a steady rise on the dashboard and in /metrics', async () => {
    const before = await (await metrics(server)).text()
    expect(before).toMatch(/^kiln_memory_leak_suspected 0$/m)
    expect(
      (await (await get(server, '/admin', { headers: { Cookie: cookie } })).text()).match(
        /data-testid="leak-trend" data-suspected="(\w+)"/,
      )?.[1],
    ).toBe('false')

    // Eight hours the server did not live through, as an earlier run of it would have stored
    // them: the heap's floor rising 4 MB an hour.
    const db = new Database(server.databasePath)
    const insert = db.prepare(
      'INSERT INTO memory_history (hostname, at, heap_min, heap_max, rss_max, rss_last) VALUES (?, ?, ?, ?, ?, ?)',
    )
    const now = Date.now()
    const MB = 1024 * 1024
    for (let minutes = 8 * 60; minutes >= 5; minutes -= 5) {
      const heap = 40 * MB + ((8 * 60 - minutes) / 60) * 4 * MB
      insert.run(os.hostname(), new Date(now - minutes * 60_000).toISOString(), heap, heap * 1.5, 150 * MB, 140 * MB)
    }
    db.close()

    const html = await (await get(server, '/admin', { headers: { Cookie: cookie } })).text()
    expect(html).toMatch(/data-testid="leak-trend" data-suspected="true"/)
    expect(html).toContain('data-testid="memory-days-chart"')
    expect(html).toMatch(/risen steadily by about [34]\.\d MB per hour/)
    const after = await (await metrics(server)).text()
    expect(after).toMatch(/^kiln_memory_leak_suspected 1$/m)
    const slope = Number(/^kiln_memory_heap_floor_slope_bytes_per_hour (\S+)$/m.exec(after)?.[1])
    expect(slope / MB).toBeGreaterThan(3)
  })
})
