/**
 * What every connection Kiln opens is set up with: the pragmas that decide its durability,
 * its waiting and its memory.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase, type DB } from '../../app/db/connection.server.ts'
import { makeTempDir, realMigrationsDir, type TempDir } from './temp-dir.ts'

let db: DB | undefined
let tmp: TempDir
beforeEach(() => (tmp = makeTempDir()))
afterEach(() => {
  db?.close()
  tmp.cleanup()
})

describe('openDatabase', () => {
  it('keeps SQLite to its own 2 MB page cache, not the 16 MB better-sqlite3 builds it with', () => {
    db = openDatabase(tmp.abs('kiln.db'), realMigrationsDir)
    expect(db.pragma('cache_size', { simple: true })).toBe(-2000)
  })

  it('waits for a lock, writes ahead and syncs as a server should', () => {
    db = openDatabase(tmp.abs('kiln.db'), realMigrationsDir)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000)
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    // NORMAL
    expect(db.pragma('synchronous', { simple: true })).toBe(1)
  })
})
