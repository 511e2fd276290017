import { Counter, Histogram, Registry, type RegistryContentType } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { createRequestTally } from '../../app/diagnostics/request-tally.server.ts'

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
const NAMES = {
  countName: 'kiln_http_requests_total',
  countHelp: 'HTTP requests answered.',
  durationName: 'kiln_http_request_duration_seconds',
  durationHelp: 'Time to answer.',
}

/** The same answers through prom-client's own Counter and Histogram: what the tally must write. */
function promClientRegistry(registry: Registry<RegistryContentType> = new Registry()) {
  const labelNames = ['route', 'method', 'status']
  const counter = new Counter({ name: NAMES.countName, help: NAMES.countHelp, labelNames, registers: [registry] })
  const histogram = new Histogram({
    name: NAMES.durationName,
    help: NAMES.durationHelp,
    labelNames,
    buckets: BUCKETS,
    registers: [registry],
  })
  return {
    registry,
    observe(route: string, method: string, status: string, seconds: number) {
      const labels = { route, method, status }
      counter.inc(labels)
      histogram.observe(labels, seconds)
    },
  }
}

function tallyRegistry(registry: Registry<RegistryContentType> = new Registry()) {
  const tally = createRequestTally({ ...NAMES, buckets: BUCKETS })
  tally.register(registry)
  return { registry, observe: tally.observe }
}

function openMetricsRegistry() {
  const registry = new Registry<RegistryContentType>()
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE)
  return registry
}

const ANSWERS: [string, string, string, number][] = [
  ['/blog/:slug', 'GET', '200', 0.0004],
  ['/blog/:slug', 'GET', '200', 0.005], // exactly on a bound
  ['/blog/:slug', 'GET', '200', 0.0123],
  ['/blog/:slug', 'HEAD', '200', 0.2],
  ['/', 'GET', '304', 0.001],
  ['other', 'GET', '404', 31], // above every bound: +Inf only
  ['/login', 'POST', '303', 1.5],
  ['/blog/:slug', 'GET', '200', 0],
]

describe('the request tally', () => {
  it('writes /metrics text and JSON exactly as prom-client counting the same answers', async () => {
    const expected = promClientRegistry()
    const actual = tallyRegistry()
    for (const answer of ANSWERS) {
      expected.observe(...answer)
      actual.observe(...answer)
    }
    expect(await actual.registry.metrics()).toBe(await expected.registry.metrics())
    expect(await actual.registry.getMetricsAsJSON()).toEqual(await expected.registry.getMetricsAsJSON())
    // And in the OpenMetrics form, where counters are renamed.
    const expectedOpen = promClientRegistry(openMetricsRegistry())
    const actualOpen = tallyRegistry(openMetricsRegistry())
    for (const answer of ANSWERS) {
      expectedOpen.observe(...answer)
      actualOpen.observe(...answer)
    }
    expect(await actualOpen.registry.metrics()).toBe(await expectedOpen.registry.metrics())
  })

  it('counts on after a scrape and starts again from nothing after a reset', async () => {
    const actual = tallyRegistry()
    actual.observe('/', 'GET', '200', 0.001)
    await actual.registry.metrics()
    actual.observe('/', 'GET', '200', 0.002)
    expect(await actual.registry.metrics()).toMatch(
      /^kiln_http_requests_total\{route="\/",method="GET",status="200"\} 2$/m,
    )
    actual.registry.resetMetrics()
    expect(await actual.registry.metrics()).not.toMatch(/^kiln_http_requests_total\{/m)
  })
})
