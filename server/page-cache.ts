/**
 * The page cache: whole HTTP responses for anonymous GET and HEAD requests of pages whose
 * output depends only on the content (home, lists, posts, pages, feeds, sitemap).
 *
 * Rendering a cached MDX component with React costs ~20 times more than writing bytes
 * from memory, and a blog's pages change only when its content does. So a page is
 * rendered once per (build, content version, theme, URL), kept as precompressed brotli
 * and gzip, and answered from memory after that, with a strong ETag and 304s.
 *
 * - The app opts in, the cache does not guess: a response is stored only when it carries
 *   PAGE_CACHE_MARKER (set by app/entry.server.tsx for content-only routes; stripped here),
 *   has status 200 and sets no cookie.
 * - A request with the session cookie, a write, or a Remix data request is never looked
 *   up, never stored.
 * - A content change moves the content version, which is part of the key: every older
 *   entry is unreachable at once and is dropped on the next request.
 * - Bounded by total bytes (all kept variants counted), least recently used evicted first; a
 *   page larger than the bound is served, never stored.
 * - Concurrent misses for one key render once: the others wait for that render.
 *
 * The pure parts (negotiation, ETag matching, the URL's key, the LRU store) are exported
 * for unit tests; the middleware ties them to Express.
 */
import crypto from 'node:crypto'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import type express from 'express'
import { PAGE_CACHE_MARKER, type PageCacheStats } from '../app/http/page-cache.server.ts'
import { SESSION_COOKIE } from '../app/auth/session-cookie.ts'
import { themeFromCookieHeader } from '../app/theme/theme-cookie.server.ts'
import type { Timings } from '../app/timing.server.ts'

export { PAGE_CACHE_MARKER }
/** Tells what the cache did: hit, miss, bypass (for operators and tests). */
export const PAGE_CACHE_STATUS_HEADER = 'X-Kiln-Cache'
/** Past this length a URL is not cached: a crawler's endless query strings stay out. */
export const MAX_KEY_URL_LENGTH = 1024
/** Query parameters kept in a key at most; a URL with more is not cached. */
export const MAX_QUERY_PARAMS = 16

export type Encoding = 'br' | 'gzip' | 'identity'

// ---------------------------------------------------------------------------------------
// Pure parts

/**
 * The best variant for an Accept-Encoding header: brotli, then gzip, else identity.
 * Absent, empty or malformed values, and codings Kiln does not keep, get identity (a
 * client that refuses identity too still gets it: better than a 406 for a web page).
 */
export function preferredEncoding(acceptEncoding: string | string[] | undefined): Encoding {
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : acceptEncoding
  if (!header) return 'identity'
  const quality: Record<string, number> = {}
  for (const part of header.split(',')) {
    const [rawName, ...params] = part.split(';')
    const name = rawName.trim().toLowerCase()
    if (!/^[a-z0-9*!#$%&'+.^_`|~-]+$/.test(name)) continue
    let q = 1
    for (const param of params) {
      const [key, value] = param.split('=').map((s) => s.trim())
      if (key.toLowerCase() !== 'q') continue
      q = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(value ?? '') ? Number(value) : NaN
    }
    if (Number.isNaN(q)) continue
    quality[name === 'x-gzip' ? 'gzip' : name] = q
  }
  const wildcard = quality['*']
  const br = quality.br ?? wildcard ?? 0
  const gzip = quality.gzip ?? wildcard ?? 0
  if (br > 0 && br >= gzip) return 'br'
  if (gzip > 0) return 'gzip'
  return 'identity'
}

/**
 * Whether an If-None-Match header names one of the entity tags. If-None-Match uses the
 * weak comparison (RFC 9110 13.1.2): W/"x" matches "x"; "*" matches any.
 */
export function noneMatchHits(ifNoneMatch: string | undefined, etags: readonly string[]): boolean {
  if (!ifNoneMatch) return false
  if (ifNoneMatch.trim() === '*') return true
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '')
  const wanted = new Set(etags.map(opaque))
  for (const tag of ifNoneMatch.match(/(?:W\/)?"[^"]*"/g) ?? []) if (wanted.has(opaque(tag))) return true
  return false
}

/**
 * The URL part of a key: the path and the query with parameters sorted, so `?a=1&b=2`
 * and `?b=2&a=1` share an entry. null when the URL is too long or has too many
 * parameters to be worth a place in the cache.
 */
export function cacheableUrl(originalUrl: string): string | null {
  if (originalUrl.length > MAX_KEY_URL_LENGTH) return null
  const mark = originalUrl.indexOf('?')
  if (mark === -1) return originalUrl
  const params = new URLSearchParams(originalUrl.slice(mark + 1))
  const entries = [...params]
  if (entries.length > MAX_QUERY_PARAMS) return null
  if (entries.length === 0) return originalUrl.slice(0, mark)
  // Only parameters a content page reads (`/blog?tag=`) earn an entry: any other query
  // (`/?r=123`, a tracker's) is served, not kept, so random queries cannot churn the cache
  // or make it compress a fresh copy per request.
  const readable = CACHED_QUERY_PARAMS[originalUrl.slice(0, mark)]
  if (!readable || !entries.every(([name]) => readable.has(name))) return null
  // By name only, stably: the order of repeated values is what `searchParams.get` sees.
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `${originalUrl.slice(0, mark)}?${new URLSearchParams(entries).toString()}`
}

/** The query parameters content-only pages read, by path: `?tag=` on /blog only (elsewhere it would key copies of one page). */
const CACHED_QUERY_PARAMS: Record<string, ReadonlySet<string>> = { '/blog': new Set(['tag']) }

/**
 * The theme part of a key: exactly the theme the root loader renders with (the same
 * function on the same header), '' for the system theme.
 */
export function themeOf(cookieHeader: string | undefined): string {
  const theme = themeFromCookieHeader(cookieHeader)
  return theme === 'system' ? '' : theme
}

export interface CachedPage {
  status: 200
  /** Response headers as rendered, without cookies, length, encoding or the marker. */
  headers: [string, string][]
  /**
   * The bytes kept. Text is kept as brotli and gzip only: every browser takes one, and a
   * page costs the cache a fifth of its size. The rare client that takes neither gets the
   * gzip copy unzipped for it. Binary bodies (an image) are kept as they are, in `identity`.
   */
  variants: { br: Buffer | null; gzip: Buffer | null; identity: Buffer | null }
  identityLength: number
  etags: Record<Encoding, string>
  /** The content version it was rendered for. */
  version: string
  /** All variants together: what the page costs the cache. */
  bytes: number
}

export interface PageStoreStats {
  entries: number
  bytes: number
  maxBytes: number
  evictions: number
}

/**
 * A least-recently-used map bounded by total bytes (a Map keeps insertion order; a hit
 * moves its entry to the end). Never holds more than maxBytes; a page bigger than that
 * is refused.
 */
export class PageStore {
  private readonly entries = new Map<string, CachedPage>()
  private totalBytes = 0
  evictions = 0

  constructor(readonly maxBytes: number) {}

  get(key: string): CachedPage | undefined {
    const page = this.entries.get(key)
    if (page) {
      this.entries.delete(key)
      this.entries.set(key, page)
    }
    return page
  }

  /** Stores the page, evicting the least recently used; false when it can never fit. */
  set(key: string, page: CachedPage): boolean {
    if (page.bytes > this.maxBytes) return false
    this.delete(key)
    while (this.totalBytes + page.bytes > this.maxBytes) {
      const oldest = this.entries.keys().next().value as string
      this.delete(oldest)
      this.evictions++
    }
    this.entries.set(key, page)
    this.totalBytes += page.bytes
    return true
  }

  delete(key: string): void {
    const page = this.entries.get(key)
    if (!page) return
    this.entries.delete(key)
    this.totalBytes -= page.bytes
  }

  /** Drops every page not rendered for this content version: no request can reach them. */
  dropOtherVersions(version: string): number {
    let dropped = 0
    for (const [key, page] of this.entries) {
      if (page.version !== version) {
        this.delete(key)
        dropped++
      }
    }
    return dropped
  }

  stats(): PageStoreStats {
    return { entries: this.entries.size, bytes: this.totalBytes, maxBytes: this.maxBytes, evictions: this.evictions }
  }
}

// ---------------------------------------------------------------------------------------
// Building an entry

const brotli = promisify(zlib.brotliCompress)

/**
 * Brotli's best quality (11) costs about ten times quality 9 for a few percent fewer bytes.
 * Worth it for an ordinary page, compressed once per version; not for a multi-megabyte
 * page, where it would hold a libuv thread for seconds after every edit of the blog.
 */
const LARGE_PAGE_BYTES = 512 * 1024
function brotliQuality(bytes: number): number {
  if (bytes <= LARGE_PAGE_BYTES) return 11
  return bytes <= 4 * LARGE_PAGE_BYTES ? 9 : 6
}
const gzip = promisify(zlib.gzip)
/** Headers the cache writes itself, or that must never be replayed to another visitor. */
const DROPPED_HEADERS = new Set([
  'set-cookie',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'etag',
  'cache-control',
  'vary',
  'server-timing',
  'connection',
  'date',
  PAGE_CACHE_MARKER,
])
/** What an entry costs beyond its bytes (key, headers, tags), roughly: small pages count too. */
const ENTRY_OVERHEAD = 512
const COMPRESSIBLE =
  /^(?:text\/|application\/(?:json|javascript|xml|rss\+xml|atom\+xml|feed\+json|manifest\+json)|image\/svg\+xml)/i

/**
 * Builds the cache entry for a rendered body: its variants are compressed once here, in
 * libuv's thread pool (zlib's async functions), so the event loop keeps serving.
 */
export async function buildPage(body: Buffer, headers: Headers, version: string): Promise<CachedPage> {
  const kept: [string, string][] = []
  headers.forEach((value, name) => {
    if (!DROPPED_HEADERS.has(name.toLowerCase())) kept.push([name, value])
  })
  const type = headers.get('content-type') ?? ''
  const hash = crypto.createHash('sha256').update(body).digest('base64url').slice(0, 27)
  // Binary formats (an og.png) are already compressed: one representation, kept as it is.
  if (!COMPRESSIBLE.test(type)) {
    const etag = `"${hash}"`
    return {
      status: 200,
      headers: kept,
      variants: { br: null, gzip: null, identity: body },
      identityLength: body.length,
      etags: { identity: etag, br: etag, gzip: etag },
      version,
      bytes: body.length + ENTRY_OVERHEAD,
    }
  }
  const [br, gz] = await Promise.all([
    brotli(body, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: brotliQuality(body.length),
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      },
    }),
    gzip(body, { level: body.length > LARGE_PAGE_BYTES ? 6 : 9 }),
  ])
  // One strong tag per representation: the same page in another coding is another representation.
  const etags = { identity: `"${hash}"`, br: `"${hash}-br"`, gzip: `"${hash}-gz"` }
  return {
    status: 200,
    headers: kept,
    variants: { br, gzip: gz, identity: null },
    identityLength: body.length,
    etags,
    version,
    bytes: br.length + gz.length + ENTRY_OVERHEAD,
  }
}

// ---------------------------------------------------------------------------------------
// The middleware

/*
 * Stats (PageCacheStats): hits (304s and shared renders included), misses (renders of
 * cacheable pages, one per key at a time), bypasses (signed in, writes, data requests, long URLs), evictions,
 * notModified (of the hits, 304s), shared (of the hits, requests that waited for another
 * request's render of the same key), tooLarge (rendered pages bigger than the whole cache),
 * unzipped (hits for clients that take no compression, unzipped for them).
 */

export interface PageCacheOptions {
  /** 0 turns the cache off. */
  maxBytes: number
  /** s-maxage for shared caches (a CDN); browsers always revalidate. */
  cdnMaxAgeSeconds: number
}

export interface PageCacheKeys {
  /** The build's id: a new deploy never serves the old build's pages. */
  buildId: string
  /** The content's current version; called once per eligible request (it may re-scan the content folder when due). */
  contentVersion: () => string
}

export type CaptureResponse = (response: Response) => Promise<boolean>

/** How the Remix handler hands a rendered response to the cache (see server/remix-handler.ts). */
export function responseCapture(res: express.Response): CaptureResponse | undefined {
  return res.locals.pageCacheCapture as CaptureResponse | undefined
}

export interface PageCache {
  /** Passes every request on until enabled. */
  middleware: express.RequestHandler
  /** Starts caching, once the build and the content are loaded. */
  enable(keys: PageCacheKeys): void
  stats(): PageCacheStats
}

export function createPageCache({ maxBytes, cdnMaxAgeSeconds }: PageCacheOptions): PageCache {
  let keys: PageCacheKeys | null = null
  const store = new PageStore(maxBytes)
  const counts = { hits: 0, misses: 0, bypasses: 0, notModified: 0, shared: 0, tooLarge: 0, unzipped: 0 }
  /** Renders in progress by key: concurrent misses wait here instead of rendering again. */
  const pending = new Map<string, Promise<CachedPage | null>>()
  let currentVersion: string | null = null
  const cacheControl = `public, max-age=0, must-revalidate, s-maxage=${cdnMaxAgeSeconds}, stale-while-revalidate=${Math.max(cdnMaxAgeSeconds, 86_400)}`

  function send(req: express.Request, res: express.Response, page: CachedPage, how: 'hit' | 'miss') {
    const encoding = preferredEncoding(req.headers['accept-encoding'])
    const etag = page.etags[encoding]
    res.setHeader('ETag', etag)
    // An answer that also sets a cookie (the txnum cookie being cleared) is this reader's:
    // no shared cache may keep it.
    res.setHeader('Cache-Control', res.hasHeader('Set-Cookie') ? 'private, no-cache' : cacheControl)
    // The theme cookie changes the page, so a shared cache must key on cookies too.
    res.setHeader('Vary', 'Accept-Encoding, Cookie')
    res.setHeader(PAGE_CACHE_STATUS_HEADER, how)
    // Server-Timing says where the answer came from: `cache` instead of db and render.
    if (how === 'hit') (res.locals.timings as Timings | undefined)?.add('cache', 0, 'page cache hit')
    // The page's own Content-Security-Policy (its inline scripts' hashes, stored with it) goes
    // out with a 304 too: a browser refreshes its stored headers from a 304.
    const policy = page.headers.find(([name]) => name.toLowerCase() === 'content-security-policy')
    if (policy) res.setHeader(policy[0], policy[1])
    if (noneMatchHits(req.headers['if-none-match'], Object.values(page.etags))) {
      counts.notModified++
      res.statusCode = 304
      res.end()
      return
    }
    for (const [name, value] of page.headers) res.setHeader(name, value)
    res.statusCode = 200
    const stored = page.variants[encoding] ?? page.variants.identity
    if (stored) {
      if (stored !== page.variants.identity) res.setHeader('Content-Encoding', encoding)
      res.setHeader('Content-Length', stored.length)
      return req.method === 'HEAD' ? res.end() : res.end(stored)
    }
    // A client that takes no compression: the gzip copy unzipped, off the event loop.
    res.setHeader('Content-Length', page.identityLength)
    if (req.method === 'HEAD') return res.end()
    counts.unzipped++
    zlib.gunzip(page.variants.gzip!, (error, body) => (error ? res.destroy(error) : res.end(body)))
  }

  function bypass(res: express.Response, next: express.NextFunction) {
    counts.bypasses++
    res.setHeader(PAGE_CACHE_STATUS_HEADER, 'bypass')
    next()
  }

  const middleware: express.RequestHandler = (req, res, next) => {
    if (maxBytes === 0 || keys === null) return next()
    const { buildId, contentVersion } = keys
    if (req.method !== 'GET' && req.method !== 'HEAD') return bypass(res, next)
    const cookies = req.headers.cookie
    // A Cookie header that mentions the session at all, however malformed ("kiln_session"
    // without a value), counts as signed in, as it does for the private Cache-Control rule
    // (security-headers.ts): such a request never gets or makes a shared answer.
    if ((cookies ?? '').includes(SESSION_COOKIE)) return bypass(res, next)
    const url = cacheableUrl(req.originalUrl)
    // Remix data requests are per-route JSON for client navigation: cheap, not kept.
    if (url === null || url.includes('_data=') || /\.data(?:\?|$)/.test(url)) return bypass(res, next)
    // The build's fingerprinted files have their own precompressed, immutable answer.
    if (url.startsWith('/assets/')) return next()

    const version = contentVersion()
    if (version !== currentVersion) {
      store.dropOtherVersions(version)
      currentVersion = version
    }
    const key = `${buildId}\n${version}\n${themeOf(cookies)}\n${url}`
    const page = store.get(key)
    if (page) {
      counts.hits++
      return send(req, res, page, 'hit')
    }
    const rendering = pending.get(key)
    if (rendering) {
      void rendering.then((shared) => {
        if (res.destroyed) return
        if (!shared) return next()
        counts.hits++
        counts.shared++
        send(req, res, shared, 'hit')
      }, next)
      return
    }
    // A HEAD has no body to keep: answered by Remix, uncached.
    if (req.method === 'HEAD') return next()

    let settle!: (page: CachedPage | null) => void
    const rendered = new Promise<CachedPage | null>((resolve) => (settle = resolve))
    pending.set(key, rendered)
    const finish = (page: CachedPage | null) => {
      // Only this render's own entry: a later render of the key may have taken the place.
      if (pending.get(key) === rendered) pending.delete(key)
      settle(page)
    }
    // Whatever answers instead (a static file, an error, a closed connection) frees the waiters.
    res.once('close', () => finish(null))
    const capture: CaptureResponse = async (response) => {
      const setCookies = (res.locals.setCookies as string[] | undefined) ?? []
      const cacheable =
        response.status === 200 &&
        response.headers.has(PAGE_CACHE_MARKER) &&
        !response.headers.has('set-cookie') &&
        setCookies.length === 0 &&
        response.body !== null
      if (!cacheable) {
        finish(null)
        return false
      }
      counts.misses++
      const built = await buildPage(Buffer.from(await response.arrayBuffer()), response.headers, version)
      // A content change during the render: the page may mix versions, so serve it but never keep it.
      if (contentVersion() === version) {
        if (!store.set(key, built)) counts.tooLarge++
      }
      finish(built)
      if (!res.destroyed) send(req, res, built, 'miss')
      return true
    }
    res.locals.pageCacheCapture = capture
    next()
  }

  return {
    middleware,
    enable: (given) => void (keys = given),
    stats: () => ({ ...store.stats(), ...counts }),
  }
}
