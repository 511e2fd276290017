import { robotsResponse } from '../seo/sitemap.server.ts'

/** Crawling rules, pointing at the sitemap. */
export function loader() {
  return robotsResponse()
}
