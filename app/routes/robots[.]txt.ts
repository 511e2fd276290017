import { robotsResponse } from '../seo/sitemap.server.ts'
import type { PageCacheHandle } from '../http/page-cache.server.ts'

/** A function of the content alone: the page cache may keep it. */
export const handle = { pageCache: true, pageCacheDepends: ['site'] } satisfies PageCacheHandle

/** Crawling rules, pointing at the sitemap. */
export function loader() {
  return robotsResponse()
}
