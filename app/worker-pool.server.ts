/**
 * Worker pools for heavy, leak-prone jobs. Each pool is tinypool with `minThreads: 0`:
 * threads start on demand and end after `idleMs` without work (tinypool's idleTimeout is
 * in milliseconds), so whatever a job allocated leaves with its thread. Each worker is
 * TypeScript in workers/, started through its `<name>.worker.mjs` loader. Jobs wait for a
 * free thread and are counted as in every pool (job-pool.server.ts).
 */
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker, type ResourceLimits } from 'node:worker_threads'
import Tinypool from 'tinypool'
import { getConfig, projectRoot } from './config.server.ts'
import { JobPool } from './job-pool.server.ts'
import { log } from './logging/logger.server.ts'

/**
 * The file a thread starts from. In production, the bundle `npm run build` made of the
 * worker (build/kiln/workers/<name>.mjs: plain JavaScript, no TypeScript loader in the
 * thread); otherwise its `<name>.worker.mjs` shim, which registers tsx first.
 */
export function workerEntry(shim: string): string {
  const bundled = path.join(projectRoot, 'build', 'kiln', 'workers', shim.replace(/\.worker\.mjs$/, '.mjs'))
  if (getConfig().isProduction && fs.existsSync(bundled)) return bundled
  return path.join(projectRoot, 'workers', shim)
}

/**
 * Young generation (MB) of every pool thread unless its pool says otherwise. V8 sizes a
 * thread's young generation like the main thread's (up to 3 x 16 MB semi-spaces on 64-bit),
 * and memory a thread touched stays with the server's allocator after the thread ends (Node
 * 24): a small young generation costs a few more scavenges and keeps that high-water mark
 * low. docs/performance.md, memory section.
 */
export const POOL_THREAD_YOUNG_GENERATION_MB = 4

/**
 * Longest heapBytes() waits for one thread's answer: an idle or busy thread answers within
 * milliseconds; this bounds a scrape of /metrics (Prometheus waits 10 s by default) when a
 * thread is stuck outside JavaScript, and leaves room for a loaded machine.
 */
const HEAP_READ_TIMEOUT_MS = 5_000

export class WorkerPool<Task, Result> extends JobPool {
  private pool: Tinypool | undefined

  constructor(
    name: string,
    private readonly workerFile: string,
    private readonly options: {
      maxThreads: number
      idleMs: number
      env?: Record<string, string>
      resourceLimits?: ResourceLimits
      /** 'child_process': each worker is a process (its native memory goes back to the system when it ends). */
      runtime?: 'worker_threads' | 'child_process'
    },
  ) {
    super(name, { maxWorkers: options.maxThreads, idleMs: options.idleMs })
  }

  protected liveWorkers(): number {
    return this.pool?.threads.length ?? 0
  }

  private get tinypool(): Tinypool {
    if (this.pool) return this.pool
    this.pool = new Tinypool({
      filename: pathToFileURL(workerEntry(this.workerFile)).href,
      name: 'default',
      minThreads: 0,
      maxThreads: this.options.maxThreads,
      idleTimeout: this.options.idleMs,
      env: { ...(process.env as Record<string, string>), ...this.options.env },
      // A job that needs more heap than this ends its thread with ERR_WORKER_OUT_OF_MEMORY
      // (see isOutOfMemory) instead of growing the whole process.
      resourceLimits: { maxYoungGenerationSizeMb: POOL_THREAD_YOUNG_GENERATION_MB, ...this.options.resourceLimits },
      runtime: this.options.runtime,
    })
    // A thread that dies outside a job (it cannot load, or exits while idle) is reported
    // here; unhandled, tinypool's 'error' event would end the whole server.
    this.pool.on('error', (error: Error) => {
      this.countFailure()
      log.error(`${this.name} worker error: ${error.message}`)
    })
    return this.pool
  }

  /**
   * Runs one job once a thread is free; past timeoutMs the job's thread is ended and the
   * pool starts a fresh one for the next.
   */
  run(task: Task, { timeoutMs, transferList }: { timeoutMs: number; transferList?: Transferable[] }): Promise<Result> {
    return this.admit(
      async () =>
        (await this.tinypool.run(task, {
          signal: AbortSignal.timeout(timeoutMs),
          transferList: transferList as never,
        })) as Result,
    )
  }

  /**
   * Each live thread's heap as V8 reports it (Worker.getHeapStatistics: answered by the
   * thread between two steps of its JavaScript, so a busy thread answers too). A thread that
   * ends meanwhile, or does not answer within HEAP_READ_TIMEOUT_MS (stuck in native code),
   * counts as none: a scrape of /metrics never waits long on a thread.
   */
  override async heapBytes(): Promise<number | null> {
    if (this.options.runtime === 'child_process') return null
    // tinypool's worker wrapper keeps its Worker as `thread` (not in its types): checked with
    // instanceof, so a tinypool that changes it reads as no thread, never as an error.
    const threads = (this.pool?.threads ?? [])
      .map((worker) => (worker as { thread?: unknown }).thread)
      .filter((thread): thread is Worker => thread instanceof Worker)
    const sizes = await Promise.all(
      threads.map(async (thread) => {
        let timer: NodeJS.Timeout | undefined
        try {
          return await Promise.race([
            thread.getHeapStatistics().then((stats) => stats.total_heap_size),
            new Promise<number>((resolve) => (timer = setTimeout(resolve, HEAP_READ_TIMEOUT_MS, 0))),
          ])
        } catch {
          return 0
        } finally {
          clearTimeout(timer)
        }
      }),
    )
    return sizes.reduce((sum, size) => sum + size, 0)
  }

  async destroy(): Promise<void> {
    const pool = this.pool
    this.pool = undefined
    await pool?.destroy()
  }
}

/** True when an error from run() means the job ran out of time. */
export function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string })?.name
  return name === 'TimeoutError' || name === 'AbortError'
}

/** True when an error from run() means the job's thread went past its heap limit (resourceLimits). */
export function isOutOfMemory(error: unknown): boolean {
  return (error as { code?: string })?.code === 'ERR_WORKER_OUT_OF_MEMORY'
}
