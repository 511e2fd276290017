/**
 * The leak trend on synthetic series (a flat heap with spikes is not a leak; a steady rise
 * is) and the history it reads, kept in real SQLite across a reopen.
 */
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../app/db/connection.server.ts'
import { readMemoryHistory, recordMemoryWindow } from '../../app/diagnostics/memory-history.server.ts'
import { memoryTrend, type MemoryPoint } from '../../app/diagnostics/memory-trend.ts'
import { makeTempDir, realMigrationsDir } from './temp-dir.ts'

const MB = 1024 * 1024
const NOW = Date.parse('2026-12-01T12:00:00Z')
const FIVE_MIN = 5 * 60_000

/** One point every 5 minutes over `hours`, heap from `heap(hoursAgo)`. */
function series(hours: number, heap: (hoursAgo: number, i: number) => number): MemoryPoint[] {
  const points: MemoryPoint[] = []
  for (let t = NOW - hours * 3600_000, i = 0; t <= NOW; t += FIVE_MIN, i++) {
    points.push({ at: t, heapMin: heap((NOW - t) / 3600_000, i) })
  }
  return points
}

/** A repeatable wobble of ±1.5 MB: the noise a real heap floor has. */
const wobble = (i: number) => (((i * 7919) % 13) / 13 - 0.5) * 3 * MB

describe('memoryTrend', () => {
  it('does not flag a flat heap, however noisy', () => {
    const trend = memoryTrend(
      series(8, (_, i) => 60 * MB + wobble(i)),
      NOW,
    )
    expect(trend.suspected).toBe(false)
    expect(Math.abs(trend.slopeBytesPerHour!)).toBeLessThan(0.5 * MB)
  })

  it('does not flag a flat heap with spikes, even a spike that lasts a whole bucket', () => {
    const spiky = series(8, (hoursAgo, i) => {
      if (i % 17 === 0) return 300 * MB // a single reading during a big render
      if (hoursAgo > 0.5 && hoursAgo < 1.1) return 180 * MB // 35 minutes of a heavy job, near the end
      return 60 * MB + wobble(i)
    })
    const trend = memoryTrend(spiky, NOW)
    expect(trend.suspected).toBe(false)
  })

  it('flags a steady rise of a few MB per hour over hours', () => {
    const rising = series(8, (hoursAgo, i) => 60 * MB + (8 - hoursAgo) * 4 * MB + wobble(i))
    const trend = memoryTrend(rising, NOW)
    expect(trend.suspected).toBe(true)
    expect(trend.slopeBytesPerHour! / MB).toBeGreaterThan(3)
    expect(trend.slopeBytesPerHour! / MB).toBeLessThan(5)
    expect(trend.message).toMatch(/leak is suspected/)
  })

  it('flags a rising floor under spikes', () => {
    const rising = series(8, (hoursAgo, i) => (i % 5 === 0 ? 250 * MB : 60 * MB + (8 - hoursAgo) * 3 * MB))
    expect(memoryTrend(rising, NOW).suspected).toBe(true)
  })

  it('does not flag a falling heap', () => {
    expect(
      memoryTrend(
        series(8, (hoursAgo) => 60 * MB + hoursAgo * 4 * MB),
        NOW,
      ).suspected,
    ).toBe(false)
  })

  it('waits for enough history', () => {
    const short = memoryTrend(
      series(2, (hoursAgo) => 60 * MB + (2 - hoursAgo) * 20 * MB),
      NOW,
    )
    expect(short.suspected).toBe(false)
    expect(short.slopeBytesPerHour).toBeNull()
    expect(short.message).toMatch(/Not enough history/)
  })
})

describe('the memory history in SQLite', () => {
  it('survives closing and reopening the database, per instance, and keeps a bounded number of rows', () => {
    const tmp = makeTempDir('kiln-memory-history-')
    try {
      let db = openDatabase(tmp.abs('kiln.db'), realMigrationsDir)
      const window = (i: number) => ({
        at: NOW + i * FIVE_MIN,
        heapMin: i * MB,
        heapMax: 2 * i * MB,
        rssMax: 3 * i * MB,
        rssLast: 0,
      })
      for (let i = 1; i <= 12; i++) recordMemoryWindow(db, window(i), 'one', 10)
      recordMemoryWindow(db, window(99), 'other', 10)
      db.close()
      // A restart: a new connection to the same file.
      db = openDatabase(tmp.abs('kiln.db'), realMigrationsDir)
      const rows = readMemoryHistory(db, 'one')
      expect(rows).toHaveLength(10)
      expect(rows[0]).toEqual(window(3))
      expect(rows.at(-1)).toEqual(window(12))
      expect(readMemoryHistory(db, 'other')).toEqual([window(99)])
      db.close()
    } finally {
      tmp.cleanup()
    }
  })
})
