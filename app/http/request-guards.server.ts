/**
 * Two refusals at the app's door, before any route or static file sees the request: paths
 * that are never a page (rewritten to the styled 404) and writes sent from another site.
 */
import type express from 'express'

/**
 * A path with dot segments ("..", "%2e%2e"), encoded slashes or NUL is never a page. URL
 * parsing would quietly resolve "/blog/.." to "/" and serve something else; instead the
 * request is answered as not found, before any route or static file sees it. The rewrite
 * lands on the catch-all route, so the reader still gets the styled 404 page.
 */
const UNSAFE_PATH = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)|%2f|%5c|\\|%00|\0/i
/**
 * No page has a longer path (a slug is at most 200 characters, /blog/<slug>/og.png the
 * deepest route). Remix's route matching costs time per segment for every route branch:
 * a 2,000-segment path held the main thread for 2 s, so such paths never reach it.
 */
const MAX_PATH_LENGTH = 1024
const MAX_PATH_SEGMENTS = 12

export function isUnsafePath(url: string): boolean {
  const rawPath = url.split('?')[0]
  const tooLong =
    rawPath.length > MAX_PATH_LENGTH || rawPath.split('/', MAX_PATH_SEGMENTS + 2).length > MAX_PATH_SEGMENTS + 1
  return tooLong || UNSAFE_PATH.test(rawPath)
}

export function rejectUnsafePaths(req: express.Request, _res: express.Response, next: express.NextFunction) {
  // Remix reads originalUrl, static files read url: both are rewritten.
  if (isUnsafePath(req.url)) req.url = req.originalUrl = '/_/not-found'
  next()
}

/**
 * A write whose Origin names another site is refused here with a plain 403 (Remix would
 * abort the action too, but as a 500). Requests without an Origin, like webhooks, pass:
 * the forms that change state require one themselves.
 */
export function refuseCrossSiteWrites(req: express.Request, res: express.Response, next: express.NextFunction) {
  const origin = req.headers.origin
  if (req.method === 'GET' || req.method === 'HEAD' || !origin) return next()
  const host = req.headers['x-forwarded-host'] ?? req.headers.host
  let originHost: string | null = null
  try {
    originHost = new URL(origin).host
  } catch {
    // "null" or garbage: not this site
  }
  if (originHost === host) return next()
  res.status(403).type('text/plain').send('Cross-site request refused: this form must be sent from this site.')
}
