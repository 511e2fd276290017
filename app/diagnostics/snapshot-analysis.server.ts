/**
 * Summaries and comparisons of kept heap snapshots, computed off the main thread.
 *
 * A summary is computed once per snapshot, in the heap-summary worker (workers/heap-summary.ts,
 * one thread at most, ended when idle) with a V8 heap limit (DIAGNOSTICS_ANALYSIS_MAX_MB),
 * reading the file as a stream: the server's own heap never holds the snapshot. The result
 * (tens of KB) is cached beside the snapshot as `<id>.summary.json`, so later visits and
 * comparisons read only that.
 *
 * Like taking a snapshot, summarizing one is refused with a clear message when the memory
 * free is short of what it is expected to need: the parsed node and edge arrays live
 * outside the V8 heap (typed arrays), about the file's size again, plus the strings and
 * working arrays (measured: see docs/performance.md), so the estimate is twice the file
 * plus a fixed part. A file that is not a snapshot, or is cut short, gets its error on its
 * page and is not retried by anyone but the admin.
 */
import { log } from '../logging/logger.server.ts'
import fs from 'node:fs'
import { getConfig } from '../config.server.ts'
import { SingleFlight } from '../utils/single-flight.ts'
import { errorMessage } from '../utils/error-message.ts'
import { isOutOfMemory, isTimeout, WorkerPool } from '../worker-pool.server.ts'
import type { HeapSummaryResult, HeapSummaryTask } from '../../workers/heap-summary.ts'
import { diffHeapSummaries, SUMMARY_VERSION, type HeapDiff, type HeapSummary } from './heap-summary.ts'
import { formatBytes, freeMemory } from './headroom.server.ts'
import { findKeptSnapshot, snapshotFile, summaryFile, type KeptSnapshot } from './snapshot-store.server.ts'

/** A summary takes well under a minute for Kiln's snapshots; this only guards against a hang. */
const ANALYSIS_TIMEOUT_MS = 5 * 60_000
/** Memory a summary needs per byte of the file, beyond the fixed part (typed arrays + strings + work). */
export const ANALYSIS_BYTES_PER_FILE_BYTE = 2
export const ANALYSIS_FIXED_BYTES = 48 * 1024 * 1024

export type SummaryOutcome =
  | { ok: true; snapshot: KeptSnapshot; summary: HeapSummary; cached: boolean }
  | { ok: false; status: 404 | 422 | 500 | 503 | 504; message: string; snapshot: KeptSnapshot | null }

let pool: WorkerPool<HeapSummaryTask, HeapSummaryResult> | undefined
const running = new SingleFlight<SummaryOutcome>()
const counters = { computed: 0, cacheHits: 0, refused: 0, failed: 0 }

function summaryPool(): WorkerPool<HeapSummaryTask, HeapSummaryResult> {
  pool ??= new WorkerPool<HeapSummaryTask, HeapSummaryResult>('heap-summary', 'heap-summary.worker.mjs', {
    maxThreads: 1,
    idleMs: 1000,
    resourceLimits: { maxOldGenerationSizeMb: getConfig().diagnosticsAnalysisMaxMb },
  })
  return pool
}

export function summaryStats() {
  return { ...counters, pool: pool?.stats() ?? null }
}

export function analysisNeeds(fileBytes: number): number {
  return Math.ceil(fileBytes * ANALYSIS_BYTES_PER_FILE_BYTE + ANALYSIS_FIXED_BYTES)
}

function readCachedSummary(id: string): HeapSummary | null {
  try {
    const summary = JSON.parse(fs.readFileSync(summaryFile(id), 'utf8')) as HeapSummary
    return summary.version === SUMMARY_VERSION ? summary : null
  } catch {
    return null
  }
}

function writeCachedSummary(id: string, summary: HeapSummary): void {
  const file = summaryFile(id)
  const partial = `${file}.partial`
  try {
    fs.writeFileSync(partial, JSON.stringify(summary))
    fs.renameSync(partial, file)
  } catch (error) {
    // Not cached: it is computed again next time, nothing else is lost.
    fs.rmSync(partial, { force: true })
    log.error(`could not cache the summary of snapshot ${id}: ${errorMessage(error)}`)
  }
}

/** The summary of kept snapshot `id`: from its cache, or computed now (once, however many ask). */
export async function snapshotSummary(id: string): Promise<SummaryOutcome> {
  const snapshot = findKeptSnapshot(id)
  if (!snapshot) return { ok: false, status: 404, message: 'There is no kept snapshot with this id.', snapshot: null }
  const cached = readCachedSummary(id)
  if (cached) {
    counters.cacheHits++
    return { ok: true, snapshot, summary: cached, cached: true }
  }
  return running.run(id, () => computeSummary(snapshot))
}

async function computeSummary(snapshot: KeptSnapshot): Promise<SummaryOutcome> {
  const needed = analysisNeeds(snapshot.bytes)
  const free = freeMemory()
  if (free.availableBytes < needed) {
    counters.refused++
    const message =
      `Not enough memory to summarize this snapshot: it needs about ${formatBytes(needed)} ` +
      `(for a ${formatBytes(snapshot.bytes)} file), but only ${formatBytes(free.availableBytes)} ` +
      `is free ${free.where}. ` +
      `It was not started; download the snapshot and open it in DevTools instead, or try again when memory is free.`
    log.warn(`summary of snapshot ${snapshot.id} refused: ${message}`)
    return { ok: false, status: 503, message, snapshot }
  }
  const start = performance.now()
  try {
    const result = await summaryPool().run({ file: snapshotFile(snapshot.id) }, { timeoutMs: ANALYSIS_TIMEOUT_MS })
    if (!result.ok) {
      counters.failed++
      return { ok: false, status: 422, message: `This snapshot cannot be read. ${result.message}`, snapshot }
    }
    counters.computed++
    writeCachedSummary(snapshot.id, result.summary)
    log.info(
      `summarized snapshot ${snapshot.id} (${formatBytes(snapshot.bytes)}) in ` +
        `${Math.round(performance.now() - start)} ms`,
    )
    return { ok: true, snapshot: { ...snapshot, summarized: true }, summary: result.summary, cached: false }
  } catch (error) {
    counters.failed++
    if (isOutOfMemory(error)) {
      const limit = getConfig().diagnosticsAnalysisMaxMb
      return {
        ok: false,
        status: 503,
        message:
          `Summarizing this snapshot needed more than the ${limit} MB its worker may use ` +
          `(DIAGNOSTICS_ANALYSIS_MAX_MB); the server is unaffected. Download it and open it in DevTools instead.`,
        snapshot,
      }
    }
    if (isTimeout(error)) {
      return { ok: false, status: 504, message: 'Summarizing this snapshot took too long and was stopped.', snapshot }
    }
    return { ok: false, status: 500, message: `Summarizing this snapshot failed: ${errorMessage(error)}`, snapshot }
  }
}

export type DiffOutcome =
  | { ok: true; before: KeptSnapshot; after: KeptSnapshot; diff: HeapDiff }
  | { ok: false; status: number; message: string }

/** What grew from kept snapshot `beforeId` to `afterId`, from their summaries (computed if need be). */
export async function snapshotDiff(beforeId: string, afterId: string): Promise<DiffOutcome> {
  if (beforeId === afterId) return { ok: false, status: 400, message: 'Pick two different snapshots to compare.' }
  const before = await snapshotSummary(beforeId)
  if (!before.ok) return { ok: false, status: before.status, message: `${beforeId}: ${before.message}` }
  const after = await snapshotSummary(afterId)
  if (!after.ok) return { ok: false, status: after.status, message: `${afterId}: ${after.message}` }
  return {
    ok: true,
    before: before.snapshot,
    after: after.snapshot,
    diff: diffHeapSummaries(before.summary, after.summary),
  }
}

export async function stopSummaryPool(): Promise<void> {
  await pool?.destroy()
}
