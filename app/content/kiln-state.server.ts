/**
 * `kiln_state`, the few facts Kiln keeps about itself, one text value per key. This module
 * is the table's one owner: every key, its type and its meaning are written here, and
 * nothing else names a key or writes the table. All of them are facts about the content,
 * kept in the same database as the index so that a LiteFS replica sees them move with it.
 */
import type { Statement } from 'better-sqlite3'
import { getDb, type DB } from '../db/connection.server.ts'

const KEYS = {
  /**
   * A counter moved by every sync that changed the index: anything derived from content
   * keys on it. Written in the sync's transaction, so a replica (which never syncs) sees
   * it move when the primary's change replicates.
   */
  indexVersion: 'content_version',
  /** The format the index's rows were written in: an older one makes the next sync re-read every entry. */
  indexFormat: 'content.index_format',
  /** The content repository's commit the last refresh moved to: the next refresh diffs from it. */
  lastRefreshedCommit: 'content.last_refreshed_commit',
} as const

type Key = (typeof KEYS)[keyof typeof KEYS]

function read(db: DB, key: Key): string | null {
  const row = db.prepare('SELECT value FROM kiln_state WHERE key = ?').get(key) as { value: string } | undefined
  return row?.value ?? null
}

function write(db: DB, key: Key, value: string): void {
  db.prepare(
    'INSERT INTO kiln_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(key, value)
}

/** Read on every cached page: the statement is prepared once per connection. */
const versionStatements = new WeakMap<DB, Statement>()
/**
 * How long a version read is trusted: a cached page reads it on every request, and the
 * query was the largest cost left on that path (--cpu-prof under autocannon). This
 * process's own changes forget it at once (bumpIndexVersion); a replica sees the primary's
 * change at most this much later than it replicates.
 */
const VERSION_MEMO_MS = 100
const versionMemos = new WeakMap<DB, { version: number; readAt: number }>()

/** The index's version: 0 before the first sync that changed anything. */
export function getIndexVersion(db: DB = getDb()): number {
  const now = Date.now()
  const memo = versionMemos.get(db)
  if (memo && now - memo.readAt < VERSION_MEMO_MS && now >= memo.readAt) return memo.version
  return getIndexVersionNow(db)
}

/** The index's version read now, whatever was read in the last VERSION_MEMO_MS (another process may have moved it). */
export function getIndexVersionNow(db: DB): number {
  const now = Date.now()
  let statement = versionStatements.get(db)
  if (!statement) {
    statement = db.prepare('SELECT value FROM kiln_state WHERE key = ?')
    versionStatements.set(db, statement)
  }
  const row = statement.get(KEYS.indexVersion) as { value: string } | undefined
  const version = row ? Number(row.value) : 0
  versionMemos.set(db, { version, readAt: now })
  return version
}

/** Moves the index's version on by one. Call inside the transaction that changed the index. */
export function bumpIndexVersion(db: DB): void {
  versionMemos.delete(db)
  db.prepare(
    `INSERT INTO kiln_state (key, value) VALUES (?, '1')
      ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`,
  ).run(KEYS.indexVersion)
}

export function getIndexFormat(db: DB): string | null {
  return read(db, KEYS.indexFormat)
}

export function setIndexFormat(db: DB, format: string): void {
  write(db, KEYS.indexFormat, format)
}

/** Forgets the index's format, as an upgrade would: the next sync re-reads every entry (for benchmarks). */
export function forgetIndexFormat(db: DB): void {
  db.prepare('DELETE FROM kiln_state WHERE key = ?').run(KEYS.indexFormat)
}

export function getLastRefreshedCommit(db: DB): string | null {
  return read(db, KEYS.lastRefreshedCommit)
}

export function setLastRefreshedCommit(db: DB, commit: string): void {
  write(db, KEYS.lastRefreshedCommit, commit)
}
