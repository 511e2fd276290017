/**
 * Everything the admin dashboard shows, gathered in one place: memory (the sampler's ring
 * plus a reading taken now), event-loop delay, the process, the worker pools, the
 * component cache, the content and the diagnostics downloads.
 */
import fs from 'node:fs'
import { formatPlace } from '../content/place.ts'
import path from 'node:path'
import v8 from 'node:v8'
import { getConfig, projectRoot } from '../config.server.ts'
import { readInstanceRole } from '../replication/instance.server.ts'
import { getCompilePool } from '../content/compile-pool.server.ts'
import { countEntries } from '../content/content-index.server.ts'
import { getContentProblem } from '../content/content.server.ts'
import { getHighlightPool } from '../content/highlight.server.ts'
import { getImagePool, imageStats } from '../images/image-pool.server.ts'
import { componentCacheStats } from '../content/mdx-component.tsx'
import { replicaCompileStats } from '../content/replica-compile.server.ts'
import { unstoredCompilesStats } from '../content/unstored-compiles.server.ts'
import { isDoingBackgroundWork } from '../content/background-work.server.ts'
import { catchUpProgress } from '../content/catch-up-compiles.server.ts'
import { pageCacheStats } from '../http/page-cache.server.ts'
import { listInterruptedRefreshes, listRefreshes } from '../content/refresh.server.ts'
import { listQuarantined } from '../content/render-guard.server.ts'
import { getDb } from '../db/connection.server.ts'
import { listDownloads } from './downloads.server.ts'
import { memoryHistoryNow } from './memory-history.server.ts'
import { MEMORY_SERIES, eventLoopDelay, memoryHistory, type MemorySeries } from './memory-sampler.server.ts'

let kilnVersion: string | undefined

function readKilnVersion(): string {
  if (kilnVersion === undefined) {
    try {
      kilnVersion = String(
        JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')).version ?? 'unknown',
      )
    } catch {
      kilnVersion = 'unknown'
    }
  }
  return kilnVersion
}

export interface InstanceFacts {
  role: 'primary' | 'replica'
  /** False when LiteFS is not set up (no LITEFS_DIR): a single instance, its own primary. */
  litefs: boolean
  hostname: string
  primary: string
}

/** Primary or replica, read now from LITEFS_DIR/.primary (without LiteFS: the only instance, so the primary). */
async function instanceFacts(): Promise<InstanceFacts> {
  const role = readInstanceRole()
  return {
    role: role.isPrimary ? 'primary' : 'replica',
    litefs: getConfig().litefsEnabled,
    hostname: role.currentInstance,
    primary: role.primaryInstance ?? `unknown (${role.isPrimary ? '' : role.problem})`,
  }
}

/** A figure in MB with two decimals: enough for a chart, and a third of the bytes' JSON. */
const toMB = (bytes: number) => Math.round((bytes / 1048576) * 100) / 100

interface CompileFailureRow {
  kind: string
  slug: string
  message: string
  file: string | null
  line: number | null
  column: number | null
  failed_at: string
}

interface WarningRow {
  kind: string
  slug: string
  warnings: string
}

const LIST_LIMIT = 20

function contentFacts() {
  const db = getDb()
  const counts = countEntries(db)
  const failures = db
    .prepare(
      'SELECT kind, slug, message, file, line, column, failed_at FROM compile_failures ORDER BY failed_at DESC LIMIT ?',
    )
    .all(LIST_LIMIT) as CompileFailureRow[]
  const failureCount = (db.prepare('SELECT COUNT(*) AS n FROM compile_failures').get() as { n: number }).n
  // Only the version being served now: an older stored version's warnings are history.
  const warningsQuery = `FROM compiled_entries c JOIN content_entries e
      ON e.kind = c.kind AND e.slug = c.slug AND e.source_hash = c.source_hash
    WHERE c.warnings != '[]'`
  const warningRows = db
    .prepare(`SELECT c.kind, c.slug, c.warnings ${warningsQuery} ORDER BY c.slug LIMIT ?`)
    .all(LIST_LIMIT) as WarningRow[]
  const warningCount = (db.prepare(`SELECT COUNT(*) AS n ${warningsQuery}`).get() as { n: number }).n
  const [lastRefresh] = listRefreshes(1)
  return {
    counts,
    problem: getContentProblem(),
    lastRefresh: lastRefresh
      ? {
          status: lastRefresh.status,
          trigger: lastRefresh.trigger,
          requestedAt: lastRefresh.requestedAt,
          finishedAt: lastRefresh.finishedAt,
          commit: lastRefresh.commit,
          changed: lastRefresh.posts.length,
          failed: lastRefresh.posts.filter((post) => post.result === 'failed').length,
          error: lastRefresh.error,
        }
      : null,
    interruptedRefreshes: listInterruptedRefreshes().map((refresh) => ({
      id: refresh.id,
      trigger: refresh.trigger,
      requestedAt: refresh.requestedAt,
      interruptedAt: refresh.interruptedAt!,
      error: refresh.error,
    })),
    failureCount,
    failures: failures.map((row) => ({
      kind: row.kind,
      slug: row.slug,
      message: row.message,
      where: row.file ? formatPlace(row.file, row.line, row.column) : null,
      failedAt: row.failed_at,
    })),
    /** Posts whose current version blocked a render (render-guard.server.ts). */
    quarantined: listQuarantined(db, LIST_LIMIT),
    warningCount,
    /** The background catch-up after a deploy with a new compiler (catch-up-compiles.server.ts). */
    catchUp: catchUpProgress(),
    /** Compiles the database refused to store, kept in memory meanwhile. */
    unstored: unstoredCompilesStats(),
    /** Stored compiles served for now but redone later (a highlight job failed while they were made). */
    provisionalCount: (
      db.prepare('SELECT COUNT(*) AS n FROM compiled_entries WHERE provisional = 1').get() as { n: number }
    ).n,
    warnings: warningRows.map((row) => {
      const warnings = JSON.parse(row.warnings) as { message: string }[]
      return { kind: row.kind, slug: row.slug, count: warnings.length, first: warnings[0]?.message ?? '' }
    }),
  }
}

/** At most this many points go to the page: older windows are merged, keeping each group's floor and peak. */
const DAYS_POINTS = 400

function memoryDays(now: number) {
  const { windows, trend } = memoryHistoryNow(now)
  const group = Math.max(1, Math.ceil(windows.length / DAYS_POINTS))
  const agesS: number[] = []
  const heapAfterGc: number[] = []
  const rss: number[] = []
  for (let i = 0; i < windows.length; i += group) {
    const part = windows.slice(i, i + group)
    agesS.push(Math.max(0, Math.round((now - part[part.length - 1].at) / 1000)))
    heapAfterGc.push(toMB(Math.min(...part.map((w) => w.heapMin))))
    rss.push(toMB(Math.max(...part.map((w) => w.rssMax))))
  }
  return {
    agesS,
    seriesMB: { heapAfterGc, rss },
    windows: windows.length,
    since: windows[0] ? new Date(windows[0].at).toISOString() : null,
    trend,
  }
}

export async function dashboardData() {
  const now = Date.now()
  const usage = process.memoryUsage()
  const history = memoryHistory()
  const p99s = history.delayP99Ms.filter((value): value is number => value !== null)
  return {
    now,
    memory: {
      intervalMs: history.intervalMs,
      capacity: history.capacity,
      /** The ring, oldest first, then a reading taken now: seconds before `now`, and MB per series. */
      agesS: [...history.times.map((time) => Math.max(0, Math.round((now - time) / 1000))), 0],
      seriesMB: Object.fromEntries(
        MEMORY_SERIES.map((name) => [name, [...history.series[name].map(toMB), toMB(usage[name])]]),
      ) as Record<MemorySeries, number[]>,
      /** Bytes, read now. */
      current: Object.fromEntries(MEMORY_SERIES.map((name) => [name, usage[name]])) as Record<MemorySeries, number>,
      heapLimit: v8.getHeapStatistics().heap_size_limit,
      samples: history.times.length,
    },
    /** Memory over days (kept across restarts): one point per 5-minute window, and the leak trend. */
    memoryDays: memoryDays(now),
    eventLoop: { ...eventLoopDelay(), p99MaxMs: p99s.length > 0 ? Math.max(...p99s) : null },
    process: {
      pid: process.pid,
      uptimeS: process.uptime(),
      node: process.version,
      kiln: readKilnVersion(),
      instance: await instanceFacts(),
      background: isDoingBackgroundWork(),
      replicaCompiles: replicaCompileStats(),
    },
    /** Each pool's figures, with the V8 heap of its live threads (null for a pool of processes). */
    pools: await Promise.all(
      [getHighlightPool(), getCompilePool(), getImagePool()].map(async (pool) => ({
        ...pool.stats(),
        heapBytes: await pool.heapBytes(),
      })),
    ),
    cache: componentCacheStats(),
    images: imageStats(),
    pageCache: pageCacheStats(),
    content: contentFacts(),
    downloads: listDownloads(LIST_LIMIT),
  }
}

export type DashboardData = Awaited<ReturnType<typeof dashboardData>>
