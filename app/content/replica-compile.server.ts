/**
 * Compiling on a replica. A replica never writes its database, so when a reader asks for a
 * version the primary has not compiled yet, the replica:
 *
 *   1. asks the primary to compile and store it (the compile request,
 *      replication/compile-request.server.ts; the stored row then replicates to every
 *      instance, so this happens once per version);
 *   2. compiles it itself, in memory, when its own content folder holds that version,
 *      and otherwise waits for the primary's answer, which carries the compiled entry.
 *
 * What it compiled is kept in a bounded in-memory cache until the replicated row arrives
 * (the store is always read first).
 */
import { LRUCache } from 'lru-cache'
import { getConfig } from '../config.server.ts'
import { getDb } from '../db/connection.server.ts'
import { askPrimaryToCompile, compileRequestStats } from '../replication/compile-request.server.ts'
import { SingleFlight } from '../utils/single-flight.ts'
import { compileHere, resultWithoutStoring } from './compile-entry.server.ts'
import { compiledKey, type StoredEntry, type StoredFailure } from './compiled-store.server.ts'
import { getEntryFiles, type IndexedEntry } from './content-index.server.ts'
import { hashEntry } from './source.server.ts'

const MAX_ENTRIES = 100
const MAX_BYTES = 16 * 1024 * 1024

/** Good compiles and failures of versions, by compiledKey. */
const memory = new LRUCache<string, StoredEntry | StoredFailure>({
  max: MAX_ENTRIES,
  maxSize: MAX_BYTES,
  sizeCalculation: (value) => ('code' in value ? value.code.length : value.message.length) + 256,
})
/** Failures of the worker rather than of the post: answered, not remembered, so the next request tries again. */
const transient = new WeakSet<StoredFailure>()
/** Compiles (here or asked of the primary) under way, by compiledKey: concurrent requests share one. */
const inFlight = new SingleFlight<StoredEntry | StoredFailure>()
const stats = { memoryHits: 0, localCompiles: 0 }

export function replicaCompileStats() {
  return {
    ...stats,
    ...compileRequestStats(),
    entries: memory.size,
    bytes: memory.calculatedSize,
    maxEntries: MAX_ENTRIES,
    maxBytes: MAX_BYTES,
    inFlight: inFlight.size,
  }
}

/** A version on a replica: from memory, or compiled here or by the primary (see the header). */
export function compileOnReplica(entry: IndexedEntry): Promise<StoredEntry | StoredFailure> {
  const key = compiledKey(entry)
  const known = memory.get(key)
  if (known) {
    stats.memoryHits++
    return Promise.resolve(known)
  }
  return inFlight.run(key, async () => {
    const result = await compileHereOrWaitForPrimary(entry)
    if (!('message' in result && transient.has(result))) memory.set(key, result)
    return result
  })
}

/** True when this instance's content folder holds the version the (replicated) index names. */
function hasThisVersionLocally(entry: IndexedEntry): boolean {
  const files = getEntryFiles(getDb(), entry.kind, entry.slug)
  if (files.length === 0) return false
  try {
    return hashEntry(getConfig().contentDir, files) === entry.sourceHash
  } catch {
    return false
  }
}

async function compileHereOrWaitForPrimary(entry: IndexedEntry): Promise<StoredEntry | StoredFailure> {
  const fromPrimary = askPrimaryToCompile(entry)
  if (hasThisVersionLocally(entry)) {
    // The primary's answer is not waited for: the stored row will replicate here.
    void fromPrimary
    stats.localCompiles++
    const outcome = await compileHere(entry)
    const result = resultWithoutStoring(outcome)
    if (!outcome.ok && outcome.transient) transient.add(result as StoredFailure)
    return result
  }
  const answer = await fromPrimary
  if (answer) return answer
  const failure: StoredFailure = {
    kind: entry.kind,
    slug: entry.slug,
    sourceHash: entry.sourceHash,
    message: 'this replica does not have this version of the source and the primary could not compile it',
    file: entry.path,
    line: null,
    column: null,
    failedAt: new Date().toISOString(),
  }
  transient.add(failure)
  return failure
}
