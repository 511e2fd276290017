/**
 * Scheduled posts in the content index, on a real migrated SQLite database: the publish
 * instant is stored from the date read in the site's zone, the published view hides a post
 * until its instant, a change of zone re-reads every entry, and the content version moves
 * when an instant passes without any write.
 */
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest'
import { openDatabase, type DB } from '../../app/db/connection.server.ts'
import { countPosts, getEntry, listPosts, syncContentIndex } from '../../app/content/content-index.server.ts'
import { publishedContentVersion, SCHEDULE_SETTLE_MS } from '../../app/content/schedule.server.ts'
import { makeTempDir, post, realMigrationsDir, type TempDir } from './temp-dir.ts'

let tmp: TempDir
let db: DB
let log: MockInstance<typeof console.log>

beforeEach(() => {
  log = vi.spyOn(console, 'log').mockImplementation(() => {})
  tmp = makeTempDir('kiln-schedule-')
  db = openDatabase(tmp.abs('data/kiln.db'), realMigrationsDir)
})

afterEach(() => {
  db.close()
  tmp.cleanup()
  log.mockRestore()
})

const publishAt = (slug: string) =>
  db.prepare(`SELECT publish_at FROM content_entries WHERE kind = 'post' AND slug = ?`).pluck().get(slug)

describe('scheduled posts in the index', () => {
  it('stores the instant in the site zone and hides the post until then', () => {
    tmp.write('content/blog/old.mdx', post('Old', '2026-01-31'))
    tmp.write('content/blog/zoned.mdx', post('Zoned', '2026-12-24T09:00:00+01:00'))
    tmp.write('content/blog/later.mdx', post('Later', '2099-01-01'))
    syncContentIndex(db, tmp.abs('content'), { timeZone: 'Europe/Paris' })
    expect(publishAt('old')).toBe(Date.parse('2026-01-30T23:00:00Z'))
    expect(publishAt('zoned')).toBe(Date.parse('2026-12-24T08:00:00Z'))
    expect(publishAt('later')).toBe(Date.parse('2098-12-31T23:00:00Z'))

    const visible = listPosts(db).map((entry) => entry.slug)
    expect(visible).not.toContain('later')
    expect(countPosts(db)).toBe(visible.length)
    expect(listPosts(db, { includeDrafts: true }).map((entry) => entry.slug)).toContain('later')
    const later = getEntry(db, 'post', 'later')!
    expect(later.draft).toBe(true)
    expect(later.scheduledAt).toBe('2098-12-31T23:00:00.000Z')
  })

  it('re-reads every entry when the site zone changes', () => {
    tmp.write('content/blog/day.mdx', post('Day', '2026-01-31'))
    syncContentIndex(db, tmp.abs('content'), { timeZone: 'UTC' })
    expect(publishAt('day')).toBe(Date.parse('2026-01-31T00:00:00Z'))
    const moved = syncContentIndex(db, tmp.abs('content'), { timeZone: 'America/New_York' })
    expect(moved.updated).toEqual([{ kind: 'post', slug: 'day' }])
    expect(publishAt('day')).toBe(Date.parse('2026-01-31T05:00:00Z'))
    expect(syncContentIndex(db, tmp.abs('content'), { timeZone: 'America/New_York' }).updated).toEqual([])
  })

  it('moves the content version when an instant passes, with no write', () => {
    const at = Date.now() + 60_000
    tmp.write('content/blog/soon.mdx', post('Soon', new Date(at).toISOString()))
    syncContentIndex(db, tmp.abs('content'))
    const before = publishedContentVersion(db, at - 1)
    expect(publishedContentVersion(db, at - 1)).toBe(before)
    expect(publishedContentVersion(db, at + SCHEDULE_SETTLE_MS)).not.toBe(before)
    expect(publishedContentVersion(db, at + 10 * SCHEDULE_SETTLE_MS)).toBe(
      publishedContentVersion(db, at + SCHEDULE_SETTLE_MS),
    )
  })
})
