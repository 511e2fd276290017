/**
 * kiln_http_requests_total and kiln_http_request_duration_seconds, counted in plain numbers on
 * every answer and turned into Prometheus samples only when /metrics is read.
 *
 * Why not prom-client's Counter and Histogram: each of their calls validates its labels,
 * hashes them into a string and looks the string up, twice per answer. Under load that was
 * 4 % of the main thread's CPU for a cached page (`perf` with V8's jitdump, round-robin over
 * 60 posts), more than the page's lookup in the page cache. Here an answer costs one key
 * built from three short strings, one Map lookup and a few additions. The label values are
 * already bounded by their callers (a route pattern from a fixed list, a known method, a
 * status code), so the Map is too: at most a few hundred entries.
 *
 * The samples are exactly those prom-client's own metrics wrote (names, label order, the
 * cumulative `le` buckets, `+Inf`, `_sum`, `_count`), so dashboards and alerts see no change.
 */
import type { Metric, Registry, RegistryContentType } from 'prom-client'

interface Tally {
  labels: { route: string; method: string; status: string }
  count: number
  sum: number
  /** Answers at or under each bound (not cumulative: summed when read). */
  perBucket: number[]
}

interface Sample {
  labels: Record<string, string | number>
  sharedLabels?: Record<string, string>
  value: number
  metricName?: string
  exemplar?: null
}

export interface RequestTally {
  /** One answer: its labels and how long it took, in seconds. */
  observe(route: string, method: string, status: string, seconds: number): void
  /** Every answer observed since start-up. */
  answered(): number
  /** Registers the two metrics in `registry`, under their names. */
  register(registry: Registry<RegistryContentType>): void
}

export function createRequestTally(options: {
  countName: string
  countHelp: string
  durationName: string
  durationHelp: string
  buckets: readonly number[]
}): RequestTally {
  const { buckets } = options
  const tallies = new Map<string, Tally>()
  let answered = 0

  function observe(route: string, method: string, status: string, seconds: number): void {
    answered++
    const key = `${route} ${method} ${status}`
    let tally = tallies.get(key)
    if (!tally) {
      tally = { labels: { route, method, status }, count: 0, sum: 0, perBucket: buckets.map(() => 0) }
      tallies.set(key, tally)
    }
    tally.count++
    tally.sum += seconds
    for (let index = 0; index < buckets.length; index++) {
      if (seconds <= buckets[index]) {
        tally.perBucket[index]++
        break
      }
    }
  }

  /** prom-client's string form keeps `le` first and the request's labels after it (`sharedLabels`). */
  function durationSamples(split: boolean): Sample[] {
    const bucketName = `${options.durationName}_bucket`
    const samples: Sample[] = []
    const sample = (labels: Record<string, string | number>, value: number, metricName: string, of: Tally) =>
      samples.push(
        split
          ? { labels, sharedLabels: of.labels, value, metricName }
          : // prom-client's JSON says `exemplar: null` on a bucket (it keeps none here).
            { labels: { ...labels, ...of.labels }, value, metricName, ...('le' in labels ? { exemplar: null } : {}) },
      )
    for (const tally of tallies.values()) {
      let below = 0
      buckets.forEach((bound, index) => {
        below += tally.perBucket[index]
        sample({ le: bound }, below, bucketName, tally)
      })
      sample({ le: '+Inf' }, tally.count, bucketName, tally)
      sample({}, tally.sum, `${options.durationName}_sum`, tally)
      sample({}, tally.count, `${options.durationName}_count`, tally)
    }
    return samples
  }

  const counter = {
    name: options.countName,
    help: options.countHelp,
    type: 'counter',
    aggregator: 'sum',
    // `counter.name`: the registry renames a counter for OpenMetrics (without `_total`).
    get: async () => ({
      name: counter.name,
      help: options.countHelp,
      type: 'counter',
      aggregator: 'sum',
      values: [...tallies.values()].map((tally) => ({ labels: { ...tally.labels }, value: tally.count })),
    }),
    reset: () => tallies.clear(),
  }
  const duration = {
    name: options.durationName,
    help: options.durationHelp,
    type: 'histogram',
    aggregator: 'sum',
    get: async () => ({ ...describeDuration(), values: durationSamples(false) }),
    // What Registry.metrics() reads for the text form.
    getForPromString: async () => ({ ...describeDuration(), values: durationSamples(true) }),
    reset: () => tallies.clear(),
  }
  function describeDuration() {
    return { name: options.durationName, help: options.durationHelp, type: 'histogram', aggregator: 'sum' }
  }

  return {
    observe,
    answered: () => answered,
    register(registry) {
      // Structurally what the registry reads of a metric (name, help, type, get, reset).
      registry.registerMetric(counter as unknown as Metric)
      registry.registerMetric(duration as unknown as Metric)
    },
  }
}
