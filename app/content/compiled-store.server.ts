/**
 * The compiled store: compiled posts in SQLite, keyed by kind, slug and source hash.
 * A restart does not recompile (the rows are there), and a broken new version leaves the
 * last good one in place. Only the newest good version of a slug is kept besides a
 * failure record, so the store holds about one row per post, never a history.
 */
import type { DB } from '../db/connection.server.ts'
import type { CompileWarning, CompiledEntry, Heading } from './compile-mdx.server.ts'
import type { Frontmatter } from './frontmatter.ts'
import { COMPILER_VERSION } from './compiler-version.ts'
import { saveDeclaredImages } from '../images/declared-images.server.ts'
import type { EntryKind } from './source.server.ts'

export interface StoredEntry {
  kind: EntryKind
  slug: string
  sourceHash: string
  code: string
  frontmatter: Frontmatter
  headings: Heading[]
  readingMinutes: number
  wordCount: number
  warnings: CompileWarning[]
  compileMs: number
  compiledAt: string
  /** Made while a code block could not be highlighted for a passing reason: served, but compiled again later. */
  provisional: boolean
}

export interface StoredFailure {
  kind: EntryKind
  slug: string
  sourceHash: string
  message: string
  file: string | null
  line: number | null
  column: number | null
  failedAt: string
  /**
   * When a failure that said nothing final about the post (a timeout, out of memory) may be tried again; null: wait for
   * an edit.
   */
  retryAt?: string | null
  /** Compiles of this version that failed in a row. */
  attempts?: number
}

/** What names one version of an entry: its kind, slug and source hash. */
export interface VersionId {
  kind: EntryKind
  slug: string
  sourceHash: string
}

/**
 * The one key of a version in memory (compiles in flight, compiles kept unstored, a
 * replica's compiles): `kind:slug:hash`. The store's key adds the compiler version, which
 * one process never changes.
 */
export function compiledKey({ kind, slug, sourceHash }: VersionId): string {
  return `${kind}:${slug}:${sourceHash}`
}

interface CompiledRow {
  kind: EntryKind
  slug: string
  source_hash: string
  code: string
  frontmatter: string
  headings: string
  reading_minutes: number
  word_count: number
  warnings: string
  compile_ms: number
  compiled_at: string
  provisional: number
}

interface FailureRow {
  kind: EntryKind
  slug: string
  source_hash: string
  message: string
  file: string | null
  line: number | null
  column: number | null
  failed_at: string
  retry_at: string | null
  attempts: number
}

function toStored(row: CompiledRow): StoredEntry {
  return {
    kind: row.kind,
    slug: row.slug,
    sourceHash: row.source_hash,
    code: row.code,
    frontmatter: JSON.parse(row.frontmatter) as Frontmatter,
    headings: JSON.parse(row.headings) as Heading[],
    readingMinutes: row.reading_minutes,
    wordCount: row.word_count,
    warnings: JSON.parse(row.warnings) as CompileWarning[],
    compileMs: row.compile_ms,
    compiledAt: row.compiled_at,
    provisional: row.provisional === 1,
  }
}

function toFailure(row: FailureRow): StoredFailure {
  return {
    kind: row.kind,
    slug: row.slug,
    sourceHash: row.source_hash,
    message: row.message,
    file: row.file,
    line: row.line,
    column: row.column,
    failedAt: row.failed_at,
    retryAt: row.retry_at ?? null,
    attempts: row.attempts ?? 1,
  }
}

export function getCompiled(db: DB, kind: EntryKind, slug: string, sourceHash: string): StoredEntry | null {
  const row = db
    .prepare('SELECT * FROM compiled_entries WHERE kind = ? AND slug = ? AND source_hash = ? AND compiler_version = ?')
    .get(kind, slug, sourceHash, COMPILER_VERSION) as CompiledRow | undefined
  return row ? toStored(row) : null
}

/**
 * This version of an entry as an earlier compiler made it (a deploy changed COMPILER_VERSION
 * since): what readers get while the background catch-up compiles it again.
 */
export function getCompiledByEarlierCompiler(
  db: DB,
  kind: EntryKind,
  slug: string,
  sourceHash: string,
): StoredEntry | null {
  const row = db
    .prepare(
      `SELECT * FROM compiled_entries WHERE kind = ? AND slug = ? AND source_hash = ? AND compiler_version != ?
       ORDER BY compiled_at DESC LIMIT 1`,
    )
    .get(kind, slug, sourceHash, COMPILER_VERSION) as CompiledRow | undefined
  return row ? toStored(row) : null
}

/** The newest good version of a slug, whatever its hash: what is served while the current one is broken. */
export function getLastGood(db: DB, kind: EntryKind, slug: string): StoredEntry | null {
  const row = db
    .prepare('SELECT * FROM compiled_entries WHERE kind = ? AND slug = ? ORDER BY compiled_at DESC LIMIT 1')
    .get(kind, slug) as CompiledRow | undefined
  return row ? toStored(row) : null
}

export function getFailure(db: DB, kind: EntryKind, slug: string): StoredFailure | null {
  // A failure recorded by another version of the pipeline says nothing about this one.
  const row = db
    .prepare('SELECT * FROM compile_failures WHERE kind = ? AND slug = ? AND compiler_version = ?')
    .get(kind, slug, COMPILER_VERSION) as FailureRow | undefined
  return row ? toFailure(row) : null
}

export interface SaveInput {
  kind: EntryKind
  slug: string
  sourceHash: string
  compiled: CompiledEntry
  wordCount: number
  readingMinutes: number
  compileMs: number
  /** Set when the compile is degraded for a passing reason (compiled.provisional): stored, but not as final. */
  provisional?: boolean
}

function toRow(input: SaveInput): CompiledRow {
  return {
    kind: input.kind,
    slug: input.slug,
    source_hash: input.sourceHash,
    code: input.compiled.code,
    frontmatter: JSON.stringify(input.compiled.frontmatter),
    headings: JSON.stringify(input.compiled.headings),
    reading_minutes: input.readingMinutes,
    word_count: input.wordCount,
    warnings: JSON.stringify(input.compiled.warnings),
    compile_ms: input.compileMs,
    compiled_at: new Date().toISOString(),
    provisional: input.provisional ? 1 : 0,
  }
}

/** A compile as the store would hold it, without storing it: what a replica keeps in memory. */
export function toStoredEntry(input: SaveInput): StoredEntry {
  return toStored(toRow(input))
}

/** Stores a good compile; older versions of the slug and its failure record go in the same transaction. */
export function saveCompiled(db: DB, input: SaveInput): StoredEntry {
  const row = toRow(input)
  db.transaction(() => {
    db.prepare(
      `INSERT OR REPLACE INTO compiled_entries
        (kind, slug, source_hash, code, frontmatter, headings, reading_minutes, word_count, warnings, compile_ms, ` +
        `compiled_at, compiler_version, provisional)
      VALUES (@kind, @slug, @source_hash, @code, @frontmatter, @headings, @reading_minutes, @word_count, @warnings, ` +
        `@compile_ms, @compiled_at, @compiler_version, @provisional)`,
    ).run({
      ...row,
      compiler_version: COMPILER_VERSION,
    })
    db.prepare('DELETE FROM compiled_entries WHERE kind = ? AND slug = ? AND source_hash != ?').run(
      input.kind,
      input.slug,
      input.sourceHash,
    )
    db.prepare('DELETE FROM compile_failures WHERE kind = ? AND slug = ?').run(input.kind, input.slug)
    saveDeclaredImages(db, input, input.compiled.images ?? [])
  }).immediate()
  return toStored(row)
}

/** The longest wait between two tries of a compile that keeps timing out or running out of memory. */
export const MAX_RETRY_MS = 6 * 60 * 60 * 1000

/**
 * The wait before try number `attempts + 1`: firstMs, then x5 per failed try (1 min, 5 min, 25 min, 2 h…), at most 6 h.
 */
export function retryDelayMs(attempts: number, firstMs: number): number {
  return Math.min(MAX_RETRY_MS, firstMs * 5 ** Math.max(0, attempts - 1))
}

/**
 * Records a failed compile of this version. A `retry` failure (the compile did not finish:
 * a timeout, out of memory, a dead thread) says nothing final about the post: it is tried
 * again after a back-off that grows with each failed try of the same version, or at once
 * when the source changes (a new hash). Any other failure waits for an edit.
 */
export function saveFailure(
  db: DB,
  failure: Omit<StoredFailure, 'failedAt' | 'retryAt' | 'attempts'>,
  { retry, firstRetryMs = 60_000, now = Date.now() }: { retry?: boolean; firstRetryMs?: number; now?: number } = {},
): StoredFailure {
  const previous = getFailure(db, failure.kind, failure.slug)
  const attempts = previous && previous.sourceHash === failure.sourceHash ? (previous.attempts ?? 1) + 1 : 1
  const row: FailureRow = {
    kind: failure.kind,
    slug: failure.slug,
    source_hash: failure.sourceHash,
    message: failure.message,
    file: failure.file,
    line: failure.line,
    column: failure.column,
    failed_at: new Date(now).toISOString(),
    retry_at: retry ? new Date(now + retryDelayMs(attempts, firstRetryMs)).toISOString() : null,
    attempts,
  }
  db.prepare(
    `INSERT OR REPLACE INTO compile_failures (kind, slug, source_hash, message, ` +
      `file, line, column, failed_at, compiler_version, retry_at, attempts)
    VALUES (@kind, @slug, @source_hash, @message, @file, @line, @column, @failed_at, @compiler_version, @retry_at, ` +
      `@attempts)`,
  ).run({ ...row, compiler_version: COMPILER_VERSION })
  return toFailure(row)
}

/** True when this recorded failure still stands for its version at `now` (no retry due yet). */
export function failureStands(failure: StoredFailure, now = Date.now()): boolean {
  return failure.retryAt == null || Date.parse(failure.retryAt) > now
}

/** Compiled rows and failures of entries that left the content folder. */
export function pruneOrphans(db: DB): number {
  const compiled = db
    .prepare(
      'DELETE FROM compiled_entries WHERE NOT EXISTS (SELECT 1 FROM content_entries c ' +
        'WHERE c.kind = compiled_entries.kind AND c.slug = compiled_entries.slug)',
    )
    .run().changes
  const failures = db
    .prepare(
      'DELETE FROM compile_failures WHERE NOT EXISTS (SELECT 1 FROM content_entries c ' +
        'WHERE c.kind = compile_failures.kind AND c.slug = compile_failures.slug)',
    )
    .run().changes
  return compiled + failures
}

export function compiledStats(db: DB): { entries: number; bytes: number; failures: number } {
  return db
    .prepare(
      `SELECT (SELECT COUNT(*) FROM compiled_entries) AS entries,
        (SELECT COALESCE(SUM(LENGTH(code)), 0) FROM compiled_entries) AS bytes,
        (SELECT COUNT(*) FROM compile_failures) AS failures`,
    )
    .get() as { entries: number; bytes: number; failures: number }
}
