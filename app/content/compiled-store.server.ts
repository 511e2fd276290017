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
  }
}

export function getCompiled(db: DB, kind: EntryKind, slug: string, sourceHash: string): StoredEntry | null {
  const row = db
    .prepare('SELECT * FROM compiled_entries WHERE kind = ? AND slug = ? AND source_hash = ? AND compiler_version = ?')
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
  const row = db.prepare('SELECT * FROM compile_failures WHERE kind = ? AND slug = ? AND compiler_version = ?').get(kind, slug, COMPILER_VERSION) as FailureRow | undefined
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
    db.prepare(`INSERT OR REPLACE INTO compiled_entries
        (kind, slug, source_hash, code, frontmatter, headings, reading_minutes, word_count, warnings, compile_ms, compiled_at, compiler_version)
      VALUES (@kind, @slug, @source_hash, @code, @frontmatter, @headings, @reading_minutes, @word_count, @warnings, @compile_ms, @compiled_at, @compiler_version)`).run({
      ...row,
      compiler_version: COMPILER_VERSION,
    })
    db.prepare('DELETE FROM compiled_entries WHERE kind = ? AND slug = ? AND source_hash != ?').run(input.kind, input.slug, input.sourceHash)
    db.prepare('DELETE FROM compile_failures WHERE kind = ? AND slug = ?').run(input.kind, input.slug)
  }).immediate()
  return toStored(row)
}

export function saveFailure(db: DB, failure: Omit<StoredFailure, 'failedAt'>): StoredFailure {
  const row: FailureRow = {
    kind: failure.kind,
    slug: failure.slug,
    source_hash: failure.sourceHash,
    message: failure.message,
    file: failure.file,
    line: failure.line,
    column: failure.column,
    failed_at: new Date().toISOString(),
  }
  db.prepare(`INSERT OR REPLACE INTO compile_failures (kind, slug, source_hash, message, file, line, column, failed_at, compiler_version)
    VALUES (@kind, @slug, @source_hash, @message, @file, @line, @column, @failed_at, @compiler_version)`).run({ ...row, compiler_version: COMPILER_VERSION })
  return toFailure(row)
}

/** Compiled rows and failures of entries that left the content folder. */
export function pruneOrphans(db: DB): number {
  const compiled = db
    .prepare('DELETE FROM compiled_entries WHERE NOT EXISTS (SELECT 1 FROM content_entries c WHERE c.kind = compiled_entries.kind AND c.slug = compiled_entries.slug)')
    .run().changes
  const failures = db
    .prepare('DELETE FROM compile_failures WHERE NOT EXISTS (SELECT 1 FROM content_entries c WHERE c.kind = compile_failures.kind AND c.slug = compile_failures.slug)')
    .run().changes
  return compiled + failures
}

export function compiledStats(db: DB): { entries: number; bytes: number; failures: number } {
  return db
    .prepare(`SELECT (SELECT COUNT(*) FROM compiled_entries) AS entries,
        (SELECT COALESCE(SUM(LENGTH(code)), 0) FROM compiled_entries) AS bytes,
        (SELECT COUNT(*) FROM compile_failures) AS failures`)
    .get() as { entries: number; bytes: number; failures: number }
}
