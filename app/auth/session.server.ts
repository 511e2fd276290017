/**
 * Admin sessions. A session is a row in SQLite; the browser holds its token, signed with
 * SESSION_SECRET, in an httpOnly, SameSite=Strict cookie (Secure in production). The
 * table keeps the token's SHA-256, never the token: a copy of the database (a backup, a
 * replica's volume) opens no session. Sessions last 30 days and are renewed when used;
 * signing out deletes the row, and a new password ends every session of its account.
 *
 * SameSite=Strict: no request another site starts carries the session, so no link, form
 * or navigation from elsewhere acts as the admin, whatever the browser's age (Fetch
 * Metadata checks, app/http/fetch-metadata.server.ts, stop the same in current browsers).
 * The cost is that following a link from elsewhere to /admin arrives without the cookie:
 * requireAdmin answers such a navigation with a page that reloads itself from this site,
 * which carries the cookie, so the admin lands on the page signed in.
 *
 * Without SESSION_SECRET a random secret is made once and kept in the data folder, so
 * `npm ci && npm start` works with nothing to configure and sessions survive restarts.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { redirect, type AppLoadContext } from '@remix-run/node'
import { isPrimary } from '../replication/instance.server.ts'
import { getConfig } from '../config.server.ts'
import { getDb } from '../db/connection.server.ts'
import { asWriteFailure, logWriteFailure } from '../db/write-errors.server.ts'
import { requestCookie, serializeCookie, sign, unsign } from '../http/cookies.ts'
import { isCrossSiteNavigation, sameSiteOnly } from '../http/fetch-metadata.server.ts'
import { noStoreHtml } from '../http/no-store-responses.ts'
import { safeRedirect } from '../http/safe-redirect.ts'
import { SESSION_COOKIE } from './session-cookie.ts'

export { safeRedirect }

export const SESSION_DAYS = 30
const DAY_MS = 86_400_000
/** A session is renewed (expiry pushed back, cookie sent again) at most once a day. */
const RENEW_AFTER_MS = DAY_MS

export interface SessionUser {
  id: number
  email: string
  isAdmin: boolean
}

let secret: string | undefined

/** The secret that signs the session and known-device cookies (read once). */
export function sessionSecret(): string {
  secret ??= readSessionSecret()
  return secret
}

function readSessionSecret(): string {
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

function sessionCookie(token: string, maxAge = SESSION_DAYS * 24 * 60 * 60): string {
  return serializeCookie(SESSION_COOKIE, token ? sign(token, sessionSecret()) : '', {
    httpOnly: true,
    sameSite: 'strict',
    secure: getConfig().secureCookies,
    path: '/',
    maxAge,
    ...(maxAge === 0 ? { expires: new Date(0) } : {}),
  })
}

/** What the sessions table keeps for a token. */
export function sessionKey(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex')
}

interface SessionRow {
  user_id: number
  expires_at: string
  email: string
  is_admin: number
}

/** Starts a session; returns the Set-Cookie value that carries it. */
export async function createSession(userId: number): Promise<string> {
  const token = crypto.randomBytes(32).toString('base64url')
  const now = Date.now()
  const db = getDb()
  // One transaction: a disk that refuses the write leaves neither half behind.
  db.transaction(() => {
    db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(new Date(now).toISOString())
    db.prepare('INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(
      sessionKey(token),
      userId,
      new Date(now).toISOString(),
      new Date(now + SESSION_DAYS * DAY_MS).toISOString(),
    )
  }).immediate()
  return sessionCookie(token)
}

/** The session token of a request whose cookie this site signed, else null. */
function sessionToken(request: Request): string | null {
  return unsign(requestCookie(request, SESSION_COOKIE), [sessionSecret()])
}

/** Ends every session of an account (a new password was set). */
export function endSessionsOf(userId: number): number {
  return getDb().prepare('DELETE FROM sessions WHERE user_id = ?').run(userId).changes
}

/**
 * The signed-in user, or null. With the request's load context, a session older than a
 * day is renewed: its expiry moves 30 days ahead and the cookie is sent again.
 */
export async function getUser(request: Request, context?: AppLoadContext): Promise<SessionUser | null> {
  const token = sessionToken(request)
  if (!token) return null
  const id = sessionKey(token)
  const db = getDb()
  const row = db
    .prepare(
      'SELECT s.user_id, s.expires_at, u.email, u.is_admin FROM sessions ' +
        's JOIN users u ON u.id = s.user_id WHERE s.id = ?',
    )
    .get(id) as SessionRow | undefined
  if (!row) return null
  const now = Date.now()
  const expires = Date.parse(row.expires_at)
  // Only the primary writes: on a replica an expired session is just refused and a
  // renewal waits for the reader's next request served by the primary.
  const canWrite = isPrimary()
  if (expires <= now) {
    if (canWrite)
      skipWriteFailure('expired session cleanup', () => db.prepare('DELETE FROM sessions WHERE id = ?').run(id))
    return null
  }
  if (context && canWrite && expires - now < SESSION_DAYS * DAY_MS - RENEW_AFTER_MS) {
    // A renewal is a courtesy: on a full or read-only disk the session is used as it is.
    const renewed = skipWriteFailure('session renewal', () =>
      db
        .prepare('UPDATE sessions SET expires_at = ? WHERE id = ?')
        .run(new Date(now + SESSION_DAYS * DAY_MS).toISOString(), id),
    )
    if (renewed) context.setCookies.push(sessionCookie(token))
  }
  return { id: row.user_id, email: row.email, isAdmin: row.is_admin === 1 }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** The page that reloads an admin address from this site (GET /admin/continue?to=…). */
export function continuePage(request: Request): Response {
  const target = escapeHtml(safeRedirect(new URL(request.url).searchParams.get('to'), '/admin'))
  return noStoreHtml(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" ` +
      `content="0;url=${target}"><meta name="robots" content="noindex"><meta name="viewport" ` +
      `content="width=device-width, initial-scale=1"><title>Admin</title></head><body><p><a ` +
      `href="${target}">Continue to the admin page</a></p></body></html>`,
    200,
    { 'Cache-Control': 'private, no-store' },
  )
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

/**
 * The signed-in admin. Without a session: a redirect to /login that returns here; a
 * signed-in user who is not an admin: 403.
 *
 * A navigation that another site started (a link in a mail, a bookmark page) carries no
 * SameSite=Strict cookie: it is sent to /admin/continue, a page that reloads this address
 * from this site, which does carry it. The reload is same-origin, so it cannot loop.
 */
export async function requireAdmin(request: Request, context?: AppLoadContext): Promise<SessionUser> {
  const user = await getUser(request, context)
  if (!user) {
    const url = new URL(request.url)
    const here = safeRedirect(url.pathname + url.search, '/admin')
    if (isCrossSiteNavigation(request) && request.method === 'GET')
      throw redirect(`/admin/continue?to=${encodeURIComponent(here)}`)
    throw redirect(`/login?redirectTo=${encodeURIComponent(here)}`)
  }
  if (!user.isAdmin) {
    throw new Response('This page is for admins only.', {
      status: 403,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    })
  }
  return user
}

/**
 * The signed-in admin, for what an admin starts (a diagnostic, a change): a request
 * another site started is refused with 403 before anything else (app/http/fetch-metadata.server.ts).
 */
export async function requireAdminAction(request: Request, context?: AppLoadContext): Promise<SessionUser> {
  sameSiteOnly(request)
  return requireAdmin(request, context)
}

/** Deletes the session; returns the Set-Cookie value that clears the cookie. */
export async function destroySession(request: Request): Promise<string> {
  const token = sessionToken(request)
  if (token) getDb().prepare('DELETE FROM sessions WHERE id = ?').run(sessionKey(token))
  return sessionCookie('', 0)
}

/**
 * A state-changing form must come from this site: its Origin header must name this
 * host (the Host, or X-Forwarded-Host behind a proxy), and a browser's Sec-Fetch-Site,
 * when sent, must say same-origin. Browsers send Origin with every POST; a request
 * without one is refused.
 */
export function isSameOrigin(request: Request): boolean {
  const site = request.headers.get('Sec-Fetch-Site')
  if (site !== null && site !== 'same-origin') return false
  const origin = request.headers.get('Origin')
  if (!origin || origin === 'null') return false
  const host = request.headers.get('X-Forwarded-Host') ?? request.headers.get('Host') ?? new URL(request.url).host
  try {
    return new URL(origin).host === host
  } catch {
    return false
  }
}
