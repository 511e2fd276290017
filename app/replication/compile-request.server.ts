/**
 * The compile request: both sides of `POST /internal/compile`, and its one message type.
 *
 * A replica never writes its database, so when a reader asks it for a version the primary
 * has not compiled yet, it asks the primary (askPrimaryToCompile) to compile and store that
 * version; the stored row then replicates to every instance, so this happens once per
 * version. The primary answers (answerCompileRequest) with what it compiled or why it
 * could not, so the replica can serve the version before the row has replicated.
 *
 * Requests are signed with INTERNAL_TOKEN (internal-request.server.ts). Only the primary
 * answers: on a replica, the write rule replays the POST to the primary.
 */
import { getConfig } from '../config.server.ts'
import { frontmatterFailure, isFailure } from '../content/compile-entry.server.ts'
import {
  compiledKey,
  failureStands,
  getCompiled,
  getFailure,
  type StoredEntry,
  type StoredFailure,
} from '../content/compiled-store.server.ts'
import { getEntry, type IndexedEntry } from '../content/content-index.server.ts'
import { compileAndStoreOnPrimary } from '../content/primary-compile.server.ts'
import { isValidSlugPath } from '../content/slug.ts'
import type { EntryKind } from '../content/source.server.ts'
import { getUnstored } from '../content/unstored-compiles.server.ts'
import { readBodyWithLimit } from '../http/read-body.ts'
import { noStoreJson } from '../http/no-store-responses.ts'
import { getDb } from '../db/connection.server.ts'
import { errorMessage } from '../utils/error-message.ts'
import { instanceRole } from './instance.server.ts'
import { INTERNAL_SIGNATURE_HEADER, primaryBaseUrl, signInternal, verifyInternal } from './internal-request.server.ts'
import { log } from '../logging/logger.server.ts'

/** What a replica sends: the version it was asked for (the primary compiles its own current version of the slug). */
export interface CompileRequest {
  kind: EntryKind
  slug: string
  sourceHash: string
}

/** What the primary answers: the compiled entry, the failure of its version, or no such entry. */
export type CompileAnswer =
  { status: 'ok'; compiled: StoredEntry } | { status: 'failed'; failure: StoredFailure } | { status: 'not-found' }

const MAX_BODY = 16 * 1024

const stats = { askedPrimary: 0, primaryCompiled: 0, primaryUnreachable: 0 }

/** A replica's asks since start: how many, how many the primary answered, how many went unanswered. */
export function compileRequestStats() {
  return { ...stats }
}

/**
 * The replica's side. Asks the primary to compile and store this version; resolves to
 * what it compiled when that is this version, or null (no token, no primary known,
 * unreachable, another version). Never rejects: a replica keeps serving whatever the
 * primary does.
 */
export async function askPrimaryToCompile(entry: IndexedEntry): Promise<StoredEntry | StoredFailure | null> {
  const { internalToken, compileTimeoutMs } = getConfig()
  const role = instanceRole()
  if (role.isPrimary || !role.primaryInstance || !internalToken) return null
  const base = primaryBaseUrl(role.primaryInstance)
  if (!base) return null
  stats.askedPrimary++
  const request: CompileRequest = { kind: entry.kind, slug: entry.slug, sourceHash: entry.sourceHash }
  const body = JSON.stringify(request)
  try {
    const response = await fetch(`${base}/internal/compile`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [INTERNAL_SIGNATURE_HEADER]: signInternal(internalToken, body) },
      body,
      signal: AbortSignal.timeout(compileTimeoutMs + 5_000),
    })
    if (!response.ok) throw new Error(`HTTP ${response.status}`)
    const answer = (await response.json()) as CompileAnswer
    stats.primaryCompiled++
    if (answer.status === 'ok' && answer.compiled.sourceHash === entry.sourceHash) return answer.compiled
    if (answer.status === 'failed' && answer.failure.sourceHash === entry.sourceHash) return answer.failure
    return null
  } catch (error) {
    stats.primaryUnreachable++
    log.warn(
      `replica: could not ask the primary ` +
        `(${role.primaryInstance}) to compile ${entry.path}: ` +
        `${errorMessage(error)}`,
    )
    return null
  }
}

/**
 * The primary's side: checks the request (method, size, signature, shape) and answers
 * with this slug's current version, compiled and stored now if it was not already.
 */
export async function answerCompileRequest(request: Request): Promise<Response> {
  if (request.method !== 'POST') return noStoreJson({ error: 'use POST' }, 405)
  const { internalToken } = getConfig()
  if (!internalToken)
    return noStoreJson({ error: 'internal requests are not enabled: set INTERNAL_TOKEN on every instance' }, 503)
  const body = await readBodyWithLimit(request, MAX_BODY)
  if (body === null) return noStoreJson({ error: 'body too large' }, 413)
  const text = body.toString('utf8')
  if (!verifyInternal(internalToken, text, request.headers.get(INTERNAL_SIGNATURE_HEADER))) {
    return noStoreJson({ error: `missing, expired or wrong ${INTERNAL_SIGNATURE_HEADER}` }, 401)
  }
  let input: { [K in keyof CompileRequest]?: unknown }
  try {
    input = JSON.parse(text) as typeof input
  } catch {
    return noStoreJson({ error: 'body must be JSON' }, 400)
  }
  if ((input.kind !== 'post' && input.kind !== 'page') || typeof input.slug !== 'string') {
    return noStoreJson({ error: 'body must be { kind: "post" | "page", slug }' }, 400)
  }
  return noStoreJson(await compileOnPrimaryFor(input.kind, input.slug), 200)
}

/**
 * This slug's current version, compiled and stored on the primary if it was not already.
 * Drafts are compiled too (an admin may preview them).
 */
async function compileOnPrimaryFor(kind: EntryKind, slug: string): Promise<CompileAnswer> {
  if (!isValidSlugPath(slug)) return { status: 'not-found' }
  const db = getDb()
  const entry = getEntry(db, kind, slug)
  if (!entry) return { status: 'not-found' }
  if (entry.frontmatterError) return { status: 'failed', failure: frontmatterFailure(entry) }
  // A replica's asking is a request like any other: a failure that stands is not compiled again.
  const known = getFailure(db, kind, slug)
  if (known && known.sourceHash === entry.sourceHash && failureStands(known))
    return { status: 'failed', failure: known }
  const kept = getUnstored(compiledKey(entry))?.result
  const outcome = getCompiled(db, kind, slug, entry.sourceHash) ?? kept ?? (await compileAndStoreOnPrimary(entry))
  return isFailure(outcome) ? { status: 'failed', failure: outcome } : { status: 'ok', compiled: outcome }
}
