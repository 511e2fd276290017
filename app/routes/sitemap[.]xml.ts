import type { LoaderFunctionArgs } from '@remix-run/node'
import { sitemapResponse } from '../seo/sitemap.server.ts'
import type { PageCacheHandle } from '../http/page-cache.server.ts'

/** A function of the content alone: the page cache may keep it. */
export const handle = { pageCache: true, pageCacheDepends: ['site'] } satisfies PageCacheHandle

/** Every published post and page, and the lists, for search engines. */
export function loader({ context }: LoaderFunctionArgs) {
  return sitemapResponse(context.timings)
}
