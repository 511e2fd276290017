/**
 * Compiling off the main thread: readers of already-compiled pages keep getting answers
 * while a whole blog compiles. The compile (workers/compile.ts) asks for code blocks to be
 * highlighted; this side answers from the highlight pool.
 *
 * By default (COMPILE_RUNTIME=thread) a compile runs on a tinypool thread of the server.
 * COMPILE_RUNTIME=process runs it in a child process that ends when idle
 * (app/process-pool.server.ts): memory a worker thread freed stays in the server's
 * allocator after the thread ends, and a process gives it all back when it exits. Measured
 * on the react.dev blog (`npm run bench:memory -- --compare`, docs/performance.md), once
 * pool threads had small young generations the process was no better: its own Node and a
 * long-lived esbuild service cost more at the peak than the thread left behind.
 */
import { MessageChannel } from 'node:worker_threads'
import { getConfig } from '../config.server.ts'
import { ProcessPool } from '../process-pool.server.ts'
import type { PoolStats } from '../job-pool.server.ts'
import { WorkerPool, isOutOfMemory, isTimeout, workerEntry } from '../worker-pool.server.ts'
import type { CompileProcessTask, CompileTask, CompileTaskResult } from '../../workers/compile.ts'
import { errorMessage } from '../utils/error-message.ts'
import { CompileError } from './compile/compile-error.ts'
import type { CompileInput, CompiledEntry } from './compile/compiled-entry.ts'
import { highlightInPool, type HighlightTask } from './highlight.server.ts'

type Input = Omit<CompileInput, 'highlight'>

/** Either runtime, as the rest of the server sees it. */
export interface CompilePool {
  compile(input: Input, timeoutMs: number): Promise<CompileTaskResult>
  stats(): PoolStats
  /** The V8 heap of its live threads; null with processes (JobPool.heapBytes). */
  heapBytes(): Promise<number | null>
  destroy(): Promise<void>
}

function threadPool(): CompilePool {
  const config = getConfig()
  const pool = new WorkerPool<CompileTask, CompileTaskResult>('compile', 'compile.worker.mjs', {
    maxThreads: config.compileMaxThreads,
    idleMs: config.compileIdleMs,
    // A post whose compile needs gigabytes (an enormous expression, a runaway plugin)
    // fails as "ran out of memory" and its thread ends; the server does not grow.
    resourceLimits: { maxOldGenerationSizeMb: config.compileMaxOldGenerationMb },
  })
  return {
    async compile(input, timeoutMs) {
      const { port1, port2 } = new MessageChannel()
      port1.on('message', ({ id, task }: { id: number; task: HighlightTask }) => {
        void highlightInPool(task).then((answer) => port1.postMessage({ id, answer }))
      })
      try {
        return await pool.run({ input, port: port2 }, { timeoutMs, transferList: [port2] })
      } finally {
        port1.close()
      }
    },
    stats: () => pool.stats(),
    heapBytes: () => pool.heapBytes(),
    destroy: () => pool.destroy(),
  }
}

function processPool(): CompilePool {
  const config = getConfig()
  const pool = new ProcessPool<CompileProcessTask, CompileTaskResult>(
    'compile',
    () => workerEntry('compile.worker.mjs'),
    {
      maxProcesses: config.compileMaxThreads,
      idleMs: config.compileIdleMs,
      execArgv: [
        // A post whose compile needs gigabytes fails as "ran out of memory" and its process
        // ends; the server does not grow.
        `--max-old-space-size=${config.compileMaxOldGenerationMb}`,
        `--max-semi-space-size=${config.compileMaxSemiSpaceMb}`,
      ],
    },
  )
  return {
    compile: (input, timeoutMs) =>
      pool.run(
        { input },
        {
          timeoutMs,
          onMessage: (body, reply) => {
            const { id, task } = body as { id: number; task: HighlightTask }
            void highlightInPool(task).then((answer) => reply({ id, answer }))
          },
        },
      ),
    stats: () => pool.stats(),
    heapBytes: () => pool.heapBytes(),
    destroy: () => pool.destroy(),
  }
}

let pool: CompilePool | undefined

export function getCompilePool(): CompilePool {
  pool ??= getConfig().compileRuntime === 'thread' ? threadPool() : processPool()
  return pool
}

/**
 * Compiles one entry in the compile pool; throws a CompileError, transient when the compile did
 * not finish (it timed out, ran out of memory, or its thread or process died): such a failure is
 * recorded and retried after a back-off (content.server.ts), not on every request.
 */
export async function compileInPool(input: Input): Promise<CompiledEntry> {
  const { compileTimeoutMs, compileMaxOldGenerationMb } = getConfig()
  try {
    const result = await getCompilePool().compile(input, compileTimeoutMs)
    if (result.ok) return result.compiled
    const { message, file, line, column } = result.error
    throw new CompileError(message, file, line, column)
  } catch (error) {
    if (error instanceof CompileError) throw error
    const reason = isTimeout(error)
      ? `compiling took longer than ${compileTimeoutMs} ms`
      : isOutOfMemory(error)
        ? `compiling ran out of memory (a compile may use ` +
          `${compileMaxOldGenerationMb} MB: COMPILE_MAX_OLD_GENERATION_MB)`
        : `the compile worker failed: ${errorMessage(error)}`
    throw new CompileError(reason, input.entryPath, undefined, undefined, true)
  }
}

export async function destroyCompilePool(): Promise<void> {
  await pool?.destroy()
  pool = undefined
}
