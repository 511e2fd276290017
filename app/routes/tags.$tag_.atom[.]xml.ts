import type { LoaderFunctionArgs } from '@remix-run/node'
import { tagFeedResponse } from '../seo/feeds.server.ts'
import type { PageCacheHandle } from '../http/page-cache.server.ts'

/** A function of the content alone: the page cache may keep it (only for a tag that exists). */
export const handle = { pageCache: true } satisfies PageCacheHandle

/** Atom 1.0 of one tag's newest posts. */
export function loader({ params, context }: LoaderFunctionArgs) {
  return tagFeedResponse('atom', params.tag ?? '', context.timings)
}
