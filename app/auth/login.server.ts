/**
 * Signing in, with a lockout: 5 failed attempts for one account, or from one address,
 * within 15 minutes lock further attempts for that account or address until the oldest
 * of those failures is 15 minutes old. An unknown email and a wrong password get the
 * same answer and cost the same time (the password is checked against a decoy hash).
 */
import { getDb } from '../db/connection.server.ts'
import { DECOY_HASH, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './password.server.ts'

export const MAX_FAILURES = 5
export const LOCK_WINDOW_MS = 15 * 60_000

export type LoginResult = { ok: true; userId: number } | { ok: false; reason: 'invalid' | 'locked'; retryInMinutes?: number }

interface Failure {
  failed_at: string
}

/** Minutes until the lock on this account or address lifts; 0 when it is not locked. */
function lockedFor(email: string, address: string, now: number): number {
  const db = getDb()
  const since = new Date(now - LOCK_WINDOW_MS).toISOString()
  let until = 0
  for (const [column, value] of [
    ['email', email],
    ['address', address],
  ] as const) {
    const recent = db
      .prepare(`SELECT failed_at FROM login_failures WHERE ${column} = ? AND failed_at > ? ORDER BY failed_at DESC LIMIT ${MAX_FAILURES}`)
      .all(value, since) as Failure[]
    if (recent.length >= MAX_FAILURES) until = Math.max(until, Date.parse(recent[MAX_FAILURES - 1].failed_at) + LOCK_WINDOW_MS)
  }
  return until > now ? Math.ceil((until - now) / 60_000) : 0
}

export async function attemptLogin(emailInput: string, password: string, address: string): Promise<LoginResult> {
  const email = emailInput.trim().toLowerCase()
  const db = getDb()
  const now = Date.now()
  // Failures older than the window never matter again: the table stays small.
  db.prepare('DELETE FROM login_failures WHERE failed_at < ?').run(new Date(now - LOCK_WINDOW_MS).toISOString())
  const minutes = lockedFor(email, address, now)
  if (minutes > 0) return { ok: false, reason: 'locked', retryInMinutes: minutes }

  const user = db.prepare('SELECT id, password_hash FROM users WHERE email = ?').get(email) as { id: number; password_hash: string } | undefined
  const valid = await verifyPassword(password, user?.password_hash ?? DECOY_HASH)
  if (user && valid) return { ok: true, userId: user.id }
  db.prepare('INSERT INTO login_failures (email, address, failed_at) VALUES (?, ?, ?)').run(email, address, new Date().toISOString())
  const nowLocked = lockedFor(email, address, Date.now())
  return nowLocked > 0 ? { ok: false, reason: 'locked', retryInMinutes: nowLocked } : { ok: false, reason: 'invalid' }
}

export class AccountError extends Error {}

/** Creates an admin, or sets a new password for an existing account (and makes it an admin). */
export async function createAdmin(emailInput: string, password: string): Promise<'created' | 'updated'> {
  const email = emailInput.trim().toLowerCase()
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new AccountError(`"${emailInput}" is not an email address`)
  if (password.length < MIN_PASSWORD_LENGTH) throw new AccountError(`the password must be at least ${MIN_PASSWORD_LENGTH} characters`)
  const hash = await hashPassword(password)
  const db = getDb()
  const existing = db.prepare('SELECT id FROM users WHERE email = ?').get(email) as { id: number } | undefined
  if (existing) {
    db.prepare('UPDATE users SET password_hash = ?, is_admin = 1 WHERE id = ?').run(hash, existing.id)
    return 'updated'
  }
  db.prepare('INSERT INTO users (email, password_hash, is_admin, created_at) VALUES (?, ?, 1, ?)').run(email, hash, new Date().toISOString())
  return 'created'
}
