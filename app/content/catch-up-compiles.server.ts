/**
 * Catching up after a deploy: when the compiler changed (COMPILER_VERSION) or the store is
 * empty, the primary compiles every post again in the background, one at a time, the
 * most-read first, so readers do not queue behind compiles after each deploy.
 *
 * Meanwhile a reader of a post that was compiled by the previous compiler gets that stored
 * version at once (content.server.ts, `storedByEarlierCompiler`), marked provisional so
 * the page cache does not keep it; the catch-up replaces it. A reader waits for a compile
 * only for a post that is new or changed since, as it always did.
 *
 * Low priority: the catch-up pauses while any other compile is under way on this instance
 * (a reader's compile is never queued behind it), and it never runs two at a time, so the
 * compile pool keeps one thread for readers. It stops when this instance stops being the
 * primary; the next primary starts its own from what is still missing.
 */
import { log } from '../logging/logger.server.ts'
import { setTimeout as sleep } from 'node:timers/promises'
import { getDb, type DB } from '../db/connection.server.ts'
import { isPrimary } from '../replication/instance.server.ts'
import { errorMessage } from '../utils/error-message.ts'
import { failureStands, getCompiled, getFailure } from './compiled-store.server.ts'
import { COMPILER_VERSION } from './compiler-version.ts'
import { getEntry } from './content-index.server.ts'
import { compileAndStoreOnPrimary, primaryCompilesInFlight } from './primary-compile.server.ts'
import { pausePoint } from './pause-points.server.ts'
import type { EntryKind } from './source.server.ts'

export interface CatchUpProgress {
  state: 'idle' | 'running' | 'done' | 'stopped'
  /** Why the catch-up runs: `compiler` (a new compiler) or `empty` (nothing stored for these entries). */
  reason: 'compiler' | 'empty' | null
  total: number
  compiled: number
  failed: number
  /** Entries a reader or a refresh compiled first (or that changed): nothing left to do for them. */
  skipped: number
  current: string | null
  startedAt: string | null
  finishedAt: string | null
}

/** How long the catch-up waits for other compiles to end before it looks again. */
const BUSY_WAIT_MS = 200
/** A breath between two compiles, so a burst of readers' requests always finds the event loop free. */
const PAUSE_BETWEEN_MS = 20

let progress: CatchUpProgress = idle()
let generation = 0

function idle(): CatchUpProgress {
  return {
    state: 'idle',
    reason: null,
    total: 0,
    compiled: 0,
    failed: 0,
    skipped: 0,
    current: null,
    startedAt: null,
    finishedAt: null,
  }
}

/** For /admin and /metrics. */
export function catchUpProgress(): CatchUpProgress {
  return { ...progress }
}

interface Pending {
  kind: EntryKind
  slug: string
  /** Stored by an earlier compiler (readers are served it meanwhile); else nothing is stored. */
  earlier: number
}

/**
 * The entries whose current version has no compile by this compiler and no standing
 * failure: posts before pages, the most-read first, then the newest. Pure SQL over the
 * index, the store and the view counts.
 */
export function entriesToCatchUp(db: DB): Pending[] {
  return db
    .prepare(
      `SELECT e.kind AS kind, e.slug AS slug,
          EXISTS (SELECT 1 FROM compiled_entries o WHERE o.kind = e.kind AND o.slug = e.slug
                  AND o.source_hash = e.source_hash AND o.compiler_version != @compiler) AS earlier
       FROM valid_entries e
       LEFT JOIN post_views v ON e.kind = 'post' AND v.slug = e.slug
       WHERE NOT EXISTS (SELECT 1 FROM compiled_entries c WHERE c.kind = e.kind AND c.slug = e.slug
                         AND c.source_hash = e.source_hash AND c.compiler_version = @compiler)
       ORDER BY e.kind = 'post' DESC, COALESCE(v.views, 0) DESC, e.date DESC, e.slug`,
    )
    .all({ compiler: COMPILER_VERSION }) as Pending[]
}

/**
 * Starts the catch-up on the primary when anything is missing (a no-op when a catch-up is
 * running or nothing is missing). Resolves when it has ended: tests and start-up may wait.
 */
export async function startCatchUp(): Promise<void> {
  if (progress.state === 'running' || !isPrimary()) return
  const db = getDb()
  const pending = entriesToCatchUp(db)
  if (pending.length === 0) return
  const run = ++generation
  progress = {
    ...idle(),
    state: 'running',
    reason: pending.some((entry) => entry.earlier) ? 'compiler' : 'empty',
    total: pending.length,
    startedAt: new Date().toISOString(),
  }
  log.info(
    `compiling ${pending.length} entr${pending.length === 1 ? 'y' : 'ies'} in the background ` +
      `(${progress.reason === 'compiler' ? 'a new compiler' : 'nothing stored yet'}), the most-read first`,
  )
  for (const { kind, slug } of pending) {
    if (run !== generation || !isPrimary()) {
      if (run === generation) progress = { ...progress, state: 'stopped', current: null }
      return
    }
    // Readers first: wait while any other compile runs here.
    while (primaryCompilesInFlight() > 0 && run === generation) await sleep(BUSY_WAIT_MS)
    if (run !== generation) return
    try {
      const entry = getEntry(db, kind, slug)
      const standing = entry ? getFailure(db, kind, slug) : null
      if (
        !entry ||
        entry.frontmatterError ||
        getCompiled(db, kind, slug, entry.sourceHash) ||
        (standing && standing.sourceHash === entry.sourceHash && failureStands(standing))
      ) {
        progress.skipped++
        continue
      }
      progress.current = entry.path
      await pausePoint('background-compile', entry.path)
      const outcome = await compileAndStoreOnPrimary(entry)
      if ('code' in outcome) progress.compiled++
      else progress.failed++
    } catch (error) {
      progress.failed++
      log.error(`background compile of ${kind} ${slug} failed: ${errorMessage(error)}`)
    }
    progress.current = null
    await sleep(PAUSE_BETWEEN_MS)
  }
  if (run !== generation) return
  progress = { ...progress, state: 'done', current: null, finishedAt: new Date().toISOString() }
  log.info(
    `background compiles done: ${progress.compiled} compiled, ${progress.failed} failed, ` +
      `${progress.skipped} already done`,
  )
}

/** Stops a running catch-up after its current compile (this instance is no longer the primary). */
export function stopCatchUp(): void {
  if (progress.state !== 'running') return
  generation++
  progress = { ...progress, state: 'stopped', current: null }
}
