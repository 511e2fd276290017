/**
 * Backups of the database, and putting one back.
 *
 * The database is not only a cache of the content: admins, their sessions and known devices,
 * view counts, refresh history, webhook deliveries and quarantined renders live nowhere else.
 * So the primary copies it every BACKUP_INTERVAL_HOURS into BACKUP_DIR (keeping BACKUP_KEEP),
 * `npm run db:backup` copies it on demand, an admin downloads the newest from /admin, and
 * `npm run db:restore` puts one back.
 *
 * Consistency while the server writes: the scheduled backup uses SQLite's online backup API on
 * the server's own connection (better-sqlite3's `db.backup()`, a few pages per event-loop turn,
 * so serving goes on; writes by this connection are carried into the copy as they happen). The
 * command, another process, uses `VACUUM INTO`: one read transaction, which WAL lets run beside
 * the writer, so the copy is the database as of one commit and never restarts.
 *
 * A restore writes the backup into the live file through SQLite (the backup API the other
 * way), not by renaming files: the -wal and -shm files stay coherent, and under LiteFS the
 * restore is one ordinary write transaction on the primary, which replicas then follow. It
 * refuses while another connection has the database open (a running server), unless forced.
 */
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import Database from 'better-sqlite3'
import { getConfig } from '../config.server.ts'
import { instanceRole } from '../replication/instance.server.ts'
import { errorMessage } from '../utils/error-message.ts'
import { getDb, type DB } from './connection.server.ts'
import { log } from '../logging/logger.server.ts'

/** `kiln-<UTC time>.db`: names sort by time, and nothing else in BACKUP_DIR is ever pruned. */
const BACKUP_NAME = /^kiln-\d{8}T\d{6}Z\.db$/

export class BackupError extends Error {}

export interface BackupFile {
  name: string
  path: string
  bytes: number
  createdAt: string
}

export function backupName(date = new Date()): string {
  return `kiln-${date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}.db`
}

/** The backups in `dir`, newest first. */
export function listBackups(dir = getConfig().backupDir): BackupFile[] {
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return []
  }
  return names
    .filter((name) => BACKUP_NAME.test(name))
    .sort()
    .reverse()
    .flatMap((name) => {
      const file = path.join(dir, name)
      try {
        const stat = fs.statSync(file)
        return [{ name, path: file, bytes: stat.size, createdAt: stat.mtime.toISOString() }]
      } catch {
        return []
      }
    })
}

/** Throws a BackupError unless `file` is a sound SQLite database with Kiln's schema. */
export function checkBackupFile(file: string): { migrations: number } {
  if (!fs.existsSync(file)) throw new BackupError(`${file} does not exist`)
  let db: DB | undefined
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
    const result = db.pragma('integrity_check', { simple: true })
    if (result !== 'ok') throw new BackupError(`${file} fails PRAGMA integrity_check: ${String(result)}`)
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_kiln_migrations'").get()
    if (!table) throw new BackupError(`${file} is a SQLite database, but not Kiln's (no _kiln_migrations table)`)
    const { n } = db.prepare('SELECT COUNT(*) AS n FROM _kiln_migrations').get() as { n: number }
    return { migrations: n }
  } catch (error) {
    if (error instanceof BackupError) throw error
    throw new BackupError(`${file} is not a readable SQLite database: ${errorMessage(error)}`)
  } finally {
    db?.close()
  }
}

/** Writes into `<to>.partial` and renames it into place, so a file under the final name is always whole. */
function intoPlace(to: string, write: (partial: string) => void | Promise<unknown>): Promise<void> | void {
  fs.mkdirSync(path.dirname(to), { recursive: true })
  const partial = `${to}.partial`
  fs.rmSync(partial, { force: true })
  const finish = () => {
    const fd = fs.openSync(partial, 'r')
    try {
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(partial, to)
  }
  const fail = (error: unknown) => {
    fs.rmSync(partial, { force: true })
    throw error
  }
  try {
    const written = write(partial)
    if (written instanceof Promise) return written.then(finish, fail)
    finish()
  } catch (error) {
    fail(error)
  }
}

/**
 * `npm run db:backup`: a consistent copy of the database at `from` into `to`, from a separate
 * process (VACUUM INTO: one read transaction beside the server's writes).
 */
export function backupDatabaseFile(from: string, to: string): void {
  if (fs.existsSync(to)) throw new BackupError(`${to} already exists; name a new file`)
  const db = new Database(from, { readonly: true, fileMustExist: true })
  try {
    db.pragma('busy_timeout = 5000')
    intoPlace(to, (partial) => {
      db.prepare('VACUUM INTO ?').run(partial)
    })
  } finally {
    db.close()
  }
}

/** A copy of the server's open database into `to` with the online backup API, serving on meanwhile. */
export async function backupOpenDatabase(db: DB, to: string): Promise<void> {
  await intoPlace(to, (partial) => db.backup(partial))
}

/** Removes all but the newest `keep` backups in `dir`; returns the names removed. */
export function pruneBackups(dir: string, keep: number): string[] {
  const removed: string[] = []
  for (const old of listBackups(dir).slice(keep)) {
    fs.rmSync(old.path, { force: true })
    removed.push(old.name)
  }
  return removed
}

/** True when a connection other than ours has the database at `file` open (a running server). */
export function databaseInUse(file: string): boolean {
  if (!fs.existsSync(file)) return false
  const db = new Database(file, { fileMustExist: true })
  try {
    db.pragma('busy_timeout = 0')
    // Leaving WAL needs every other connection gone: SQLite refuses it (SQLITE_BUSY) while
    // another one holds the WAL index, which an open connection does until it closes.
    db.pragma('journal_mode = DELETE')
    return false
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return true
    throw error
  } finally {
    db.close()
  }
}

/**
 * `npm run db:restore`: checks `backup`, then writes it into the database at `target` in one
 * transaction. Refuses while a server holds `target`, unless `force`.
 */
export async function restoreDatabase(
  backup: string,
  target: string,
  { force = false } = {},
): Promise<{ migrations: number; inUse: boolean }> {
  const { migrations } = checkBackupFile(backup)
  if (path.resolve(backup) === path.resolve(target)) throw new BackupError('the backup is the database itself')
  const inUse = databaseInUse(target)
  if (inUse && !force) {
    throw new BackupError(
      `${target} is open in another process (a running Kiln server?): stop it first, ` +
        'or pass --force to write the backup into the live database',
    )
  }
  fs.mkdirSync(path.dirname(target), { recursive: true })
  const source = new Database(backup, { readonly: true, fileMustExist: true })
  try {
    await source.backup(target)
  } finally {
    source.close()
  }
  const restored = new Database(target, { fileMustExist: true })
  try {
    restored.pragma('busy_timeout = 5000')
    restored.pragma('journal_mode = WAL')
    const result = restored.pragma('integrity_check', { simple: true })
    if (result !== 'ok') throw new BackupError(`the restored ${target} fails integrity_check: ${String(result)}`)
  } finally {
    restored.close()
  }
  return { migrations, inUse }
}

const stats = { made: 0, failed: 0, lastError: null as string | null }

/** Scheduled backups since start, for /admin. */
export function backupStats() {
  return { ...stats }
}

/** One scheduled backup: into BACKUP_DIR under a new name, then the oldest beyond BACKUP_KEEP removed. */
export async function makeScheduledBackup(): Promise<BackupFile> {
  const { backupDir, backupKeep } = getConfig()
  const to = path.join(backupDir, backupName())
  await backupOpenDatabase(getDb(), to)
  pruneBackups(backupDir, backupKeep)
  const stat = fs.statSync(to)
  return { name: path.basename(to), path: to, bytes: stat.size, createdAt: stat.mtime.toISOString() }
}

let timer: NodeJS.Timeout | undefined
let running: Promise<void> | undefined

/**
 * Starts the schedule: a backup now when the newest is older than the interval (or there is
 * none), then one every interval. Every instance keeps the timer; only the one that is the
 * primary at that moment backs up (a replica's copy would be the same data, and under LiteFS
 * a replica's role can change while it runs). BACKUP_INTERVAL_HOURS=0 turns it off.
 */
export function startScheduledBackups(): void {
  const { backupIntervalHours, backupDir } = getConfig()
  if (backupIntervalHours === 0 || timer) return
  const intervalMs = backupIntervalHours * 3_600_000
  const tick = () => {
    if (running || !instanceRole().isPrimary) return
    running = makeScheduledBackup()
      .then((file) => {
        stats.made++
        log.info(`backed up the database to ${file.path} (${file.bytes} bytes)`)
      })
      .catch((error: unknown) => {
        stats.failed++
        stats.lastError = errorMessage(error)
        log.warn(`could not back up the database into ${backupDir}: ${errorMessage(error)}`)
      })
      .finally(() => (running = undefined))
  }
  const newest = listBackups(backupDir)[0]
  const age = newest ? Date.now() - Date.parse(newest.createdAt) : Infinity
  const first = Math.max(0, Math.min(intervalMs, intervalMs - age))
  timer = setTimeout(function again() {
    tick()
    timer = setTimeout(again, intervalMs)
    timer.unref()
  }, first)
  timer.unref()
}

/** Stops the schedule and waits for a backup in progress (shutdown). */
export async function stopScheduledBackups(): Promise<void> {
  clearTimeout(timer)
  timer = undefined
  await running
}

/** What /admin shows of the backups: the schedule, the kept files, and the outcomes since start. */
export function backupStatus() {
  const { backupDir, backupIntervalHours, backupKeep } = getConfig()
  return {
    dir: backupDir,
    intervalHours: backupIntervalHours,
    keep: backupKeep,
    primary: instanceRole().isPrimary,
    backups: listBackups(backupDir).map(({ name, bytes, createdAt }) => ({ name, bytes, createdAt })),
    ...backupStats(),
  }
}

export type BackupStatus = ReturnType<typeof backupStatus>

/**
 * The newest backup as a download, streamed from an open descriptor (pruning it meanwhile
 * cannot cut the download short); 404 when there is none yet.
 */
export function newestBackupResponse(): Response {
  const newest = listBackups()[0]
  if (!newest) {
    return new Response('No backup yet: the primary makes one at start-up and every BACKUP_INTERVAL_HOURS.', {
      status: 404,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
    })
  }
  const fd = fs.openSync(newest.path, 'r')
  const { size } = fs.fstatSync(fd)
  const stream = fs.createReadStream('', { fd })
  return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, {
    headers: {
      'Content-Type': 'application/vnd.sqlite3',
      'Content-Length': String(size),
      'Content-Disposition': `attachment; filename="${newest.name}"`,
      'Cache-Control': 'private, no-store, no-transform',
      'X-Content-Type-Options': 'nosniff',
    },
  })
}
