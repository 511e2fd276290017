/**
 * Is the database usable right now? For /healthcheck, so that a platform's health check (Fly's)
 * sees a database that stopped taking writes instead of a green light over a site that
 * silently loses sign-ins, view counts and compiles.
 *
 * The probe, at most once a second (a health check hammered by a client costs one tiny
 * write a second, no more):
 * - the file at DATABASE_PATH is still the file this process opened (not with LiteFS, which
 *   owns the file): one replaced or removed while Kiln runs would take every later write
 *   into a file nobody reads, so the database is marked unusable until a restart;
 * - on the primary, a real write: one row of `db_probe` rewritten, with a short busy
 *   timeout so a lock held elsewhere answers in a quarter second, not five;
 * - on a replica, a read (replicas never write).
 */
import fs from 'node:fs'
import { getConfig } from '../config.server.ts'
import { readInstanceRole } from '../replication/instance.server.ts'
import { getDb, markDatabaseUnusable, openedDatabaseFile, type DB } from './connection.server.ts'
import { DatabaseFileError, describeDatabaseError } from './database-errors.server.ts'
import { log } from '../logging/logger.server.ts'

export interface DatabaseHealth {
  ok: boolean
  /** What is wrong and what to do, naming the file; null when ok. */
  problem: string | null
  checkedAt: number
}

const PROBE_INTERVAL_MS = 1000
const PROBE_BUSY_TIMEOUT_MS = 250
const NORMAL_BUSY_TIMEOUT_MS = 5000

let last: DatabaseHealth | null = null

/** The file at `file` is no longer the one the connection was opened on: why, or null. */
function replacedWhileRunning(file: string): DatabaseFileError | null {
  const opened = openedDatabaseFile()
  if (!opened) return null
  let now: fs.Stats
  try {
    now = fs.statSync(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return describeDatabaseError(error, file)
    return new DatabaseFileError(
      `The database ${file} was removed while Kiln was running: what Kiln writes now would be lost. ` +
        'Put the file back (or restore it from a backup) and restart Kiln; cached pages are served meanwhile.',
      file,
      'ENOENT',
    )
  }
  if (now.dev === opened.dev && now.ino === opened.ino) return null
  return new DatabaseFileError(
    `The database ${file} was replaced ${now.isDirectory() ? 'by a folder ' : ''}while ` +
      `Kiln was running: Kiln still has the old file open and stopped using it. ` +
      `Restart Kiln to open what is at that path now (stop it before replacing the file, and move the ` +
      `old ${file}-wal and ${file}-shm aside with it); cached pages are served meanwhile.`,
    file,
    'EREPLACED',
  )
}

function withBusyTimeout<T>(db: DB, ms: number, work: () => T): T {
  db.pragma(`busy_timeout = ${ms}`)
  try {
    return work()
  } finally {
    db.pragma(`busy_timeout = ${NORMAL_BUSY_TIMEOUT_MS}`)
  }
}

function probe(now: number): DatabaseHealth {
  const { databasePath, litefsEnabled } = getConfig()
  try {
    if (!litefsEnabled) {
      const replaced = replacedWhileRunning(databasePath)
      if (replaced) markDatabaseUnusable(replaced)
    }
    const db = getDb()
    if (readInstanceRole().isPrimary) {
      withBusyTimeout(db, PROBE_BUSY_TIMEOUT_MS, () =>
        db
          .prepare(
            'INSERT INTO db_probe (id, probed_at) VALUES (1, ?) ON CONFLICT ' +
              '(id) DO UPDATE SET probed_at = excluded.probed_at',
          )
          .run(new Date(now).toISOString()),
      )
    } else {
      db.prepare('SELECT COUNT(*) FROM sqlite_master').get()
    }
    return { ok: true, problem: null, checkedAt: now }
  } catch (error) {
    return { ok: false, problem: describeDatabaseError(error, databasePath).message, checkedAt: now }
  }
}

/** The database's health, probed at most once a second; a change is logged once. */
export function databaseHealth(now = Date.now()): DatabaseHealth {
  if (last && now - last.checkedAt < PROBE_INTERVAL_MS) return last
  const previous = last
  last = probe(now)
  if (last.problem && last.problem !== previous?.problem) log.error(`database unhealthy: ${last.problem}`)
  if (last.ok && previous && !previous.ok) log.info('database healthy again')
  return last
}
