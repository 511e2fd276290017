/**
 * The page cache: whole HTTP responses for anonymous GET and HEAD requests of pages whose
 * output depends only on the content (home, lists, posts, pages, feeds, sitemap).
 *
 * Rendering a cached MDX component with React costs ~20 times more than writing bytes
 * from memory, and a blog's pages change only when its content does. So a page is
 * rendered once per (build, content version, theme, URL), kept as precompressed brotli
 * and gzip, and answered from memory after that, with a strong ETag and 304s.
 *
 * - Routes opt in, the cache does not guess: a route that may be kept says so with
 *   `export const handle = { pageCache: true }`. A response is stored only when that route
 *   answered it at its own address (a slug or tag of plain characters, no alias the router
 *   also accepts), with status 200, no cookie, and no NOT_CACHEABLE_HEADER (a post served
 *   from its last good version sets it; it is stripped here).
 * - A request with the session cookie, a write, or a Remix data request is never looked
 *   up, never stored.
 * - A page is kept with the stamp of what it shows (its route's `pageCacheDepends`: one
 *   post, the lists, the site's frame; see content/page-dependencies.server.ts) and served
 *   only while that stamp holds: an edit of one post re-renders that post and the lists,
 *   not every page. A route that declares nothing depends on the whole content version.
 * - Bounded by total bytes (all kept variants counted, lru-cache's maxSize), least recently
 *   used evicted first; a page larger than the bound is served, never stored.
 * - Concurrent misses for one key render once (SingleFlight): the others wait for that render.
 *
 * The pure parts (negotiation, ETag matching, the URL's key, the store) are exported for
 * unit tests. negotiator and fresh were weighed for the negotiation and the ETag match and
 * not taken: negotiator accepts q values over 1 and knows no x-gzip, fresh answers 200 to
 * any request with Cache-Control: no-cache and matches one tag, not a page's three.
 */
import crypto from 'node:crypto'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import type { ServerBuild } from '@remix-run/node'
import { matchRoutes } from '@remix-run/react'
import type express from 'express'
import { LRUCache } from 'lru-cache'
import { SESSION_COOKIE } from '../auth/session-cookie.ts'
import { themeFromCookieHeader } from '../theme/theme-cookie.server.ts'
import { SingleFlight } from '../utils/single-flight.ts'
import { requestContext } from './request-context.server.ts'
import type { AnswerSecurityHeaders } from './security-headers.server.ts'
import { compactBuffer } from '../utils/compact-buffer.ts'

/** Tells what the cache did: hit, miss, bypass (for operators and tests). */
export const PAGE_CACHE_STATUS_HEADER = 'X-Kiln-Cache'
/**
 * Set by a route on an answer that must not be kept, its value saying why (a post served
 * from its last good version: the next request tries the new one again). Never sent.
 */
export const NOT_CACHEABLE_HEADER = 'x-kiln-not-cacheable'
/**
 * Set by a route whose handle depends on `entry`: which entry the page shows (`kind/slug`),
 * so the page is kept under that entry's stamp. Never sent.
 */
export const PAGE_ENTRY_HEADER = 'x-kiln-page-entry'
/** Where Remix answers lazy route discovery (`future.v3_lazyRouteDiscovery`; no basename here). */
const REMIX_MANIFEST_PATH = '/__manifest'
/** Past this length a URL is not cached: a crawler's endless query strings stay out. */
export const MAX_KEY_URL_LENGTH = 1024
/** Query parameters kept in a key at most; a URL with more is not cached. */
export const MAX_QUERY_PARAMS = 16

/**
 * What a route exports as `handle` to let its pages be kept (a literal: `handle` reaches the
 * browser's bundle too). `pageCacheQuery` names the query parameters the route reads: each
 * gets its own entry (`/blog?tag=react`). Every other parameter cannot change the page, so
 * it is dropped from the key: `/blog/post?utm_source=feed` is the cached `/blog/post`,
 * not a render of its own. A route that reads a parameter must name it here.
 */
export interface PageCacheHandle {
  pageCache: true
  pageCacheQuery?: readonly string[]
  /**
   * What the page shows, so what must move for it to be rendered again (see
   * content/page-dependencies.server.ts): `site` (the frame, a post's neighbours), `listing`
   * (lists of posts), `entry` (the one entry named by the answer's PAGE_ENTRY_HEADER).
   * Absent: the whole content version, the safe default for a page that shows everything.
   */
  pageCacheDepends?: readonly PageDependency[]
}

export type PageDependency = 'site' | 'listing' | 'entry'

export type Encoding = 'br' | 'gzip' | 'identity'

export interface PageCacheStats {
  entries: number
  bytes: number
  maxBytes: number
  hits: number
  misses: number
  bypasses: number
  evictions: number
  notModified: number
  shared: number
  tooLarge: number
  unzipped: number
  plainCopies: number
  plainBytes: number
}

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
  // Browsers send a handful of values: each is parsed once (a hit's answer asks twice).
  let known = encodingsSeen.get(header)
  if (known === undefined) {
    if (encodingsSeen.size >= ENCODINGS_SEEN_MAX || header.length > 256) return parseAcceptEncoding(header)
    encodingsSeen.set(header, (known = parseAcceptEncoding(header)))
  }
  return known
}

/** Accept-Encoding values already parsed, at most ENCODINGS_SEEN_MAX (a client can make up any number). */
const encodingsSeen = new Map<string, Encoding>()
const ENCODINGS_SEEN_MAX = 64

function parseAcceptEncoding(header: string): Encoding {
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
 * The URL part of a key: the path and the parameters its route reads (`read`), sorted by
 * name, so `?a=1&b=2` and `?b=2&a=1` share an entry; every other parameter is dropped, as
 * it cannot change the page (a tracker's `?utm_source=`, a cache-buster's `?r=123`), so no
 * query can make the server render or keep a page again. null when the URL is too long or
 * has too many parameters to be worth looking at.
 */
export function cacheableUrl(originalUrl: string, read: ReadonlySet<string>): string | null {
  if (originalUrl.length > MAX_KEY_URL_LENGTH) return null
  const mark = originalUrl.indexOf('?')
  if (mark === -1) return originalUrl
  const entries = [...new URLSearchParams(originalUrl.slice(mark + 1))]
  if (entries.length > MAX_QUERY_PARAMS) return null
  const kept = entries.filter(([name]) => read.has(name))
  if (kept.length === 0) return originalUrl.slice(0, mark)
  // By name only, stably: the order of repeated values is what `searchParams.get` sees.
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `${originalUrl.slice(0, mark)}?${new URLSearchParams(kept).toString()}`
}

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
  /** Response headers as rendered, without cookies, length, encoding or internal headers. */
  headers: [string, string][]
  /**
   * The bytes kept. Text is kept as brotli and gzip only: every browser takes one, and a
   * page costs the cache a fifth of its size. The rare client that takes neither gets the
   * gzip copy unzipped for it. Binary bodies (an image) are kept as they are, in `identity`.
   */
  variants: { br: Buffer | null; gzip: Buffer | null; identity: Buffer | null }
  identityLength: number
  etags: Record<Encoding, string>
  /** What the page depends on (`site listing entry:post/x`, or `*` for everything): see PageCacheHandle. */
  depends: string
  /** The stamp of `depends` it was rendered with: served while the current stamp is the same. */
  stamp: string
  /** All variants together: what the page costs the cache. */
  bytes: number
  /**
   * The head of a 200 hit per encoding, made on the first such hit (see hitHead): its
   * strings are the page's own and the fixed headers', shared, so it adds little.
   */
  heads?: Partial<Record<Encoding, string[]>>
  /**
   * The content version at which `stamp` was last found current: a hit at the same version
   * needs no new stamp (a split, a join and a lookup per dependency on every hit before).
   */
  currentAt?: string
}

export interface PageStoreStats {
  entries: number
  bytes: number
  maxBytes: number
  evictions: number
  /** Uncompressed copies kept for clients that take no compression (counted in bytes too). */
  plainCopies: number
  plainBytes: number
}

/**
 * Pages by key in an lru-cache bounded by total bytes (maxSize, each page's `bytes`). Never
 * holds more than maxBytes; a page bigger than that is refused and leaves the store as it was.
 */
/** A page's uncompressed copy sits beside it in the store under this suffix (see keepPlainCopy). */
const PLAIN_COPY = '\nplain'

export class PageStore {
  private readonly pages: LRUCache<string, CachedPage> | null
  evictions = 0
  /** The uncompressed copies (see keepPlainCopy): how many, and their bytes, at most a quarter of the bound. */
  private plainCopies = 0
  private plainBytes = 0

  constructor(readonly maxBytes: number) {
    // lru-cache takes no bound of 0: a cache turned off keeps nothing at all.
    this.pages =
      maxBytes > 0
        ? new LRUCache<string, CachedPage>({
            maxSize: maxBytes,
            sizeCalculation: (page) => page.bytes,
            dispose: (page, key, reason) => {
              if (key.endsWith(PLAIN_COPY)) {
                this.plainCopies--
                this.plainBytes -= page.bytes
              } else if (reason === 'evict') this.evictions++
            },
          })
        : null
  }

  /** The uncompressed copy of this very page (not of an older one under the same key), when one is kept. */
  plainCopy(key: string, page: CachedPage): Buffer | null {
    const copy = this.pages?.get(key + PLAIN_COPY)
    return copy && copy.etags.identity === page.etags.identity ? copy.variants.identity : null
  }

  /**
   * Keeps the uncompressed bytes of a page that clients without compression ask for again
   * (monitors, some bots), so they cost a copy instead of a gunzip each: without it such a
   * client got an eighth of a browser's throughput, a cheap way to burn CPU. Inside the same
   * byte bound, least recently used first like the pages, and limited so these copies can
   * never take more than a quarter of it, one copy or all together (a sixteenth per copy left
   * the largest pages, 9 MB of HTML on react.dev's blog, a gunzip per request: 6 req/s): a client that
   * asks for every page uncompressed cannot push the compressed pages out.
   */
  keepPlainCopy(key: string, page: CachedPage, body: Buffer): boolean {
    if (!this.pages || this.plainBytes + body.length > this.maxBytes / 4 || this.pages.has(key + PLAIN_COPY))
      return false
    const copy: CachedPage = {
      ...page,
      variants: { br: null, gzip: null, identity: body },
      bytes: body.length,
    }
    this.pages.set(key + PLAIN_COPY, copy)
    this.plainCopies++
    this.plainBytes += body.length
    return true
  }

  get(key: string): CachedPage | undefined {
    return this.pages?.get(key)
  }

  /** Stores the page, evicting the least recently used; false when it can never fit. */
  set(key: string, page: CachedPage): boolean {
    if (!this.pages || page.bytes > this.maxBytes) return false
    // A page rendered again replaces the old one's plain copy too (it is made again when asked for).
    this.pages.delete(key + PLAIN_COPY)
    this.pages.set(key, page)
    return true
  }

  delete(key: string): void {
    this.pages?.delete(key)
    this.pages?.delete(key + PLAIN_COPY)
  }

  /**
   * Drops every page whose stamp no longer holds (`stampNow` of its dependencies): after a
   * content change, so pages no request will be served free their bytes at once.
   */
  dropStale(stampNow: (depends: string) => string): number {
    let dropped = 0
    const stamps = new Map<string, string>()
    for (const [key, page] of this.pages?.entries() ?? []) {
      let stamp = stamps.get(page.depends)
      if (stamp === undefined) stamps.set(page.depends, (stamp = stampNow(page.depends)))
      if (page.stamp !== stamp) {
        this.pages!.delete(key)
        dropped++
      }
    }
    return dropped
  }

  stats(): PageStoreStats {
    return {
      entries: (this.pages?.size ?? 0) - this.plainCopies,
      bytes: this.pages?.calculatedSize ?? 0,
      maxBytes: this.maxBytes,
      evictions: this.evictions,
      plainCopies: this.plainCopies,
      plainBytes: this.plainBytes,
    }
  }
}

// ---------------------------------------------------------------------------------------
// Which routes may be kept: their own `handle`

/** A plain parameter value: anything else (encoded, spaced, empty) is an alias at best. */
const PLAIN_SEGMENT = /^[A-Za-z0-9._-]+$/
type RouteObject = Parameters<typeof matchRoutes>[0][number]
const routeTrees = new WeakMap<ServerBuild['routes'], RouteObject[]>()

/** The build's route manifest as the nested routes matchRoutes takes (once per build). */
function routeTree(routes: ServerBuild['routes']): RouteObject[] {
  let tree = routeTrees.get(routes)
  if (!tree) {
    const children = (parentId: string | undefined): RouteObject[] =>
      Object.values(routes)
        .filter((route) => route !== undefined && route.parentId === parentId)
        .map((route) =>
          route!.index
            ? { id: route!.id, index: true, path: route!.path, caseSensitive: route!.caseSensitive }
            : { id: route!.id, path: route!.path, caseSensitive: route!.caseSensitive, children: children(route!.id) },
        )
    tree = children(undefined)
    routeTrees.set(routes, tree)
  }
  return tree
}

/**
 * Whether the route that answers `pathname` declares `handle.pageCache`, and `pathname` is
 * that page's own address: its route's path with the parameters put back as matched, so the
 * aliases a router accepts (`/BLOG/x`, `/blog/x/`, `/blog/%78`) are served but never kept.
 */
export function routeKeepsPage(routes: ServerBuild['routes'], pathname: string): boolean {
  return pageRoute(routes, pathname) !== null
}

const NOTHING_READ: ReadonlySet<string> = new Set()
const readSets = new WeakMap<PageCacheHandle, ReadonlySet<string>>()

/** The query parameters a page's route reads (see PageCacheHandle). */
function queryReadBy(handle: PageCacheHandle): ReadonlySet<string> {
  if (!handle.pageCacheQuery) return NOTHING_READ
  let read = readSets.get(handle)
  if (!read) readSets.set(handle, (read = new Set(handle.pageCacheQuery)))
  return read
}

/** Paths whose route was looked up, per build: at most this many are remembered. */
const ROUTE_MEMO_MAX = 10_000
const routeMemos = new WeakMap<ServerBuild['routes'], Map<string, PageCacheHandle | null>>()

/**
 * The `handle` of the route that keeps the page at `pathname` (its own address), or null.
 * Remembered per path: react-router's matchRoutes flattens and ranks every route on each
 * call, a quarter of a cached page's CPU time before this memo (measured with --cpu-prof
 * under autocannon). A plain Map, emptied when full: an LRU's bookkeeping on every hit cost
 * more than the rare full memo's new matches (a blog has far fewer addresses than the bound;
 * only a crawler's guesses fill it).
 */
export function pageRoute(routes: ServerBuild['routes'], pathname: string): PageCacheHandle | null {
  let memo = routeMemos.get(routes)
  if (!memo) routeMemos.set(routes, (memo = new Map()))
  const known = memo.get(pathname)
  if (known !== undefined) return known
  const handle = matchPageRoute(routes, pathname)
  // Long hostile paths are not worth a place: they are refused before this (request guards) anyway.
  if (pathname.length <= MAX_KEY_URL_LENGTH) {
    if (memo.size >= ROUTE_MEMO_MAX) memo.clear()
    memo.set(pathname, handle)
  }
  return handle
}

function matchPageRoute(routes: ServerBuild['routes'], pathname: string): PageCacheHandle | null {
  const matches = matchRoutes(routeTree(routes), pathname)
  const leaf = matches?.[matches.length - 1]
  if (!matches || !leaf || !leaf.route.id) return null
  const handle = routes[leaf.route.id]?.module.handle as PageCacheHandle | undefined
  if (handle?.pageCache !== true) return null
  const segments: string[] = []
  for (const { route, params } of matches) {
    for (const segment of (route.path ?? '').split('/')) {
      if (segment === '') continue
      if (segment === '*') return null
      // An optional segment (`:s2?`, a nested post's) that did not match is no part of the address.
      const optional = segment.startsWith(':') && segment.endsWith('?')
      const value = segment.startsWith(':') ? params[segment.slice(1, optional ? -1 : undefined)] : segment
      if (value === undefined && optional) continue
      if (value === undefined || !PLAIN_SEGMENT.test(value)) return null
      segments.push(value)
    }
  }
  return `/${segments.join('/')}` === pathname ? handle : null
}

/**
 * What a page kept for `handle` depends on (CachedPage.depends), from its route's declaration
 * and, for `entry`, the entry its answer names. A route that names no entry where it declared
 * one depends on everything: never kept under a stamp that could miss a change.
 */
export function dependsOf(handle: PageCacheHandle, headers: Headers): string {
  const declared = handle.pageCacheDepends
  if (!declared || declared.length === 0) return '*'
  const parts: string[] = []
  for (const dependency of declared) {
    if (dependency !== 'entry') parts.push(dependency)
    else {
      const entry = headers.get(PAGE_ENTRY_HEADER)
      if (!entry || entry.includes(' ')) return '*'
      parts.push(`entry:${entry}`)
    }
  }
  return parts.join(' ')
}

// ---------------------------------------------------------------------------------------
// Building an entry

const brotli = promisify(zlib.brotliCompress)

/**
 * Brotli's best quality (11) is worth it for an ordinary page, compressed once per version:
 * 12-21 % fewer bytes than quality 6 for pages of 145-490 KB, for an encoder of 9-16 MB
 * (its memory grows with the page). A larger page gets quality 6: quality 11 would hold a
 * libuv thread for seconds, and quality 7 to 9 build a hash table of 10 to 32 MB whatever
 * the page's size (quality 9 was the largest single allocation of a cold compile's peak),
 * where quality 6 needs 4-9 MB for 5 % more bytes than quality 9. Measured on the react.dev
 * corpus's pages, docs/performance.md.
 */
const LARGE_PAGE_BYTES = 512 * 1024
function brotliQuality(bytes: number): number {
  return bytes <= LARGE_PAGE_BYTES ? 11 : 6
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
  NOT_CACHEABLE_HEADER,
  PAGE_ENTRY_HEADER,
])
/** What an entry costs beyond its bytes (key, headers, tags), roughly: small pages count too. */
const ENTRY_OVERHEAD = 512
const COMPRESSIBLE =
  /^(?:text\/|application\/(?:json|javascript|xml|rss\+xml|atom\+xml|feed\+json|manifest\+json)|image\/svg\+xml)/i

/**
 * Builds the cache entry for a rendered body: its variants are compressed once here, in
 * libuv's thread pool (zlib's async functions), so the event loop keeps serving.
 */
export async function buildPage(
  body: Buffer,
  headers: Headers,
  { depends, stamp }: Pick<CachedPage, 'depends' | 'stamp'>,
): Promise<CachedPage> {
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
      variants: { br: null, gzip: null, identity: compactBuffer(body) },
      identityLength: body.length,
      etags: { identity: etag, br: etag, gzip: etag },
      depends,
      stamp,
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
  ]).then((compressed) => compressed.map(compactBuffer))
  // One strong tag per representation: the same page in another coding is another representation.
  const etags = { identity: `"${hash}"`, br: `"${hash}-br"`, gzip: `"${hash}-gz"` }
  return {
    status: 200,
    headers: kept,
    variants: { br, gzip: gz, identity: null },
    identityLength: body.length,
    etags,
    depends,
    stamp,
    bytes: br.length + gz.length + ENTRY_OVERHEAD,
  }
}

// ---------------------------------------------------------------------------------------
// Answering

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
  /** The build's id: a new deploy never serves the old build's pages. null: nothing is kept (development). */
  buildId: string | null
  /** The content's current version, read (never re-scanned) once per eligible request. */
  contentVersion: () => string
  /** The stamp of a page's dependencies (CachedPage.depends) at a content version: cheap, from memory. */
  pageStamp: (depends: string, version: string) => string
  /** The build's routes (their handles say which pages may be kept, and the query they read). */
  routes: () => Promise<ServerBuild['routes']>
  /**
   * The headers the security middleware writes on every answer (security-headers.server.ts):
   * a hit's head made ahead of the chain (hitHead) carries them too.
   */
  securityHeaders: AnswerSecurityHeaders
}

/** Renders the request (Remix): what the cache keeps, or hands back to be sent as it is. */
export type Render = () => Promise<{ response: Response; routes: ServerBuild['routes'] }>

export interface PageCache {
  /**
   * Answers the request from memory, or renders it (once per key at a time) and keeps the
   * page. Resolves to null when the cache sent the answer itself, else to the rendered
   * response for the caller to send.
   */
  serve(req: express.Request, res: express.Response, render: Render): Promise<Response | null>
  /**
   * The page kept for this request, found without awaiting anything, or null when serve()
   * must decide (a miss, a bypass, a request that is no page, routes not known yet). For
   * the hit path that answers before the rest of the middleware (app-middleware.server.ts).
   */
  pageHit(req: express.Request): PageHit | null
  /** Answers a request with the page pageHit found (as serve() does for a hit). */
  sendHit(req: express.Request, res: express.Response, hit: PageHit): void
  /**
   * The whole head of the answer to a hit, as res.writeHead takes it (name, value, ...),
   * but for the headers of this request alone (Server-Timing, X-Request-Id): the very
   * headers the chain and sendHit would write, in their order. null when the answer is not
   * a 200 with stored bytes (a 304, a client that takes no compression): sendHit answers those.
   */
  hitHead(req: express.Request, hit: PageHit): string[] | null
  /** Sends a hit with its head from hitHead, and this request's own headers after it. */
  sendHead(req: express.Request, res: express.Response, hit: PageHit, head: string[], own: string[]): void
  stats(): PageCacheStats
}

/** A page found for a request, under its key. */
export interface PageHit {
  key: string
  page: CachedPage
}

interface Lookup {
  route: PageCacheHandle
  /** The URL part of the key (cacheableUrl). */
  url: string
  key: string
  version: string
  page: CachedPage | undefined
}

let current: PageCache | null = null

/**
 * The page cache's figures for /admin and /metrics, or null when there is none (development, PAGE_CACHE_MAX_BYTES=0).
 */
export function pageCacheStats(): PageCacheStats | null {
  return current ? current.stats() : null
}

/** A rendered page the cache does not keep, as it goes out: internal headers dropped, kept by no shared cache. */
function untaken(response: Response, keepable: boolean): Response {
  response.headers.delete(NOT_CACHEABLE_HEADER)
  response.headers.delete(PAGE_ENTRY_HEADER)
  // A content page the page cache did not take (a signed-in reader's, with their name in the
  // header) must not be kept by a shared cache either.
  if (keepable && !response.headers.has('cache-control')) response.headers.set('Cache-Control', 'private, no-cache')
  return response
}

/** A 200 that its route lets the cache keep (see routeKeepsPage), not marked otherwise. */
function keepable(req: express.Request, { response, routes }: Awaited<ReturnType<Render>>): boolean {
  return (
    response.status === 200 &&
    !response.headers.has(NOT_CACHEABLE_HEADER) &&
    routeKeepsPage(routes, req.originalUrl.split('?')[0])
  )
}

/** The one page cache of this process (its stats are what pageCacheStats reads). */
export function createPageCache(options: PageCacheOptions): PageCache {
  const { maxBytes, cdnMaxAgeSeconds, buildId, contentVersion, pageStamp, routes, securityHeaders } = options
  const store = new PageStore(buildId === null ? 0 : maxBytes)
  const counts = { hits: 0, misses: 0, bypasses: 0, notModified: 0, shared: 0, tooLarge: 0, unzipped: 0 }
  /** Renders in progress by key: concurrent misses share the first one's page. */
  const renders = new SingleFlight<CachedPage | null>()
  let currentVersion: string | null = null
  const cacheControl =
    `public, max-age=0, must-revalidate, s-maxage=${cdnMaxAgeSeconds}, ` +
    `stale-while-revalidate=${Math.max(cdnMaxAgeSeconds, 86_400)}`

  function send(req: express.Request, res: express.Response, key: string, page: CachedPage, how: 'hit' | 'miss') {
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
    if (how === 'hit') requestContext(res).timings.add('cache', 0, 'page cache hit')
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
    // A client that takes no compression: the page's plain copy when one is kept, else the
    // gzip copy unzipped off the event loop, and kept as the plain copy when there is room.
    res.setHeader('Content-Length', page.identityLength)
    if (req.method === 'HEAD') return res.end()
    const plain = store.plainCopy(key, page)
    if (plain) return res.end(plain)
    counts.unzipped++
    zlib.gunzip(page.variants.gzip!, (error, body) => {
      if (error) return res.destroy(error)
      if (store.get(key) === page) store.keepPlainCopy(key, page, compactBuffer(body))
      res.end(body)
    })
  }

  /** Renders without the cache: the answer goes out as Remix made it. */
  async function renderUncached(req: express.Request, render: Render): Promise<Response> {
    const rendered = await render()
    return untaken(rendered.response, keepable(req, rendered))
  }

  function bypass(req: express.Request, res: express.Response, render: Render): Promise<Response> {
    counts.bypasses++
    res.setHeader(PAGE_CACHE_STATUS_HEADER, 'bypass')
    return renderUncached(req, render)
  }

  /** The page kept under `key` while its stamp still holds at `version`; a stale one is dropped. */
  function fresh(key: string, version: string): CachedPage | undefined {
    const page = store.get(key)
    if (!page || page.currentAt === version) return page
    if (page.stamp === pageStamp(page.depends, version)) {
      page.currentAt = version
      return page
    }
    store.delete(key)
    return undefined
  }

  /** The build's routes once known (they never change in production): the sync lookups need them. */
  let knownRoutes: ServerBuild['routes'] | null = null

  /**
   * Where a request stands with the cache before anything renders: not for the cache at all
   * (`uncached`: not a page its route keeps, or an asset), one it must not answer from memory
   * (`bypass`), or its key, with the page kept there while its stamp holds.
   */
  function lookup(req: express.Request, routesNow: ServerBuild['routes']): Lookup | 'bypass' | 'uncached' {
    if (req.method !== 'GET' && req.method !== 'HEAD') return 'bypass'
    const cookies = req.headers.cookie
    // A Cookie header that mentions the session at all, however malformed ("kiln_session"
    // without a value), counts as signed in, as it does for the private Cache-Control rule
    // (security-headers.server.ts): such a request never gets or makes a shared answer.
    if ((cookies ?? '').includes(SESSION_COOKIE)) return 'bypass'
    const mark = req.originalUrl.indexOf('?')
    const pathname = mark === -1 ? req.originalUrl : req.originalUrl.slice(0, mark)
    // Remix's own requests are not pages: data for client navigation (cheap, not kept), and
    // the route manifest for lazy route discovery, whose query (the build's version) must
    // reach Remix as sent. `/__manifest` would otherwise look like a page of `$page`.
    if (pathname.endsWith('.data') || req.originalUrl.includes('_data=') || pathname === REMIX_MANIFEST_PATH)
      return 'bypass'
    // The build's fingerprinted files have their own precompressed, immutable answer.
    if (pathname.startsWith('/assets/')) return 'uncached'
    // Only a route that declares it keeps pages, at the page's own address (not an alias).
    const route = pageRoute(routesNow, pathname)
    if (!route) return 'uncached'
    const url = cacheableUrl(req.originalUrl, queryReadBy(route))
    if (url === null) return 'bypass'
    const version = contentVersion()
    if (version !== currentVersion) {
      store.dropStale((depends) => pageStamp(depends, version))
      currentVersion = version
    }
    const key = `${buildId}\n${themeOf(cookies)}\n${url}`
    return { route, url, key, version, page: fresh(key, version) }
  }

  function pageHit(req: express.Request): PageHit | null {
    if (store.maxBytes === 0 || knownRoutes === null) return null
    const found = lookup(req, knownRoutes)
    return typeof found !== 'string' && found.page ? { key: found.key, page: found.page } : null
  }

  function sendHit(req: express.Request, res: express.Response, { key, page }: PageHit): void {
    counts.hits++
    send(req, res, key, page, 'hit')
  }

  function hitHead(req: express.Request, { page }: PageHit): string[] | null {
    const encoding = preferredEncoding(req.headers['accept-encoding'])
    const stored = page.variants[encoding] ?? page.variants.identity
    if (!stored || noneMatchHits(req.headers['if-none-match'], Object.values(page.etags))) return null
    const heads = (page.heads ??= {})
    let head = heads[encoding]
    if (!head) {
      // In the order the chain writes them: the security middleware's, then send()'s.
      const policy = page.headers.find(([name]) => name.toLowerCase() === 'content-security-policy')
      head = ['Content-Security-Policy', policy ? policy[1] : securityHeaders.baseline]
      for (const [name, value] of securityHeaders.fixed) head.push(name, value)
      head.push('ETag', page.etags[encoding], 'Cache-Control', cacheControl, 'Vary', 'Accept-Encoding, Cookie')
      head.push(PAGE_CACHE_STATUS_HEADER, 'hit')
      for (const [name, value] of page.headers)
        if (name.toLowerCase() !== 'content-security-policy') head.push(name, value)
      if (stored !== page.variants.identity) head.push('Content-Encoding', encoding)
      head.push('Content-Length', String(stored.length))
      heads[encoding] = head
    }
    return head
  }

  function sendHead(req: express.Request, res: express.Response, { page }: PageHit, head: string[], own: string[]) {
    counts.hits++
    const encoding = preferredEncoding(req.headers['accept-encoding'])
    const stored = (page.variants[encoding] ?? page.variants.identity)!
    res.writeHead(200, own.length === 0 ? head : head.concat(own))
    if (req.method === 'HEAD') res.end()
    else res.end(stored)
  }

  async function serve(req: express.Request, res: express.Response, render: Render): Promise<Response | null> {
    if (store.maxBytes === 0) return renderUncached(req, render)
    knownRoutes ??= await routes()
    const found = lookup(req, knownRoutes)
    if (found === 'bypass') return bypass(req, res, render)
    if (found === 'uncached') return renderUncached(req, render)
    const { route, url, key, version, page } = found
    // The page is rendered at its key's address: a parameter its route does not read cannot
    // reach the page (the theme form's return address shows the URL) and be kept for every
    // reader under the key it shares with them.
    if (url !== req.originalUrl) req.url = req.originalUrl = url
    if (page) {
      sendHit(req, res, { key, page })
      return null
    }
    // Renders are shared within one content version: a render begun before a change is not this request's page.
    const renderKey = `${version}\n${key}`
    if (renders.has(renderKey)) {
      // Another request renders this page now: its page is this answer too. When it kept
      // nothing (an error, a page that may not be kept), this request renders for itself.
      const shared = await renders.run(renderKey, async () => null).catch(() => null)
      if (res.destroyed) return null
      if (!shared) return renderUncached(req, render)
      counts.hits++
      counts.shared++
      send(req, res, key, shared, 'hit')
      return null
    }
    // A HEAD has no body to keep: answered by Remix, uncached.
    if (req.method === 'HEAD') return renderUncached(req, render)

    let own: Response | null = null
    const built = await renders.run(renderKey, async () => {
      const rendered = await render()
      const { response } = rendered
      const cacheable =
        keepable(req, rendered) &&
        !response.headers.has('set-cookie') &&
        requestContext(res).setCookies.length === 0 &&
        response.body !== null
      if (!cacheable) {
        own = untaken(response, keepable(req, rendered))
        return null
      }
      counts.misses++
      const depends = dependsOf(route, response.headers)
      const stamp = pageStamp(depends, version)
      const made = await buildPage(Buffer.from(await response.arrayBuffer()), response.headers, { depends, stamp })
      // A content change during the render: the page may mix versions, so serve it but never keep it.
      if (contentVersion() === version && !store.set(key, made)) counts.tooLarge++
      return made
    })
    if (!built) return own
    if (!res.destroyed) send(req, res, key, built, 'miss')
    return null
  }

  const cache: PageCache = {
    serve,
    pageHit,
    sendHit,
    hitHead,
    sendHead,
    stats: () => ({ ...store.stats(), ...counts }),
  }
  current = buildId === null ? null : cache
  return cache
}
