import type { LoaderFunctionArgs } from '@remix-run/node'
import { sitemapResponse } from '../seo/sitemap.server.ts'

/** Every published post and page, and the lists, for search engines. */
export function loader({ context }: LoaderFunctionArgs) {
  return sitemapResponse(context.timings)
}
