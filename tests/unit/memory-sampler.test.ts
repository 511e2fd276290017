/**
 * The memory sampler's ring: fixed at 720 samples (an hour at one per 5 s), oldest first,
 * the oldest overwritten once full, and the event-loop figures aligned with the memory.
 */
import { afterAll, describe, expect, it } from 'vitest'
import {
  MEMORY_SERIES,
  SAMPLE_CAPACITY,
  eventLoopDelay,
  memoryHistory,
  startMemorySampler,
  stopMemorySampler,
  takeSample,
} from '../../app/diagnostics/memory-sampler.server.ts'

afterAll(() => stopMemorySampler())

describe('memory sampler', () => {
  it('takes a first sample at start, and starting twice changes nothing', () => {
    startMemorySampler()
    startMemorySampler()
    const history = memoryHistory()
    expect(history.times.length).toBe(1)
    expect(history.capacity).toBe(720)
    expect(history.intervalMs).toBe(5000)
    for (const name of MEMORY_SERIES) expect(history.series[name][0]).toBeGreaterThan(0)
    expect(history.series.rss[0]).toBeGreaterThan(history.series.heapUsed[0])
  })

  it('keeps at most an hour of samples, oldest first, overwriting the oldest', () => {
    for (let i = 0; i < SAMPLE_CAPACITY + 150; i++) takeSample()
    const history = memoryHistory()
    expect(history.times.length).toBe(SAMPLE_CAPACITY)
    for (const name of MEMORY_SERIES) expect(history.series[name].length).toBe(SAMPLE_CAPACITY)
    expect(history.delayP50Ms.length).toBe(SAMPLE_CAPACITY)
    expect(history.delayP99Ms.length).toBe(SAMPLE_CAPACITY)
    for (let i = 1; i < history.times.length; i++) expect(history.times[i]).toBeGreaterThanOrEqual(history.times[i - 1])
    expect(history.times.at(-1)).toBeLessThanOrEqual(Date.now())
  })

  it('reports the event-loop delay beyond the timer resolution, for the last window', async () => {
    takeSample()
    // Block the loop for 120 ms inside a window, then let the timer tick a few times.
    await new Promise((resolve) => setTimeout(resolve, 60))
    const until = Date.now() + 120
    while (Date.now() < until) {
      // busy
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
    takeSample()
    const delay = eventLoopDelay()
    expect(delay.p99Ms).not.toBeNull()
    expect(delay.p99Ms!).toBeGreaterThan(50)
    expect(delay.p50Ms!).toBeLessThan(delay.p99Ms!)
  })
})
