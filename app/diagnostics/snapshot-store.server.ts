/**
 * Kept heap snapshots: a snapshot an admin takes from /admin is written to DIAGNOSTICS_DIR
 * as `<id>.heapsnapshot`, so the server can summarize it, compare two of them, and share
 * one, instead of the admin needing a desktop's DevTools to read a download.
 *
 * Only the newest DIAGNOSTICS_KEEP files stay (a snapshot is tens of MB); the summary of
 * each sits beside it as `<id>.summary.json` and goes with it. The same guards as the
 * download apply (one diagnostic at a time, the memory headroom), and one more: the file
 * is written to `snapshot.partial` first and renamed only once whole, so a disk that fills
 * up midway leaves no half snapshot behind, only the error for the admin. The partial's
 * name is fixed because the lock allows one snapshot at a time (a download's snapshot is
 * written there too, and unlinked once open).
 *
 * An id is the UTC time it was taken plus a random suffix (`20261201T093015Z-a1b2c3`):
 * sortable, and the only names the routes accept, so a URL can never reach another file.
 */
import { log } from '../logging/logger.server.ts'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import v8 from 'node:v8'
import { getConfig } from '../config.server.ts'
import { errorMessage } from '../utils/error-message.ts'
import { busyMessage, tryAcquireDiagnostic } from './diagnostics-lock.server.ts'
import { checkSnapshotHeadroom } from './headroom.server.ts'

const ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/
const SNAPSHOT_SUFFIX = '.heapsnapshot'
const SUMMARY_SUFFIX = '.summary.json'
export const PARTIAL_NAME = 'snapshot.partial'

export interface KeptSnapshot {
  id: string
  /** ISO time the snapshot was taken (from its id). */
  takenAt: string
  bytes: number
  /** Whether its summary has been computed (and is cached beside it). */
  summarized: boolean
}

export function isSnapshotId(value: string): boolean {
  return ID.test(value)
}

export function snapshotsDir(): string {
  return getConfig().diagnosticsDir
}

export function snapshotFile(id: string): string {
  if (!isSnapshotId(id)) throw new Error(`not a snapshot id: ${id}`)
  return path.join(snapshotsDir(), id + SNAPSHOT_SUFFIX)
}

export function summaryFile(id: string): string {
  if (!isSnapshotId(id)) throw new Error(`not a snapshot id: ${id}`)
  return path.join(snapshotsDir(), id + SUMMARY_SUFFIX)
}

function newId(date = new Date()): string {
  const stamp = date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
  return `${stamp}-${randomBytes(3).toString('hex')}`
}

function takenAt(id: string): string {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z/.exec(id)!
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`
}

/** The kept snapshots, newest first. A missing folder is an empty list. */
export function listKeptSnapshots(): KeptSnapshot[] {
  let names: string[]
  try {
    names = fs.readdirSync(snapshotsDir())
  } catch {
    return []
  }
  const kept: KeptSnapshot[] = []
  for (const name of names) {
    if (!name.endsWith(SNAPSHOT_SUFFIX)) continue
    const id = name.slice(0, -SNAPSHOT_SUFFIX.length)
    if (!isSnapshotId(id)) continue
    try {
      const stat = fs.statSync(path.join(snapshotsDir(), name))
      kept.push({ id, takenAt: takenAt(id), bytes: stat.size, summarized: fs.existsSync(summaryFile(id)) })
    } catch {
      // deleted meanwhile
    }
  }
  return kept.sort((a, b) => (a.id < b.id ? 1 : -1))
}

export function findKeptSnapshot(id: string): KeptSnapshot | null {
  if (!isSnapshotId(id)) return null
  return listKeptSnapshots().find((snapshot) => snapshot.id === id) ?? null
}

/** Deletes every snapshot (and its summary) beyond the newest `keep`. */
export function pruneKeptSnapshots(keep = getConfig().diagnosticsKeep): string[] {
  const removed: string[] = []
  for (const old of listKeptSnapshots().slice(keep)) {
    fs.rmSync(snapshotFile(old.id), { force: true })
    fs.rmSync(summaryFile(old.id), { force: true })
    removed.push(old.id)
  }
  return removed
}

/**
 * Writes a heap snapshot of this process to `file`, straight from V8's graph of the heap:
 * the JSON never sits in memory. v8.getHeapSnapshot() serializes the whole snapshot into its
 * stream's buffer at once on the first read, whatever reads it, so its peak held the graph
 * and the full JSON together (tens of MB more: see docs/performance.md). Synchronous, as
 * both are. Throws the write's own error (ENOSPC for a full disk).
 */
export function writeHeapSnapshotFile(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  v8.writeHeapSnapshot(file)
}

/** Removes a partial snapshot file; a folder that cannot be written holds none, and is no error here. */
export function removePartial(file: string): void {
  try {
    fs.rmSync(file, { force: true })
  } catch {
    // ENOTDIR, EACCES: nothing was left there either
  }
}

export type KeepResult =
  | { ok: true; snapshot: KeptSnapshot; removed: string[] }
  | { ok: false; status: 409 | 503 | 507 | 500; message: string }

/**
 * Takes a heap snapshot of this process and keeps it on disk. Refused (409) while another
 * diagnostic runs and (503) when the memory headroom is too small; a write that fails
 * (507 for a full disk) removes the partial file and says why. `whileLocked` runs once the
 * snapshot is kept, before the lock is released (the caller's next step, its summary).
 */
export async function keepHeapSnapshot(
  userEmail: string,
  { whileLocked }: { whileLocked?: (snapshot: KeptSnapshot) => Promise<unknown> } = {},
): Promise<KeepResult> {
  const release = tryAcquireDiagnostic('heapsnapshot', userEmail)
  if (!release) return { ok: false, status: 409, message: busyMessage() }
  const dir = snapshotsDir()
  const partial = path.join(dir, PARTIAL_NAME)
  try {
    const headroom = checkSnapshotHeadroom()
    if (!headroom.ok) {
      log.warn(`kept heap snapshot for ${userEmail} refused: ${headroom.message}`)
      return { ok: false, status: 503, message: headroom.message }
    }
    const id = newId()
    const start = performance.now()
    try {
      writeHeapSnapshotFile(partial)
      fs.renameSync(partial, snapshotFile(id))
    } catch (error) {
      removePartial(partial)
      const code = (error as NodeJS.ErrnoException).code
      const full = code === 'ENOSPC' || code === 'EDQUOT'
      const message =
        (full
          ? `The disk is full: the heap snapshot could not be kept in ${dir}`
          : `The heap snapshot could not be written to ${dir}`) +
        ` (${errorMessage(error)}). The partial file was removed; nothing else changed.`
      log.error(`kept heap snapshot for ${userEmail} failed: ${message}`)
      return { ok: false, status: full ? 507 : 500, message }
    }
    const removed = pruneKeptSnapshots()
    const snapshot = findKeptSnapshot(id)
    if (!snapshot) return { ok: false, status: 500, message: 'The heap snapshot was written but is gone.' }
    log.info(
      `kept heap snapshot ${id} for ${userEmail}: ${snapshot.bytes} bytes in ` +
        `${Math.round(performance.now() - start)} ms${removed.length ? `, removed ${removed.join(', ')}` : ''}`,
    )
    // Writing the file is synchronous, so without this the lock would be free again before
    // the server read a second request sent at the same moment (a double click): that one
    // would take a second snapshot right after the first instead of getting 409.
    await whileLocked?.(snapshot)
    return { ok: true, snapshot, removed }
  } finally {
    release()
  }
}
