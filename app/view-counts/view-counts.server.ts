/**
 * How many times each post was read. A read counts once per visitor per post per UTC
 * day. The visitor is an anonymous random id in a first-party cookie (kiln_visitor);
 * what is stored is a hash of that id with the day, so nothing links one day's rows to
 * another's, and no address or other personal data is kept. The day's dedupe rows are
 * pruned after two days, so the table stays the size of two days of readers.
 *
 * A cookie costs nothing to drop, so a read also counts once per client per post per day:
 * the client is a SHA-256 of a daily salt, the address and the user agent, as privacy-
 * friendly analytics do (Plausible). The salt is random, lives only in this process's
 * memory and is replaced when the UTC day changes, so a stored hash cannot be traced back
 * to an address once its day is over; the earlier days' client rows are then deleted. A
 * read counts when neither its visitor nor its client was counted for the post today. (A
 * restart draws a new salt: a cookieless client may be counted once more that day.) The
 * beacon is also rate-limited per address (beacon-limit.server.ts).
 *
 * Counting is a write: it happens only in the POST action the page sends after it has
 * loaded (never in a loader), so it never slows a page and lands on the primary.
 */
import crypto from 'node:crypto'
import { createIsbotFromList, list as botPatterns } from 'isbot'
import { getConfig } from '../config.server.ts'
import { getEntry } from '../content/content-index.server.ts'
import type { DB } from '../db/connection.server.ts'
import { requestCookie } from '../http/cookies.ts'
import { noStoreJson } from '../http/no-store-responses.ts'
import { takeBeacon } from './beacon-limit.server.ts'

export const VISITOR_COOKIE = 'kiln_visitor'
const YEAR_SECONDS = 365 * 24 * 60 * 60
/** Dedupe rows older than this many days are deleted. */
const KEEP_DAYS = 2
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The request's visitor id, or a new one with the Set-Cookie header that keeps it. */
export function visitorId(request: Request): { id: string; setCookie: string | null } {
  const value = requestCookie(request, VISITOR_COOKIE)
  // Unsigned on purpose: the id is random and proves nothing; a forged one only makes
  // its sender a new visitor, which clearing cookies does anyway.
  if (value && UUID.test(value)) return { id: value, setCookie: null }
  const id = crypto.randomUUID()
  const secure = getConfig().isProduction ? '; Secure' : ''
  return { id, setCookie: `${VISITOR_COOKIE}=${id}; Path=/; Max-Age=${YEAR_SECONDS}; HttpOnly; SameSite=Lax${secure}` }
}

/**
 * isbot's list, less its "headless" pattern. The count is sent by the page's own script
 * after it has loaded, which crawlers that announce themselves (Googlebot, Bingbot, curl,
 * node) never get to or are caught by name; a headless browser that ran the page is a
 * reader as far as this count can tell, and automated checks of the blog read that way.
 */
const isbot = createIsbotFromList(botPatterns.filter((pattern) => pattern !== 'headless'))

export function isBotRequest(request: Request): boolean {
  const agent = request.headers.get('User-Agent')
  // No user agent at all is a script, not a reader.
  return !agent || isbot(agent)
}

/** `YYYY-MM-DD` in UTC. */
export function utcDay(date = new Date()): string {
  return date.toISOString().slice(0, 10)
}

function visitorHash(day: string, visitor: string): string {
  return crypto.createHash('sha256').update(`${day}:${visitor}`).digest('base64url')
}

/** Who sent a read, as far as the network tells: never stored, only hashed (clientHash). */
export interface ViewClient {
  address: string
  userAgent: string
}

let salt: { day: string; value: Buffer } | null = null

/** Today's salt: drawn at the first read of a UTC day, forgotten when the next day's is drawn. */
function dailySalt(day: string): Buffer {
  if (salt?.day !== day) salt = { day, value: crypto.randomBytes(32) }
  return salt.value
}

function clientHash(day: string, client: ViewClient): string {
  return crypto
    .createHash('sha256')
    .update(dailySalt(day))
    .update(`\0${client.address}\0${client.userAgent}`)
    .digest('base64url')
}

export function getViewCount(db: DB, slug: string): number {
  const row = db.prepare('SELECT views FROM post_views WHERE slug = ?').get(slug) as { views: number } | undefined
  return row?.views ?? 0
}

let lastPrunedDay: string | null = null

/**
 * Counts a read of `slug` by `visitor` from `client` unless this visitor or this client
 * was already counted for it today. Returns the post's count afterwards and whether this
 * read was counted.
 */
export function recordView(
  db: DB,
  slug: string,
  visitor: string,
  client: ViewClient,
  now = new Date(),
): { views: number; counted: boolean } {
  const day = utcDay(now)
  const hashedClient = clientHash(day, client)
  const run = db.transaction(() => {
    if (lastPrunedDay !== day) {
      const cutoff = utcDay(new Date(now.getTime() - KEEP_DAYS * 86_400_000))
      db.prepare('DELETE FROM post_view_visits WHERE day <= ?').run(cutoff)
      // Their salt is gone: these hashes can never match again.
      db.prepare('DELETE FROM post_view_clients WHERE day <> ?').run(day)
      lastPrunedDay = day
    }
    const newVisitor =
      db
        .prepare('INSERT OR IGNORE INTO post_view_visits (slug, day, visitor_hash) VALUES (?, ?, ?)')
        .run(slug, day, visitorHash(day, visitor)).changes === 1
    const newClient =
      db
        .prepare('INSERT OR IGNORE INTO post_view_clients (slug, day, client_hash) VALUES (?, ?, ?)')
        .run(slug, day, hashedClient).changes === 1
    const counted = newVisitor && newClient
    if (counted) {
      db.prepare(
        'INSERT INTO post_views (slug, views) VALUES (?, 1) ON CONFLICT (slug) DO UPDATE SET views = views + 1',
      ).run(slug)
    }
    return counted
  })
  const counted = run.immediate()
  return { views: getViewCount(db, slug), counted }
}

/**
 * POST /action/view/<slug>: counts this visitor's read of a published post (once a day)
 * and answers `{"slug", "views", "counted"}`, the count the page then shows. Bots get the
 * count without being counted; an unknown post or a draft is 404 and stores nothing. An
 * address over the beacon's rate limit gets 429, before anything is looked up.
 */
export async function answerViewBeacon(
  db: DB,
  request: Request,
  slug: string,
  clientAddress: string,
): Promise<Response> {
  const wait = takeBeacon(clientAddress)
  if (wait !== null) return noStoreJson({ error: 'too many requests' }, 429, { 'Retry-After': String(wait) })
  const entry = getEntry(db, 'post', slug)
  if (!entry || entry.draft) return noStoreJson({ error: 'no such post' }, 404)
  if (isBotRequest(request)) return noStoreJson({ slug, views: getViewCount(db, slug), counted: false }, 200)
  const visitor = visitorId(request)
  const { views, counted } = recordView(db, slug, visitor.id, {
    address: clientAddress,
    userAgent: request.headers.get('User-Agent') ?? '',
  })
  return noStoreJson({ slug, views, counted }, 200, visitor.setCookie ? { 'Set-Cookie': visitor.setCookie } : {})
}
