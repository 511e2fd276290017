/**
 * The one place a `redirectTo` (sign-in, the theme form, sign-out, the sign-in redirect of
 * admin pages) becomes a Location. A prefix check ("starts with / but not //") is what
 * Kiln had, and browsers defeat it: they drop tabs and newlines anywhere in a URL, strip
 * leading spaces and control characters, read `\` as `/`, so `/\t/evil.example`,
 * `/\evil.example` and ` //evil.example` all leave the site.
 *
 * So the value is resolved the way a browser resolves it (WHATWG URL parsing, which
 * Node's URL implements, against this site's origin) and kept only when the result is
 * still on this site's origin. What goes out is the parsed URL's own path, query and
 * fragment, re-serialized: a single leading `/`, no backslash, no control character, so
 * no browser can read the Location as another host. Anything else becomes the fallback.
 */

/** Stands for "this site" while resolving: a reserved name (RFC 2606) no redirect can name by accident. */
const HOME = 'http://kiln.invalid'
const HOME_ORIGIN = new URL(HOME).origin
/** Longer values are never a page Kiln sends anyone back to. */
const MAX_LENGTH = 2048

/**
 * A path on this site for `to`, or `fallback`. `siteOrigins` are this site's own origins
 * (the request's, SITE_URL's): an absolute URL naming one of them is kept as its path.
 */
export function safeRedirect(to: unknown, fallback = '/', siteOrigins: readonly string[] = []): string {
  if (typeof to !== 'string' || to.length === 0 || to.length > MAX_LENGTH) return fallback
  let url: URL
  try {
    url = new URL(to, `${HOME}/`)
  } catch {
    return fallback
  }
  if (url.origin !== HOME_ORIGIN && !siteOrigins.includes(url.origin)) return fallback
  // Userinfo on our own origin (http://user@kiln.invalid) is meaningless here: refused, not dropped.
  if (url.username || url.password) return fallback
  const path = `${url.pathname}${url.search}${url.hash}`
  // "/.//evil.example" resolves to the path "//evil.example", which a browser reads as a host.
  if (!path.startsWith('/') || path.startsWith('//')) return fallback
  return path
}

/** This request's origin, for safeRedirect's `siteOrigins`. */
export function requestOrigins(request: Request, ...more: (string | null | undefined)[]): string[] {
  const origins = [new URL(request.url).origin]
  for (const origin of more) {
    if (!origin) continue
    try {
      origins.push(new URL(origin).origin)
    } catch {
      // not a URL: ignored
    }
  }
  return origins
}
