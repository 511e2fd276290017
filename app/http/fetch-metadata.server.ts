/**
 * Who started a request, from the browser's Fetch Metadata (`Sec-Fetch-Site`, sent by
 * every current browser and not settable by a page's script). Admin actions (heap
 * snapshot, heap and CPU profiles, anything that changes state) must be started by this
 * site's own pages or by the admin typing the address:
 *
 *   same-origin  a page of this site             allowed
 *   none         typed, bookmarked, the admin's   allowed
 *   same-site    another subdomain of this site   403: a sibling subdomain is not this site
 *   cross-site   anything else                    403
 *
 * A request without the header (curl, a script, a browser older than Fetch Metadata) is
 * let through here: it carries the session only if its sender holds it, and the session
 * cookie is SameSite=Strict, so an old browser following another site's link sends none.
 */
import { noStoreText } from './no-store-responses.ts'

const ALLOWED = new Set(['same-origin', 'none'])

/** True when a browser says this request was started by another site (or a sibling subdomain). */
export function isCrossSite(request: Request): boolean {
  const site = request.headers.get('Sec-Fetch-Site')
  return site !== null && !ALLOWED.has(site.trim().toLowerCase())
}

/** A top-level navigation another site started (a followed link, a redirect, a form). */
export function isCrossSiteNavigation(request: Request): boolean {
  return isCrossSite(request) && request.headers.get('Sec-Fetch-Mode') === 'navigate'
}

/** Throws a 403 for a request another site started. */
export function sameSiteOnly(request: Request): void {
  if (!isCrossSite(request)) return
  throw noStoreText(
    'Refused: admin actions can only be started from this site. Open the admin page and start it from there.',
    403,
    { 'Cache-Control': 'private, no-store' },
  )
}
