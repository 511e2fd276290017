/**
 * The process's one SQLite connection (better-sqlite3 12: version 13 needs Node 22).
 * WAL lets readers proceed while the single writer commits; busy_timeout makes a
 * second process wait for the lock instead of failing at once.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { getConfig } from '../config.server.ts'
import { migrate, readMigrations } from './migrate.server.ts'

export type DB = Database.Database

export function openDatabase(file: string, migrationsDir: string): DB {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  db.pragma('synchronous = NORMAL')
  const ran = migrate(db, readMigrations(migrationsDir))
  if (ran.length > 0) console.log(`[kiln] applied migrations: ${ran.join(', ')}`)
  return db
}

// Kept on globalThis so that the development server's module reloads reuse the one
// connection instead of opening another on every edit.
const holder = globalThis as typeof globalThis & { __kilnDb?: DB }

export function getDb(): DB {
  if (!holder.__kilnDb) {
    const config = getConfig()
    holder.__kilnDb = openDatabase(config.databasePath, config.migrationsDir)
  }
  return holder.__kilnDb
}

export function closeDb(): void {
  holder.__kilnDb?.close()
  holder.__kilnDb = undefined
}
