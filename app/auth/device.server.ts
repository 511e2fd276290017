/**
 * Known devices (OWASP's "device cookies"): a successful sign-in leaves a signed cookie,
 * kiln_device = `d1:<user id>:<random nonce>` + HMAC, on that browser. A later sign-in to the
 * same account from that browser is judged by that device's own failures only, not by the
 * account's or the address's: an attacker who fails a thousand times on the admin's
 * account, from anywhere, locks out every unknown device but never the admin's own phone.
 *
 * The cookie proves only that this browser signed in to this account before; the password
 * is still checked. A device that fails DEVICE_MAX_FAILURES times in the window is no
 * longer trusted (a stolen cookie buys five guesses, not a way around the lockout) and
 * falls back to the account's and address's limits.
 */
import crypto from 'node:crypto'
import { getConfig } from '../config.server.ts'
import { requestCookie, serializeCookie, sign, unsign } from '../http/cookies.ts'
import { sessionSecret } from './session.server.ts'

export const DEVICE_COOKIE = 'kiln_device'
const YEAR_SECONDS = 365 * 24 * 60 * 60

export interface KnownDevice {
  userId: number
  /** The device's id: its failures are counted under it. */
  nonce: string
}

/** The known device a request's cookie names, when this site signed it; else null. */
export function knownDevice(request: Request): KnownDevice | null {
  const payload = unsign(requestCookie(request, DEVICE_COOKIE), [sessionSecret()])
  const match = payload === null ? null : /^d1:(\d{1,15}):([A-Za-z0-9_-]{22})$/.exec(payload)
  return match ? { userId: Number(match[1]), nonce: match[2] } : null
}

/** Set-Cookie for a browser that just signed in; keeps the device's id when it already had one for this user. */
export function deviceCookie(userId: number, existing: KnownDevice | null): string {
  const nonce = existing && existing.userId === userId ? existing.nonce : crypto.randomBytes(16).toString('base64url')
  return serializeCookie(DEVICE_COOKIE, sign(`d1:${userId}:${nonce}`, sessionSecret()), {
    httpOnly: true,
    // Only this site's own sign-in form needs it.
    sameSite: 'strict',
    secure: getConfig().secureCookies,
    path: '/',
    maxAge: YEAR_SECONDS,
  })
}
