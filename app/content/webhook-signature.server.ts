/**
 * Webhook signatures the way GitHub signs them: `X-Hub-Signature-256: sha256=<hex>`,
 * the HMAC-SHA256 of the raw request body with a shared secret. Compared in constant
 * time, so the answer's timing tells nothing about a near miss.
 *
 * A refresh's status read (GET, no body) is signed differently: a signature over an empty
 * body would be the same for every read, forever. It is signed like Kiln's internal
 * requests, over a timestamp and the request's path, so it opens one refresh's status
 * and expires after five minutes.
 */
import crypto from 'node:crypto'
import { signInternal, verifyInternal } from '../replication/internal-request.server.ts'

export const SIGNATURE_HEADER = 'X-Hub-Signature-256'

export function sign(secret: string, body: string | Buffer): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`
}

export function verifySignature(secret: string, body: string | Buffer, header: string | null): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/i.test(header.trim())) return false
  const expected = Buffer.from(sign(secret, body))
  const given = Buffer.from(header.trim().toLowerCase())
  return expected.length === given.length && crypto.timingSafeEqual(expected, given)
}

export const STATUS_SIGNATURE_HEADER = 'X-Kiln-Signature'
/** How a status read's signature is made, for error messages and the README. */
export const STATUS_SIGNATURE_FORMAT =
  't=<unix milliseconds>,v1=<hex HMAC-SHA256 of "<t>.GET <path>" with REFRESH_SECRET>'

/** The header value for a status read of `pathname` (for example /action/refresh-content/<id>). */
export function signStatusRead(secret: string, pathname: string, now = Date.now()): string {
  return signInternal(secret, `GET ${pathname}`, now)
}

/** True when the header signs this path with the secret, within five minutes of now. */
export function verifyStatusRead(secret: string, pathname: string, header: string | null, now = Date.now()): boolean {
  return verifyInternal(secret, `GET ${pathname}`, header, now)
}
