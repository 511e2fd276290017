/**
 * Scheduled posts go public at their instant without a restart, an edit or a sync: the
 * content version (what the page cache keys on) is the index's version followed by how
 * many scheduled instants have passed, so it moves at each instant by itself, on every
 * instance (a LiteFS replica reads the same rows and has its own clock). At the moment it
 * moves, every cached page that shows the post (the lists, the site's frame: see
 * page-dependencies.server.ts) is stale and rendered again once, on its next request: no
 * timer, no storm of recompiles (the posts are compiled already).
 *
 * The instants still ahead are read once per index version (one indexed query, usually a
 * handful of rows) and kept sorted; each request then costs a binary search.
 */
import type { DB } from '../db/connection.server.ts'
import { getIndexVersion } from './kiln-state.server.ts'

/**
 * The version moves this long after an instant. The published_entries view reads SQLite's
 * clock (through a float), so by the time a request keys on the new version, every query
 * it makes already sees the post; a page rendered in this window under the old version is
 * served for these few milliseconds at most.
 */
export const SCHEDULE_SETTLE_MS = 5

interface Schedule {
  db: DB
  indexVersion: number
  /** Publish instants (UTC ms) that were still ahead when the index version was read, ascending. */
  instants: number[]
  /** The version last returned, and for how many passed instants: a page-cache hit asks for it. */
  text: { passed: number; version: string } | null
}

let schedule: Schedule | null = null

function instantsAhead(db: DB, now: number): number[] {
  return db
    .prepare(
      `SELECT publish_at FROM valid_entries
        WHERE kind = 'post' AND draft = 0 AND publish_at > ? ORDER BY publish_at`,
    )
    .pluck()
    .all(now) as number[]
}

/** How many of the ascending `instants` are at or before `now`. */
export function countPassed(instants: readonly number[], now: number): number {
  let low = 0
  let high = instants.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (instants[middle] <= now) low = middle + 1
    else high = middle
  }
  return low
}

/**
 * The content's version now: `<index version>` while no scheduled post has gone public
 * since the index last changed, `<index version>.<how many have>` after.
 */
export function publishedContentVersion(db: DB, now = Date.now()): string {
  const indexVersion = getIndexVersion(db)
  if (!schedule || schedule.db !== db || schedule.indexVersion !== indexVersion) {
    schedule = { db, indexVersion, instants: instantsAhead(db, now), text: null }
  }
  const passed = countPassed(schedule.instants, now - SCHEDULE_SETTLE_MS)
  if (schedule.text?.passed !== passed)
    schedule.text = { passed, version: passed === 0 ? String(indexVersion) : `${indexVersion}.${passed}` }
  return schedule.text.version
}
