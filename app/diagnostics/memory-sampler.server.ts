/**
 * The memory story of the last hour: process.memoryUsage() every 5 s into a fixed ring of
 * 720 samples, and the event-loop delay (p50, p99) of each 5 s window beside it.
 *
 * The ring is preallocated typed arrays: sampling allocates nothing that stays, so the
 * sampler can never be the leak it is there to show. Its timer is unref'd and never keeps
 * the process alive. Each reading also goes into the history kept across restarts
 * (memory-history.server.ts, one row per 5 minutes).
 *
 * Event-loop delay comes from perf_hooks.monitorEventLoopDelay (a 20 ms timer). Its
 * histogram records the time between the timer's ticks, so an idle loop reads about 20 ms;
 * the delay reported here is what exceeds the resolution. The histogram is reset at every
 * sample, so each figure describes the last window only.
 */
import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks'
import { addMemoryReading } from './memory-history.server.ts'

export const SAMPLE_INTERVAL_MS = 5_000
/** One hour of samples. */
export const SAMPLE_CAPACITY = 720
export const EVENT_LOOP_RESOLUTION_MS = 20

export const MEMORY_SERIES = ['rss', 'heapUsed', 'heapTotal', 'external', 'arrayBuffers'] as const
export type MemorySeries = (typeof MEMORY_SERIES)[number]

const times = new Float64Array(SAMPLE_CAPACITY)
const series: Record<MemorySeries, Float64Array> = {
  rss: new Float64Array(SAMPLE_CAPACITY),
  heapUsed: new Float64Array(SAMPLE_CAPACITY),
  heapTotal: new Float64Array(SAMPLE_CAPACITY),
  external: new Float64Array(SAMPLE_CAPACITY),
  arrayBuffers: new Float64Array(SAMPLE_CAPACITY),
}
const delayP50 = new Float64Array(SAMPLE_CAPACITY)
const delayP99 = new Float64Array(SAMPLE_CAPACITY)
/** Where the next sample goes, and how many of the slots hold one. */
let next = 0
let filled = 0

let timer: NodeJS.Timeout | undefined
let histogram: ELDHistogram | undefined

export interface EventLoopDelay {
  /** Milliseconds beyond the monitor's resolution; null when the window had no tick. */
  p50Ms: number | null
  p99Ms: number | null
  /** How long the window this figure describes was, in ms. */
  windowMs: number
}

let windowStart = 0

function readDelay(): EventLoopDelay {
  const windowMs = performance.now() - windowStart
  if (!histogram || histogram.count === 0) return { p50Ms: null, p99Ms: null, windowMs }
  const excess = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - EVENT_LOOP_RESOLUTION_MS)
  return { p50Ms: excess(histogram.percentile(50)), p99Ms: excess(histogram.percentile(99)), windowMs }
}

/** Takes one sample now (the timer calls this; exported so a test or a start can force one). */
export function takeSample(): void {
  const usage = process.memoryUsage()
  const delay = readDelay()
  times[next] = Date.now()
  for (const name of MEMORY_SERIES) series[name][next] = usage[name]
  delayP50[next] = delay.p50Ms ?? Number.NaN
  delayP99[next] = delay.p99Ms ?? Number.NaN
  next = (next + 1) % SAMPLE_CAPACITY
  filled = Math.min(filled + 1, SAMPLE_CAPACITY)
  histogram?.reset()
  windowStart = performance.now()
  addMemoryReading(times[(next - 1 + SAMPLE_CAPACITY) % SAMPLE_CAPACITY], usage.heapUsed, usage.rss)
}

/** Starts sampling (once; further calls do nothing) and takes the first sample right away. */
export function startMemorySampler(): void {
  if (timer) return
  histogram = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS })
  histogram.enable()
  windowStart = performance.now()
  takeSample()
  timer = setInterval(takeSample, SAMPLE_INTERVAL_MS)
  timer.unref()
}

export function stopMemorySampler(): void {
  if (timer) clearInterval(timer)
  timer = undefined
  histogram?.disable()
  histogram = undefined
}

export interface MemoryHistory {
  intervalMs: number
  capacity: number
  /** Sample times (ms since the epoch), oldest first. */
  times: number[]
  /** Bytes, one array per series, aligned with `times`. */
  series: Record<MemorySeries, number[]>
  /** Event-loop delay of each sample's window, ms beyond the resolution (null: no tick). */
  delayP50Ms: (number | null)[]
  delayP99Ms: (number | null)[]
}

/** The ring in time order, as plain arrays (the dashboard's loader sends them to the browser). */
export function memoryHistory(): MemoryHistory {
  const start = (next - filled + SAMPLE_CAPACITY) % SAMPLE_CAPACITY
  const order = Array.from({ length: filled }, (_, i) => (start + i) % SAMPLE_CAPACITY)
  const nullable = (value: number) => (Number.isNaN(value) ? null : value)
  return {
    intervalMs: SAMPLE_INTERVAL_MS,
    capacity: SAMPLE_CAPACITY,
    times: order.map((i) => times[i]),
    series: Object.fromEntries(MEMORY_SERIES.map((name) => [name, order.map((i) => series[name][i])])) as Record<
      MemorySeries,
      number[]
    >,
    delayP50Ms: order.map((i) => nullable(delayP50[i])),
    delayP99Ms: order.map((i) => nullable(delayP99[i])),
  }
}

/**
 * The event-loop delay to show now: the last full window's, or, before the first window
 * has closed, the window in progress.
 */
export function eventLoopDelay(): EventLoopDelay {
  if (filled > 1) {
    const last = (next - 1 + SAMPLE_CAPACITY) % SAMPLE_CAPACITY
    const nullable = (value: number) => (Number.isNaN(value) ? null : value)
    return { p50Ms: nullable(delayP50[last]), p99Ms: nullable(delayP99[last]), windowMs: SAMPLE_INTERVAL_MS }
  }
  return readDelay()
}
