import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { openDatabase, type DB } from '../../app/db/connection.server.ts'
import {
  bumpIndexVersion,
  forgetIndexFormat,
  getIndexFormat,
  getIndexVersion,
  getLastRefreshedCommit,
  setIndexFormat,
  setLastRefreshedCommit,
} from '../../app/content/kiln-state.server.ts'
import { makeTempDir, realMigrationsDir, type TempDir } from './temp-dir.ts'

let tmp: TempDir
let db: DB

beforeEach(() => {
  // openDatabase announces the migrations it applied; keep the test output quiet.
  const log = vi.spyOn(console, 'log').mockImplementation(() => {})
  tmp = makeTempDir('kiln-state-')
  db = openDatabase(tmp.abs('data/kiln.db'), realMigrationsDir)
  log.mockRestore()
})

afterEach(() => {
  db.close()
  tmp.cleanup()
})

describe('kiln_state', () => {
  it('starts with no facts: version 0, no format, no commit', () => {
    expect(getIndexVersion(db)).toBe(0)
    expect(getIndexFormat(db)).toBeNull()
    expect(getLastRefreshedCommit(db)).toBeNull()
  })

  it('moves the index version one at a time', () => {
    bumpIndexVersion(db)
    bumpIndexVersion(db)
    expect(getIndexVersion(db)).toBe(2)
  })

  it('keeps the last value written, and forgets the format on request', () => {
    setIndexFormat(db, '1')
    setIndexFormat(db, '2')
    expect(getIndexFormat(db)).toBe('2')
    forgetIndexFormat(db)
    expect(getIndexFormat(db)).toBeNull()
    setLastRefreshedCommit(db, 'a'.repeat(40))
    setLastRefreshedCommit(db, 'b'.repeat(40))
    expect(getLastRefreshedCommit(db)).toBe('b'.repeat(40))
  })
})
