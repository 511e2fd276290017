/**
 * `npm run bench -- --dir <content folder> [--no-cache] [--seconds 10] [--connections 10] [--no-build]`
 *
 * Serving throughput, measured in one run so the figures compare: builds Kiln, starts it
 * on the content folder (its own SQLite file), warms it (every post compiled and cached),
 * then loads it with autocannon from this process and prints requests/s and p50/p99 for
 *   (a) the largest post,
 *   (b) all posts round-robin,
 *   (c) the same bytes from a bare node:http server in memory, in a process of its own:
 *       the limit, for the largest post and for all posts round-robin; with the ratios
 *       a/c and b/c (each against the bare server doing the same), and (c') the bare server
 *       sending Kiln's response headers too, round-robin: the part of the gap that is the
 *       head every client parses (the load generator's CPU per answer shows it),
 *   (d) the largest post for a client that sends no Accept-Encoding (monitors, some bots),
 *       against (a): such a client must not be a cheap way to burn the server's CPU,
 *   (e) all posts round-robin while one post is edited every 5 seconds, against round-robin
 *       runs of the same length without edits, alternating with them: an edit must cost
 *       that post (and the lists), not the whole page cache,
 *   (f) the first request to every post after a deploy with a new compiler (played by
 *       relabelling the stored compiles), against the first requests of the cold start:
 *       readers get the earlier compile while the background catch-up compiles again,
 * and Kiln's RSS at the end, with the page cache's figures. With --no-cache, also (a) and
 * (b) on the uncached path: the same database (nothing recompiles), PAGE_CACHE_MAX_BYTES=0.
 *
 * On a shared machine one run of a few seconds is at the mercy of its neighbours, and noise
 * only ever slows a run down: each side of a comparison (Kiln, then the bare server) is run
 * --rounds times (default 2), alternating, and its best run is reported. Beside requests/s,
 * each line gives the server's main-thread CPU time per request (from /proc): what a request
 * costs the server, which depends much less on what else the machine is doing. The server's
 * log goes to a file, as to a log collector: read by this process, its lines would take CPU
 * from the load generator.
 *
 * The server runs on a copy of the content folder (the edits of (e) never touch yours).
 *
 * Requests carry a browser's Accept-Encoding (br, gzip): the bare server is given the very
 * bytes Kiln sent for each post.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import { scanContent } from '../app/content/source.server.ts'
import { repoRoot, startServer, tempDir, type KilnServer } from './lib/server.ts'
import {
  fetchAll,
  getRaw,
  formatLoad,
  mb,
  memoryOf,
  metricSum,
  metricsWithPrefix,
  nodeArgsOption,
  poolWorkersAlive,
  postPaths,
  rssOf,
  runLoad,
  SERVER_ENV,
  startBareServer,
  type LoadResult,
  type ServedPage,
} from './load.ts'

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    'no-cache': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    // V8 flags for the server beside its own (server/start.mjs), to measure one: "--flag-a --flag-b".
    'node-args': { type: 'string', default: '' },
  },
})
if (!values.dir) {
  console.error(
    'usage: npm run bench -- --dir <content folder> [--no-cache] [--seconds 10] [--connections 10] [--rounds 2] ' +
      '[--no-build] [--node-args="<V8 flags>"]',
  )
  process.exit(2)
}
const authorsDir = path.resolve(values.dir)
const seconds = Math.max(1, Number(values.seconds) || 10)
const connections = Math.max(1, Number(values.connections) || 10)
const rounds = Math.max(1, Number(values.rounds) || 2)
const METRICS_TOKEN = 'bench-metrics-token'
const ratio = (a: LoadResult, b: LoadResult) => `${((100 * a.requestsPerSecond) / b.requestsPerSecond).toFixed(0)}%`

/**
 * The server at rest after the load: its pools' threads ended (the edits' compiles), the
 * collection and hand-back that follow a burst of jobs or of serving done (up to a minute;
 * the hand-back only where native/malloc-trim was built), 12 s more, then a full GC by the
 * memory probe. A fixed 12 s after the load read the server while the edits' threads were
 * still ending (170 MB on the 215-post blog, where it settles at 118-123).
 */
async function steadyMemory(server: KilnServer): Promise<NodeJS.MemoryUsage> {
  const trims = () => metricsWithPrefix(server.url, METRICS_TOKEN, 'kiln_memory_trim')
  const deadline = Date.now() + 60_000
  const pause = () => new Promise((resolve) => setTimeout(resolve, 1000))
  while ((await poolWorkersAlive(server.url, METRICS_TOKEN)) > 0 && Date.now() < deadline) await pause()
  // The collection comes a second after the last thread ends (or was missed between two reads: the deadline then).
  const atRest = await trims()
  if (atRest.kiln_memory_trim_available === 1)
    while ((await trims()).kiln_memory_trims_total === atRest.kiln_memory_trims_total && Date.now() < deadline)
      await pause()
  // The ended threads' isolates are still being torn down then: on the 215-post blog the RSS
  // went on falling for 10 s after the hand-back (179 MB at it, 118 MB 10 s later).
  await new Promise((resolve) => setTimeout(resolve, 12_000))
  return memoryOf(server)
}

/** Each path requested once, `concurrency` at a time: how long each first answer took (ms), the 200s only. */
async function firstRequests(baseUrl: string, paths: string[], concurrency = 4): Promise<Map<string, number>> {
  const times = new Map<string, number>()
  let next = 0
  const worker = async () => {
    while (next < paths.length) {
      const pathname = paths[next++]
      const started = performance.now()
      const response = await getRaw(baseUrl, pathname)
      if (response.status === 200) times.set(pathname, performance.now() - started)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return times
}

function latencySummary(times: Iterable<number>): string {
  const sorted = [...times].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
  return `p50 ${at(0.5).toFixed(0)} ms, p90 ${at(0.9).toFixed(0)} ms, max ${(sorted.at(-1) ?? 0).toFixed(0)} ms`
}

async function warm(server: KilnServer, paths: string[]): Promise<{ bodies: Map<string, ServedPage>; cold: string }> {
  const start = performance.now()
  const first = await firstRequests(server.url, paths)
  // Twice: the first request compiled (or rendered) each post, the second is what readers get.
  const bodies = await fetchAll(server.url, [...first.keys()])
  console.log(`warmed ${bodies.size} posts in ${((performance.now() - start) / 1000).toFixed(1)} s`)
  return { bodies, cold: latencySummary(first.values()) }
}

/** Appends a line to one post every `everyMs` until stopped: a typo fixed while readers read. */
function editEvery(file: string, everyMs: number): () => number {
  let edits = 0
  const timer = setInterval(() => {
    edits++
    fs.appendFileSync(file, `\n\nEdited while the benchmark ran (${edits}).\n`)
  }, everyMs)
  return () => {
    clearInterval(timer)
    return edits
  }
}

async function waitForBackgroundCompiles(server: KilnServer): Promise<number> {
  const started = performance.now()
  for (;;) {
    const figures = await metricsWithPrefix(server.url, METRICS_TOKEN, 'kiln_background_compiles_remaining')
    if (figures.kiln_background_compiles_remaining === 0) return performance.now() - started
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** CPU time (user and system) of a process's main thread so far, in ms (from /proc). */
function mainThreadCpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
}

interface Measured extends LoadResult {
  /** The server's main-thread CPU time per request, in µs. */
  cpuPerRequest: number
  /** The load generator's CPU time per request (this process, which runs autocannon), in µs. */
  clientCpuPerRequest: number
  /** Kiln's full collections (V8 mark-compacts) of its main thread's heap during the run; null for a bare server. */
  fullCollections: number | null
  /** What ran beside the load did, counted (for (e): the edits made during the measured run). */
  besides?: number
}

/** What a measured run may do beside its load: (e)'s edits, started with the run and stopped after it. */
type Beside = () => () => number

/** One measured run, after a short one so the JIT has settled. */
async function runOnce(
  label: string,
  target: Target,
  paths: string[],
  headers?: Record<string, string>,
  { runSeconds = seconds, beside }: { runSeconds?: number; beside?: Beside } = {},
): Promise<Measured> {
  await runLoad(label, target.url, paths, { connections, seconds: Math.min(3, runSeconds), headers })
  const collectionsBefore = await target.fullCollections?.()
  const before = mainThreadCpuMs(target.pid())
  const clientBefore = process.cpuUsage()
  const stopBeside = beside?.()
  const result = await runLoad(label, target.url, paths, { connections, seconds: runSeconds, headers })
  const besides = stopBeside?.()
  const client = process.cpuUsage(clientBefore)
  const cpu = mainThreadCpuMs(target.pid()) - before
  const collectionsAfter = await target.fullCollections?.()
  const requests = Math.max(1, result.requests)
  return {
    ...result,
    cpuPerRequest: (cpu * 1000) / requests,
    clientCpuPerRequest: (client.user + client.system) / requests,
    fullCollections:
      collectionsBefore === undefined || collectionsAfter === undefined ? null : collectionsAfter - collectionsBefore,
    besides,
  }
}

interface Target {
  url: string
  pid: () => number
  /** How many full collections the server's main thread has done so far (Kiln's /metrics), when known. */
  fullCollections?: () => Promise<number>
}

/** Kiln's count of V8 mark-compacts on its main thread (prom-client's GC metric, from /metrics). */
function fullCollectionsOf(url: string): Promise<number> {
  return metricSum(url, METRICS_TOKEN, 'nodejs_gc_duration_seconds_count{kind="major"}')
}

function best(runs: Measured[]): Measured {
  const fastest = runs.reduce((x, y) => (y.requestsPerSecond > x.requestsPerSecond ? y : x))
  return {
    ...fastest,
    p99: Math.min(...runs.map((run) => run.p99)),
    cpuPerRequest: Math.min(...runs.map((run) => run.cpuPerRequest)),
    clientCpuPerRequest: Math.min(...runs.map((run) => run.clientCpuPerRequest)),
    fullCollections: fastest.fullCollections,
    besides: fastest.besides,
  }
}

const withCpu = (result: Measured) =>
  `${formatLoad(result)}   CPU ${result.cpuPerRequest.toFixed(0)} µs/request, load generator ` +
  `${result.clientCpuPerRequest.toFixed(0)} µs` +
  (result.fullCollections === null ? '' : `, ${result.fullCollections} full GCs`)

/**
 * Runs on the same paths, `rounds` each, alternating, so a neighbour's burst falls on all of
 * them; the best of each is printed. Kiln against the bare server(s), or (e) Kiln with edits
 * against Kiln without them in runs of the same length.
 */
async function compare(
  labels: string[],
  targets: Target[],
  paths: string[],
  headers?: Record<string, string>,
  options: { runSeconds?: number; beside?: (Beside | undefined)[] } = {},
): Promise<Measured[]> {
  const runs: Measured[][] = targets.map(() => [])
  for (let round = 0; round < rounds; round++)
    for (const [index, target] of targets.entries())
      runs[index].push(
        await runOnce(labels[index], target, paths, headers, {
          runSeconds: options.runSeconds,
          beside: options.beside?.[index],
        }),
      )
  const results = runs.map(best)
  for (const result of results) console.log(withCpu(result))
  return results
}

async function main() {
  if (!values['no-build']) {
    console.log('building...')
    execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'ignore' })
  }
  // A copy: (e) edits a post, and the author's folder is never written to.
  const contentDir = tempDir('kiln-bench-content-')
  fs.cpSync(authorsDir, contentDir, { recursive: true, filter: (source) => path.basename(source) !== '.git' })
  const paths = postPaths(contentDir)
  const databasePath = path.join(tempDir('kiln-bench-'), 'kiln.db')
  console.log(`${paths.length} posts in ${contentDir}; ${connections} connections, ${seconds} s per measurement`)

  const logFile = path.join(tempDir('kiln-bench-log-'), 'kiln.log')
  let server = await startServer({
    contentDir,
    databasePath,
    env: { ...SERVER_ENV, METRICS_TOKEN },
    nodeArgs: ['--expose-gc', ...nodeArgsOption(values['node-args'])],
    ipc: true,
    logFile,
  })
  console.log(`the server's log: ${logFile}`)
  const { bodies, cold } = await warm(server, paths)
  const served = [...bodies.keys()]
  const sizes = [...bodies.values()].map((page) => page.body.length)
  const [largest, largestPage] = [...bodies].sort((a, b) => b[1].body.length - a[1].body.length)[0]
  console.log(
    `largest post: ${largest} (${(largestPage.body.length / 1024).toFixed(0)} KB as sent, ` +
      `${largestPage.encoding ?? 'identity'}); all posts ${mb(sizes.reduce((sum, size) => sum + size, 0))} as ` +
      `sent\n`,
  )

  const bare = await startBareServer(bodies)
  // The same bodies with Kiln's own heads (security headers, ETag, Vary...): how much of the
  // gap is the bytes and header lines every client must parse rather than Kiln's work.
  const bareWithHeads = await startBareServer(bodies, { kilnHeaders: true })
  // The same pages as a client without Accept-Encoding gets them, for (d)'s limit.
  const plain = await fetchAll(server.url, [largest], 1, {})
  const barePlain = await startBareServer(plain)
  const kiln: Target = {
    url: server.url,
    pid: () => server.serverPid(),
    fullCollections: () => fullCollectionsOf(server.url),
  }
  const target = (other: typeof bare): Target => ({ url: other.url, pid: () => other.process.pid! })
  let a: Measured, b: Measured, c: Measured, cAll: Measured, cHeads: Measured, d: Measured, cPlain: Measured
  try {
    ;[a, c] = await compare(
      ['(a) Kiln, largest post', '(c) bare node:http, largest post'],
      [kiln, target(bare)],
      [largest],
    )
    ;[b, cAll, cHeads] = await compare(
      [
        '(b) Kiln, all posts round-robin',
        '(c) bare node:http, all posts round-robin',
        "(c') bare, round-robin, Kiln's headers too",
      ],
      [kiln, target(bare), target(bareWithHeads)],
      served,
    )
    ;[d, cPlain] = await compare(
      ['(d) Kiln, largest post, no compression', '(c) bare node:http, the same uncompressed'],
      [kiln, target(barePlain)],
      [largest],
      {},
    )
  } finally {
    bare.stop()
    bareWithHeads.stop()
    barePlain.stop()
  }
  // (e): a post other than the largest, edited every 5 s for at least three edits, against
  // round-robin runs of the same length without edits, alternating with them: each edited run
  // starts the pools' threads again (they end when idle), and a best of two short runs of (b)
  // measured minutes earlier is not what it loses.
  const edited = served.find((pathname) => pathname !== largest) ?? largest
  const editedFile = scanContent(contentDir).entries.find((entry) => `/blog/${entry.slug}` === edited)!.path
  const editSeconds = Math.max(seconds, 16)
  const [bSame, e] = await compare(
    [`(b) Kiln, round-robin, ${editSeconds} s without edits`, `(e) Kiln, round-robin, an edit every 5 s`],
    [kiln, kiln],
    served,
    undefined,
    { runSeconds: editSeconds, beside: [undefined, () => editEvery(path.join(contentDir, editedFile), 5000)] },
  )
  const edits = e.besides ?? 0
  const rss = rssOf(server.serverPid())
  const cache = await metricsWithPrefix(server.url, METRICS_TOKEN, 'kiln_page_cache_')
  const steady = await steadyMemory(server)
  await server.stop()

  // (f): the same store, as a new compiler would find it.
  const db = new Database(databasePath)
  db.prepare("UPDATE compiled_entries SET compiler_version = 'an-earlier-compiler'").run()
  db.close()
  server = await startServer({
    contentDir,
    databasePath,
    env: { ...SERVER_ENV, METRICS_TOKEN, BACKGROUND_COMPILES: '1' },
    logFile,
  })
  const afterDeploy = latencySummary((await firstRequests(server.url, served)).values())
  const catchUpMs = await waitForBackgroundCompiles(server)
  await server.stop()

  const p99 = (x: LoadResult, y: LoadResult) => `p99 ${x.p99} vs ${y.p99} ms`
  console.log(
    `\na/c ${ratio(a, c)} (${p99(a, c)})   b/c ${ratio(b, cAll)} (${p99(b, cAll)})   target 90%, p99 within 2 ms\n` +
      `d/a ${ratio(d, a)} (target 50%; the uncompressed page is ` +
      `${(plain.get(largest)!.body.length / largestPage.body.length).toFixed(0)} times the bytes; d against the ` +
      `bare server sending them: ${ratio(d, cPlain)})   e/b ${ratio(e, bSame)} (${p99(e, bSame)}; ` +
      `${edits} edits in the best run; target 90%; against the ${seconds} s runs of (b): ${ratio(e, b)})\n` +
      `CPU per request (main thread): Kiln ${a.cpuPerRequest.toFixed(0)} µs largest, ${b.cpuPerRequest.toFixed(0)} ` +
      `µs round-robin; bare ${c.cpuPerRequest.toFixed(0)} and ${cAll.cpuPerRequest.toFixed(0)} µs\n` +
      `b/c' ${ratio(b, cHeads)} (${p99(b, cHeads)}): against a bare server sending Kiln's headers as well; the ` +
      `load generator spends ${cHeads.clientCpuPerRequest.toFixed(0)} µs per such answer against ` +
      `${cAll.clientCpuPerRequest.toFixed(0)} µs with the bare server's own few headers`,
  )
  console.log(
    `(f) first request to each post: cold start (compiles) ${cold}; after a new compiler ${afterDeploy} ` +
      `(background compiles took ${(catchUpMs / 1000).toFixed(1)} s more)`,
  )
  console.log(
    `Kiln RSS right after the load: ${mb(rss)}; steady (threads ended, the idle collection and hand-back ` +
      `done, a full GC): ${mb(steady.rss)} (target under 150 MB), heap ${mb(steady.heapUsed)} used of ` +
      `${mb(steady.heapTotal)}, external ${mb(steady.external)}`,
  )
  console.log(
    `page cache: ${cache.kiln_page_cache_entries} pages, ` +
      `${mb(cache.kiln_page_cache_bytes)} of ` +
      `${mb(cache.kiln_page_cache_max_bytes)}, ` +
      `${cache.kiln_page_cache_hits_total} hits, ` +
      `${cache.kiln_page_cache_misses_total} renders, ` +
      `${cache.kiln_page_cache_evictions_total} evictions`,
  )

  if (values['no-cache']) {
    console.log('\nuncached (PAGE_CACHE_MAX_BYTES=0, same database):')
    server = await startServer({
      contentDir,
      databasePath,
      env: { ...SERVER_ENV, PAGE_CACHE_MAX_BYTES: '0' },
      logFile,
    })
    const uncached: Target = { url: server.url, pid: () => server.serverPid() }
    try {
      await fetchAll(server.url, served)
      const ua = await runOnce('(a) Kiln uncached, largest post', uncached, [largest])
      console.log(withCpu(ua))
      const ub = await runOnce('(b) Kiln uncached, all posts round-robin', uncached, served)
      console.log(withCpu(ub))
      console.log(
        `uncached a/c ${ratio(ua, c)}   b/c ${ratio(ub, cAll)}   cached over uncached: ` +
          `largest ${(a.requestsPerSecond / ua.requestsPerSecond).toFixed(1)}x, round-robin ` +
          `${(b.requestsPerSecond / ub.requestsPerSecond).toFixed(1)}x`,
      )
      console.log(`Kiln RSS at the end (uncached): ${mb(rssOf(server.serverPid()))}`)
    } finally {
      await server.stop()
    }
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
