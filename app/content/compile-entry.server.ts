/**
 * Compiling one version of a post or page in this instance's compile pool, storing
 * nothing. Both roles use it: the primary stores the outcome (primary-compile.server.ts),
 * a replica keeps it in memory (replica-compile.server.ts). What a compile's outcome looks
 * like, and a version's failure as the store would answer it, are defined here once.
 */
import fs from 'node:fs'
import path from 'node:path'
import { getConfig } from '../config.server.ts'
import { getDb } from '../db/connection.server.ts'
import { CompileError } from './compile/compile-error.ts'
import type { CompileWarning } from './compile/compiled-entry.ts'
import { compileInPool } from './compile-pool.server.ts'
import { toStoredEntry, type SaveInput, type StoredEntry, type StoredFailure } from './compiled-store.server.ts'
import { getEntryFiles, type IndexedEntry } from './content-index.server.ts'
import { log } from '../logging/logger.server.ts'

export type CompileOutcome =
  | { ok: true; save: SaveInput }
  | { ok: false; failure: Omit<StoredFailure, 'failedAt'>; transient: boolean; unrecorded: boolean }

const stats = { compiles: 0, compileFailures: 0, compileMsTotal: 0, provisionalCompiles: 0 }

/** Compiles done in this process since start, good and failed (shown on /admin and in metrics). */
export function compileStats() {
  return { ...stats }
}

export function isFailure(value: StoredEntry | StoredFailure): value is StoredFailure {
  return 'message' in value && !('code' in value)
}

/**
 * The index finds the files a post imports by reading its import statements (see
 * source.server.ts); the compile knows exactly which it read. A file read but not counted
 * in the version would be served stale after an edit: warn, so the author and /admin see it.
 */
function warnUncountedFiles(entry: IndexedEntry, read: string[], warnings: CompileWarning[]): void {
  if (read.length === 0) return
  const { contentDir } = getConfig()
  const real = (relative: string) => {
    try {
      return path.relative(fs.realpathSync(contentDir), fs.realpathSync(path.join(contentDir, relative)))
    } catch {
      return relative
    }
  }
  const counted = new Set(getEntryFiles(getDb(), entry.kind, entry.slug).map(([relative]) => real(relative)))
  for (const file of read) {
    if (counted.has(file)) continue
    warnings.push({
      message:
        `${file} is bundled with this post but not counted in its version: an edit to it is served ` +
        `only after this post changes (write its import as a plain relative import)`,
      file: entry.path,
    })
    log.warn({ file: entry.path }, `${entry.path}: ${file} is bundled but not counted in the post's version`)
  }
}

/**
 * Compiles one version of an entry in this instance's compile pool, storing nothing (on
 * either role). Logs the compile or its error.
 */
export async function compileHere(entry: IndexedEntry): Promise<CompileOutcome> {
  const { contentDir, maxPostBytes } = getConfig()
  const start = performance.now()
  try {
    const compiled = await compileInPool({ contentDir, entryPath: entry.path, kind: entry.kind, maxPostBytes })
    const compileMs = performance.now() - start
    stats.compiles++
    stats.compileMsTotal += compileMs
    warnUncountedFiles(entry, compiled.files ?? [], compiled.warnings)
    const warned = compiled.warnings.length > 0 ? ` with ${compiled.warnings.length} warnings` : ''
    if (compiled.provisional) stats.provisionalCompiles++
    const provisional = compiled.provisional
      ? ' (provisional: a code block could not be highlighted for now; compiled again later)'
      : ''
    log.info({ file: entry.path }, `compiled ${entry.path} in ${Math.round(compileMs)} ms${warned}${provisional}`)
    return {
      ok: true,
      save: {
        kind: entry.kind,
        slug: entry.slug,
        sourceHash: entry.sourceHash,
        compiled,
        wordCount: entry.wordCount,
        readingMinutes: entry.readingMinutes,
        compileMs,
        provisional: compiled.provisional,
      },
    }
  } catch (error) {
    stats.compileFailures++
    const compileError = CompileError.from(error, { contentDir, entryPath: entry.path })
    log.error({ file: entry.path }, `compile failed: ${compileError.where || entry.path}: ${compileError.message}`)
    return {
      ok: false,
      // A compile that did not finish (timed out, out of memory, a dead thread) says
      // nothing final about the post: recorded with a back-off, tried again later.
      transient: compileError.transient,
      // Nor does a post whose file is gone by now (its folder vanished): recorded, the
      // failure would outlive the folder's return, since the version would be the same.
      unrecorded: !fs.existsSync(path.join(contentDir, entry.path)),
      failure: {
        kind: entry.kind,
        slug: entry.slug,
        sourceHash: entry.sourceHash,
        message: compileError.message,
        file: compileError.file ?? entry.path,
        line: compileError.line ?? null,
        column: compileError.column ?? null,
      },
    }
  }
}

/** A compile's outcome as the store would answer it, without storing it. */
export function resultWithoutStoring(outcome: CompileOutcome): StoredEntry | StoredFailure {
  return outcome.ok ? toStoredEntry(outcome.save) : { ...outcome.failure, failedAt: new Date().toISOString() }
}

/** An entry whose frontmatter the index could not read, as a failure of its version (nothing to compile). */
export function frontmatterFailure(entry: IndexedEntry): StoredFailure {
  // The index keeps the line in the message ("... (line 3)"): give it back its place.
  const line = /\(line (\d+)\)$/.exec(entry.frontmatterError ?? '')?.[1]
  return {
    kind: entry.kind,
    slug: entry.slug,
    sourceHash: entry.sourceHash,
    message: entry.frontmatterError ?? 'invalid frontmatter',
    file: entry.path,
    line: line ? Number(line) : null,
    column: null,
    failedAt: new Date().toISOString(),
  }
}
