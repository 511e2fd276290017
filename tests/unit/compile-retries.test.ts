/**
 * A compile that did not finish (timed out, ran out of memory) is recorded for its version
 * with a back-off that grows with each failed try; a broken post waits for an edit; a new
 * version starts over. A provisional compile is stored as such and replaced by a final one.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase, type DB } from '../../app/db/connection.server.ts'
import {
  MAX_RETRY_MS,
  failureStands,
  getCompiled,
  getFailure,
  retryDelayMs,
  saveCompiled,
  saveFailure,
} from '../../app/content/compiled-store.server.ts'
import { makeTempDir, realMigrationsDir, type TempDir } from './temp-dir.ts'

let tmp: TempDir
let db: DB

beforeEach(() => {
  tmp = makeTempDir('kiln-retries-')
  db = openDatabase(tmp.abs('kiln.db'), realMigrationsDir)
})

afterEach(() => {
  db.close()
  tmp.cleanup()
})

const MINUTE = 60_000
const failure = (sourceHash: string) => ({
  kind: 'post' as const,
  slug: 'hello',
  sourceHash,
  message: 'compiling ran out of memory',
  file: 'blog/hello.mdx',
  line: null,
  column: null,
})

describe('retryDelayMs', () => {
  it('waits 1, 5, 25 minutes, then about 2 h, and never more than 6 h', () => {
    expect([1, 2, 3, 4].map((attempts) => retryDelayMs(attempts, MINUTE))).toEqual([
      MINUTE,
      5 * MINUTE,
      25 * MINUTE,
      125 * MINUTE,
    ])
    expect(retryDelayMs(5, MINUTE)).toBe(MAX_RETRY_MS)
    expect(retryDelayMs(50, MINUTE)).toBe(MAX_RETRY_MS)
  })
})

describe('recorded failures and their back-off', () => {
  it('a failure to retry stands until its retry time, then counts one more attempt', () => {
    const now = Date.parse('2026-12-01T00:00:00Z')
    const first = saveFailure(db, failure('abc'), { retry: true, firstRetryMs: MINUTE, now })
    expect(first.attempts).toBe(1)
    expect(failureStands(first, now + MINUTE - 1)).toBe(true)
    expect(failureStands(first, now + MINUTE)).toBe(false)
    const second = saveFailure(db, failure('abc'), { retry: true, firstRetryMs: MINUTE, now: now + MINUTE })
    expect(second.attempts).toBe(2)
    expect(Date.parse(second.retryAt!)).toBe(now + MINUTE + 5 * MINUTE)
    expect(getFailure(db, 'post', 'hello')).toMatchObject({ attempts: 2, retryAt: second.retryAt })
  })

  it('a broken post (no retry) stands until the source changes', () => {
    const recorded = saveFailure(db, { ...failure('abc'), message: 'Unexpected character' })
    expect(recorded.retryAt).toBeNull()
    expect(failureStands(recorded, Date.now() + 365 * 24 * 60 * MINUTE)).toBe(true)
  })

  it('a new version of the source starts the count again', () => {
    saveFailure(db, failure('abc'), { retry: true, firstRetryMs: MINUTE })
    saveFailure(db, failure('abc'), { retry: true, firstRetryMs: MINUTE })
    expect(saveFailure(db, failure('def'), { retry: true, firstRetryMs: MINUTE }).attempts).toBe(1)
  })
})

describe('provisional compiles', () => {
  const compiled = {
    code: 'return {}',
    frontmatter: { title: 'Hello', date: '2026-03-01' },
    headings: [],
    warnings: [],
    provisional: false,
  }
  const save = (provisional: boolean) =>
    saveCompiled(db, {
      kind: 'post',
      slug: 'hello',
      sourceHash: 'abc',
      compiled: compiled as never,
      wordCount: 3,
      readingMinutes: 1,
      compileMs: 5,
      provisional,
    })

  it('are stored as provisional and replaced by the final compile of the same version', () => {
    expect(save(true).provisional).toBe(true)
    expect(getCompiled(db, 'post', 'hello', 'abc')?.provisional).toBe(true)
    save(false)
    expect(getCompiled(db, 'post', 'hello', 'abc')?.provisional).toBe(false)
    expect((db.prepare('SELECT COUNT(*) AS n FROM compiled_entries').get() as { n: number }).n).toBe(1)
  })
})
