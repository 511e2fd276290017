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
