/**
 * Worker pools for heavy, leak-prone jobs. Each pool is tinypool with `minThreads: 0`:
 * threads start on demand and end after `idleMs` without work (tinypool's idleTimeout is
 * in milliseconds), so whatever a job allocated leaves with its thread. Each worker is
 * TypeScript in workers/, started through its `<name>.worker.mjs` loader. Each pool
 * counts its jobs.
 */
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ResourceLimits } from 'node:worker_threads'
import Tinypool from 'tinypool'
import { getConfig, projectRoot } from './config.server.ts'
import { log } from './logging/logger.server.ts'

export interface PoolStats {
  name: string
  threads: number
  maxThreads: number
  idleMs: number
  queued: number
  jobs: number
  failures: number
  lastJobAt: string | null
  lastJobMs: number | null
}

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

export class WorkerPool<Task, Result> {
  private pool: Tinypool | undefined
  private counters = { jobs: 0, failures: 0, lastJobAt: null as string | null, lastJobMs: null as number | null }
  /** Jobs running on a thread now, and jobs waiting for one (in arrival order). */
  private running = 0
  private waiting: (() => void)[] = []

  constructor(
    readonly name: string,
    private readonly workerFile: string,
    private readonly options: {
      maxThreads: number
      idleMs: number
      env?: Record<string, string>
      resourceLimits?: ResourceLimits
      /** 'child_process': each worker is a process (its native memory goes back to the system when it ends). */
      runtime?: 'worker_threads' | 'child_process'
    },
  ) {}

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
      this.counters.failures++
      log.error(`${this.name} worker error: ${error.message}`)
    })
    return this.pool
  }

  /**
   * Runs one job; past timeoutMs the job's thread is ended and the pool starts a fresh one
   * for the next. Jobs wait here, not in tinypool's queue, until a thread is free: the
   * timeout then measures the job's own run, never its wait behind others.
   */
  async run(
    task: Task,
    { timeoutMs, transferList }: { timeoutMs: number; transferList?: Transferable[] },
  ): Promise<Result> {
    if (this.running >= this.options.maxThreads) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.running++
    const start = performance.now()
    try {
      return (await this.tinypool.run(task, {
        signal: AbortSignal.timeout(timeoutMs),
        transferList: transferList as never,
      })) as Result
    } catch (error) {
      this.counters.failures++
      throw error
    } finally {
      this.counters.jobs++
      this.counters.lastJobAt = new Date().toISOString()
      this.counters.lastJobMs = performance.now() - start
      this.running--
      this.waiting.shift()?.()
    }
  }

  stats(): PoolStats {
    return {
      name: this.name,
      threads: this.pool?.threads.length ?? 0,
      maxThreads: this.options.maxThreads,
      idleMs: this.options.idleMs,
      queued: this.waiting.length,
      ...this.counters,
    }
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
