/**
 * Compiling on a replica. A replica never writes its database, so when a reader asks for a
 * version the primary has not compiled yet, the replica:
 *
 *   1. asks the primary, with a signed internal request, to compile and store it (the
 *      stored row then replicates to every instance, so this happens once per version);
 *   2. compiles it itself, in memory, when its own content folder holds that version,
 *      and otherwise waits for the primary's answer, which carries the compiled entry.
 *
 * What it compiled is kept in a bounded in-memory cache until the replicated row arrives
 * (the store is always read first).
 */
import { LRUCache } from 'lru-cache'
import { getConfig } from '../config.server.ts'
import { getDb } from '../db/connection.server.ts'
import { instanceRole } from '../replication/instance.server.ts'
import { INTERNAL_SIGNATURE_HEADER, primaryBaseUrl, signInternal } from '../replication/internal-request.server.ts'
import type { StoredEntry, StoredFailure } from './compiled-store.server.ts'
import { compileVersion, unstored } from './content.server.ts'
import { getEntryFiles, type IndexedEntry } from './content-index.server.ts'
import { hashEntry } from './source.server.ts'

const MAX_ENTRIES = 100
const MAX_BYTES = 16 * 1024 * 1024

/** Good compiles and failures of versions, by kind:slug:hash. */
const memory = new LRUCache<string, StoredEntry | StoredFailure>({
  max: MAX_ENTRIES,
  maxSize: MAX_BYTES,
  sizeCalculation: (value) => ('code' in value ? value.code.length : value.message.length) + 256,
})
/** Failures of the worker rather than of the post: answered, not remembered, so the next request tries again. */
const transient = new WeakSet<StoredFailure>()
const inFlight = new Map<string, Promise<StoredEntry | StoredFailure>>()
const stats = { memoryHits: 0, localCompiles: 0, askedPrimary: 0, primaryCompiled: 0, primaryUnreachable: 0 }

export function replicaCompileStats() {
  return { ...stats, entries: memory.size, bytes: memory.calculatedSize, maxEntries: MAX_ENTRIES, maxBytes: MAX_BYTES, inFlight: inFlight.size }
}

const keyOf = (entry: IndexedEntry) => `${entry.kind}:${entry.slug}:${entry.sourceHash}`

export function compileOnReplica(entry: IndexedEntry): Promise<StoredEntry | StoredFailure> {
  const key = keyOf(entry)
  const known = memory.get(key)
  if (known) {
    stats.memoryHits++
    return Promise.resolve(known)
  }
  let pending = inFlight.get(key)
  if (!pending) {
    pending = compileHereOrThere(entry)
      .then((result) => {
        if (!('message' in result && transient.has(result))) memory.set(key, result)
        return result
      })
      .finally(() => inFlight.delete(key))
    inFlight.set(key, pending)
  }
  return pending
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

async function compileHereOrThere(entry: IndexedEntry): Promise<StoredEntry | StoredFailure> {
  const fromPrimary = askPrimaryToCompile(entry)
  if (hasThisVersionLocally(entry)) {
    // The primary's answer is not waited for: the stored row will replicate here.
    void fromPrimary
    stats.localCompiles++
    const outcome = await compileVersion(entry)
    const result = unstored(outcome)
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

type PrimaryAnswer = { status: 'ok'; compiled: StoredEntry } | { status: 'failed'; failure: StoredFailure } | { status: 'not-found' }

/**
 * Asks the primary to compile and store this version; resolves to what it compiled when
 * that is this version, or null (no token, no primary known, unreachable, another version).
 * Never rejects: a replica keeps serving whatever the primary does.
 */
async function askPrimaryToCompile(entry: IndexedEntry): Promise<StoredEntry | StoredFailure | null> {
  const { internalToken, compileTimeoutMs } = getConfig()
  const role = instanceRole()
  if (role.isPrimary || !role.primaryInstance || !internalToken) return null
  const base = primaryBaseUrl(role.primaryInstance)
  if (!base) return null
  stats.askedPrimary++
  const body = JSON.stringify({ kind: entry.kind, slug: entry.slug, sourceHash: entry.sourceHash })
  try {
    const response = await fetch(`${base}/internal/compile`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [INTERNAL_SIGNATURE_HEADER]: signInternal(internalToken, body) },
      body,
      signal: AbortSignal.timeout(compileTimeoutMs + 5_000),
    })
    if (!response.ok) throw new Error(`HTTP ${response.status}`)
    const answer = (await response.json()) as PrimaryAnswer
    stats.primaryCompiled++
    if (answer.status === 'ok' && answer.compiled.sourceHash === entry.sourceHash) return answer.compiled
    if (answer.status === 'failed' && answer.failure.sourceHash === entry.sourceHash) return answer.failure
    return null
  } catch (error) {
    stats.primaryUnreachable++
    console.warn(`[kiln] replica: could not ask the primary (${role.primaryInstance}) to compile ${entry.path}: ${(error as Error).message}`)
    return null
  }
}
