/**
 * A pool of child processes for the heaviest job, compiling a post: like WorkerPool (the
 * same waiting and stats, from JobPool; the same errors for a timeout or a job out of
 * memory), but each worker is a process
 * of its own that ends when idle. Memory a worker *thread* freed stays in the server's
 * allocator after the thread ends (Node 24 keeps about 15 MB per ended thread, and a
 * cold compile of a whole blog leaves the server holding the high-water mark of its
 * heaps); a process that exits gives all of it back to the system, and its heap limit
 * (--max-old-space-size) bounds it without touching the server's.
 *
 * One job at a time per process, over its IPC channel:
 *   parent → child  { type: 'job', task }                  run the worker's job
 *   child → parent  { type: 'message', body }              a question mid-job (onMessage)
 *   parent → child  { type: 'message', body }              its answer (reply)
 *   child → parent  { type: 'result', result }             the job's result
 * Idle for idleMs, a process is disconnected: it tidies up (its esbuild service) and
 * exits. A process that dies mid-job fails that job (out of memory when V8 said so on its
 * stderr); the next job starts a new one.
 */
import { log } from './logging/logger.server.ts'
import { fork, type ChildProcess } from 'node:child_process'
import { JobPool } from './job-pool.server.ts'

/** The argument a pool process is started with: the worker module serves its parent over IPC when it sees it. */
export const POOL_PROCESS_ARG = '--kiln-pool-process'

export type PoolProcessMessage =
  { type: 'job'; task: unknown } | { type: 'message'; body: unknown } | { type: 'result'; result: unknown }

/** Longest a disconnected process may take to tidy up and exit before it is killed. */
const EXIT_GRACE_MS = 5_000
/** How much of a process's stderr is kept to tell why it died. */
const STDERR_TAIL_CHARS = 4_096

interface Job {
  onMessage?: (body: unknown, reply: (answer: unknown) => void) => void
  resolve: (result: unknown) => void
  reject: (error: Error) => void
}

interface Worker {
  child: ChildProcess
  job: Job | null
  /** Disconnected (idle, or the pool destroyed): takes no more jobs. */
  retiring: boolean
  idleTimer: NodeJS.Timeout | null
  stderrTail: string
  exited: Promise<void>
}

function failure(message: string, name: string, code?: string): Error {
  const error = new Error(message) as Error & { code?: string }
  error.name = name
  if (code) error.code = code
  return error
}

export class ProcessPool<Task, Result> extends JobPool {
  private workers = new Set<Worker>()

  constructor(
    name: string,
    /** The module each process runs (it serves its parent when started with POOL_PROCESS_ARG). */
    private readonly workerFile: () => string,
    private readonly options: {
      maxProcesses: number
      idleMs: number
      /** Node options of each process (its heap limits); the server's own are not passed on. */
      execArgv: string[]
      env?: Record<string, string>
    },
  ) {
    super(name, { maxWorkers: options.maxProcesses, idleMs: options.idleMs })
  }

  protected liveWorkers(): number {
    return this.workers.size
  }

  private start(): Worker {
    const child = fork(this.workerFile(), [POOL_PROCESS_ARG], {
      execArgv: this.options.execArgv,
      env: { ...process.env, ...this.options.env },
      // Structured clone, as between threads: a compiled entry's frontmatter may hold Dates.
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    })
    const worker: Worker = {
      child,
      job: null,
      retiring: false,
      idleTimer: null,
      stderrTail: '',
      exited: new Promise((resolve) => child.once('exit', () => resolve())),
    }
    // Its log lines are the server's; the tail tells an out-of-memory death from others.
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk)
      worker.stderrTail = (worker.stderrTail + chunk.toString()).slice(-STDERR_TAIL_CHARS)
    })
    child.on('message', (message: PoolProcessMessage) => {
      const job = worker.job
      if (!job) return
      if (message.type === 'result') {
        worker.job = null
        job.resolve(message.result)
      } else if (message.type === 'message') {
        job.onMessage?.(message.body, (answer) => {
          if (child.connected) child.send({ type: 'message', body: answer } satisfies PoolProcessMessage)
        })
      }
    })
    // fork's errors (it could not start) arrive here, followed by 'exit'.
    child.on('error', (error) => log.error(`${this.name} process error: ${error.message}`))
    child.once('exit', (code, signal) => {
      this.workers.delete(worker)
      if (worker.idleTimer) clearTimeout(worker.idleTimer)
      const job = worker.job
      worker.job = null
      if (job) {
        job.reject(
          /JavaScript heap out of memory|Reached heap limit/.test(worker.stderrTail)
            ? failure(`the ${this.name} process ran out of memory`, 'Error', 'ERR_WORKER_OUT_OF_MEMORY')
            : failure(`the ${this.name} process exited (${signal ?? `code ${code}`}) during a job`, 'Error'),
        )
      } else if (!worker.retiring) {
        // Died between jobs: counted like a thread's 'error' outside a job.
        this.countFailure()
        log.error(`${this.name} process ended while idle (${signal ?? `code ${code}`})`)
      }
    })
    this.workers.add(worker)
    return worker
  }

  /** Disconnects an idle process: it exits once it has tidied up, or is killed after EXIT_GRACE_MS. */
  private retire(worker: Worker): void {
    worker.retiring = true
    if (worker.idleTimer) clearTimeout(worker.idleTimer)
    worker.idleTimer = null
    if (worker.child.connected) worker.child.disconnect()
    const kill = setTimeout(() => worker.child.kill('SIGKILL'), EXIT_GRACE_MS)
    kill.unref()
    void worker.exited.then(() => clearTimeout(kill))
  }

  /**
   * Runs one job on an idle process (or a new one) once one is free; past timeoutMs the
   * process is killed and the job fails with a TimeoutError.
   */
  run(
    task: Task,
    {
      timeoutMs,
      onMessage,
    }: { timeoutMs: number; onMessage?: (body: unknown, reply: (answer: unknown) => void) => void },
  ): Promise<Result> {
    return this.admit(async () => {
      const worker = [...this.workers].find((candidate) => !candidate.job && !candidate.retiring) ?? this.start()
      if (worker.idleTimer) clearTimeout(worker.idleTimer)
      worker.idleTimer = null
      let timer: NodeJS.Timeout | undefined
      try {
        return (await new Promise<unknown>((resolve, reject) => {
          worker.job = { onMessage, resolve, reject }
          timer = setTimeout(() => {
            worker.job = null
            worker.retiring = true
            worker.child.kill('SIGKILL')
            reject(failure(`the ${this.name} job took longer than ${timeoutMs} ms`, 'TimeoutError'))
          }, timeoutMs)
          worker.child.send({ type: 'job', task } satisfies PoolProcessMessage, (error) => {
            if (error && worker.job) {
              worker.job = null
              reject(error)
            }
          })
        })) as Result
      } finally {
        clearTimeout(timer)
        // Still serving: it retires after idleMs without another job.
        if (!worker.retiring && this.workers.has(worker)) {
          worker.idleTimer = setTimeout(() => this.retire(worker), this.options.idleMs)
          worker.idleTimer.unref()
        }
      }
    })
  }

  /** Ends every process (a job still running fails) and waits until they have exited. */
  async destroy(): Promise<void> {
    const workers = [...this.workers]
    for (const worker of workers) {
      if (worker.job) worker.child.kill('SIGKILL')
      else this.retire(worker)
    }
    await Promise.all(workers.map((worker) => worker.exited))
  }
}
