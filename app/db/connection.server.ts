/**
 * The process's one SQLite connection (better-sqlite3 13, which needs Node-API 10: Node 22.14+).
 * WAL lets readers proceed while the single writer commits; busy_timeout makes a
 * second process wait for the lock instead of failing at once.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { getConfig } from '../config.server.ts'
import { readInstanceRole } from '../replication/instance.server.ts'
import {
  checkDatabaseFile,
  describeDatabaseError,
  isFileProblem,
  type DatabaseFileError,
} from './database-errors.server.ts'
import { migrate, pendingMigrations, readMigrations } from './migrate.server.ts'
import { errorMessage } from '../utils/error-message.ts'
import { log } from '../logging/logger.server.ts'

export type DB = Database.Database

/**
 * SQLite's page cache for the connection, in KiB: SQLite's own default of 2 MB. better-sqlite3
 * builds SQLite with 16 MB, which serving every post of a 223-post blog filled with pages of
 * stored compiles that are read once per version (the page cache answers after that): 14 MB
 * of the server's memory for nothing (docs/performance.md). A page not in it is read from
 * the file, which the kernel caches outside the server's memory.
 */
const SQLITE_CACHE_KIB = 2000

/**
 * Opens (creating when missing) and, by default, migrates the database. A file that cannot
 * be Kiln's database (damaged, unreadable, read-only, a folder) throws a DatabaseFileError
 * naming the path and what to do, at once: the first read of the schema makes SQLite look
 * at the file, which `new Database` alone does not.
 */
export function openDatabase(file: string, migrationsDir: string, { applyMigrations = true } = {}): DB {
  checkDatabaseFile(file, { forWriting: applyMigrations })
  let db: DB | undefined
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    db = new Database(file)
    db.pragma('busy_timeout = 5000')
    db.pragma('foreign_keys = ON')
    db.pragma('synchronous = NORMAL')
    db.pragma(`cache_size = -${SQLITE_CACHE_KIB}`)
    db.prepare('SELECT COUNT(*) FROM sqlite_master').get()
    if (applyMigrations) {
      db.pragma('journal_mode = WAL')
      const ran = migrate(db, readMigrations(migrationsDir))
      if (ran.length > 0) log.info(`applied migrations: ${ran.join(', ')}`)
    }
  } catch (error) {
    db?.close()
    // A migration's own mistake is not the file's fault: it keeps its message.
    throw isFileProblem(error) ? describeDatabaseError(error, file) : error
  }
  return db
}

/**
 * Only the primary migrates; a replica's schema arrives by replication. One exception: a
 * replica whose database is a blank file (no LiteFS behind it, or nothing replicated yet)
 * is given the schema so it can answer at all; under LiteFS that write is refused by the
 * FUSE mount, which is logged and survived.
 */
function openForThisInstance(file: string, migrationsDir: string): DB {
  if (readInstanceRole().isPrimary) return openDatabase(file, migrationsDir)
  const db = openDatabase(file, migrationsDir, { applyMigrations: false })
  const migrations = readMigrations(migrationsDir)
  const pending = pendingMigrations(db, migrations)
  if (pending.length === 0) return db
  const blank =
    (db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n === 0
  if (!blank) {
    log.warn(
      `replica: the database lacks ${pending.length} migration(s) ` +
        `(${pending.join(', ')}); the primary applies them and they replicate here`,
    )
    return db
  }
  try {
    db.pragma('journal_mode = WAL')
    migrate(db, migrations)
    log.info('replica: set up the schema of a blank database')
  } catch (error) {
    log.warn(
      `replica: the database is blank and could not be set up ` +
        `here (${errorMessage(error)}); waiting for replication`,
    )
  }
  return db
}

// Kept on globalThis so that the development server's module reloads reuse the one
// connection instead of opening another on every edit.
const holder = globalThis as typeof globalThis & {
  __kilnDb?: DB
  __kilnDbFile?: { dev: number; ino: number }
  __kilnDbUnusable?: DatabaseFileError
  __kilnDbAbandoned?: DB[]
}

export function getDb(): DB {
  if (holder.__kilnDbUnusable) throw holder.__kilnDbUnusable
  if (!holder.__kilnDb) {
    const config = getConfig()
    holder.__kilnDb = openForThisInstance(config.databasePath, config.migrationsDir)
    const { dev, ino } = fs.statSync(config.databasePath)
    holder.__kilnDbFile = { dev, ino }
  }
  return holder.__kilnDb
}

/** The file (device and inode) the open connection was opened on; null before it is open. */
export function openedDatabaseFile(): { dev: number; ino: number } | null {
  return holder.__kilnDb ? (holder.__kilnDbFile ?? null) : null
}

/**
 * From now on getDb() throws `reason`: the file at DATABASE_PATH is no longer the one this
 * process has open (replaced or removed while running). Writing on would go into a file
 * nobody will ever read. The old connection is deliberately not closed: closing it would
 * checkpoint and then delete `<path>-wal` by name, which may now belong to the new file.
 * A restart opens whatever is at the path then.
 */
export function markDatabaseUnusable(reason: DatabaseFileError): void {
  holder.__kilnDbUnusable = reason
  if (holder.__kilnDb) (holder.__kilnDbAbandoned ??= []).push(holder.__kilnDb)
  holder.__kilnDb = undefined
}

/** Applies what is pending: an instance that has just become the primary runs this. */
export function migrateNow(): string[] {
  const db = getDb()
  const ran = migrate(db, readMigrations(getConfig().migrationsDir))
  if (ran.length > 0) log.info(`applied migrations: ${ran.join(', ')}`)
  return ran
}

export function closeDb(): void {
  holder.__kilnDb?.close()
  holder.__kilnDb = undefined
}
