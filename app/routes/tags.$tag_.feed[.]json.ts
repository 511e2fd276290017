import type { LoaderFunctionArgs } from '@remix-run/node'
import { tagFeedResponse } from '../seo/feeds.server.ts'
import type { PageCacheHandle } from '../http/page-cache.server.ts'

/** A function of the content alone: the page cache may keep it (only for a tag that exists). */
export const handle = { pageCache: true } satisfies PageCacheHandle

/** JSON Feed 1.1 of one tag's newest posts. */
export function loader({ params, context }: LoaderFunctionArgs) {
  return tagFeedResponse('json', params.tag ?? '', context.timings)
}
