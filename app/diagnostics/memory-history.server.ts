/**
 * Memory over days, kept across restarts: the sampler's 5 s readings (memory-sampler.server.ts)
 * are folded into one row per WINDOW_MS window (the smallest and largest heap in use, the
 * largest and last RSS) and written to SQLite, MAX_ROWS per instance (14 days), so a leak
 * that takes a day to show is still visible after a deploy or a restart.
 *
 * The window's smallest heap in use is the heap after garbage collection: with a reading
 * every 5 s and a minor GC every few seconds, the floor of a window is what survived the
 * GCs. The leak trend (memory-trend.ts) is fitted to these floors.
 *
 * A replica never writes its database: it keeps its rows in memory (the same bound), and
 * they start over with the process.
 */
import { log } from '../logging/logger.server.ts'
import os from 'node:os'
import type { DB } from '../db/connection.server.ts'
import { getDb } from '../db/connection.server.ts'
import { isPrimary } from '../replication/instance.server.ts'
import { errorMessage } from '../utils/error-message.ts'
import { memoryTrend, type MemoryTrend } from './memory-trend.ts'

export const WINDOW_MS = 5 * 60_000
/** 14 days of 5-minute windows. */
export const MAX_ROWS = 14 * 24 * 12

export interface MemoryWindow {
  /** ms since the epoch: when the window closed. */
  at: number
  heapMin: number
  heapMax: number
  rssMax: number
  rssLast: number
}

interface OpenWindow extends MemoryWindow {
  start: number
}

let open: OpenWindow | null = null
const onReplica: MemoryWindow[] = []
let failures = 0

export function recordMemoryWindow(db: DB, window: MemoryWindow, hostname = os.hostname(), maxRows = MAX_ROWS): void {
  db.prepare(
    'INSERT INTO memory_history (hostname, at, heap_min, heap_max, rss_max, rss_last) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(
    hostname,
    new Date(window.at).toISOString(),
    Math.round(window.heapMin),
    Math.round(window.heapMax),
    Math.round(window.rssMax),
    Math.round(window.rssLast),
  )
  db.prepare(
    'DELETE FROM memory_history WHERE hostname = ? AND id NOT IN ' +
      '(SELECT id FROM memory_history WHERE hostname = ? ORDER BY id DESC LIMIT ?)',
  ).run(hostname, hostname, maxRows)
}

export function readMemoryHistory(db: DB, hostname = os.hostname(), limit = MAX_ROWS): MemoryWindow[] {
  const rows = db
    .prepare(
      'SELECT at, heap_min, heap_max, rss_max, rss_last FROM memory_history WHERE hostname = ? ' +
        'ORDER BY id DESC LIMIT ?',
    )
    .all(hostname, limit) as { at: string; heap_min: number; heap_max: number; rss_max: number; rss_last: number }[]
  return rows.reverse().map((row) => ({
    at: Date.parse(row.at),
    heapMin: row.heap_min,
    heapMax: row.heap_max,
    rssMax: row.rss_max,
    rssLast: row.rss_last,
  }))
}

function flush(window: MemoryWindow): void {
  if (!isPrimary()) {
    onReplica.push(window)
    if (onReplica.length > MAX_ROWS) onReplica.shift()
    return
  }
  try {
    recordMemoryWindow(getDb(), window)
  } catch (error) {
    // A full disk or a read-only database loses a point of history, nothing else.
    failures++
    log.error(`could not store the memory history: ${errorMessage(error)}`)
  }
}

/** Folds one reading into the open window; closes and stores it once WINDOW_MS has passed. */
export function addMemoryReading(at: number, heapUsed: number, rss: number): void {
  if (!open) open = { start: at, at, heapMin: heapUsed, heapMax: heapUsed, rssMax: rss, rssLast: rss }
  open.at = at
  open.heapMin = Math.min(open.heapMin, heapUsed)
  open.heapMax = Math.max(open.heapMax, heapUsed)
  open.rssMax = Math.max(open.rssMax, rss)
  open.rssLast = rss
  if (at - open.start >= WINDOW_MS) {
    const { start: _start, ...closed } = open
    open = null
    flush(closed)
  }
}

/** This instance's stored history (oldest first), then the window still open; the trend of the stored part. */
export function memoryHistoryNow(now = Date.now()): { windows: MemoryWindow[]; trend: MemoryTrend } {
  let windows: MemoryWindow[]
  try {
    windows = isPrimary() ? readMemoryHistory(getDb()) : [...onReplica]
  } catch {
    windows = [...onReplica]
  }
  // The trend is fitted to closed windows only: the open one has seen a few readings at most.
  const trend = memoryTrend(windows, now)
  if (open) {
    const { heapMin, heapMax, rssMax, rssLast } = open
    windows.push({ at: open.at, heapMin, heapMax, rssMax, rssLast })
  }
  return { windows, trend }
}

export function memoryHistoryStats() {
  return { windowMs: WINDOW_MS, maxRows: MAX_ROWS, storeFailures: failures }
}
