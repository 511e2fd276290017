/**
 * The migration runner: applies `prisma/migrations/<YYYYMMDDHHMMSS>_<name>/migration.sql`
 * in name order, each once and each in its own transaction, recording what ran in
 * `_kiln_migrations`. The folder layout is Prisma's, so the schema's history reads the
 * same way; the runner is ours because Prisma's CLI needs an engine download.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Database } from 'better-sqlite3'
import { errorMessage } from '../utils/error-message.ts'

const MIGRATION_NAME = /^\d{14}_[a-z0-9_]+$/

export interface Migration {
  name: string
  sql: string
}

export function readMigrations(dir: string): Migration[] {
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      if (!MIGRATION_NAME.test(entry.name)) {
        throw new Error(`Migration folder "${entry.name}" must be named <YYYYMMDDHHMMSS>_<name> (lowercase)`)
      }
      const file = path.join(dir, entry.name, 'migration.sql')
      if (!fs.existsSync(file)) throw new Error(`Migration "${entry.name}" has no migration.sql`)
      return { name: entry.name, sql: fs.readFileSync(file, 'utf8') }
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** Names of the migrations this database has not recorded, read without writing anything. */
export function pendingMigrations(db: Database, migrations: Migration[]): string[] {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_kiln_migrations'").get()
  if (!table) return migrations.map((migration) => migration.name)
  const applied = new Set(
    (db.prepare('SELECT name FROM _kiln_migrations').all() as { name: string }[]).map((row) => row.name),
  )
  return migrations.filter((migration) => !applied.has(migration.name)).map((migration) => migration.name)
}

/** Applies every migration not yet recorded; returns the names applied by this call. */
export function migrate(db: Database, migrations: Migration[]): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS _kiln_migrations (
    name TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL
  )`)
  const applied = new Set(
    (db.prepare('SELECT name FROM _kiln_migrations').all() as { name: string }[]).map((row) => row.name),
  )
  const record = db.prepare('INSERT INTO _kiln_migrations (name, applied_at) VALUES (?, ?)')
  const ran: string[] = []
  for (const migration of migrations) {
    if (applied.has(migration.name)) continue
    // IMMEDIATE takes the write lock up front, so two processes starting together apply
    // each migration once: the second waits (busy_timeout), then sees it recorded.
    const apply = db.transaction(() => {
      const already = db.prepare('SELECT 1 FROM _kiln_migrations WHERE name = ?').get(migration.name)
      if (already) return false
      db.exec(migration.sql)
      record.run(migration.name, new Date().toISOString())
      return true
    })
    try {
      if (apply.immediate()) ran.push(migration.name)
    } catch (error) {
      // The cause keeps SQLite's code: a damaged file is told apart from a wrong migration.
      throw new Error(`Migration ${migration.name} failed and was rolled back: ${errorMessage(error)}`, {
        cause: error,
      })
    }
  }
  return ran
}
