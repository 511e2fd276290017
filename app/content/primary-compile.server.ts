/**
 * Compiling on the primary: the one instance that writes the database compiles a version
 * and stores the outcome, so every instance (and every restart) reads it instead of
 * compiling it again. Requests, refreshes and replicas asking for one version share one
 * compile. A write the database refuses (disk full, read-only) does not lose the compile:
 * it is kept in memory (unstored-compiles.server.ts) and stored again when writes work.
 */
import { getConfig } from '../config.server.ts'
import { getDb } from '../db/connection.server.ts'
import { isPrimary, readInstanceRole } from '../replication/instance.server.ts'
import { errorMessage } from '../utils/error-message.ts'
import { SingleFlight } from '../utils/single-flight.ts'
import { compileHere, resultWithoutStoring } from './compile-entry.server.ts'
import {
  compiledKey,
  saveCompiled,
  saveFailure,
  type StoredEntry,
  type StoredFailure,
} from './compiled-store.server.ts'
import type { IndexedEntry } from './content-index.server.ts'
import { getUnstored, keepUnstored, retriedUnstored, storedAgain } from './unstored-compiles.server.ts'
import { log } from '../logging/logger.server.ts'

/** Compiles under way on the primary, by compiledKey: concurrent asks for one version share one compile. */
const inFlight = new SingleFlight<StoredEntry | StoredFailure>()

/** How many versions the primary is compiling now (for /admin and metrics). */
export function primaryCompilesInFlight(): number {
  return inFlight.size
}

/**
 * Compiles this version of an entry on the primary and stores the outcome; a compile of
 * the same version already under way (a request, a refresh, a replica's ask) is joined,
 * not repeated.
 */
export function compileAndStoreOnPrimary(entry: IndexedEntry): Promise<StoredEntry | StoredFailure> {
  return inFlight.run(compiledKey(entry), () => compileHereAndStore(entry))
}

async function compileHereAndStore(entry: IndexedEntry): Promise<StoredEntry | StoredFailure> {
  const outcome = await compileHere(entry)
  // A compile takes seconds; the lease may have moved meanwhile. A replica keeps it unstored.
  if (!readInstanceRole().isPrimary) return resultWithoutStoring(outcome)
  if (!outcome.ok && outcome.unrecorded) return resultWithoutStoring(outcome)
  const key = compiledKey(entry)
  const { compileRetryMs } = getConfig()
  try {
    const db = getDb()
    const stored = outcome.ok
      ? saveCompiled(db, outcome.save)
      : saveFailure(db, outcome.failure, { retry: outcome.transient, firstRetryMs: compileRetryMs })
    storedAgain(key)
    return stored
  } catch (error) {
    const result = resultWithoutStoring(outcome)
    const retryAt = !outcome.ok && outcome.transient ? new Date(Date.now() + compileRetryMs).toISOString() : undefined
    const kept = retryAt ? { ...result, retryAt } : result
    keepUnstored(key, kept, outcome.ok ? outcome.save : null, error)
    return kept
  }
}

/** A compile kept in memory because it could not be stored: stored now if a retry is due and the write works. */
export function storeKeptIfDue(key: string, kept: NonNullable<ReturnType<typeof getUnstored>>): void {
  if (!kept.save || Date.now() - kept.triedAt < getConfig().compileRetryMs || !isPrimary()) return
  try {
    saveCompiled(getDb(), kept.save)
    storedAgain(key)
  } catch (error) {
    retriedUnstored(key, error)
  }
}

/**
 * On the primary, compiles a provisional version again, off the request, once its retry is due; the result replaces it.
 */
export function recompileProvisionalIfDue(entry: IndexedEntry, stored: StoredEntry): void {
  if (!stored.provisional || !isPrimary()) return
  if (Date.now() - Date.parse(stored.compiledAt) < getConfig().compileRetryMs) return
  compileAndStoreOnPrimary(entry).catch((error: unknown) =>
    log.error({ file: entry.path }, `recompiling provisional ${entry.path} failed: ${errorMessage(error)}`),
  )
}
