/**
 * Is memory rising steadily? A leak shows as a floor that keeps climbing: the heap in use
 * right after garbage collection (the smallest heap seen in each window) goes up hour
 * after hour. A spike (a big render, a snapshot) lifts the maximum, not the floor, and a
 * GC later it is gone; so the trend is fitted to the floors only.
 *
 * The floors of the last `hours` are grouped into buckets (`bucketMinutes`), each
 * bucket's minimum taken, and a least-squares line fitted through them. A leak is
 * suspected when the line rises by at least `minSlopeBytesPerHour` and by at least
 * `minRelativeSlopePerHour` of the mean floor per hour, and fits well (r² at least
 * `minR2`: a steady rise, not a jump), over at least `minSpanHours` of data.
 */

export interface MemoryPoint {
  /** ms since the epoch. */
  at: number
  /** The smallest heap in use seen in the window: the heap after GC. */
  heapMin: number
}

export interface TrendOptions {
  hours: number
  bucketMinutes: number
  minSpanHours: number
  minSlopeBytesPerHour: number
  minRelativeSlopePerHour: number
  minR2: number
}

export const DEFAULT_TREND: TrendOptions = {
  hours: 6,
  bucketMinutes: 30,
  minSpanHours: 3,
  minSlopeBytesPerHour: 1024 * 1024,
  minRelativeSlopePerHour: 0.01,
  minR2: 0.6,
}

export interface MemoryTrend {
  /** Bytes per hour the heap's floor rises (negative: falls); null without enough data. */
  slopeBytesPerHour: number | null
  r2: number | null
  /** Hours of data the fit covers. */
  spanHours: number
  buckets: number
  suspected: boolean
  /** A sentence for the dashboard. */
  message: string
}

export function memoryTrend(points: MemoryPoint[], now: number, options: Partial<TrendOptions> = {}): MemoryTrend {
  const o = { ...DEFAULT_TREND, ...options }
  const since = now - o.hours * 3600_000
  const bucketMs = o.bucketMinutes * 60_000
  const floors = new Map<number, { at: number; heap: number }>()
  for (const point of points) {
    if (point.at < since || point.at > now || !Number.isFinite(point.heapMin)) continue
    const key = Math.floor((point.at - since) / bucketMs)
    const bucket = floors.get(key)
    if (!bucket || point.heapMin < bucket.heap) floors.set(key, { at: point.at, heap: point.heapMin })
  }
  const series = [...floors.values()].sort((a, b) => a.at - b.at)
  const spanHours = series.length > 1 ? (series[series.length - 1].at - series[0].at) / 3600_000 : 0
  const minBuckets = Math.max(3, Math.floor((o.minSpanHours * 60) / o.bucketMinutes))
  if (series.length < minBuckets || spanHours < o.minSpanHours) {
    return {
      slopeBytesPerHour: null,
      r2: null,
      spanHours,
      buckets: series.length,
      suspected: false,
      message: `Not enough history for a trend yet (${spanHours.toFixed(1)} of ${o.minSpanHours} h).`,
    }
  }
  const xs = series.map((p) => (p.at - series[0].at) / 3600_000)
  const ys = series.map((p) => p.heap)
  const n = xs.length
  const meanX = xs.reduce((a, b) => a + b, 0) / n
  const meanY = ys.reduce((a, b) => a + b, 0) / n
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - meanX) * (ys[i] - meanY)
    sxx += (xs[i] - meanX) ** 2
    syy += (ys[i] - meanY) ** 2
  }
  const slope = sxx === 0 ? 0 : sxy / sxx
  const r2 = syy === 0 ? 0 : (sxy * sxy) / (sxx * syy)
  const suspected = slope >= o.minSlopeBytesPerHour && slope >= o.minRelativeSlopePerHour * meanY && r2 >= o.minR2
  const mbPerHour = (slope / 1048576).toFixed(1)
  const message = suspected
    ? `The heap after GC has risen steadily by about ${mbPerHour} MB per hour over the last ` +
      `${spanHours.toFixed(1)} h: a leak is suspected. Compare two kept snapshots to find what grows.`
    : `No steady rise of the heap after GC over the last ${spanHours.toFixed(1)} h (${mbPerHour} MB per hour, ` +
      `fit r² ${r2.toFixed(2)}).`
  return { slopeBytesPerHour: slope, r2, spanHours, buckets: n, suspected, message }
}
