/**
 * Kiln's one cookie grammar. Every reader of the Cookie header (the page cache's key, the
 * theme, sessions, known devices, visitor ids, LiteFS's txnum) goes through readCookie, so
 * no header, however malformed, can be read one way by the page cache and another way by
 * the page it stores: before this, four hand-written splitters disagreed on duplicates,
 * quotes and percent-encoding, and a header could key a page under a theme it was not
 * rendered in.
 *
 * The grammar is the `cookie` package's (the one Express and Remix use): pairs split on
 * `;`, name and value trimmed of spaces and tabs, the first of duplicate names wins, one
 * pair of surrounding double quotes is dropped, and a value is percent-decoded when it
 * decodes (kept as sent when it does not). A pair without `=` is skipped.
 *
 * Signed values (the session, the known-device cookie) are `<payload>.<HMAC-SHA256>`,
 * checked in constant time against every secret given (the first one signs).
 */
import crypto from 'node:crypto'
import { parse, serialize, type CookieSerializeOptions } from 'cookie'

/** Past this length a Cookie header is not parsed at all (browsers send at most ~8 KB). */
export const MAX_COOKIE_HEADER_LENGTH = 16 * 1024

/**
 * The header as Express (string), Node (string[] never for Cookie, joined with "; ") or fetch (string | null) hands it
 * over.
 */
type CookieHeader = string | string[] | null | undefined

/** Every cookie of a header, by name; the first of duplicates wins. Empty for an absent or oversized header. */
export function parseCookies(header: CookieHeader): Map<string, string> {
  const text = Array.isArray(header) ? header.join('; ') : header
  const cookies = new Map<string, string>()
  if (!text || text.length > MAX_COOKIE_HEADER_LENGTH) return cookies
  // A plain object from `cookie`: own keys only, so "__proto__" or "constructor" are just names.
  const parsed = parse(text)
  for (const name of Object.keys(parsed)) {
    const value = parsed[name]
    if (typeof value === 'string') cookies.set(name, value)
  }
  return cookies
}

/** One cookie's value, or undefined when the header has no cookie of that name. */
export function readCookie(header: CookieHeader, name: string): string | undefined {
  return parseCookies(header).get(name)
}

/** The Cookie header of a fetch Request. */
export function requestCookie(request: Request, name: string): string | undefined {
  return readCookie(request.headers.get('Cookie'), name)
}

export function serializeCookie(name: string, value: string, options: CookieSerializeOptions): string {
  return serialize(name, value, options)
}

function mac(payload: string, secret: string): string {
  return crypto.createHmac('sha256', secret).update(payload).digest('base64url')
}

/** `<payload>.<signature>`; the payload must not be empty. */
export function sign(payload: string, secret: string): string {
  return `${payload}.${mac(payload, secret)}`
}

/** The payload of a signed value when one of the secrets signed it, else null. */
export function unsign(signed: string | undefined, secrets: readonly string[]): string | null {
  if (!signed) return null
  const dot = signed.lastIndexOf('.')
  if (dot <= 0) return null
  const payload = signed.slice(0, dot)
  const given = Buffer.from(signed.slice(dot + 1))
  for (const secret of secrets) {
    const expected = Buffer.from(mac(payload, secret))
    if (given.length === expected.length && crypto.timingSafeEqual(given, expected)) return payload
  }
  return null
}
