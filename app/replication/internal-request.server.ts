/**
 * Requests between Kiln's own instances (a replica asking the primary to compile a post)
 * are signed with INTERNAL_TOKEN: an HMAC-SHA256 over the timestamp and the raw body, so
 * a signature cannot be reused for another body or, after five minutes, at all.
 */
import crypto from 'node:crypto'
import { getInternalInstanceDomain } from 'litefs-js'
import { getConfig } from '../config.server.ts'

export const INTERNAL_SIGNATURE_HEADER = 'X-Kiln-Internal-Signature'
const MAX_SKEW_MS = 5 * 60 * 1000

function mac(token: string, timestamp: string, body: string): string {
  return crypto.createHmac('sha256', token).update(`${timestamp}.${body}`).digest('hex')
}

export function signInternal(token: string, body: string, now = Date.now()): string {
  const timestamp = String(now)
  return `t=${timestamp},v1=${mac(token, timestamp, body)}`
}

export function verifyInternal(token: string, body: string, header: string | null, now = Date.now()): boolean {
  if (!header) return false
  const match = /^t=(\d{1,16}),v1=([0-9a-f]{64})$/.exec(header.trim())
  if (!match) return false
  const [, timestamp, given] = match
  if (Math.abs(now - Number(timestamp)) > MAX_SKEW_MS) return false
  const expected = Buffer.from(mac(token, timestamp, body), 'hex')
  return crypto.timingSafeEqual(expected, Buffer.from(given, 'hex'))
}

/**
 * Where this instance reaches the primary: PRIMARY_INTERNAL_URL when set, otherwise Fly's
 * private address of the instance `.primary` names (litefs-js's rule); null when neither
 * can be known (no Fly app name outside Fly).
 */
export function primaryBaseUrl(primaryInstance: string): string | null {
  const config = getConfig()
  if (config.primaryInternalUrl) return config.primaryInternalUrl
  if (!config.flyAppName) return null
  return getInternalInstanceDomain(primaryInstance, String(config.port))
}
