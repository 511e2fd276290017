/**
 * The app's side of the page cache (server/page-cache.ts keeps the pages): which
 * responses may be kept, and a seam through which the cache's stats reach the admin
 * dashboard and /metrics.
 *
 * The app opts in; the cache never guesses. A document is marked cacheable when its
 * route's output depends only on the content (never on who asks); a resource route that
 * is content-only (a feed, the sitemap) marks its own response with `markContentOnly`.
 * The marker is an internal header: the Express side strips it before anything is sent.
 */

/** The internal response header that marks a response as content-only, hence cacheable. */
export const PAGE_CACHE_MARKER = 'x-kiln-page-cache'

/** Document routes whose HTML depends only on the content (and the theme cookie). */
const CONTENT_ONLY_ROUTES = new Set(['routes/_index', 'routes/blog._index', 'routes/blog.$slug', 'routes/tags._index', 'routes/tags.$tag', 'routes/$page'])

/** Whether a rendered document may be cached: a 200 whose deepest route is content-only. */
export function isContentOnlyDocument(status: number, routeIds: readonly string[]): boolean {
  const leaf = routeIds[routeIds.length - 1]
  return status === 200 && leaf !== undefined && CONTENT_ONLY_ROUTES.has(leaf)
}

/** For a content-only resource route (feed, sitemap, robots.txt, og image): lets the page cache keep its 200s. */
export function markContentOnly(headers: Headers): Headers {
  headers.set(PAGE_CACHE_MARKER, '1')
  return headers
}

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
}

let readStats: (() => PageCacheStats) | null = null

/** Called once by the Express server, which owns the cache. */
export function registerPageCacheStats(read: () => PageCacheStats): void {
  readStats = read
}

/** The page cache's figures, or null when there is none (development, or PAGE_CACHE_MAX_BYTES=0). */
export function pageCacheStats(): PageCacheStats | null {
  return readStats ? readStats() : null
}
