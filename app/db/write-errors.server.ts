/**
 * A write the database refused for a passing reason: the disk is full, the file or its
 * folder became read-only, the storage failed (I/O error), the file cannot be opened, or
 * another writer held the lock past busy_timeout. Such a request is not the client's
 * fault and not a bug: it gets 503 with Retry-After and a sentence saying what happened,
 * never a bare 500. Every write path that answers a request (sign-in, view counts,
 * refreshes) goes through here, so the answer is the same everywhere.
 *
 * better-sqlite3 raises SqliteError with `code` set to SQLite's extended result code
 * (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED, SQLITE_BUSY_SNAPSHOT…); the primary
 * code is its prefix.
 */
import { noStoreJson } from '../http/no-store-responses.ts'
import { errorMessage } from '../utils/error-message.ts'
import { log } from '../logging/logger.server.ts'

export type WriteFailureKind = 'full' | 'read-only' | 'io' | 'cannot-open' | 'busy'

const KINDS: [prefix: string, kind: WriteFailureKind][] = [
  ['SQLITE_FULL', 'full'],
  ['SQLITE_READONLY', 'read-only'],
  ['SQLITE_IOERR', 'io'],
  ['SQLITE_CANTOPEN', 'cannot-open'],
  ['SQLITE_BUSY', 'busy'],
]

/** Seconds a client is told to wait: a full disk or a read-only mount takes an operator. */
export const WRITE_RETRY_AFTER_SECONDS = 60
/** A lock held past busy_timeout passes quickly. */
const BUSY_RETRY_AFTER_SECONDS = 5

const MESSAGES: Record<WriteFailureKind, string> = {
  full: 'the server’s disk is full',
  'read-only': 'the server’s database is read-only',
  io: 'the server’s storage refused the write (I/O error)',
  'cannot-open': 'the server cannot open its database file',
  busy: 'the server’s database is busy',
}

export interface WriteFailure {
  kind: WriteFailureKind
  /** SQLite's extended code, e.g. SQLITE_IOERR_WRITE. */
  code: string
  retryAfterSeconds: number
  /** One sentence for the reader: what failed, that nothing was saved, when to retry. */
  message: string
}

/** The write failure `error` is, or null for any other error (a bug, bad input). */
export function asWriteFailure(error: unknown, doing = 'save this'): WriteFailure | null {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : ''
  const match = KINDS.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`))
  if (!match) return null
  const kind = match[1]
  const retryAfterSeconds = kind === 'busy' ? BUSY_RETRY_AFTER_SECONDS : WRITE_RETRY_AFTER_SECONDS
  return {
    kind,
    code,
    retryAfterSeconds,
    message: `Could not ${doing}: ${MESSAGES[kind]}. Nothing was changed; try again in ${retryAfterSeconds} seconds.`,
  }
}

export function isWriteFailure(error: unknown): boolean {
  return asWriteFailure(error) !== null
}

const lastLogged = new Map<string, number>()
/** One log line per code and place every 10 s: a full disk under load must not flood the log. */
const LOG_EVERY_MS = 10_000

export function logWriteFailure(where: string, failure: WriteFailure, error: unknown): void {
  const key = `${where}:${failure.code}`
  const now = Date.now()
  if (now - (lastLogged.get(key) ?? 0) < LOG_EVERY_MS) return
  lastLogged.set(key, now)
  log.error(`${where}: database write failed (${failure.code}: ${errorMessage(error)}); answering 503`)
}

/** The headers every write-failure answer carries. */
export function writeFailureHeaders(failure: WriteFailure): Record<string, string> {
  return { 'Retry-After': String(failure.retryAfterSeconds), 'Cache-Control': 'no-store' }
}

/** 503 with Retry-After and `{"error": message}`, for JSON endpoints (beacons, webhooks). */
export function writeFailureJson(failure: WriteFailure): Response {
  return noStoreJson({ error: failure.message }, 503, writeFailureHeaders(failure))
}

/**
 * Runs `work`; a write failure inside it becomes a logged 503 JSON answer, anything else
 * is thrown on. `work` must keep its writes in one transaction, so a refusal leaves
 * nothing half-written.
 */
export async function answerWriteFailures(
  where: string,
  doing: string,
  work: () => Response | Promise<Response>,
): Promise<Response> {
  try {
    return await work()
  } catch (error) {
    const failure = asWriteFailure(error, doing)
    if (!failure) throw error
    logWriteFailure(where, failure, error)
    return writeFailureJson(failure)
  }
}
