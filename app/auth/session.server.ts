/**
 * Admin sessions. A session is a row in SQLite; the browser holds only its id, in an
 * httpOnly, SameSite=Lax cookie signed with SESSION_SECRET (Secure in production).
 * Sessions last 30 days and are renewed when used; signing out deletes the row.
 *
 * Without SESSION_SECRET a random secret is made once and kept in the data folder, so
 * `npm ci && npm start` works with nothing to configure and sessions survive restarts.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { createCookie, redirect, type AppLoadContext } from '@remix-run/node'
import { isPrimary } from '../replication/instance.server.ts'
import { getConfig } from '../config.server.ts'
import { getDb } from '../db/connection.server.ts'
import { asWriteFailure, logWriteFailure } from '../db/write-errors.server.ts'

export const SESSION_DAYS = 30
const DAY_MS = 86_400_000
/** A session is renewed (expiry pushed back, cookie sent again) at most once a day. */
const RENEW_AFTER_MS = DAY_MS

export interface SessionUser {
  id: number
  email: string
  isAdmin: boolean
}

function sessionSecret(): string {
  const config = getConfig()
  if (config.sessionSecret) return config.sessionSecret
  const file = path.join(config.dataDir, 'session-secret')
  try {
    return fs.readFileSync(file, 'utf8').trim()
  } catch {
    fs.mkdirSync(config.dataDir, { recursive: true })
    const secret = crypto.randomBytes(32).toString('hex')
    // wx: if another process made it first, keep theirs.
    try {
      fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' })
    } catch {
      return fs.readFileSync(file, 'utf8').trim()
    }
    return secret
  }
}

let cookie: ReturnType<typeof createCookie> | undefined

function sessionCookie() {
  cookie ??= createCookie('kiln_session', {
    httpOnly: true,
    sameSite: 'lax',
    secure: getConfig().secureCookies,
    path: '/',
    maxAge: SESSION_DAYS * 24 * 60 * 60,
    secrets: [sessionSecret()],
  })
  return cookie
}

interface SessionRow {
  id: string
  user_id: number
  expires_at: string
  email: string
  is_admin: number
}

export async function createSession(userId: number): Promise<string> {
  const id = crypto.randomBytes(32).toString('base64url')
  const now = Date.now()
  const db = getDb()
  // One transaction: a disk that refuses the write leaves neither half behind.
  db.transaction(() => {
    db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(new Date(now).toISOString())
    db.prepare('INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(
      id,
      userId,
      new Date(now).toISOString(),
      new Date(now + SESSION_DAYS * DAY_MS).toISOString(),
    )
  }).immediate()
  return sessionCookie().serialize(id)
}

async function sessionId(request: Request): Promise<string | null> {
  const value = await sessionCookie().parse(request.headers.get('Cookie'))
  return typeof value === 'string' && value.length > 0 ? value : null
}

/**
 * The signed-in user, or null. With the request's load context, a session older than a
 * day is renewed: its expiry moves 30 days ahead and the cookie is sent again.
 */
export async function getUser(request: Request, context?: AppLoadContext): Promise<SessionUser | null> {
  const id = await sessionId(request)
  if (!id) return null
  const db = getDb()
  const row = db
    .prepare('SELECT s.id, s.user_id, s.expires_at, u.email, u.is_admin FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?')
    .get(id) as SessionRow | undefined
  if (!row) return null
  const now = Date.now()
  const expires = Date.parse(row.expires_at)
  // Only the primary writes: on a replica an expired session is just refused and a
  // renewal waits for the reader's next request served by the primary.
  const canWrite = isPrimary()
  if (expires <= now) {
    if (canWrite) skipWriteFailure('expired session cleanup', () => db.prepare('DELETE FROM sessions WHERE id = ?').run(id))
    return null
  }
  if (context && canWrite && expires - now < SESSION_DAYS * DAY_MS - RENEW_AFTER_MS) {
    // A renewal is a courtesy: on a full or read-only disk the session is used as it is.
    const renewed = skipWriteFailure('session renewal', () =>
      db.prepare('UPDATE sessions SET expires_at = ? WHERE id = ?').run(new Date(now + SESSION_DAYS * DAY_MS).toISOString(), id),
    )
    if (renewed) context.setCookies.push(await sessionCookie().serialize(id))
  }
  return { id: row.user_id, email: row.email, isAdmin: row.is_admin === 1 }
}

/** Runs an optional write; a write failure is logged and skipped (false), anything else thrown. */
function skipWriteFailure(where: string, write: () => unknown): boolean {
  try {
    write()
    return true
  } catch (error) {
    const failure = asWriteFailure(error)
    if (!failure) throw error
    logWriteFailure(where, failure, error)
    return false
  }
}

/** A path on this site to return to after signing in; anything else becomes "/". */
export function safeRedirect(to: unknown, fallback = '/'): string {
  if (typeof to !== 'string' || !to.startsWith('/') || to.startsWith('//') || to.startsWith('/\\') || /[\r\n]/.test(to)) return fallback
  return to
}

/**
 * The signed-in admin. Without a session: a redirect to /login that returns here; a
 * signed-in user who is not an admin: 403.
 */
export async function requireAdmin(request: Request, context?: AppLoadContext): Promise<SessionUser> {
  const user = await getUser(request, context)
  if (!user) {
    const url = new URL(request.url)
    throw redirect(`/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`)
  }
  if (!user.isAdmin) {
    throw new Response('This page is for admins only.', { status: 403, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
  }
  return user
}

/** Deletes the session; returns the Set-Cookie value that clears the cookie. */
export async function destroySession(request: Request): Promise<string> {
  const id = await sessionId(request)
  if (id) getDb().prepare('DELETE FROM sessions WHERE id = ?').run(id)
  return sessionCookie().serialize('', { maxAge: 0, expires: new Date(0) })
}

/**
 * A state-changing form must come from this site: its Origin header must name this
 * host (the Host, or X-Forwarded-Host behind a proxy). Browsers send Origin with every
 * POST; a request without one is refused.
 */
export function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get('Origin')
  if (!origin || origin === 'null') return false
  const host = request.headers.get('X-Forwarded-Host') ?? request.headers.get('Host') ?? new URL(request.url).host
  try {
    return new URL(origin).host === host
  } catch {
    return false
  }
}
