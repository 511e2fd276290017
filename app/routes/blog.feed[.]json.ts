import type { LoaderFunctionArgs } from '@remix-run/node'
import { feedResponse } from '../seo/feeds.server.ts'
import type { PageCacheHandle } from '../http/page-cache.server.ts'

/** A function of the content alone: the page cache may keep it. */
export const handle = { pageCache: true } satisfies PageCacheHandle

/** JSON Feed 1.1: the newest posts with their full text. */
export function loader({ context }: LoaderFunctionArgs) {
  return feedResponse('json', context.timings)
}
