/**
 * Content refreshes: bring the content to its newest version and compile what changed.
 *
 *   with CONTENT_GIT_URL:  fetch the branch, `git diff --name-status` from the last
 *                          refreshed commit, move the clone's work tree to the new commit
 *   always:                sync the content index (one transaction), then compile every
 *                          added or changed post, reporting each one's result
 *
 * Refreshes run one at a time. While one runs, the next request is queued, and any
 * further requests join that queued one (they would all do the same work): a burst of
 * webhooks costs at most two refreshes. Each refresh is a row in SQLite, so its status
 * can be asked for by id; only the newest ones are kept.
 */
import crypto from 'node:crypto'
import { getConfig } from '../config.server.ts'
import { getDb } from '../db/connection.server.ts'
import { getEntry, type SyncResult } from './content-index.server.ts'
import { isFailure } from './compile-entry.server.ts'
import { contentLayout } from './content-layout.server.ts'
import { syncContent } from './content.server.ts'
import { getLastRefreshedCommit, setLastRefreshedCommit } from './kiln-state.server.ts'
import { compileAndStoreOnPrimary } from './primary-compile.server.ts'
import { asWriteFailure, logWriteFailure } from '../db/write-errors.server.ts'
import {
  changedFiles,
  checkout,
  ensureClone,
  fetchBranch,
  GitError,
  headCommit,
  isAncestor,
  repairClone,
  type ChangedFile,
  type GitSource,
} from './git-content.server.ts'
import { pausePoint } from './pause-points.server.ts'
import { formatPlace } from './place.ts'
import type { EntryKind } from './source.server.ts'
import { errorMessage } from '../utils/error-message.ts'
import { log } from '../logging/logger.server.ts'

export type RefreshTrigger = 'webhook' | 'watch' | 'startup'
/** `interrupted`: left queued or running by a crash, noticed at the next start (stored as failed + interrupted_at). */
export type RefreshStatus = 'queued' | 'running' | 'done' | 'failed' | 'interrupted'

export interface RefreshPostResult {
  slug: string
  kind: EntryKind
  result: 'added' | 'updated' | 'deleted' | 'failed'
  error?: string
}

export interface Refresh {
  id: string
  status: RefreshStatus
  trigger: RefreshTrigger
  requestedAt: string
  startedAt: string | null
  finishedAt: string | null
  fromCommit: string | null
  commit: string | null
  posts: RefreshPostResult[]
  error: string | null
  interruptedAt: string | null
}

interface RefreshRow {
  id: string
  status: RefreshStatus
  trigger: RefreshTrigger
  requested_at: string
  started_at: string | null
  finished_at: string | null
  from_commit: string | null
  commit_sha: string | null
  posts: string
  error: string | null
  interrupted_at: string | null
}

/** Refresh records kept; older ones are deleted as new ones arrive. */
const KEEP_REFRESHES = 100

/**
 * Ends of refreshes the database refused to record (a full or read-only disk): the status
 * read answers them from here, and the next refresh writes them. Bounded: one entry per
 * refresh, and refreshes run one at a time.
 */
const unrecorded = new Map<string, Partial<Omit<RefreshRow, 'id'>>>()
const MAX_UNRECORDED = 20

function toRefresh(stored: RefreshRow): Refresh {
  const row = { ...stored, ...unrecorded.get(stored.id) }
  return {
    id: row.id,
    status: row.interrupted_at ? 'interrupted' : row.status,
    trigger: row.trigger,
    requestedAt: row.requested_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    fromCommit: row.from_commit,
    commit: row.commit_sha,
    posts: JSON.parse(row.posts) as RefreshPostResult[],
    error: row.error,
    interruptedAt: row.interrupted_at,
  }
}

export function getRefresh(id: string): Refresh | null {
  const row = getDb().prepare('SELECT * FROM content_refreshes WHERE id = ?').get(id) as RefreshRow | undefined
  return row ? toRefresh(row) : null
}

export function listRefreshes(limit = 20): Refresh[] {
  return (
    getDb().prepare('SELECT * FROM content_refreshes ORDER BY requested_at DESC LIMIT ?').all(limit) as RefreshRow[]
  ).map(toRefresh)
}

/** Refreshes a stop or crash cut short, newest first (shown on /admin). */
export function listInterruptedRefreshes(limit = 3): Refresh[] {
  return (
    getDb()
      .prepare('SELECT * FROM content_refreshes WHERE interrupted_at IS NOT NULL ORDER BY interrupted_at DESC LIMIT ?')
      .all(limit) as RefreshRow[]
  ).map(toRefresh)
}

function update(id: string, fields: Partial<Omit<RefreshRow, 'id'>>): void {
  const names = Object.keys(fields)
  if (names.length === 0) return
  getDb()
    .prepare(`UPDATE content_refreshes SET ${names.map((name) => `${name} = @${name}`).join(', ')} WHERE id = @id`)
    .run({ ...fields, id })
}

let queued: string | null = null
let running: Promise<void> | null = null
/** Ends of refreshes, for tests and scripts that wait. */
const waiters = new Map<string, (() => void)[]>()

/**
 * Asks for a refresh; returns the record of the refresh that will do the work: a new
 * one, or the one already queued.
 */
export function requestRefresh(trigger: RefreshTrigger): Refresh {
  if (queued) {
    const existing = getRefresh(queued)
    if (existing) return existing
  }
  const id = crypto.randomUUID()
  const db = getDb()
  // One transaction: a full or read-only disk throws here (the webhook answers 503) and
  // leaves neither the record nor the pruning half done.
  db.transaction(() => {
    db.prepare(`INSERT INTO content_refreshes (id, status, trigger, requested_at) VALUES (?, 'queued', ?, ?)`).run(
      id,
      trigger,
      new Date().toISOString(),
    )
    db.prepare(
      `DELETE FROM content_refreshes WHERE id NOT IN (SELECT id FROM ` +
        `content_refreshes ORDER BY requested_at DESC LIMIT ?)`,
    ).run(KEEP_REFRESHES)
  }).immediate()
  queued = id
  void drain()
  return getRefresh(id)!
}

async function drain(): Promise<void> {
  if (running) return
  while (queued) {
    const id = queued
    queued = null
    // runRefresh records its own failures; what escapes it (the database refusing even
    // that record) is logged here so that it never becomes an unhandled rejection.
    running = runRefresh(id).catch((error: unknown) => {
      log.error(`refresh ${id.slice(0, 8)} could not be recorded: ${errorMessage(error)}`)
    })
    await running
    running = null
    for (const resolve of waiters.get(id) ?? []) resolve()
    waiters.delete(id)
  }
}

/** Resolves when the refresh has finished (done or failed). */
export function whenFinished(id: string): Promise<void> {
  const current = getRefresh(id)
  if (!current || current.status === 'done' || current.status === 'failed' || current.status === 'interrupted')
    return Promise.resolve()
  return new Promise((resolve) => waiters.set(id, [...(waiters.get(id) ?? []), resolve]))
}

/**
 * For shutdown and for an instance that stops being the primary: a queued refresh is
 * dropped (marked failed: the next primary catches up at its start), a running one gets
 * up to `timeoutMs` to finish.
 */
export async function whenRefreshesSettled(timeoutMs: number): Promise<void> {
  if (queued) {
    const id = queued
    queued = null
    try {
      update(id, {
        status: 'failed',
        finished_at: new Date().toISOString(),
        error: 'the server stopped before this refresh ran',
      })
    } catch {
      // the database may already be unwritable (no longer the primary): nothing to record
    }
    for (const resolve of waiters.get(id) ?? []) resolve()
    waiters.delete(id)
  }
  if (!running) return
  let timer: NodeJS.Timeout | undefined
  await Promise.race([running, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))])
  clearTimeout(timer)
}

/** True when a refresh is running or waiting. */
export function refreshPending(): boolean {
  return running !== null || queued !== null
}

/**
 * Marks refreshes left queued or running by a process that is gone (a crash, kill -9, a
 * write that could not record the end) as interrupted; `keep` are this process's own.
 * Returns the ids marked. Run at start-up and at the start of every refresh.
 */
export function markInterruptedRefreshes(keep: string[], note: string): string[] {
  const db = getDb()
  const live = keep.filter(Boolean)
  const now = new Date().toISOString()
  return db
    .transaction(() => {
      const ids = (
        db
          .prepare(
            `SELECT id FROM content_refreshes WHERE status IN ('queued', 'running') AND ` +
              `interrupted_at IS NULL AND id NOT IN (${live.map(() => '?').join(', ')})`,
          )
          .all(...live) as { id: string }[]
      ).map((row) => row.id)
      const mark = db.prepare(
        `UPDATE content_refreshes SET status = 'failed', interrupted_at = ?, ` +
          `finished_at = COALESCE(finished_at, ?), error = ? WHERE id = ?`,
      )
      for (const id of ids) mark.run(now, now, note, id)
      return ids
    })
    .immediate()
}

/**
 * At start-up: refreshes a crash cut short are marked interrupted and a catch-up refresh
 * is queued (with a content repository one is queued at every start anyway); the
 * interrupted records name it. Returns the catch-up refresh, or null when none was needed.
 */
export function recoverInterruptedRefreshes(alwaysCatchUp: boolean): Refresh | null {
  let interrupted: string[] = []
  try {
    interrupted = markInterruptedRefreshes([queued ?? '', runningId ?? ''], 'the server stopped during this refresh')
  } catch (error) {
    log.error(`could not mark interrupted refreshes: ${errorMessage(error)}`)
  }
  if (interrupted.length === 0 && !alwaysCatchUp) return null
  const catchUp = requestRefresh('startup')
  if (interrupted.length > 0) {
    log.warn(
      `${interrupted.length} refresh(es) interrupted by a stop or crash ` +
        `(${interrupted.map((id) => id.slice(0, 8)).join(', ')}); refresh ${catchUp.id.slice(0, 8)} ` +
        `catches up`,
    )
    const note = `the server stopped during this refresh; refresh ${catchUp.id} caught up at the next start`
    for (const id of interrupted) update(id, { error: note })
  }
  return catchUp
}

let runningId: string | null = null
/** The first refresh of this process checks the clone thoroughly (a crash may have left it broken). */
let cloneChecked = false

function gitSource(): GitSource {
  const config = getConfig()
  return { url: config.contentGitUrl!, branch: config.contentGitBranch, cloneDir: config.contentGitCloneDir }
}

async function repairAndLog(source: GitSource, why: string): Promise<string | null> {
  const repaired = await repairClone(source)
  if (repaired) log.warn(`content clone ${why}: ${repaired}`)
  return repaired
}

/**
 * Moves Kiln's clone to the branch's newest commit; returns the commits and what changed.
 * A failure that came from the clone's own state (a stale lock, a broken HEAD or missing
 * objects) is repaired and the move tried once more; any other failure (the remote is
 * unreachable) is reported as it is.
 */
async function moveClone(): Promise<{ from: string | null; to: string; files: ChangedFile[] }> {
  const source = gitSource()
  if (!cloneChecked) {
    await repairAndLog(source, 'at start-up')
    cloneChecked = true
  }
  try {
    return await moveCloneOnce(source)
  } catch (error) {
    if (!(error instanceof GitError)) throw error
    const repaired = await repairAndLog(source, `after "${error.message.split('\n')[0]}"`)
    if (!repaired) throw error
    return await moveCloneOnce(source)
  }
}

async function moveCloneOnce(source: GitSource): Promise<{ from: string | null; to: string; files: ChangedFile[] }> {
  await ensureClone(source)
  const head = await headCommit(source.cloneDir)
  const target = await fetchBranch(source)
  await pausePoint('after-fetch')
  // Diff from the last refreshed commit when it is still known, so a refresh after
  // downtime covers every commit missed; otherwise from what the work tree holds.
  const recorded = getLastRefreshedCommit(getDb())
  const from = recorded && (await isAncestor(source.cloneDir, recorded, target)) ? recorded : head
  const files = from === target ? [] : await changedFiles(source.cloneDir, from, target)
  // Always, even when HEAD is already there: a crash between git's steps can leave HEAD
  // moved and the work tree not (or untracked files behind); reset + clean make them agree.
  await checkout(source.cloneDir, target)
  return { from, to: target, files }
}

async function runRefresh(id: string): Promise<void> {
  const config = getConfig()
  runningId = id
  try {
    await runRefreshRecorded(id, config)
  } finally {
    runningId = null
  }
}

/** Writes the ends kept in memory while the disk refused them; stops at the first refusal. */
function writeUnrecorded(): void {
  for (const [id, fields] of unrecorded) {
    update(id, fields)
    unrecorded.delete(id)
  }
}

/** Records a refresh's end; when the disk refuses, keeps it in memory for the status read and the next refresh. */
function recordEnd(id: string, fields: Partial<Omit<RefreshRow, 'id'>>): void {
  try {
    update(id, fields)
  } catch (error) {
    const failure = asWriteFailure(error)
    if (!failure) throw error
    logWriteFailure(`refresh ${id.slice(0, 8)}`, failure, error)
    if (unrecorded.size >= MAX_UNRECORDED) unrecorded.delete(unrecorded.keys().next().value!)
    unrecorded.set(id, fields)
  }
}

async function runRefreshRecorded(id: string, config: ReturnType<typeof getConfig>): Promise<void> {
  try {
    writeUnrecorded()
    // Only one refresh runs in this process: any other row still queued or running was
    // left by a crash (the ends this process could not write are in `unrecorded`).
    markInterruptedRefreshes(
      [id, queued ?? '', ...unrecorded.keys()],
      'this refresh never finished (the server stopped)',
    )
    update(id, { status: 'running', started_at: new Date().toISOString() })
  } catch (error) {
    const failure = asWriteFailure(error, 'start this refresh')
    if (!failure) throw error
    log.error(`refresh ${id.slice(0, 8)} failed: ${failure.message}`)
    recordEnd(id, { status: 'failed', finished_at: new Date().toISOString(), error: failure.message })
    return
  }
  await pausePoint('refresh-started')
  try {
    let commit: string | null = null
    const confirmedDeletions = new Set<string>()
    if (config.contentGitUrl) {
      const moved = await moveClone()
      commit = moved.to
      update(id, { from_commit: moved.from, commit_sha: moved.to })
      const { folders } = contentLayout(config.contentDir, config.contentLayout)
      const relevant = moved.files.filter((file) => isContentPath(file.path, config.contentGitPath, folders))
      // Files the commits deleted: the sync honours their deletion even when it empties a
      // folder, which it would otherwise take for a vanished folder.
      const prefix = config.contentGitPath === '.' ? '' : `${config.contentGitPath.replace(/\/$/, '')}/`
      for (const file of relevant) if (file.status === 'D') confirmedDeletions.add(file.path.slice(prefix.length))
      if (moved.files.length > 0) {
        log.info(
          `refresh ${id.slice(0, 8)}: ${moved.files.length} files changed ` +
            `(${relevant.length} under ${folders.post}/ or ${folders.page}/) up to ${moved.to.slice(0, 12)}`,
        )
      }
    }

    // The index moves to the new version in one transaction; the sync finds the changed
    // entries itself (by stamps and hashes), sibling files included.
    const synced: SyncResult = syncContent({ confirmedDeletions })
    if (commit) setLastRefreshedCommit(getDb(), commit)
    await pausePoint('after-sync')

    const posts: RefreshPostResult[] = synced.deleted.map(({ kind, slug }) => ({
      kind,
      slug,
      result: 'deleted' as const,
    }))
    const db = getDb()
    for (const [changed, result] of [
      [synced.added, 'added'],
      [synced.updated, 'updated'],
    ] as const) {
      for (const { kind, slug } of changed) {
        const entry = getEntry(db, kind, slug)
        if (!entry) continue
        if (entry.frontmatterError) {
          posts.push({ kind, slug, result: 'failed', error: `${entry.path}: ${entry.frontmatterError}` })
          continue
        }
        const outcome = await compileAndStoreOnPrimary(entry)
        if (isFailure(outcome)) {
          const where = formatPlace(outcome.file, outcome.line, outcome.column)
          posts.push({ kind, slug, result: 'failed', error: `${where}: ${outcome.message}` })
        } else {
          posts.push({ kind, slug, result })
        }
      }
    }
    recordEnd(id, { status: 'done', finished_at: new Date().toISOString(), posts: JSON.stringify(posts) })
    if (posts.length > 0) {
      const failed = posts.filter((post) => post.result === 'failed').length
      log.info(`refresh ${id.slice(0, 8)} done: ${posts.length} posts changed${failed ? `, ${failed} failed` : ''}`)
    }
  } catch (error) {
    // The site keeps serving what it had: the index and the store are untouched by a
    // refresh that failed before its sync.
    const failure = asWriteFailure(error, 'finish this refresh')
    const message = failure ? failure.message : errorMessage(error)
    log.error(`refresh ${id.slice(0, 8)} failed: ${message}`)
    // On a full or read-only disk this write fails too: the end is kept in memory.
    recordEnd(id, { status: 'failed', finished_at: new Date().toISOString(), error: message })
  }
}

/**
 * Only files under <CONTENT_GIT_PATH>/blog or /pages (or the folders CONTENT_LAYOUT names)
 * are content; the rest of the repository is not read.
 */
function isContentPath(file: string, contentPath: string, folders: Record<EntryKind, string>): boolean {
  const prefix = contentPath === '.' ? '' : `${contentPath.replace(/\/$/, '')}/`
  if (!file.startsWith(prefix) || file.split('/').includes('..')) return false
  const rest = file.slice(prefix.length)
  return rest.startsWith(`${folders.post}/`) || rest.startsWith(`${folders.page}/`)
}
