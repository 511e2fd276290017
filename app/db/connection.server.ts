/**
 * The process's one SQLite connection (better-sqlite3 12: version 13 needs Node 22).
 * WAL lets readers proceed while the single writer commits; busy_timeout makes a
 * second process wait for the lock instead of failing at once.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { getConfig } from '../config.server.ts'
import { readInstanceRole } from '../replication/instance.server.ts'
import { migrate, pendingMigrations, readMigrations } from './migrate.server.ts'

export type DB = Database.Database

export function openDatabase(file: string, migrationsDir: string, { applyMigrations = true } = {}): DB {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const db = new Database(file)
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  db.pragma('synchronous = NORMAL')
  if (applyMigrations) {
    db.pragma('journal_mode = WAL')
    const ran = migrate(db, readMigrations(migrationsDir))
    if (ran.length > 0) console.log(`[kiln] applied migrations: ${ran.join(', ')}`)
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
  const blank = (db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n === 0
  if (!blank) {
    console.warn(`[kiln] replica: the database lacks ${pending.length} migration(s) (${pending.join(', ')}); the primary applies them and they replicate here`)
    return db
  }
  try {
    db.pragma('journal_mode = WAL')
    migrate(db, migrations)
    console.log('[kiln] replica: set up the schema of a blank database')
  } catch (error) {
    console.warn(`[kiln] replica: the database is blank and could not be set up here (${(error as Error).message}); waiting for replication`)
  }
  return db
}

// Kept on globalThis so that the development server's module reloads reuse the one
// connection instead of opening another on every edit.
const holder = globalThis as typeof globalThis & { __kilnDb?: DB }

export function getDb(): DB {
  if (!holder.__kilnDb) {
    const config = getConfig()
    holder.__kilnDb = openForThisInstance(config.databasePath, config.migrationsDir)
  }
  return holder.__kilnDb
}

/** Applies what is pending: an instance that has just become the primary runs this. */
export function migrateNow(): string[] {
  const db = getDb()
  const ran = migrate(db, readMigrations(getConfig().migrationsDir))
  if (ran.length > 0) console.log(`[kiln] applied migrations: ${ran.join(', ')}`)
  return ran
}

export function closeDb(): void {
  holder.__kilnDb?.close()
  holder.__kilnDb = undefined
}
