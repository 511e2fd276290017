/**
 * The heap-summary worker: reads one kept .heapsnapshot file as a stream and returns its
 * summary (app/diagnostics/heap-summary.ts). It runs in a thread with a heap limit
 * (DIAGNOSTICS_ANALYSIS_MAX_MB), so a snapshot too large to summarize fails this thread
 * with an out-of-memory error instead of growing the server; the thread ends when idle.
 */
import fs from 'node:fs'
import { parseHeapSnapshot, SnapshotFormatError } from '../app/diagnostics/heap-snapshot-parser.ts'
import { summarizeHeapSnapshot, type HeapSummary } from '../app/diagnostics/heap-summary.ts'

export interface HeapSummaryTask {
  file: string
}

export type HeapSummaryResult = { ok: true; summary: HeapSummary } | { ok: false; message: string }

export default async function run({ file }: HeapSummaryTask): Promise<HeapSummaryResult> {
  try {
    const parsed = await parseHeapSnapshot(fs.createReadStream(file, { highWaterMark: 1024 * 1024 }))
    return { ok: true, summary: summarizeHeapSnapshot(parsed) }
  } catch (error) {
    // A file that is not a snapshot is the admin's to read about, not a failure of the thread.
    if (error instanceof SnapshotFormatError || (error instanceof Error && /damaged/.test(error.message)))
      return { ok: false, message: error.message }
    throw error
  }
}
