/**
 * What routes ask of the content: the index kept fresh, and a post or page ready to
 * render, compiled on first request and stored. This is the one place that ties the
 * stages together (source -> index -> compile -> store); each stage knows only its input.
 */
import fs from 'node:fs'
import path from 'node:path'
import { getConfig } from '../config.server.ts'
import { getDb } from '../db/connection.server.ts'
import type { Timings } from '../timing.server.ts'
import { CompileError, type CompileWarning } from './compile-mdx.server.ts'
import { compileInWorker } from './compile-pool.server.ts'
import {
  failureStands,
  getCompiled,
  getFailure,
  getLastGood,
  pruneOrphans,
  saveCompiled,
  saveFailure,
  toStoredEntry,
  type SaveInput,
  type StoredEntry,
  type StoredFailure,
} from './compiled-store.server.ts'
import { getUnstored, keepUnstored, retriedUnstored, storedAgain, unstoredKey } from './unstored-compiles.server.ts'
import { getEntry, getEntryFiles, syncContentIndex, type IndexedEntry, type SyncResult } from './content-index.server.ts'
import { compileOnReplica } from './replica-compile.server.ts'
import { isValidSlug } from './slug.ts'
import { isPrimary, readInstanceRole } from '../replication/instance.server.ts'
import type { EntryKind } from './source.server.ts'

export type EntryResult =
  | { status: 'not-found' }
  /** Renderable. `failure` is set when the current version is broken and an older good one is served. */
  | { status: 'ok'; entry: IndexedEntry; compiled: StoredEntry; failure: StoredFailure | null; compiledNow: boolean }
  /** Broken, with no good version to fall back on. */
  | { status: 'failed'; entry: IndexedEntry; failure: StoredFailure }

const stats = { compiles: 0, compileFailures: 0, compileMsTotal: 0, provisionalCompiles: 0 }
/** Compiles in progress, by kind:slug:hash: concurrent requests for one version share one compile. */
const inFlight = new Map<string, Promise<StoredEntry | StoredFailure>>()
let lastSyncAt = 0
/** The content folder's trouble, while it lasts (a vanished or unreadable folder): shown on /admin. */
let contentProblem: { message: string; since: string } | null = null
let loggedSkips = new Set<string>()
let loggedInvalid = new Set<string>()

export function contentStats() {
  return { ...stats, inFlight: inFlight.size }
}

export function getContentProblem(): { message: string; since: string } | null {
  return contentProblem
}

/**
 * Brings the index in step with the content folder now. A folder that looks vanished
 * changes nothing (see syncContentIndex): the problem is logged once when it starts and
 * once when it ends, and shown on /admin meanwhile.
 */
export function syncContent({ confirmedDeletions }: { confirmedDeletions?: ReadonlySet<string> } = {}): SyncResult {
  const db = getDb()
  const { contentDir, maxPostBytes } = getConfig()
  const result = syncContentIndex(db, contentDir, { maxPostBytes, confirmedDeletions })
  if (result.deleted.length > 0) pruneOrphans(db)
  lastSyncAt = Date.now()
  // Skipped files (a link out of the content folder, a bad name) are warned about when
  // they first appear, not on every scan.
  const skips = new Set(result.skipped.map((skipped) => `${skipped.path}: ${skipped.reason}`))
  for (const skip of skips) if (!loggedSkips.has(skip)) console.warn(`[kiln] skipped ${skip}`)
  loggedSkips = skips
  // So are entries that cannot be compiled (bad frontmatter, too large), as file:line: message.
  const invalid = new Set(result.invalid.map(({ path, error }) => {
    const line = /\(line (\d+)\)$/.exec(error)?.[1]
    return `${path}${line ? `:${line}` : ''}: ${line ? error.replace(/ \(line \d+\)$/, '') : error}`
  }))
  for (const entry of invalid) if (!loggedInvalid.has(entry)) console.warn(`[kiln] ${entry}`)
  loggedInvalid = invalid
  if (result.problem) {
    if (contentProblem?.message !== result.problem) console.error(`[kiln] content folder problem: ${result.problem}`)
    contentProblem = { message: result.problem, since: contentProblem?.message === result.problem ? contentProblem.since : new Date().toISOString() }
  } else if (contentProblem) {
    console.log(`[kiln] content folder problem resolved: ${contentProblem.message}`)
    contentProblem = null
  }
  return result
}

/**
 * On the primary, re-reads the folder's stamps when the last look is older than CONTENT_SCAN_INTERVAL_MS,
 * so an edited file is noticed by the next request without a watcher. An unchanged folder
 * costs one stat per file.
 */
export function rescanContentIfDue(timings?: Timings): void {
  const interval = getConfig().contentScanIntervalMs
  if (interval === 0 || Date.now() - lastSyncAt < interval) return
  // A replica's index is the primary's, replicated: it never re-scans into its database.
  if (!isPrimary()) return
  const run = () => {
    try {
      syncContent()
    } catch (error) {
      // A folder in the middle of a checkout may be unreadable for a moment: keep serving
      // the index as it was, and try again on a later request.
      lastSyncAt = Date.now()
      console.error(`[kiln] content index sync failed: ${(error as Error).message}`)
    }
  }
  if (timings) timings.time('index', run, 'content index sync')
  else run()
}

function isFailure(value: StoredEntry | StoredFailure): value is StoredFailure {
  return 'message' in value && !('code' in value)
}

export type CompileOutcome =
  | { ok: true; save: SaveInput }
  | { ok: false; failure: Omit<StoredFailure, 'failedAt'>; transient: boolean; unrecorded: boolean }

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
    warnings.push({ message: `${file} is bundled with this post but not counted in its version: an edit to it is served only after this post changes (write its import as a plain relative import)`, file: entry.path })
    console.warn(`[kiln] ${entry.path}: ${file} is bundled but not counted in the post's version`)
  }
}

/**
 * Compiles one version of an entry in the compile pool, storing nothing: the primary
 * stores the outcome, a replica keeps it in memory. Logs the compile or its error.
 */
export async function compileVersion(entry: IndexedEntry): Promise<CompileOutcome> {
  const { contentDir } = getConfig()
  const start = performance.now()
  try {
    const compiled = await compileInWorker({ contentDir, entryPath: entry.path, kind: entry.kind, maxPostBytes: getConfig().maxPostBytes })
    const compileMs = performance.now() - start
    stats.compiles++
    stats.compileMsTotal += compileMs
    warnUncountedFiles(entry, compiled.files ?? [], compiled.warnings)
    const warned = compiled.warnings.length > 0 ? ` with ${compiled.warnings.length} warnings` : ''
    if (compiled.provisional) stats.provisionalCompiles++
    const provisional = compiled.provisional ? ' (provisional: a code block could not be highlighted for now; compiled again later)' : ''
    console.log(`[kiln] compiled ${entry.path} in ${Math.round(compileMs)} ms${warned}${provisional}`)
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
    const compileError = error instanceof CompileError ? error : new CompileError((error as Error).message ?? String(error), entry.path)
    console.error(`[kiln] compile failed: ${compileError.where || entry.path}: ${compileError.message}`)
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

/** A compile's outcome as the store would answer it, without storing it (a replica's). */
export function unstored(outcome: CompileOutcome): StoredEntry | StoredFailure {
  return outcome.ok ? toStoredEntry(outcome.save) : { ...outcome.failure, failedAt: new Date().toISOString() }
}

/**
 * Stores a compile's outcome on the primary. A write the database refuses (disk full,
 * read-only) does not lose the compile: it is kept in memory (unstored-compiles.server.ts)
 * and answered from there, so the post is not compiled again for every request.
 */
async function compileAndStore(entry: IndexedEntry): Promise<StoredEntry | StoredFailure> {
  const outcome = await compileVersion(entry)
  // A compile takes seconds; the lease may have moved meanwhile. A replica keeps it unstored.
  if (!readInstanceRole().isPrimary) return unstored(outcome)
  if (!outcome.ok && outcome.unrecorded) return unstored(outcome)
  const key = unstoredKey(entry.kind, entry.slug, entry.sourceHash)
  try {
    const db = getDb()
    const stored = outcome.ok ? saveCompiled(db, outcome.save) : saveFailure(db, outcome.failure, { retry: outcome.transient, firstRetryMs: getConfig().compileRetryMs })
    storedAgain(key)
    return stored
  } catch (error) {
    const result = outcome.ok ? unstored(outcome) : { ...unstored(outcome), ...(outcome.transient ? { retryAt: new Date(Date.now() + getConfig().compileRetryMs).toISOString() } : {}) }
    keepUnstored(key, result, outcome.ok ? outcome.save : null, error)
    return result
  }
}

/** A compile kept in memory because it could not be stored: stored now if a retry is due and the write works. */
function storeKeptIfDue(key: string, kept: NonNullable<ReturnType<typeof getUnstored>>): void {
  if (!kept.save || Date.now() - kept.triedAt < getConfig().compileRetryMs || !isPrimary()) return
  try {
    saveCompiled(getDb(), kept.save)
    storedAgain(key)
  } catch (error) {
    retriedUnstored(key, error)
  }
}

/** Compiles a provisional version again, off the request, once its retry is due; the result replaces it. */
function recompileProvisionalIfDue(entry: IndexedEntry, stored: StoredEntry): void {
  if (!stored.provisional || !isPrimary()) return
  if (Date.now() - Date.parse(stored.compiledAt) < getConfig().compileRetryMs) return
  compileEntry(entry).catch((error: unknown) => console.error(`[kiln] recompiling provisional ${entry.path} failed: ${(error as Error)?.message ?? error}`))
}

function frontmatterFailure(entry: IndexedEntry): StoredFailure {
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

/**
 * A post or page ready to render: from the store when this version was compiled before,
 * compiled now otherwise. A draft is not-found unless `includeDrafts` (an admin asks).
 */
export async function loadEntry(kind: EntryKind, slug: string, timings: Timings, { includeDrafts = false } = {}): Promise<EntryResult> {
  if (!isValidSlug(slug)) return { status: 'not-found' }
  const db = getDb()
  const entry = timings.time('db', () => getEntry(db, kind, slug))
  if (!entry || (entry.draft && !includeDrafts)) return { status: 'not-found' }

  const fallBack = (failure: StoredFailure): EntryResult => {
    const lastGood = timings.time('db', () => getLastGood(db, kind, slug))
    return lastGood ? { status: 'ok', entry, compiled: lastGood, failure, compiledNow: false } : { status: 'failed', entry, failure }
  }

  if (entry.frontmatterError) return fallBack(frontmatterFailure(entry))

  // Newer than anything stored: this version's compile, which the database refused.
  const key = unstoredKey(kind, slug, entry.sourceHash)
  const kept = getUnstored(key)
  if (kept) {
    storeKeptIfDue(key, kept)
    if (!isFailure(kept.result)) return { status: 'ok', entry, compiled: kept.result, failure: null, compiledNow: false }
    if (failureStands(kept.result)) return fallBack(kept.result)
  }

  const stored = timings.time('db', () => getCompiled(db, kind, slug, entry.sourceHash))
  if (stored) {
    recompileProvisionalIfDue(entry, stored)
    return { status: 'ok', entry, compiled: stored, failure: null, compiledNow: false }
  }

  // A failure of this version stands until the source changes or, for a compile that
  // did not finish (timeout, out of memory), until its back-off has passed.
  const knownFailure = timings.time('db', () => getFailure(db, kind, slug))
  if (knownFailure && knownFailure.sourceHash === entry.sourceHash && failureStands(knownFailure)) return fallBack(knownFailure)

  // Only the primary stores compiles; a replica compiles for itself, in memory, and asks
  // the primary to compile and store this version for every instance.
  const compile = isPrimary() ? () => compileEntry(entry) : () => compileOnReplica(entry)
  const outcome = await timings.timeAsync('compile', compile, `compiled ${entry.path}`)
  if (isFailure(outcome)) return fallBack(outcome)
  return { status: 'ok', entry, compiled: outcome, failure: null, compiledNow: true }
}

/**
 * Compiles this version of an entry and stores the outcome; a compile of the same
 * version already under way (a request, a refresh) is joined, not repeated.
 */
export function compileEntry(entry: IndexedEntry): Promise<StoredEntry | StoredFailure> {
  const key = `${entry.kind}:${entry.slug}:${entry.sourceHash}`
  let pending = inFlight.get(key)
  if (!pending) {
    pending = compileAndStore(entry).finally(() => inFlight.delete(key))
    inFlight.set(key, pending)
  }
  return pending
}

/**
 * The primary's side of a replica's request: this slug's current version, compiled and
 * stored now if it was not already. Drafts are compiled too (an admin may preview them).
 */
export async function compileForReplica(
  kind: EntryKind,
  slug: string,
): Promise<{ status: 'ok'; compiled: StoredEntry } | { status: 'failed'; failure: StoredFailure } | { status: 'not-found' }> {
  if (!isValidSlug(slug)) return { status: 'not-found' }
  const db = getDb()
  const entry = getEntry(db, kind, slug)
  if (!entry) return { status: 'not-found' }
  if (entry.frontmatterError) return { status: 'failed', failure: frontmatterFailure(entry) }
  // A replica's asking is a request like any other: a failure that stands is not compiled again.
  const known = getFailure(db, kind, slug)
  if (known && known.sourceHash === entry.sourceHash && failureStands(known)) return { status: 'failed', failure: known }
  const kept = getUnstored(unstoredKey(kind, slug, entry.sourceHash))?.result
  const outcome = getCompiled(db, kind, slug, entry.sourceHash) ?? kept ?? (await compileEntry(entry))
  return isFailure(outcome) ? { status: 'failed', failure: outcome } : { status: 'ok', compiled: outcome }
}

export { isFailure }
