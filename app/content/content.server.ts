/**
 * What routes ask of the content: the index kept fresh, and a post or page ready to
 * render, compiled on first request: on the primary, and stored (primary-compile.server.ts),
 * or on a replica, in memory (replica-compile.server.ts). This is the one place that ties
 * the stages together (source -> index -> compile -> store); each stage knows only its input.
 */
import { getConfig } from '../config.server.ts'
import { getDb } from '../db/connection.server.ts'
import { isPrimary } from '../replication/instance.server.ts'
import type { Timings } from '../timing.server.ts'
import { errorMessage } from '../utils/error-message.ts'
import { compileStats, frontmatterFailure, isFailure } from './compile-entry.server.ts'
import {
  compiledKey,
  failureStands,
  getCompiled,
  getCompiledByEarlierCompiler,
  getFailure,
  getLastGood,
  pruneOrphans,
  type StoredEntry,
  type StoredFailure,
} from './compiled-store.server.ts'
import { getEntry, syncContentIndex, type IndexedEntry, type SyncResult } from './content-index.server.ts'
import {
  compileAndStoreOnPrimary,
  primaryCompilesInFlight,
  recompileProvisionalIfDue,
  storeKeptIfDue,
} from './primary-compile.server.ts'
import { compileOnReplica } from './replica-compile.server.ts'
import { isValidSlugPath } from './slug.ts'
import type { EntryKind } from './source.server.ts'
import { getUnstored } from './unstored-compiles.server.ts'
import { log } from '../logging/logger.server.ts'
import { prepareSiteComponents } from './site-components.server.ts'

export type EntryResult =
  | { status: 'not-found' }
  /** Renderable. `failure` is set when the current version is broken and an older good one is served. */
  | { status: 'ok'; entry: IndexedEntry; compiled: StoredEntry; failure: StoredFailure | null; compiledNow: boolean }
  /** Broken, with no good version to fall back on. */
  | { status: 'failed'; entry: IndexedEntry; failure: StoredFailure }

let lastSyncAt = 0
/** The content folder's trouble, while it lasts (a vanished or unreadable folder): shown on /admin. */
let contentProblem: { message: string; since: string } | null = null
let loggedSkips = new Set<string>()
let loggedInvalid = new Set<string>()

/** Compiles done in this process, and those under way on the primary (for /admin and metrics). */
export function contentStats() {
  return { ...compileStats(), inFlight: primaryCompilesInFlight() }
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
  const { contentDir, maxPostBytes, siteTimezone, contentLayout } = getConfig()
  const result = syncContentIndex(db, contentDir, {
    maxPostBytes,
    confirmedDeletions,
    timeZone: siteTimezone,
    layout: contentLayout,
  })
  if (result.deleted.length > 0) pruneOrphans(db)
  lastSyncAt = Date.now()
  // Skipped files (a link out of the content folder, a bad name) are warned about when
  // they first appear, not on every scan.
  const skips = new Set(result.skipped.map((skipped) => `${skipped.path}: ${skipped.reason}`))
  for (const skip of skips) if (!loggedSkips.has(skip)) log.warn({ file: skip.split(': ')[0] }, `skipped ${skip}`)
  loggedSkips = skips
  // So are entries that cannot be compiled (bad frontmatter, too large), as file:line: message.
  const invalid = new Set(
    result.invalid.map(({ path, error }) => {
      const line = /\(line (\d+)\)$/.exec(error)?.[1]
      return `${path}${line ? `:${line}` : ''}: ${line ? error.replace(/ \(line \d+\)$/, '') : error}`
    }),
  )
  for (const entry of invalid) if (!loggedInvalid.has(entry)) log.warn({ file: entry.split(':')[0] }, entry)
  loggedInvalid = invalid
  if (result.problem) {
    if (contentProblem?.message !== result.problem) log.error(`content folder problem: ${result.problem}`)
    contentProblem = {
      message: result.problem,
      since: contentProblem?.message === result.problem ? contentProblem.since : new Date().toISOString(),
    }
  } else if (contentProblem) {
    log.info(`content folder problem resolved: ${contentProblem.message}`)
    contentProblem = null
  }
  return result
}

/** Whether rescanContentIfDue would re-scan now (the hit path leaves such a request to the full chain). */
export function contentRescanDue(): boolean {
  const interval = getConfig().contentScanIntervalMs
  // A replica's index is the primary's, replicated: it never re-scans into its database.
  return interval !== 0 && Date.now() - lastSyncAt >= interval && isPrimary()
}

/**
 * On the primary, re-reads the folder's stamps when the last look is older than CONTENT_SCAN_INTERVAL_MS,
 * so an edited file is noticed by the next request without a watcher. An unchanged folder
 * costs one stat per file.
 */
export function rescanContentIfDue(timings?: Timings): void {
  if (!contentRescanDue()) return
  const run = () => {
    try {
      syncContent()
    } catch (error) {
      // A folder in the middle of a checkout may be unreadable for a moment: keep serving
      // the index as it was, and try again on a later request.
      lastSyncAt = Date.now()
      log.error(`content index sync failed: ${errorMessage(error)}`)
    }
  }
  if (timings) timings.time('index', run, 'content index sync')
  else run()
}

/**
 * A post or page ready to render: from the store when this version was compiled before,
 * compiled now otherwise. A draft is not-found unless `includeDrafts` (an admin asks).
 */
export async function loadEntry(
  kind: EntryKind,
  slug: string,
  timings: Timings,
  options: { includeDrafts?: boolean } = {},
): Promise<EntryResult> {
  const result = await loadCompiledEntry(kind, slug, timings, options)
  // Its site-wide components are built before anything renders it (site-components.server.ts).
  if (result.status === 'ok') await prepareSiteComponents(result.compiled.code)
  return result
}

async function loadCompiledEntry(
  kind: EntryKind,
  slug: string,
  timings: Timings,
  { includeDrafts = false } = {},
): Promise<EntryResult> {
  if (!isValidSlugPath(slug)) return { status: 'not-found' }
  const db = getDb()
  const entry = timings.time('db', () => getEntry(db, kind, slug))
  if (!entry || (entry.draft && !includeDrafts)) return { status: 'not-found' }

  const fallBack = (failure: StoredFailure): EntryResult => {
    const lastGood = timings.time('db', () => getLastGood(db, kind, slug))
    return lastGood
      ? { status: 'ok', entry, compiled: lastGood, failure, compiledNow: false }
      : { status: 'failed', entry, failure }
  }

  if (entry.frontmatterError) return fallBack(frontmatterFailure(entry))

  // Newer than anything stored: this version's compile, which the database refused.
  const key = compiledKey(entry)
  const kept = getUnstored(key)
  if (kept) {
    storeKeptIfDue(key, kept)
    if (!isFailure(kept.result))
      return { status: 'ok', entry, compiled: kept.result, failure: null, compiledNow: false }
    if (failureStands(kept.result)) return fallBack(kept.result)
  }

  const stored = timings.time('db', () => getCompiled(db, kind, slug, entry.sourceHash))
  if (stored) {
    recompileProvisionalIfDue(entry, stored)
    return { status: 'ok', entry, compiled: stored, failure: null, compiledNow: false }
  }

  // Compiled by the previous compiler (a deploy since): served at once, as provisional so
  // that no cache keeps it; the background catch-up (catch-up-compiles.server.ts) compiles
  // it again. Readers wait only for versions nothing has compiled yet.
  const earlier = timings.time('db', () => getCompiledByEarlierCompiler(db, kind, slug, entry.sourceHash))
  if (earlier)
    return { status: 'ok', entry, compiled: { ...earlier, provisional: true }, failure: null, compiledNow: false }

  // A failure of this version stands until the source changes or, for a compile that
  // did not finish (timeout, out of memory), until its back-off has passed.
  const knownFailure = timings.time('db', () => getFailure(db, kind, slug))
  if (knownFailure && knownFailure.sourceHash === entry.sourceHash && failureStands(knownFailure))
    return fallBack(knownFailure)

  // Only the primary stores compiles; a replica compiles for itself, in memory, and asks
  // the primary to compile and store this version for every instance.
  const compile = isPrimary() ? () => compileAndStoreOnPrimary(entry) : () => compileOnReplica(entry)
  const outcome = await timings.timeAsync('compile', compile, `compiled ${entry.path}`)
  if (isFailure(outcome)) return fallBack(outcome)
  return { status: 'ok', entry, compiled: outcome, failure: null, compiledNow: true }
}
