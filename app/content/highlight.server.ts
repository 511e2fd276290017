/**
 * Highlighting code blocks, from the main thread's side: the shiki work happens in the
 * highlight pool's worker (workers/highlight.ts); this module only sends blocks there and
 * turns every way a job can go wrong (unknown language, a throw, a crash, a timeout) into
 * an answer the compiler can use: the block falls back to plain text, the post compiles.
 */
import { getConfig } from '../config.server.ts'
import { errorMessage } from '../utils/error-message.ts'
import { WorkerPool, isTimeout } from '../worker-pool.server.ts'
import type { HighlightOutcome, HighlightTask } from '../../workers/highlight.ts'

export type { HighlightTask }

/** What the compiler gets back for one block: never a thrown error. */
export type HighlightAnswer =
  HighlightOutcome | { ok: false; reason: 'failed' | 'timeout'; lang: string; message: string }

export type Highlight = (task: HighlightTask) => Promise<HighlightAnswer>

let pool: WorkerPool<HighlightTask, HighlightOutcome> | undefined

export function getHighlightPool(): WorkerPool<HighlightTask, HighlightOutcome> {
  if (!pool) {
    const config = getConfig()
    pool = new WorkerPool('highlight', 'highlight.worker.mjs', {
      maxThreads: config.highlightMaxThreads,
      idleMs: config.highlightIdleMs,
      env: { HIGHLIGHT_ENGINE: config.highlightEngine },
      resourceLimits: { maxOldGenerationSizeMb: config.highlightMaxOldGenerationMb },
    })
  }
  return pool
}

/** Highlights one block on a thread of the highlight pool; never throws. */
export async function highlightInPool(task: HighlightTask): Promise<HighlightAnswer> {
  const { highlightTimeoutMs } = getConfig()
  try {
    return await getHighlightPool().run(task, { timeoutMs: highlightTimeoutMs })
  } catch (error) {
    if (isTimeout(error))
      return { ok: false, reason: 'timeout', lang: task.lang, message: `took longer than ${highlightTimeoutMs} ms` }
    return { ok: false, reason: 'failed', lang: task.lang, message: errorMessage(error) }
  }
}

export async function destroyHighlightPool(): Promise<void> {
  await pool?.destroy()
  pool = undefined
}
