/**
 * Primary or replica: the contract LiteFS keeps in its FUSE folder and litefs-js reads.
 *
 *   LITEFS_DIR/.primary      present on a replica only, holding the primary's hostname
 *   LITEFS_DIR/<db>-pos      "<txid hex>/<checksum>": the last transaction this instance has
 *
 * litefs-js reads the same files, but Kiln reads them itself where litefs-js is unsafe:
 * it takes an unreadable `.primary` (or an empty one) to mean "I am the primary", which would
 * let a replica write; it logs on every request when the `-pos` file is missing; and its
 * wait for replication stops after the first poll instead of waiting the full time. The
 * cookie and the hostname rule are litefs-js's own, so both sides agree on them.
 *
 * Without LiteFS, LITEFS_DIR is the database's folder: no `.primary` there, so the
 * instance is its own primary and nothing else changes.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { getTxSetCookieHeader, TXID_NUM_COOKIE_NAME } from 'litefs-js'
import { getConfig } from '../config.server.ts'
import { readCookie } from '../http/cookies.ts'

export { TXID_NUM_COOKIE_NAME }

export type InstanceRole =
  | { isPrimary: true; currentInstance: string; primaryInstance: string }
  /** `primaryInstance` is null when `.primary` exists but names nobody (empty or unreadable). */
  | { isPrimary: false; currentInstance: string; primaryInstance: string | null; problem: string | null }

/** Reads `.primary` now. Cheap (one small file); a consul lease can move at any moment. */
export function readInstanceRole(litefsDir = getConfig().litefsDir): InstanceRole {
  const currentInstance = os.hostname()
  let content: string
  try {
    content = fs.readFileSync(path.join(litefsDir, '.primary'), 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    // Only "no such file" means primary. Anything else (a folder, no permission) is a
    // replica whose primary is unknown: it must not write.
    if (code === 'ENOENT') return { isPrimary: true, currentInstance, primaryInstance: currentInstance }
    return {
      isPrimary: false,
      currentInstance,
      primaryInstance: null,
      problem: `.primary could not be read (${code ?? 'error'})`,
    }
  }
  const primaryInstance = content.trim()
  if (primaryInstance === '')
    return { isPrimary: false, currentInstance, primaryInstance: null, problem: '.primary is empty' }
  if (/[\s,;="]/.test(primaryInstance) || primaryInstance.length > 253) {
    return { isPrimary: false, currentInstance, primaryInstance: null, problem: '.primary does not hold a hostname' }
  }
  // litefs-js's rule: the instance named in .primary is the primary, even if it is us.
  if (primaryInstance === currentInstance) return { isPrimary: true, currentInstance, primaryInstance }
  return { isPrimary: false, currentInstance, primaryInstance, problem: null }
}

let cachedRole: { role: InstanceRole; at: number } | null = null
const ROLE_TTL_MS = 250

/**
 * The role as of at most 250 ms ago, for paths that run on every request (reads). Writes
 * and role changes call readInstanceRole() for the answer of this instant.
 */
export function instanceRole(): InstanceRole {
  const now = Date.now()
  if (!cachedRole || now - cachedRole.at > ROLE_TTL_MS) cachedRole = { role: readInstanceRole(), at: now }
  return cachedRole.role
}

export function isPrimary(): boolean {
  return instanceRole().isPrimary
}

/**
 * The transaction number in `<db>-pos`, or null when the file is missing or malformed
 * (a fresh database, or no LiteFS at all).
 */
export function readTxNumber(config = getConfig()): number | null {
  let content: string
  try {
    content = fs.readFileSync(path.join(config.litefsDir, `${config.databaseFilename}-pos`), 'utf8')
  } catch {
    return null
  }
  const txid = content.trim().split('/')[0]
  if (!/^[0-9a-f]{1,16}$/i.test(txid)) return null
  const value = Number.parseInt(txid, 16)
  return Number.isSafeInteger(value) ? value : null
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Waits until this instance has replicated transaction `target`, polling `-pos` every
 * `intervalMs` for up to `timeoutMs`. True when it has (and it may serve the request).
 */
export async function waitForTxNumber(target: number, timeoutMs = 500, intervalMs = 30): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    // A missing or malformed -pos file counts as transaction 0: nothing replicated yet.
    if ((readTxNumber() ?? 0) >= target) return true
    if (Date.now() >= deadline) return false
    await sleep(Math.min(intervalMs, Math.max(1, deadline - Date.now())))
  }
}

export type TxCookie = { kind: 'absent' } | { kind: 'invalid'; raw: string } | { kind: 'valid'; value: number }

/** The `txnum` cookie of a Cookie header: a non-negative integer, or invalid. */
export function parseTxCookie(cookieHeader: string | null | undefined): TxCookie {
  // Kiln's one cookie grammar (app/http/cookies.ts), as for every other cookie.
  const raw = readCookie(cookieHeader, TXID_NUM_COOKIE_NAME)
  if (raw === undefined) return { kind: 'absent' }
  const value = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN
  return Number.isSafeInteger(value) ? { kind: 'valid', value } : { kind: 'invalid', raw }
}

/** Set-Cookie for a reader who just wrote: replicas hold their reads until they have this transaction. */
export function txCookieHeader(value: number): string {
  return getTxSetCookieHeader(value, { secure: getConfig().secureCookies })
}

export function deleteTxCookieHeader(): string {
  return getTxSetCookieHeader(0, { secure: getConfig().secureCookies, expires: new Date(0) })
}
