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
 *       a/c and b/c (each against the bare server doing the same),
 *   (d) the largest post for a client that sends no Accept-Encoding (monitors, some bots),
 *       against (a): such a client must not be a cheap way to burn the server's CPU,
 * and Kiln's RSS at the end, with the page cache's figures. With --no-cache, also (a) and
 * (b) on the uncached path: the same database (nothing recompiles), PAGE_CACHE_MAX_BYTES=0.
 *
 * Requests carry a browser's Accept-Encoding (br, gzip): the bare server is given the very
 * bytes Kiln sent for each post.
 */
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { repoRoot, startServer, tempDir, type KilnServer } from './lib/server.ts'
import {
  fetchAll,
  formatLoad,
  mb,
  memoryOf,
  metricsWithPrefix,
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
  },
})
if (!values.dir) {
  console.error(
    'usage: npm run bench -- --dir <content folder> [--no-cache] [--seconds 10] [--connections 10] [--no-build]',
  )
  process.exit(2)
}
const contentDir = path.resolve(values.dir)
const seconds = Math.max(1, Number(values.seconds) || 10)
const connections = Math.max(1, Number(values.connections) || 10)
const METRICS_TOKEN = 'bench-metrics-token'
const ratio = (a: LoadResult, b: LoadResult) => `${((100 * a.requestsPerSecond) / b.requestsPerSecond).toFixed(0)}%`

async function warm(server: KilnServer, paths: string[]): Promise<Map<string, ServedPage>> {
  const start = performance.now()
  const first = await fetchAll(server.url, paths)
  // Twice: the first request compiled (or rendered) each post, the second is what readers get.
  const bodies = await fetchAll(server.url, [...first.keys()])
  console.log(`warmed ${bodies.size} posts in ${((performance.now() - start) / 1000).toFixed(1)} s`)
  return bodies
}

/** A short run first, so the JIT has settled before the measured one. */
async function measure(
  label: string,
  url: string,
  paths: string[],
  headers?: Record<string, string>,
): Promise<LoadResult> {
  await runLoad(label, url, paths, { connections, seconds: Math.min(3, seconds), headers })
  const result = await runLoad(label, url, paths, { connections, seconds, headers })
  console.log(formatLoad(result))
  return result
}

async function main() {
  if (!values['no-build']) {
    console.log('building...')
    execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'ignore' })
  }
  const paths = postPaths(contentDir)
  const databasePath = path.join(tempDir('kiln-bench-'), 'kiln.db')
  console.log(`${paths.length} posts in ${contentDir}; ${connections} connections, ${seconds} s per measurement`)

  let server = await startServer({
    contentDir,
    databasePath,
    env: { ...SERVER_ENV, METRICS_TOKEN },
    nodeArgs: ['--expose-gc'],
    ipc: true,
  })
  const bodies = await warm(server, paths)
  const served = [...bodies.keys()]
  const sizes = [...bodies.values()].map((page) => page.body.length)
  const [largest, largestPage] = [...bodies].sort((a, b) => b[1].body.length - a[1].body.length)[0]
  console.log(
    `largest post: ${largest} (${(largestPage.body.length / 1024).toFixed(0)} KB as sent, ` +
      `${largestPage.encoding ?? 'identity'}); all posts ${mb(sizes.reduce((sum, size) => sum + size, 0))} as ` +
      `sent\n`,
  )

  const bare = await startBareServer(bodies)
  let a: LoadResult, b: LoadResult, c: LoadResult, cAll: LoadResult, d: LoadResult
  try {
    a = await measure('(a) Kiln, largest post', server.url, [largest])
    d = await measure('(d) Kiln, largest post, no compression', server.url, [largest], {})
    b = await measure('(b) Kiln, all posts round-robin', server.url, served)
    c = await measure('(c) bare node:http, largest post', bare.url, [largest])
    cAll = await measure('(c) bare node:http, all posts round-robin', bare.url, served)
  } finally {
    bare.stop()
  }
  const rss = rssOf(server.serverPid())
  const cache = await metricsWithPrefix(server.url, METRICS_TOKEN, 'kiln_page_cache_')
  // Steady state: the worker pools' threads have ended (HIGHLIGHT_IDLE_MS, 10 s) and a full GC ran.
  await new Promise((resolve) => setTimeout(resolve, 12_000))
  const steady = await memoryOf(server)
  await server.stop()

  console.log(
    `\na/c ${ratio(a, c)} (target 60%)   b/c ${ratio(b, cAll)} (target 50%)   d/a ${ratio(d, a)} (target 50%)`,
  )
  console.log(
    `Kiln RSS right after the load: ${mb(rss)}; steady (threads idle, after a full GC): ${mb(steady.rss)} ` +
      `(target under 150 MB), heap ${mb(steady.heapUsed)} used of ${mb(steady.heapTotal)}, external ` +
      `${mb(steady.external)}`,
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
    server = await startServer({ contentDir, databasePath, env: { ...SERVER_ENV, PAGE_CACHE_MAX_BYTES: '0' } })
    try {
      await fetchAll(server.url, served)
      const ua = await measure('(a) Kiln uncached, largest post', server.url, [largest])
      const ub = await measure('(b) Kiln uncached, all posts round-robin', server.url, served)
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
