/**
 * Signing in, with a lockout: 5 failed attempts for one account, or from one address,
 * within 15 minutes lock further attempts for that account or address until the oldest
 * of those failures is 15 minutes old. An unknown email and a wrong password get the
 * same answer and cost the same time (the password is checked against a decoy hash).
 *
 * The lockout holds under concurrency: an attempt is written as a failure BEFORE its
 * password is verified, in one immediate transaction with the check (better-sqlite3 is
 * synchronous, and BEGIN IMMEDIATE holds SQLite's write lock across processes), and
 * removed only when the password turns out right. A burst of 50 concurrent guesses gets
 * at most 5 verified; the other 45 find 5 attempts already counted.
 *
 * The lockout cannot be turned against the admin: a browser that signed in to the account
 * before (a known device, ./device.server.ts) is judged by its own failures only.
 */
import { getDb } from '../db/connection.server.ts'
import {
  DECOY_HASH,
  hashPassword,
  MIN_PASSWORD_LENGTH,
  needsRehash,
  PasswordBusyError,
  verifyPassword,
} from './password.server.ts'
import type { KnownDevice } from './device.server.ts'
import { endSessionsOf } from './session.server.ts'

export const MAX_FAILURES = 5
/** Failures a known device may make in the window before it is treated as unknown. */
export const DEVICE_MAX_FAILURES = 5
export const LOCK_WINDOW_MS = 15 * 60_000

export type LoginResult =
  { ok: true; userId: number } | { ok: false; reason: 'invalid' | 'locked' | 'busy'; retryInMinutes?: number }

interface Failure {
  failed_at: string
}

/** Sign-ins refused by the lockout since start (for /metrics). */
const stats = { throttled: 0, knownDeviceSignIns: 0 }
export function loginStats(): Readonly<typeof stats> {
  return stats
}

/** The time the lock on rows matching `where` lifts (ms), or 0. Counts attempts still being verified. */
function lockedUntil(where: string, value: string, since: string, limit: number): number {
  const recent = getDb()
    .prepare(
      `SELECT failed_at FROM login_failures WHERE ${where} AND failed_at > ? ORDER BY failed_at DESC LIMIT ${limit}`,
    )
    .all(value, since) as Failure[]
  return recent.length >= limit ? Date.parse(recent[limit - 1].failed_at) + LOCK_WINDOW_MS : 0
}

const minutesUntil = (until: number, now: number) => Math.max(1, Math.ceil((until - now) / 60_000))

type Admission =
  | { admitted: true; attemptId: number; user: { id: number; password_hash: string } | undefined; trusted: boolean }
  | { admitted: false; until: number }

/**
 * In one transaction: the lock check and, when not locked, the attempt written as a
 * failure. A known device of this account is checked against its own failures only.
 */
function admit(email: string, address: string, device: KnownDevice | null, now: number): Admission {
  const db = getDb()
  const since = new Date(now - LOCK_WINDOW_MS).toISOString()
  return db
    .transaction((): Admission => {
      // Failures older than the window never matter again: the table stays small.
      db.prepare('DELETE FROM login_failures WHERE failed_at < ?').run(since)
      const user = db.prepare('SELECT id, password_hash FROM users WHERE email = ?').get(email) as
        { id: number; password_hash: string } | undefined
      const trusted =
        device !== null &&
        user !== undefined &&
        device.userId === user.id &&
        lockedUntil('device = ?', device.nonce, since, DEVICE_MAX_FAILURES) === 0
      if (!trusted) {
        const until = Math.max(
          lockedUntil('device IS NULL AND email = ?', email, since, MAX_FAILURES),
          lockedUntil('device IS NULL AND address = ?', address, since, MAX_FAILURES),
        )
        if (until > now) return { admitted: false, until }
      }
      const attempt = db
        .prepare('INSERT INTO login_failures (email, address, failed_at, device) VALUES (?, ?, ?, ?)')
        .run(email, address, new Date(now).toISOString(), trusted ? device.nonce : null)
      return { admitted: true, attemptId: Number(attempt.lastInsertRowid), user, trusted }
    })
    .immediate()
}

export async function attemptLogin(
  emailInput: string,
  password: string,
  address: string,
  device: KnownDevice | null = null,
): Promise<LoginResult> {
  const email = emailInput.trim().toLowerCase()
  const db = getDb()
  const admission = admit(email, address, device, Date.now())
  if (!admission.admitted) {
    stats.throttled++
    return { ok: false, reason: 'locked', retryInMinutes: minutesUntil(admission.until, Date.now()) }
  }
  const { attemptId, user, trusted } = admission
  let valid: boolean
  try {
    valid = await verifyPassword(password, user?.password_hash ?? DECOY_HASH)
  } catch (error) {
    // Not verified at all (too many sign-ins waiting): the attempt does not count.
    db.prepare('DELETE FROM login_failures WHERE id = ?').run(attemptId)
    if (error instanceof PasswordBusyError) return { ok: false, reason: 'busy' }
    throw error
  }
  if (user && valid) {
    db.prepare('DELETE FROM login_failures WHERE id = ?').run(attemptId)
    if (trusted) stats.knownDeviceSignIns++
    // A hash made with a lower cost is redone now that the password is at hand.
    if (needsRehash(user.password_hash)) {
      const upgraded = await hashPassword(password).catch(() => null)
      if (upgraded)
        db.prepare('UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?').run(
          upgraded,
          user.id,
          user.password_hash,
        )
    }
    return { ok: true, userId: user.id }
  }
  // The attempt stays counted. Locked now, for this device or this account/address?
  const now = Date.now()
  const since = new Date(now - LOCK_WINDOW_MS).toISOString()
  const until = trusted
    ? lockedUntil('device = ?', device!.nonce, since, DEVICE_MAX_FAILURES)
    : Math.max(
        lockedUntil('device IS NULL AND email = ?', email, since, MAX_FAILURES),
        lockedUntil('device IS NULL AND address = ?', address, since, MAX_FAILURES),
      )
  return until > now
    ? { ok: false, reason: 'locked', retryInMinutes: minutesUntil(until, now) }
    : { ok: false, reason: 'invalid' }
}

export class AccountError extends Error {}

/** Creates an admin, or sets a new password for an existing account (and makes it an admin). */
export async function createAdmin(emailInput: string, password: string): Promise<'created' | 'updated'> {
  const email = emailInput.trim().toLowerCase()
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new AccountError(`"${emailInput}" is not an email address`)
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new AccountError(`the password must be at least ${MIN_PASSWORD_LENGTH} characters`)
  const hash = await hashPassword(password)
  const db = getDb()
  const existing = db.prepare('SELECT id FROM users WHERE email = ?').get(email) as { id: number } | undefined
  if (existing) {
    // A new password ends every session of the account: whoever held an old one is out.
    db.transaction(() => {
      db.prepare('UPDATE users SET password_hash = ?, is_admin = 1 WHERE id = ?').run(hash, existing.id)
      endSessionsOf(existing.id)
    })()
    return 'updated'
  }
  db.prepare('INSERT INTO users (email, password_hash, is_admin, created_at) VALUES (?, ?, 1, ?)').run(
    email,
    hash,
    new Date().toISOString(),
  )
  return 'created'
}
