/**
 * Compiles that could not be stored: the compile worked but the database refused the
 * write (disk full, a read-only file, a failing disk). Without this, every request for
 * such a post would compile it again, seconds of CPU each, exactly while the server is
 * already in trouble. They are kept here instead, bounded (least recently used out first,
 * by the size of their code) with visible stats, and stored again when a write works.
 * The failure to store is logged once, when it starts, and once when it ends; /admin
 * shows it meanwhile (DESIGN.md, decision 10: degraded is never final).
 */
import { LRUCache } from 'lru-cache'
import { getConfig } from '../config.server.ts'
import { errorMessage } from '../utils/error-message.ts'
import type { SaveInput, StoredEntry, StoredFailure } from './compiled-store.server.ts'
import { log } from '../logging/logger.server.ts'

interface Kept {
  result: StoredEntry | StoredFailure
  /** What to store when the database takes writes again (a good compile only). */
  save: SaveInput | null
  triedAt: number
}

export interface UnstoredCompilesStats {
  entries: number
  bytes: number
  maxBytes: number
  hits: number
  /** Writes of a compile or failure the database refused since start. */
  saveFailures: number
  /** Set while the last write failed: since when, and why. */
  failingSince: string | null
  lastError: string | null
}

let cacheInstance: LRUCache<string, Kept> | undefined
const counters = { hits: 0, saveFailures: 0 }
let failingSince: string | null = null
let lastError: string | null = null

/** The cache, made on first use with its bound from the configuration. */
function cache(): LRUCache<string, Kept> {
  cacheInstance ??= new LRUCache<string, Kept>({
    max: 10_000,
    maxSize: getConfig().unstoredCompilesMaxBytes,
    sizeCalculation: (kept) =>
      Math.max(1, 'code' in kept.result ? kept.result.code.length : kept.result.message.length),
  })
  return cacheInstance
}

export function getUnstored(key: string): Kept | undefined {
  const kept = cache().get(key)
  if (kept) counters.hits++
  return kept
}

/**
 * Keeps a compile the database refused (`key`: compiledKey of its version), and logs the refusal if it is the first
 * since writes last worked.
 */
export function keepUnstored(
  key: string,
  result: StoredEntry | StoredFailure,
  save: SaveInput | null,
  error: unknown,
): void {
  counters.saveFailures++
  lastError = errorMessage(error)
  if (!failingSince) {
    failingSince = new Date().toISOString()
    log.error(
      `could not store a compile (${lastError}): compiles are kept in memory ` +
        `(UNSTORED_COMPILES_MAX_BYTES) until the database takes writes again`,
    )
  }
  cache().set(key, { result, save, triedAt: Date.now() })
}

/** A write worked: this key (if kept) is stored now, and the failing state ends (logged once). */
export function storedAgain(key: string): void {
  cache().delete(key)
  if (failingSince) {
    log.info(
      `compiles are stored again (they could not be since ` + `${failingSince}); ${cache().size} still kept in memory`,
    )
    failingSince = null
  }
}

/** Marks a later attempt to store a kept compile that failed again (not logged: the first one was). */
export function retriedUnstored(key: string, error: unknown): void {
  counters.saveFailures++
  lastError = errorMessage(error)
  const kept = cache().get(key)
  if (kept) kept.triedAt = Date.now()
}

export function unstoredCompilesStats(): UnstoredCompilesStats {
  return {
    entries: cache().size,
    bytes: cache().calculatedSize,
    maxBytes: getConfig().unstoredCompilesMaxBytes,
    ...counters,
    failingSince,
    lastError,
  }
}
