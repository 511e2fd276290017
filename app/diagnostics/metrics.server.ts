/**
 * Metrics for machines: Prometheus text from prom-client, for GET /metrics.
 *
 * prom-client's default process metrics, and Kiln's own:
 *   kiln_http_requests_total, kiln_http_request_duration_seconds   by route, method, status
 *   kiln_component_cache_*                                         the evaluated-component LRU
 *   kiln_social_image_*, kiln_feed_html_cache_*                    social image and feed HTML LRUs
 *   kiln_page_cache_*                                              rendered pages kept in memory
 *                                                                  (app/http/page-cache.server.ts)
 *   kiln_worker_pool_*                                             highlight, compile and image pools
 *   kiln_image_*                                                   resized images on disk (app/images/)
 *   kiln_compiles_total, kiln_compile_seconds_total                compiles since start
 *   kiln_content_entries, kiln_compiled_*                          the content and its store
 *   kiln_password_verifications_total, kiln_sign_in_*_total        scrypt runs and refused sign-ins
 *   kiln_view_beacon_limit*                                        the view beacon's per-address rate limit
 *
 * prom-client's nodejs_eventloop_lag_max_seconds is the worst event-loop delay since the
 * previous scrape (its histogram is reset at every collect): the figure that shows a
 * request holding the main thread (tests/integration/security-search-budget.test.ts).
 *
 * Every label has a bounded set of values. The route label is a route pattern chosen from
 * a fixed list, never the URL itself: one label value per distinct URL would grow the
 * registry with every crawler's guess, a memory leak that Prometheus would scrape.
 *
 * The registry is this module's own (not prom-client's global one) and lives in the
 * server build; the Express server reaches it only through the entry's `recordRequest`.
 */
import { siteComponentCacheStats } from '../content/site-components.server.ts'
import { catchUpProgress } from '../content/catch-up-compiles.server.ts'
import crypto from 'node:crypto'
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import { getConfig } from '../config.server.ts'
import { compiledStats } from '../content/compiled-store.server.ts'
import { countEntries } from '../content/content-index.server.ts'
import { contentStats } from '../content/content.server.ts'
import { getCompilePool } from '../content/compile-pool.server.ts'
import { getHighlightPool } from '../content/highlight.server.ts'
import { getImagePool, imageStats } from '../images/image-pool.server.ts'
import { componentCacheStats } from '../content/mdx-component.tsx'
import { replicaCompileStats } from '../content/replica-compile.server.ts'
import { isPrimary } from '../replication/instance.server.ts'
import { getDb } from '../db/connection.server.ts'
import { entryHtmlCacheStats } from '../seo/entry-html.server.tsx'
import { socialImageCacheStats } from '../seo/social-image.server.ts'
import { pageCacheStats } from '../http/page-cache.server.ts'
import { redirectStats } from '../content/redirects.server.ts'
import { postFooterCacheStats } from '../content/post-footer.server.ts'
import { loginStats } from '../auth/login.server.ts'
import { passwordStats } from '../auth/password.server.ts'
import { beaconLimitStats } from '../view-counts/beacon-limit.server.ts'
import { memoryHistoryNow } from './memory-history.server.ts'
import { createRequestTally } from './request-tally.server.ts'
import { trimStats } from '../utils/return-freed-memory.ts'

export const registry = new Registry()
collectDefaultMetrics({ register: registry })

// ---------------------------------------------------------------------------------------
// Route labels

/** Top-level paths that are routes of their own, not pages. */
const FIXED_ROUTES = new Set([
  '/blog',
  '/tags',
  '/admin',
  '/login',
  '/logout',
  '/metrics',
  '/healthcheck',
  '/__manifest',
])
/** Feeds, sitemap, robots.txt and the site's social image: each its own label. */
const SEO_ROUTES = new Set([
  '/blog/rss.xml',
  '/blog/atom.xml',
  '/blog/feed.json',
  '/sitemap.xml',
  '/robots.txt',
  '/og.png',
])
const ADMIN_TOOLS = new Set(['heapsnapshot', 'heapprofile', 'cpuprofile'])
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

/**
 * The route pattern of a request path, from a fixed set: '/', '/blog', '/blog/:slug',
 * '/tags', '/tags/:tag', '/admin', '/admin/<tool>', '/login', '/logout', '/metrics',
 * '/healthcheck', '/__manifest', '/assets', '/action', '/:page' or 'other'. A page's data
 * request (`/blog/x.data`, `/_root.data`) counts as its page. A 404 outside the blog and
 * tag routes is 'other', so unknown addresses of any shape share one label value.
 */
export function routeLabel(pathname: string, status: number): string {
  let path = pathname.split('?')[0]
  if (path.endsWith('.data')) path = path.slice(0, -'.data'.length)
  if (path === '/_root' || path === '') path = '/'
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1)
  const label = patternOf(path)
  if (status === 404 && (label === '/:page' || label === '/admin/*')) return 'other'
  return label
}

function patternOf(path: string): string {
  if (path === '/') return '/'
  if (SEO_ROUTES.has(path)) return path
  const segments = path.slice(1).split('/')
  const first = `/${segments[0]}`
  if (first === '/assets') return '/assets'
  if (first === '/action') return '/action'
  if (segments.length === 1) {
    if (FIXED_ROUTES.has(first)) return first
    return SEGMENT.test(segments[0]) ? '/:page' : 'other'
  }
  if (segments.length === 2) {
    if (first === '/blog') return '/blog/:slug'
    if (first === '/tags') return '/tags/:tag'
    if (first === '/admin') return ADMIN_TOOLS.has(segments[1]) ? `/admin/${segments[1]}` : '/admin/*'
  }
  if (segments.length === 3 && first === '/blog' && segments[2] === 'og.png') return '/blog/:slug/og.png'
  return 'other'
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

// ---------------------------------------------------------------------------------------
// HTTP

/** Counted per answer without prom-client's per-call label hashing (request-tally.server.ts). */
const httpRequests = createRequestTally({
  countName: 'kiln_http_requests_total',
  countHelp: 'HTTP requests answered, by route pattern, method and status.',
  durationName: 'kiln_http_request_duration_seconds',
  durationHelp:
    'Time from the request reaching Express to the last byte of the response, by route pattern, method and status.',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
})
httpRequests.register(registry)

/** Requests answered since start-up, every route (what tells a burst of serving from a quiet server). */
export function answeredRequests(): number {
  return httpRequests.answered()
}

/** Counts one answered request (the Express server calls this through the entry). */
export function observeRequest(
  method: string,
  pathname: string,
  status: number,
  seconds: number,
  route = routeLabel(pathname, status),
): void {
  httpRequests.observe(
    route,
    METHODS.has(method) ? method : 'other',
    status >= 100 && status <= 599 ? String(status) : 'other',
    seconds,
  )
}

// ---------------------------------------------------------------------------------------
// Figures read when scraped. Counters that other modules keep are copied in at collect
// time (reset, then set to the module's own count).

function mirrorCounter(name: string, help: string, read: () => number) {
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset()
      this.inc(read())
    },
  })
}

function gauge(name: string, help: string, read: () => number) {
  return new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read())
    },
  })
}

gauge(
  'kiln_replica_compiled_entries',
  'Compiles a replica keeps in memory until the stored row replicates.',
  () => replicaCompileStats().entries,
)
gauge(
  'kiln_replica_compiled_bytes',
  'Size of the compiled code a replica keeps in memory.',
  () => replicaCompileStats().bytes,
)
gauge(
  'kiln_memory_leak_suspected',
  '1 when the heap after GC has risen steadily over the last hours (a least-squares trend of 5-minute floors).',
  () => (memoryHistoryNow().trend.suspected ? 1 : 0),
)
gauge(
  'kiln_memory_heap_floor_slope_bytes_per_hour',
  'How fast the heap after GC rises over the last hours, in bytes per hour (0 until there is enough history).',
  () => memoryHistoryNow().trend.slopeBytesPerHour ?? 0,
)
gauge('kiln_instance_primary', '1 on the LiteFS primary (or a single instance), 0 on a replica.', () =>
  isPrimary() ? 1 : 0,
)
gauge('kiln_component_cache_entries', 'Evaluated MDX components in the cache.', () => componentCacheStats().entries)
gauge(
  'kiln_component_cache_max_entries',
  'Entries the component cache may hold.',
  () => componentCacheStats().maxEntries,
)
gauge(
  'kiln_component_cache_bytes',
  'Size of the compiled code behind the cached components.',
  () => componentCacheStats().bytes,
)
gauge('kiln_component_cache_max_bytes', 'Bytes the component cache may hold.', () => componentCacheStats().maxBytes)
mirrorCounter(
  'kiln_password_verifications_total',
  'Passwords verified with scrypt (sign-ins that passed the lockout).',
  () => passwordStats().verifications,
)
mirrorCounter(
  'kiln_sign_in_throttled_total',
  'Sign-ins refused by the lockout before any password was verified.',
  () => loginStats().throttled,
)
mirrorCounter(
  'kiln_sign_in_busy_total',
  'Sign-ins refused because too many were waiting for scrypt.',
  () => passwordStats().busy,
)
mirrorCounter('kiln_component_cache_hits_total', 'Component cache hits.', () => componentCacheStats().hits)
mirrorCounter(
  'kiln_component_cache_misses_total',
  'Component cache misses (a component evaluated).',
  () => componentCacheStats().misses,
)
mirrorCounter(
  'kiln_component_cache_expired_total',
  'Components let go after COMPONENT_CACHE_IDLE_MS without a render.',
  () => componentCacheStats().expired,
)
mirrorCounter(
  'kiln_component_cache_evaluate_seconds_total',
  'Time spent evaluating MDX components.',
  () => componentCacheStats().evaluateMsTotal / 1000,
)

gauge(
  'kiln_memory_trim_available',
  "1 when the allocator's free memory is handed back to the system after idle collections (native/malloc-trim built).",
  () => (trimStats().available ? 1 : 0),
)
mirrorCounter(
  'kiln_memory_trims_total',
  "Times the allocator's free memory was handed back to the system (after idle collections).",
  () => trimStats().trims,
)
mirrorCounter(
  'kiln_memory_trimmed_bytes_total',
  'Resident memory those hand-backs gave back to the system.',
  () => trimStats().returnedBytes,
)
mirrorCounter(
  'kiln_memory_trim_seconds_total',
  'Time those hand-backs took (the main thread waits for each).',
  () => trimStats().ms / 1000,
)

gauge(
  'kiln_social_image_cache_entries',
  'Generated social images (PNG) in the cache.',
  () => socialImageCacheStats().entries,
)
gauge('kiln_social_image_cache_bytes', 'Size of the cached social images.', () => socialImageCacheStats().bytes)
gauge(
  'kiln_social_image_cache_max_bytes',
  'Bytes the social image cache may hold.',
  () => socialImageCacheStats().maxBytes,
)
mirrorCounter('kiln_social_image_cache_hits_total', 'Social image cache hits.', () => socialImageCacheStats().hits)
mirrorCounter(
  'kiln_social_image_renders_total',
  'Social images rendered by resvg.',
  () => socialImageCacheStats().renders,
)
mirrorCounter(
  'kiln_social_image_render_seconds_total',
  'Time spent rendering social images.',
  () => socialImageCacheStats().renderMsTotal / 1000,
)
gauge('kiln_image_cache_bytes', 'Resized images kept on disk.', () => imageStats().bytes)
gauge('kiln_image_cache_max_bytes', 'Bytes of resized images the disk cache may hold.', () => imageStats().maxBytes)
gauge('kiln_image_cache_entries', 'Resized images kept on disk.', () => imageStats().entries)
mirrorCounter('kiln_image_cache_hits_total', 'Image copies served from disk.', () => imageStats().hits)
mirrorCounter('kiln_image_cache_evictions_total', 'Image copies removed to fit.', () => imageStats().evictions)
mirrorCounter('kiln_image_resizes_total', 'Image copies made by sharp.', () => imageStats().resizes)
mirrorCounter('kiln_image_resize_failures_total', 'Image copies sharp could not make.', () => imageStats().failures)
gauge('kiln_feed_html_cache_entries', "Posts' rendered HTML kept for feeds.", () => entryHtmlCacheStats().entries)
gauge('kiln_feed_html_cache_bytes', 'Size of the HTML kept for feeds.', () => entryHtmlCacheStats().bytes)
gauge('kiln_feed_html_cache_max_bytes', 'Bytes the feed HTML cache may hold.', () => entryHtmlCacheStats().maxBytes)
mirrorCounter('kiln_feed_html_cache_hits_total', 'Feed HTML cache hits.', () => entryHtmlCacheStats().hits)
mirrorCounter(
  'kiln_feed_html_cache_misses_total',
  'Feed HTML cache misses (a post rendered to HTML).',
  () => entryHtmlCacheStats().misses,
)
const pageCache = () =>
  pageCacheStats() ?? {
    entries: 0,
    bytes: 0,
    maxBytes: 0,
    hits: 0,
    misses: 0,
    bypasses: 0,
    evictions: 0,
    notModified: 0,
    unzipped: 0,
    plainCopies: 0,
  }
gauge('kiln_page_cache_entries', 'Rendered pages in the page cache.', () => pageCache().entries)
gauge('kiln_page_cache_bytes', 'Bytes of the cached pages, all encodings.', () => pageCache().bytes)
gauge('kiln_page_cache_max_bytes', 'Bytes the page cache may hold (0: off).', () => pageCache().maxBytes)
mirrorCounter(
  'kiln_page_cache_hits_total',
  'Requests answered from the page cache, 304s included.',
  () => pageCache().hits,
)
mirrorCounter(
  'kiln_page_cache_misses_total',
  'Cacheable-looking requests that were rendered.',
  () => pageCache().misses,
)
mirrorCounter(
  'kiln_page_cache_bypasses_total',
  'Requests the page cache never looked up (signed in, writes, data requests).',
  () => pageCache().bypasses,
)
mirrorCounter(
  'kiln_page_cache_evictions_total',
  'Pages evicted to stay under PAGE_CACHE_MAX_BYTES.',
  () => pageCache().evictions,
)
mirrorCounter(
  'kiln_page_cache_not_modified_total',
  '304 Not Modified answers from the page cache.',
  () => pageCache().notModified,
)
mirrorCounter(
  'kiln_page_cache_unzipped_total',
  'Hits for clients that take no compression, unzipped for them (no plain copy kept yet).',
  () => pageCache().unzipped,
)
gauge(
  'kiln_page_cache_plain_copies',
  'Uncompressed copies kept for clients that take no compression (counted in the bytes).',
  () => pageCache().plainCopies,
)

gauge(
  'kiln_view_beacon_limit_clients',
  'Addresses the view beacon rate limit is tracking.',
  () => beaconLimitStats().clients,
)
gauge(
  'kiln_view_beacon_limit_max_clients',
  'Addresses the view beacon rate limit may track.',
  () => beaconLimitStats().maxClients,
)
mirrorCounter(
  'kiln_view_beacon_limited_total',
  'View beacons answered 429 (over the per-address limit).',
  () => beaconLimitStats().limited,
)

const workerPools = () => [getHighlightPool(), getCompilePool(), getImagePool()]
const pools = () => workerPools().map((pool) => pool.stats())

function poolGauge(name: string, help: string, read: (stats: ReturnType<typeof pools>[number]) => number) {
  return new Gauge({
    name,
    help,
    labelNames: ['pool'] as const,
    registers: [registry],
    collect() {
      for (const stats of pools()) this.set({ pool: stats.name }, read(stats))
    },
  })
}

function poolCounter(name: string, help: string, read: (stats: ReturnType<typeof pools>[number]) => number) {
  return new Counter({
    name,
    help,
    labelNames: ['pool'] as const,
    registers: [registry],
    collect() {
      this.reset()
      for (const stats of pools()) this.inc({ pool: stats.name }, read(stats))
    },
  })
}

poolGauge('kiln_worker_pool_threads', 'Worker threads alive (none while idle).', (stats) => stats.threads)
poolGauge('kiln_worker_pool_max_threads', 'Worker threads the pool may start.', (stats) => stats.maxThreads)
poolGauge('kiln_worker_pool_queued', 'Jobs waiting for a thread.', (stats) => stats.queued)
poolGauge(
  'kiln_worker_pool_last_job_seconds',
  'Duration of the last job (0 before the first).',
  (stats) => (stats.lastJobMs ?? 0) / 1000,
)
new Gauge({
  name: 'kiln_worker_pool_heap_bytes',
  help:
    "V8 heap of the pool's live threads (total size, read when scraped); " +
    '0 with none alive, absent for a pool of processes.',
  labelNames: ['pool'] as const,
  registers: [registry],
  async collect() {
    this.reset()
    for (const pool of workerPools()) {
      const bytes = await pool.heapBytes()
      if (bytes !== null) this.set({ pool: pool.stats().name }, bytes)
    }
  },
})
poolCounter('kiln_worker_pool_jobs_total', 'Jobs run, failed ones included.', (stats) => stats.jobs)
poolCounter(
  'kiln_worker_pool_failures_total',
  'Jobs that failed or timed out, and threads that died.',
  (stats) => stats.failures,
)

new Counter({
  name: 'kiln_compiles_total',
  help: 'Posts and pages compiled since start, by result.',
  labelNames: ['result'] as const,
  registers: [registry],
  collect() {
    const stats = contentStats()
    this.reset()
    this.inc({ result: 'ok' }, stats.compiles)
    this.inc({ result: 'failed' }, stats.compileFailures)
  },
})
mirrorCounter(
  'kiln_compile_seconds_total',
  'Time spent in successful compiles since start.',
  () => contentStats().compileMsTotal / 1000,
)
gauge('kiln_compiles_in_flight', 'Compiles under way now.', () => contentStats().inFlight)
gauge('kiln_background_compiles_remaining', 'Entries the background catch-up has still to look at.', () => {
  const progress = catchUpProgress()
  return progress.state === 'running' ? progress.total - progress.compiled - progress.failed - progress.skipped : 0
})

new Gauge({
  name: 'kiln_content_entries',
  help: 'Entries in the content index, by kind (post, page, draft, invalid).',
  labelNames: ['kind'] as const,
  registers: [registry],
  collect() {
    const counts = countEntries(getDb())
    this.set({ kind: 'post' }, counts.posts)
    this.set({ kind: 'page' }, counts.pages)
    this.set({ kind: 'draft' }, counts.drafts)
    this.set({ kind: 'invalid' }, counts.invalid)
  },
})

new Gauge({
  name: 'kiln_compiled_store',
  help: 'The compiled store: stored versions, their code bytes, and entries whose last compile failed.',
  labelNames: ['figure'] as const,
  registers: [registry],
  collect() {
    const stats = compiledStats(getDb())
    this.set({ figure: 'entries' }, stats.entries)
    this.set({ figure: 'bytes' }, stats.bytes)
    this.set({ figure: 'failures' }, stats.failures)
  },
})

// ---------------------------------------------------------------------------------------
// Access

function sha256(value: string): Buffer {
  return crypto.createHash('sha256').update(value).digest()
}

/**
 * 'closed' without METRICS_TOKEN (the route answers 404), 'denied' for a missing or wrong
 * bearer token, 'open' for the right one. The comparison takes the same time whatever the
 * token sent (both sides are hashed to equal length first).
 */
export function metricsAccess(request: Request): 'closed' | 'denied' | 'open' {
  const token = getConfig().metricsToken
  if (!token) return 'closed'
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('Authorization') ?? '')
  const sent = match?.[1] ?? ''
  return crypto.timingSafeEqual(sha256(sent), sha256(token)) && match ? 'open' : 'denied'
}

// Redirects (compiled once per content version) and the series/related-posts cache.
gauge('kiln_redirect_rules', 'Redirect rules compiled from aliases and content/redirects.', () => redirectStats().rules)
mirrorCounter(
  'kiln_redirect_lookups_total',
  'Addresses without a page looked up in the redirects.',
  () => redirectStats().lookups,
)
mirrorCounter('kiln_redirects_total', 'Requests answered with a redirect.', () => redirectStats().redirects)
gauge(
  'kiln_post_footer_cache_entries',
  'Posts whose series and related posts are cached.',
  () => postFooterCacheStats().entries,
)
gauge(
  'kiln_post_footer_cache_max_entries',
  'Entries the series/related cache may hold.',
  () => postFooterCacheStats().max,
)
// Site-wide components (content/components/), built once per version and kept in a bounded cache.
gauge('kiln_site_components_cached', 'Site-wide component builds kept.', () => siteComponentCacheStats().entries)
gauge('kiln_site_components_cache_bytes', 'Bytes of code those builds hold.', () => siteComponentCacheStats().bytes)
gauge(
  'kiln_site_components_cache_max_bytes',
  'Bytes the site-wide component cache may hold.',
  () => siteComponentCacheStats().maxBytes,
)
mirrorCounter('kiln_site_component_builds_total', 'Site-wide components built.', () => siteComponentCacheStats().builds)
mirrorCounter(
  'kiln_site_component_build_failures_total',
  'Site-wide components that did not build.',
  () => siteComponentCacheStats().failures,
)

export async function renderMetrics(): Promise<{ body: string; contentType: string }> {
  return { body: await registry.metrics(), contentType: registry.contentType }
}
