import type { LoaderFunctionArgs } from '@remix-run/node'
import { feedResponse } from '../seo/feeds.server.ts'

/** JSON Feed 1.1: the newest posts with their full text. */
export function loader({ context }: LoaderFunctionArgs) {
  return feedResponse('json', context.timings)
}
