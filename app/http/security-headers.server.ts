/**
 * Security headers on every answer, and private answers kept private. The first of the
 * app's middleware (app/http/app-middleware.server.ts), so whatever answers after it (a static file, a 403 or 413 from
 * another middleware, Remix, the page cache, Express's own error handler) goes out with them.
 *
 * - helmet decides the static headers: nosniff, Referrer-Policy, Cross-Origin-Opener-Policy,
 *   X-Frame-Options (for browsers older than frame-ancestors), Strict-Transport-Security
 *   when SITE_URL is https. It decides them once, at start-up (helmetHeaders): run per
 *   request, its chain of eleven middleware functions was a fifth of a cached page's
 *   CPU time. Permissions-Policy (which helmet leaves out) is written here.
 * - The Content-Security-Policy starts as the baseline (no inline script at all). A document
 *   rendered by Remix brings its own, with the hashes of its inline scripts
 *   (app/http/content-security-policy.server.ts), and a cached page brings the one stored
 *   with it. Just before the head goes out, exactly one Kiln policy is left: a response with
 *   two policies is held to both (the baseline would block the document's scripts), and a
 *   policy written by something else (Express's final handler writes its own) is replaced.
 * - Every answer to a request that carries the session cookie, or that sets one, is
 *   `Cache-Control: private, no-store` (plus a route's `no-transform`), whatever the route said: no shared cache
 *   keeps it and the browser does not store it. The cookie's name is looked for anywhere in the
 *   Cookie header, so no parser's reading of a malformed header can make a signed-in
 *   answer look public.
 */
import type express from 'express'
import helmet from 'helmet'
import onHeaders from 'on-headers'
import { contentSecurityPolicy, KILN_POLICY_SIGNATURE, type PolicyOptions } from './content-security-policy.server.ts'
import { SESSION_COOKIE } from '../auth/session-cookie.ts'

/** Powerful features no Kiln page uses, denied to the page and to every frame in it. */
export const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(), payment=(), usb=()'
export const PRIVATE_CACHE_CONTROL = 'private, no-store'
/**
 * A year: browsers keep to https for that long after one visit. No includeSubDomains: other hosts of the domain are not
 * Kiln's to decide.
 */
const HSTS_MAX_AGE_SECONDS = 31_536_000

function isKilnPolicy(value: unknown): value is string {
  return typeof value === 'string' && value.includes(KILN_POLICY_SIGNATURE)
}

function setsSessionCookie(res: express.Response): boolean {
  const setCookie = res.getHeader('Set-Cookie')
  return [setCookie ?? []].flat().some((cookie) => String(cookie).trimStart().startsWith(`${SESSION_COOKIE}=`))
}

/** private, no-store, keeping a route's no-transform (a heap snapshot's bytes are not for proxies to re-encode). */
export function privateCacheControl(routes: unknown): string {
  return /(?:^|,)\s*no-transform\s*(?:,|$)/i.test(String(routes ?? ''))
    ? `${PRIVATE_CACHE_CONTROL}, no-transform`
    : PRIVATE_CACHE_CONTROL
}

/**
 * The headers a helmet middleware writes, found by running it once against a response that
 * only records them: they depend on its options alone, never on the request.
 */
export function helmetHeaders(middleware: ReturnType<typeof helmet>): [string, string][] {
  const headers: [string, string][] = []
  const recorder = {
    setHeader: (name: string, value: unknown) => void headers.push([name, String(value)]),
    removeHeader: () => undefined,
  }
  let called = false
  middleware({} as express.Request, recorder as unknown as express.Response, () => (called = true))
  // helmet runs its parts synchronously; if a version ever does not, its headers were not all seen.
  if (!called) throw new Error('helmet did not finish synchronously: its headers cannot be computed once')
  return headers
}

/**
 * What every answer carries: the baseline policy (a document brings its own instead) and the
 * headers that never change, in the order they are written. The page cache's hits answered
 * ahead of the chain write these very headers (app/http/app-middleware.server.ts).
 */
export interface AnswerSecurityHeaders {
  baseline: string
  fixed: readonly [string, string][]
}

export function answerSecurityHeaders(options: PolicyOptions): AnswerSecurityHeaders {
  const helmetFixed = helmetHeaders(
    helmet({
      contentSecurityPolicy: false,
      crossOriginOpenerPolicy: { policy: 'same-origin' },
      // Feed readers and other sites show the blog's images: resources stay embeddable.
      crossOriginResourcePolicy: { policy: 'cross-origin' },
      referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
      strictTransportSecurity: options.https ? { maxAge: HSTS_MAX_AGE_SECONDS, includeSubDomains: false } : false,
      xFrameOptions: { action: 'deny' },
      // Four headers helmet still sends for browsers and plug-ins that are gone: an XSS
      // auditor no browser has had since 2019 (X-XSS-Protection: 0 only turned it off),
      // Internet Explorer 8's download prompt, Flash's and Acrobat's cross-domain policy
      // files, and DNS prefetching (which browsers do not do for https pages unless told to).
      // They protect no reader today, and every answer carried their 140 bytes and four
      // header lines, which every client parses: on a cached page, a measurable part of
      // the cost of an answer (docs/performance.md, serving).
      xXssProtection: false,
      xDownloadOptions: false,
      xPermittedCrossDomainPolicies: false,
      xDnsPrefetchControl: false,
    }),
  )
  return {
    baseline: contentSecurityPolicy(options),
    fixed: [['Permissions-Policy', PERMISSIONS_POLICY], ...helmetFixed],
  }
}

export function securityHeaders({ baseline, fixed }: AnswerSecurityHeaders): express.RequestHandler {
  return (req, res, next) => {
    res.setHeader('Content-Security-Policy', baseline)
    const signedIn = (req.headers.cookie ?? '').includes(SESSION_COOKIE)
    onHeaders(res, () => {
      // The last Kiln policy set is the answer's own (a document's, appended after the baseline).
      const policy = [res.getHeader('Content-Security-Policy') ?? []].flat().filter(isKilnPolicy).pop()
      res.setHeader('Content-Security-Policy', policy ?? baseline)
      if (signedIn || setsSessionCookie(res))
        res.setHeader('Cache-Control', privateCacheControl(res.getHeader('Cache-Control')))
    })
    for (const [name, value] of fixed) res.setHeader(name, value)
    // Express's own header (helmet's xPoweredBy): the app disables it too.
    res.removeHeader('X-Powered-By')
    next()
  }
}
