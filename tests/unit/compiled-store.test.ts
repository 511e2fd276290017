/** The compiled store keeps only what the current compile pipeline made as current. */
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest'
import { openDatabase, type DB } from '../../app/db/connection.server.ts'
import {
  compiledKey,
  getCompiled,
  getFailure,
  getLastGood,
  saveCompiled,
  saveFailure,
} from '../../app/content/compiled-store.server.ts'
import { COMPILER_VERSION } from '../../app/content/compiler-version.ts'
import { makeTempDir, realMigrationsDir, type TempDir } from './temp-dir.ts'

let tmp: TempDir
let db: DB
let log: MockInstance<typeof console.log>

beforeEach(() => {
  log = vi.spyOn(console, 'log').mockImplementation(() => {})
  tmp = makeTempDir('kiln-store-')
  db = openDatabase(tmp.abs('kiln.db'), realMigrationsDir)
})

afterEach(() => {
  db.close()
  tmp.cleanup()
  log.mockRestore()
})

const compiled = { code: 'return {}', frontmatter: { title: 'Hello', date: '2026-03-01' }, headings: [], warnings: [] }
const save = (sourceHash: string) =>
  saveCompiled(db, {
    kind: 'post',
    slug: 'hello',
    sourceHash,
    compiled: compiled as never,
    wordCount: 3,
    readingMinutes: 1,
    compileMs: 5,
  })
/** What a row made by an earlier pipeline looks like after this one's migration. */
const ageRows = (table: 'compiled_entries' | 'compile_failures') =>
  db.prepare(`UPDATE ${table} SET compiler_version = ?`).run(COMPILER_VERSION - 1)

describe('compiled store and the compiler version', () => {
  it('serves a compile made by this pipeline', () => {
    save('abc')
    expect(getCompiled(db, 'post', 'hello', 'abc')?.code).toBe('return {}')
  })

  it('does not serve a compile an older pipeline made as current, but keeps it as the last good version', () => {
    save('abc')
    ageRows('compiled_entries')
    expect(getCompiled(db, 'post', 'hello', 'abc')).toBeNull()
    expect(getLastGood(db, 'post', 'hello')?.sourceHash).toBe('abc')
    // Compiled again by this pipeline: current again, one row for the slug.
    save('abc')
    expect(getCompiled(db, 'post', 'hello', 'abc')).not.toBeNull()
    expect((db.prepare('SELECT COUNT(*) AS n FROM compiled_entries').get() as { n: number }).n).toBe(1)
  })

  it('forgets a failure an older pipeline recorded, so the new one tries again', () => {
    saveFailure(db, {
      kind: 'post',
      slug: 'hello',
      sourceHash: 'abc',
      message: 'boom',
      file: 'blog/hello.mdx',
      line: 1,
      column: 1,
    })
    expect(getFailure(db, 'post', 'hello')?.message).toBe('boom')
    ageRows('compile_failures')
    expect(getFailure(db, 'post', 'hello')).toBeNull()
  })
})

describe('the key of a version in memory', () => {
  it('is the same for an indexed entry and its stored compile, and differs by kind, slug and hash', () => {
    const stored = save('h1')
    expect(compiledKey({ kind: 'post', slug: 'hello', sourceHash: 'h1' })).toBe(compiledKey(stored))
    const keys = new Set([
      compiledKey({ kind: 'post', slug: 'hello', sourceHash: 'h1' }),
      compiledKey({ kind: 'page', slug: 'hello', sourceHash: 'h1' }),
      compiledKey({ kind: 'post', slug: 'hello-2', sourceHash: 'h1' }),
      compiledKey({ kind: 'post', slug: 'hello', sourceHash: 'h2' }),
    ])
    expect(keys.size).toBe(4)
  })
})
