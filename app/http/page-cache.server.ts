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

/**
 * Document routes whose HTML depends only on the content (and the theme cookie), each with
 * the shape of its canonical path. Only values that exist may key the cache: a page is
 * kept only under the path its links use, so the aliases a router accepts (`/BLOG/x`,
 * `/blog/x/`, `/blog/%78`) are served but never stored; the loaders answer 404 for
 * a slug or tag that names nothing and redirect a tag written another way.
 */
const CONTENT_ONLY_ROUTES = new Map<string, RegExp>([
  ['routes/_index', /^\/$/],
  ['routes/blog._index', /^\/blog$/],
  ['routes/blog.$slug', /^\/blog\/[A-Za-z0-9._-]+$/],
  ['routes/tags._index', /^\/tags$/],
  ['routes/tags.$tag', /^\/tags\/[A-Za-z0-9._-]+$/],
  ['routes/$page', /^\/[A-Za-z0-9._-]+$/],
])

/** Whether a rendered document may be cached: a 200 whose deepest route is content-only, asked for by its canonical path. */
export function isContentOnlyDocument(status: number, routeIds: readonly string[], url: string): boolean {
  const leaf = routeIds[routeIds.length - 1]
  const shape = leaf === undefined ? undefined : CONTENT_ONLY_ROUTES.get(leaf)
  return status === 200 && shape !== undefined && shape.test(new URL(url).pathname)
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
