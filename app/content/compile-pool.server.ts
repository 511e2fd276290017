/**
 * Compiling in the compile pool (workers/compile.ts), off the main thread: readers of
 * already-compiled pages keep getting answers while a whole blog compiles. The worker
 * asks for code blocks to be highlighted through a MessagePort; this side answers from
 * the highlight pool.
 */
import { MessageChannel } from 'node:worker_threads'
import { getConfig } from '../config.server.ts'
import { WorkerPool, isOutOfMemory, isTimeout } from '../worker-pool.server.ts'
import type { CompileTask, CompileTaskResult } from '../../workers/compile.ts'
import { errorMessage } from '../utils/error-message.ts'
import { CompileError } from './compile/compile-error.ts'
import type { CompileInput, CompiledEntry } from './compile/compiled-entry.ts'
import { highlightInPool, type HighlightTask } from './highlight.server.ts'

let pool: WorkerPool<CompileTask, CompileTaskResult> | undefined

export function getCompilePool(): WorkerPool<CompileTask, CompileTaskResult> {
  if (!pool) {
    const config = getConfig()
    pool = new WorkerPool('compile', 'compile.worker.mjs', {
      maxThreads: config.compileMaxThreads,
      idleMs: config.compileIdleMs,
      // A post whose compile needs gigabytes (an enormous expression, a runaway plugin)
      // fails as "ran out of memory" and its thread ends; the server does not grow.
      resourceLimits: { maxOldGenerationSizeMb: config.compileMaxOldGenerationMb },
    })
  }
  return pool
}

/**
 * Compiles one entry on a thread of the compile pool; throws a CompileError, transient when the compile did
 * not finish (it timed out, ran out of memory, or its thread died): such a failure is
 * recorded and retried after a back-off (content.server.ts), not on every request.
 */
export async function compileInPool(input: Omit<CompileInput, 'highlight'>): Promise<CompiledEntry> {
  const { port1, port2 } = new MessageChannel()
  port1.on('message', ({ id, task }: { id: number; task: HighlightTask }) => {
    void highlightInPool(task).then((answer) => port1.postMessage({ id, answer }))
  })
  const { compileTimeoutMs, compileMaxOldGenerationMb } = getConfig()
  try {
    const result = await getCompilePool().run(
      { input, port: port2 },
      { timeoutMs: compileTimeoutMs, transferList: [port2] },
    )
    if (result.ok) return result.compiled
    const { message, file, line, column } = result.error
    throw new CompileError(message, file, line, column)
  } catch (error) {
    if (error instanceof CompileError) throw error
    const reason = isTimeout(error)
      ? `compiling took longer than ${compileTimeoutMs} ms`
      : isOutOfMemory(error)
        ? `compiling ran out of memory (a compile thread may use ` +
          `${compileMaxOldGenerationMb} MB: COMPILE_MAX_OLD_GENERATION_MB)`
        : `the compile worker failed: ${errorMessage(error)}`
    throw new CompileError(reason, input.entryPath, undefined, undefined, true)
  } finally {
    port1.close()
  }
}

export async function destroyCompilePool(): Promise<void> {
  await pool?.destroy()
  pool = undefined
}
