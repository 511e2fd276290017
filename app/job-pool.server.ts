/**
 * What Kiln's two kinds of worker pool do alike: threads (worker-pool.server.ts) and child
 * processes (process-pool.server.ts). A job waits here until a worker is free, so the
 * job's timeout measures its own run, never its wait behind others; and each pool counts
 * its jobs and failures the same way for /metrics and /admin. A pool adds how its workers
 * start, run a job and end.
 *
 * Once every pool has been idle for its idle time plus a second (its workers have ended),
 * the server's heap gets one full collection: a burst of compiles leaves the main thread's
 * heap holding the garbage of relaying thousands of highlighted blocks and compiled posts,
 * and V8 kept it there (docs/performance.md, memory). Then the allocator's free pages go
 * back to the system (return-freed-memory.ts): the ended workers' memory is freed by then.
 * The end of a burst of serving gets the same (collectAfterServingBursts).
 */
import { collectGarbage } from './utils/collect-garbage.ts'
import { returnFreedMemory } from './utils/return-freed-memory.ts'
import { forgetUnrunBuilds } from './utils/unrun-builds.ts'

/** Jobs running or waiting in every pool of this process. */
let busyJobs = 0
let idleCollection: { timer: NodeJS.Timeout; at: number } | undefined
/** What lets go of memory kept for work that has stopped, run just before an idle collection. */
const releasers: (() => void)[] = []

/** Runs `release` before each idle collection, so what it lets go of is collected at once. */
export function releaseBeforeIdleCollection(release: () => void): void {
  releasers.push(release)
}

/** One full collection once no pool has had a job for `afterMs` (a later schedule moves it later, never earlier). */
function collectWhenIdle(afterMs: number): void {
  const at = Date.now() + afterMs
  if (idleCollection && idleCollection.at >= at) return
  if (idleCollection) clearTimeout(idleCollection.timer)
  const timer = setTimeout(() => {
    idleCollection = undefined
    // A job since: its end schedules the collection again.
    if (busyJobs !== 0) return
    for (const release of releasers) release()
    collectGarbage()
    // What the collection and the ended workers freed, back to the system (not only the top of each heap).
    returnFreedMemory()
  }, afterMs)
  timer.unref()
  idleCollection = { timer, at }
}

/** Past a pool's idle time, before the collection: its workers have ended by then. */
const IDLE_COLLECTION_MARGIN_MS = 1_000

/**
 * Start-up leaves garbage too (loading the build, opening the database, indexing the
 * content): after start the heap held 39 MB of which 20 MB were live, and a server with
 * nothing to compile kept it until its first burst of jobs; one collection took its RSS
 * from 128-130 to 104 MB (docs/performance.md, memory). So one collection this long after
 * the server loads and after each indexing of the whole content folder, unless a job is
 * running then (its end schedules its own).
 */
const STARTUP_COLLECTION_MS = 10_000
collectWhenIdle(STARTUP_COLLECTION_MS)
// The build files React's packages were read for but never ran go with that collection.
releaseBeforeIdleCollection(forgetUnrunBuilds)

/** After work that leaves much garbage on the main thread and starts no job (indexing every entry at start-up). */
export function collectSoon(): void {
  collectWhenIdle(STARTUP_COLLECTION_MS)
}

/**
 * After memory was let go between jobs (idle components): a collection soon, unless one is
 * already due, which would take it as well. Never later than one due: moving the collection
 * after a burst of jobs later kept that burst's garbage past the moment the server fell idle.
 */
export function collectUnlessDue(): void {
  if (!idleCollection && busyJobs === 0) collectWhenIdle(STARTUP_COLLECTION_MS)
}

/**
 * Serving leaves memory behind too, without a job to end: 20 s of readers round-robin over
 * every cached page of a 215-post blog (10 at a time, the server alone) took it from 116 to
 * 146 MB; 12 s later V8 had shrunk its heap back to 123 MB, and `malloc_trim` gave back 8.5
 * MB more (114.9 MB), which nothing else would have returned until the next burst of jobs
 * (docs/performance.md). So the end of a burst of serving gets the idle collection as well.
 * Every SERVING_CHECK_MS the count of answered requests is read (a number the metrics keep
 * anyway: nothing is added to a request's path); a window with at least BURST_ANSWERS
 * marks a burst, and the first window after it with under a tenth of the burst's busiest
 * window is its end: a site's steady trickle (a monitor, a scraper, a few readers) does not
 * hold the collection back for ever.
 */
const SERVING_CHECK_MS = 5_000
const BURST_ANSWERS = 250

/** Watches `answered` (requests answered since start) for the end of bursts of serving; returns its stop. */
export function collectAfterServingBursts(answered: () => number): () => void {
  let last = answered()
  /** The busiest window of the burst going on (0: none). */
  let burstPeak = 0
  const timer = setInterval(() => {
    const now = answered()
    const recent = now - last
    last = now
    if (recent >= BURST_ANSWERS) burstPeak = Math.max(burstPeak, recent)
    else if (burstPeak > 0 && recent < burstPeak / 10) {
      burstPeak = 0
      // A job running now schedules its own collection when it ends.
      if (busyJobs === 0) collectWhenIdle(IDLE_COLLECTION_MARGIN_MS)
    }
  }, SERVING_CHECK_MS)
  timer.unref()
  return () => clearInterval(timer)
}

export interface PoolStats {
  name: string
  /** Workers (threads or processes) alive now. */
  threads: number
  maxThreads: number
  idleMs: number
  queued: number
  jobs: number
  failures: number
  lastJobAt: string | null
  lastJobMs: number | null
}

export abstract class JobPool {
  private counters = { jobs: 0, failures: 0, lastJobAt: null as string | null, lastJobMs: null as number | null }
  /** Jobs running on a worker now, and jobs waiting for one (in arrival order). */
  private running = 0
  private waiting: (() => void)[] = []

  constructor(
    readonly name: string,
    private readonly limits: { maxWorkers: number; idleMs: number },
  ) {}

  /** How many workers are alive now. */
  protected abstract liveWorkers(): number

  /** Runs one job once fewer than maxWorkers jobs are running, and counts it (a throw is a failure). */
  protected async admit<Result>(job: () => Promise<Result>): Promise<Result> {
    busyJobs++
    if (this.running >= this.limits.maxWorkers) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.running++
    const start = performance.now()
    try {
      return await job()
    } catch (error) {
      this.counters.failures++
      throw error
    } finally {
      this.counters.jobs++
      this.counters.lastJobAt = new Date().toISOString()
      this.counters.lastJobMs = performance.now() - start
      this.running--
      this.waiting.shift()?.()
      busyJobs--
      if (busyJobs === 0) collectWhenIdle(this.limits.idleMs + IDLE_COLLECTION_MARGIN_MS)
    }
  }

  /** A worker failed outside any job (it could not start, or died while idle). */
  protected countFailure(): void {
    this.counters.failures++
  }

  /**
   * The V8 heap (total size, bytes) of this pool's live worker threads, read now: 0 with
   * none alive, null for a pool whose workers are processes (their memory is not a heap
   * of this process; their RSS is theirs).
   */
  async heapBytes(): Promise<number | null> {
    return null
  }

  stats(): PoolStats {
    return {
      name: this.name,
      threads: this.liveWorkers(),
      maxThreads: this.limits.maxWorkers,
      idleMs: this.limits.idleMs,
      queued: this.waiting.length,
      ...this.counters,
    }
  }
}
