/**
 * The view-count beacon as a reader's browser sends it, and the totals the server stored:
 * the view-count tests share them so the beacon's request is spelled in one place.
 */
import type Database from 'better-sqlite3'
import { get, type KilnServer } from './server.ts'

/** A desktop Chrome's user agent: a reader, not a bot. */
export const BROWSER =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

export interface Beacon {
  agent?: string
  cookie?: string
  /** Sent as Fly-Client-IP: the client's address on a server with TRUST_PROXY=1. */
  address?: string
}

/** POSTs the view beacon of `slug` as a page of the site does. */
export function postView(server: KilnServer, slug: string, { agent = BROWSER, cookie, address }: Beacon = {}) {
  return get(server, `/action/view/${slug}`, {
    method: 'POST',
    headers: {
      'User-Agent': agent,
      Origin: server.url,
      ...(address ? { 'Fly-Client-IP': address } : {}),
      ...(cookie ? { Cookie: cookie } : {}),
    },
  })
}

/** The total of views stored for `slug` (0 before the first). */
export function storedViews(db: Database.Database, slug: string): number {
  return (
    (db.prepare('SELECT views FROM post_views WHERE slug = ?').get(slug) as { views: number } | undefined)?.views ?? 0
  )
}

/** A day in milliseconds. */
const DAY_MS = 86_400_000

/**
 * A read counts once per post per UTC day, so a case that straddles midnight sees the same
 * reader counted on both days, as designed. Files whose cases read "not counted again"
 * call this first: with less than `marginMs` of the UTC day left, it waits until the next
 * day has begun, so each case runs within one day whatever the hour the suite starts.
 */
export async function clearOfMidnight(marginMs = 180_000): Promise<void> {
  const left = DAY_MS - (Date.now() % DAY_MS)
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 1_000))
}
