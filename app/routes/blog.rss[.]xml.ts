import type { LoaderFunctionArgs } from '@remix-run/node'
import { feedResponse } from '../seo/feeds.server.ts'

/** RSS 2.0: the newest posts with their full text. */
export function loader({ context }: LoaderFunctionArgs) {
  return feedResponse('rss', context.timings)
}
