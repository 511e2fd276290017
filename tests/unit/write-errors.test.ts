import { describe, expect, it } from 'vitest'
import { asWriteFailure } from '../../app/db/write-errors.server.ts'

const sqliteError = (code: string) => Object.assign(new Error(code), { code })

describe('asWriteFailure', () => {
  it.each([
    ['SQLITE_FULL', 'full'],
    ['SQLITE_READONLY', 'read-only'],
    ['SQLITE_READONLY_DBMOVED', 'read-only'],
    ['SQLITE_IOERR_WRITE', 'io'],
    ['SQLITE_CANTOPEN', 'cannot-open'],
    ['SQLITE_BUSY_SNAPSHOT', 'busy'],
  ])('%s is a write failure of kind %s, with a Retry-After and a sentence', (code, kind) => {
    const failure = asWriteFailure(sqliteError(code), 'count this read')
    expect(failure).toMatchObject({ kind, code })
    expect(failure!.retryAfterSeconds).toBeGreaterThan(0)
    expect(failure!.message).toMatch(
      /^Could not count this read: the server.+\. Nothing was changed; try again in \d+ seconds\.$/,
    )
  })

  it.each([['SQLITE_CONSTRAINT_UNIQUE'], ['SQLITE_FULLNESS'], ['SQLITE_ERROR'], ['ENOSPC'], ['']])(
    '%s is not one (a bug or bad input stays a 500)',
    (code) => {
      expect(asWriteFailure(sqliteError(code))).toBeNull()
    },
  )

  it('ignores values that are not errors', () => {
    expect(asWriteFailure(null)).toBeNull()
    expect(asWriteFailure('SQLITE_FULL')).toBeNull()
    expect(asWriteFailure({ code: 5 })).toBeNull()
  })
})
