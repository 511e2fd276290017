/**
 * Containing a post whose component hangs or crawls at render.
 *
 * A post's MDX compiles to code that runs on the main thread when its page or a feed is
 * rendered. A loop there froze every page, /healthcheck and SIGTERM, and after a restart
 * the feed rendered the same post and froze the next process. Two designs were measured
 * (other/bench-render-containment.ts): rendering each post in a worker thread with a time
 * limit costs a structured-clone round trip and a second React per thread on every render,
 * and needs the page to hydrate a subtree whose markup another renderer made. This one
 * costs two writes to shared memory per render:
 *
 * - the main thread bumps a heartbeat counter every HEARTBEAT_MS, and MdxContent writes the
 *   key of the post it renders into shared memory (cleared when it is done, and by the next
 *   heartbeat, since a heartbeat means no render is running);
 * - a watchdog thread (workers/render-watchdog.mjs) sees the heartbeat stop for
 *   RENDER_TIMEOUT_MS while a post renders, records the post's version in
 *   render_quarantine, logs the file and kills the process; the supervisor
 *   (server/supervisor.pl, what `npm start` becomes) starts a new one. The thread runs
 *   only while posts render: it starts with a render and ends RENDER_WATCHDOG_IDLE_MS
 *   after the last one (see Watchdog below);
 * - every place that renders a post asks `isQuarantined` first: the page answers with an
 *   error page, the feeds show the post by its description. A new source hash (an edit) or
 *   compiler version is a new version and renders again.
 *
 * A post that is slow by design (hundreds of ms) renders once per version and is then
 * served from the page cache.
 */
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { getConfig, projectRoot } from '../config.server.ts'
import type { DB } from '../db/connection.server.ts'
import { COMPILER_VERSION } from './compiler-version.ts'
import { setRenderProbe } from './mdx-component.tsx'
import { log } from '../logging/logger.server.ts'
import { errorMessage } from '../utils/error-message.ts'

const HEARTBEAT_MS = 100
const KEY_BYTES = 1008

/**
 * The thread is a whole Node environment: about 17 MB of the server's RSS (10 MB of its own
 * memory, the rest pages of Node's binary), for a process that is otherwise 120 MB at start
 * (docs/performance.md, memory). It is needed only while posts render, so it starts with the
 * first render and ends after `renderWatchdogIdleMs` without one, with the heartbeat. A new
 * thread reads the shared memory when it is up: a render that was already stuck when it
 * started is caught RENDER_TIMEOUT_MS later, as any other. Starting one costs the main thread
 * about 1 ms (the thread boots on its own), once per burst of renders.
 */
interface Watchdog {
  state: Int32Array
  shared: SharedArrayBuffer
  worker: Worker | null
  heartbeat: NodeJS.Timeout | null
  lastRenderAt: number
}

const holder = globalThis as typeof globalThis & { __kilnRenderWatchdog?: Watchdog }

function startThread(watchdog: Watchdog): void {
  const config = getConfig()
  const worker = new Worker(path.join(projectRoot, 'workers', 'render-watchdog.mjs'), {
    // The OS thread's name: seen in /proc/<pid>/task/*/comm, top -H and the tests.
    name: 'kiln-watchdog',
    workerData: {
      shared: watchdog.shared,
      databasePath: config.databasePath,
      renderTimeoutMs: config.renderTimeoutMs,
      compilerVersion: COMPILER_VERSION,
      // Started by the supervisor (server/supervisor.pl): an IPC channel to it.
      supervised: process.send !== undefined,
    },
    // A few MB is all it needs; it must never be the thing that grows.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
  })
  worker.unref()
  worker.on('error', (error) => log.error(`render watchdog failed: ${error.message}; posts render unguarded`))
  // Ended on its own (it failed): the heartbeat goes with it, and the next render starts a new one.
  worker.once('exit', () => {
    if (watchdog.worker === worker) void stopThread(watchdog)
  })
  watchdog.worker = worker
  const idleMs = config.renderWatchdogIdleMs
  watchdog.heartbeat = setInterval(() => {
    Atomics.add(watchdog.state, 0, 1)
    // The event loop turned, so no component is rendering now.
    Atomics.store(watchdog.state, 1, 0)
    if (Date.now() - watchdog.lastRenderAt >= idleMs) void stopThread(watchdog)
  }, HEARTBEAT_MS)
  watchdog.heartbeat.unref()
}

function stopThread(watchdog: Watchdog): Promise<unknown> {
  if (watchdog.heartbeat) clearInterval(watchdog.heartbeat)
  watchdog.heartbeat = null
  const worker = watchdog.worker
  watchdog.worker = null
  return worker ? worker.terminate() : Promise.resolve()
}

/** Hooks MdxContent's renders to the watchdog, whose thread starts with the first render. */
export function startRenderWatchdog(): void {
  if (holder.__kilnRenderWatchdog) return
  const shared = new SharedArrayBuffer(16 + KEY_BYTES)
  const watchdog: Watchdog = {
    state: new Int32Array(shared, 0, 4),
    shared,
    worker: null,
    heartbeat: null,
    lastRenderAt: 0,
  }
  const keyBytes = new Uint8Array(shared, 16)
  const encoder = new TextEncoder()
  setRenderProbe({
    begin(key) {
      watchdog.lastRenderAt = Date.now()
      const { written } = encoder.encodeInto(key, keyBytes)
      Atomics.store(watchdog.state, 1, written)
      if (watchdog.worker) return
      try {
        startThread(watchdog)
      } catch (error) {
        // This render goes on unguarded (the next one tries again), rather than failing the page.
        log.error(`render watchdog could not start: ${errorMessage(error)}; posts render unguarded`)
      }
    },
    end() {
      Atomics.store(watchdog.state, 1, 0)
    },
  })
  holder.__kilnRenderWatchdog = watchdog
}

export async function stopRenderWatchdog(): Promise<void> {
  const watchdog = holder.__kilnRenderWatchdog
  if (!watchdog) return
  holder.__kilnRenderWatchdog = undefined
  setRenderProbe(null)
  await stopThread(watchdog)
}

export interface QuarantinedEntry {
  kind: string
  slug: string
  path: string | null
  reason: string
  quarantinedAt: string
}

/** True when this version of the entry stopped a render: it is not rendered again. */
export function isQuarantined(db: DB, kind: string, slug: string, sourceHash: string): boolean {
  try {
    return (
      db
        .prepare(
          'SELECT 1 FROM render_quarantine WHERE kind = ? AND slug = ? AND source_hash = ? AND compiler_version = ?',
        )
        .get(kind, slug, sourceHash, COMPILER_VERSION) !== undefined
    )
  } catch {
    // A replica whose schema has not replicated yet: nothing can have been quarantined.
    return false
  }
}

/** The entries whose current version is quarantined (an older version's record is history). */
export function listQuarantined(db: DB, limit = 50): QuarantinedEntry[] {
  let rows
  try {
    rows = readQuarantined(db, limit)
  } catch {
    // A replica whose schema has not replicated yet has no table to read.
    return []
  }
  return rows.map((row) => ({
    kind: row.kind,
    slug: row.slug,
    path: row.path,
    reason: row.reason,
    quarantinedAt: row.quarantined_at,
  }))
}

function readQuarantined(db: DB, limit: number) {
  return db
    .prepare(
      `SELECT q.kind, q.slug, e.path, q.reason, q.quarantined_at FROM render_quarantine q
       JOIN content_entries e ON e.kind = q.kind AND e.slug = q.slug AND e.source_hash = q.source_hash
       WHERE q.compiler_version = ? ORDER BY q.quarantined_at DESC LIMIT ?`,
    )
    .all(COMPILER_VERSION, limit) as {
    kind: string
    slug: string
    path: string
    reason: string
    quarantined_at: string
  }[]
}

/** At start-up: names every quarantined post in the log, so an operator sees why it is down. */
export function logQuarantined(db: DB): void {
  for (const entry of listQuarantined(db, 1000)) {
    log.warn(
      { file: entry.path ?? entry.slug },
      `${entry.path ?? entry.slug}: quarantined (${entry.reason}); ` +
        `it is served as an error page until its source changes`,
    )
  }
}
