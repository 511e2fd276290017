/**
 * `npm run soak -- --minutes N --dir <content folder> [--connections 10] [--max-growth 5] [--warmup-seconds S]`
 *
 * The proof that Kiln's memory stays flat: starts Kiln (with --expose-gc, for this run
 * only) on a copy of the content folder, warms it (every post compiled), then for N
 * minutes keeps autocannon (in this process) on every post round-robin, mixed with:
 *   - the home, list and tag pages, and posts under queries they do not read (a tracker's,
 *     a cache-buster's), which the page cache answers from the post's own entry: they must
 *     add no entry and no render;
 *   - content refreshes: every 15 s one post is edited on disk (the request-time re-scan
 *     picks it up), which moves the content version: every cached page is rendered again
 *     and the edited post is recompiled in the compile pool.
 * Every 10 s the server forces a full GC and reports its memory (server/memory-probe.ts),
 * three times a moment apart; the smallest figures count (what requests in flight hold
 * is not what stays).
 * After the warm-up (a quarter of the run, 30 s to 120 s), the heap's and RSS's least-
 * squares trend is reported as MB per 10 minutes and the heap's growth over the measured
 * window as a percentage. Exits 1 when that growth is over --max-growth percent (5).
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { copyDir, startServer, tempDir } from './lib/server.ts'
import { BROWSER_HEADERS, fetchAll, mb, memoryOf, postPaths, SERVER_ENV } from './load.ts'

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    dir: { type: 'string' },
    connections: { type: 'string', default: '10' },
    'max-growth': { type: 'string', default: '5' },
    'warmup-seconds': { type: 'string' },
  },
})
if (!values.dir) {
  console.error(
    'usage: npm run soak -- --minutes N --dir <content folder> ' +
      '[--connections 10] [--max-growth 5] [--warmup-seconds S]',
  )
  process.exit(2)
}
const durationS = Math.round(Number(values.minutes) * 60)
if (!Number.isFinite(durationS) || durationS < 30) {
  console.error('--minutes must be a number, at least 0.5')
  process.exit(2)
}
const connections = Math.max(1, Number(values.connections) || 10)
const maxGrowthPercent = Number(values['max-growth'])
const warmupS =
  values['warmup-seconds'] !== undefined ? Number(values['warmup-seconds']) : Math.min(120, Math.max(30, durationS / 4))
const SAMPLE_EVERY_MS = 10_000
const EDIT_EVERY_MS = 15_000
const QUERY_VARIANTS = 50

interface Sample {
  atS: number
  rss: number
  heapUsed: number
  heapTotal: number
  external: number
}

/** Least-squares line through (x, y): its values at the first and last x, and its slope. */
function trend(points: { x: number; y: number }[]) {
  const n = points.length
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n
  const sxx = points.reduce((sum, p) => sum + (p.x - meanX) ** 2, 0)
  const slope = sxx === 0 ? 0 : points.reduce((sum, p) => sum + (p.x - meanX) * (p.y - meanY), 0) / sxx
  const at = (x: number) => meanY + slope * (x - meanX)
  return { slope, start: at(points[0].x), end: at(points[n - 1].x) }
}

async function main() {
  const contentDir = path.join(tempDir('kiln-soak-'), 'content')
  copyDir(path.resolve(values.dir!), contentDir)
  const posts = postPaths(contentDir)
  const server = await startServer({ contentDir, nodeArgs: ['--expose-gc'], ipc: true, env: SERVER_ENV })
  console.log(
    `soak: ${posts.length} posts, ${connections} connections, ` +
      `${durationS} s, warm-up ${warmupS} s, pid ${server.serverPid()}`,
  )

  const warmStart = performance.now()
  const served = [...(await fetchAll(server.url, posts)).keys()]
  console.log(`warmed ${served.length} posts in ${((performance.now() - warmStart) / 1000).toFixed(1)} s`)

  // Every post, the lists, and posts under queries they do not read: the cache drops such
  // parameters from its key, so these are the posts' own entries (misses come from the
  // content edits, which move the version and make every page render again).
  const queried = Array.from(
    { length: QUERY_VARIANTS },
    (_, i) => `${served[i % served.length]}?utm_source=soak${i}&r=${i}`,
  )
  const paths = [...served, '/', '/blog', '/tags', ...queried].sort(() => Math.random() - 0.5)

  const samples: Sample[] = []
  const start = performance.now()
  const elapsedS = () => (performance.now() - start) / 1000
  // Requests in flight hold memory too (a large post mid-render): of three probes a moment
  // apart, the smallest figures are the ones that say what stays.
  const sample = async () => {
    const probes: NodeJS.MemoryUsage[] = []
    for (let i = 0; i < 3; i++) {
      probes.push(await memoryOf(server))
      await new Promise((resolve) => setTimeout(resolve, 300))
    }
    const least = (key: 'rss' | 'heapUsed' | 'heapTotal' | 'external') => Math.min(...probes.map((usage) => usage[key]))
    const point = {
      atS: elapsedS(),
      rss: least('rss'),
      heapUsed: least('heapUsed'),
      heapTotal: least('heapTotal'),
      external: least('external'),
    }
    samples.push(point)
    console.log(
      `${point.atS.toFixed(0).padStart(5)} s   rss ${mb(point.rss).padStart(9)}   heap used ` +
        `${mb(point.heapUsed).padStart(9)} of ${mb(point.heapTotal).padStart(9)}   external ` +
        `${mb(point.external).padStart(9)}`,
    )
  }

  // Edits rotate over a few posts, appending a line each time (the version always moves).
  const editable = posts.slice(0, 5).map((post) => {
    const slug = post.slice('/blog/'.length)
    const file = ['.mdx', '.md', '/index.mdx']
      .map((ext) => path.join(contentDir, 'blog', slug + ext))
      .find((candidate) => fs.existsSync(candidate))!
    return { file, original: fs.readFileSync(file, 'utf8') }
  })
  let edits = 0
  const editTimer = setInterval(() => {
    const target = editable[edits % editable.length]
    fs.writeFileSync(target.file, `${target.original}\n\nSoak edit ${edits++}.\n`)
  }, EDIT_EVERY_MS)
  const sampleTimer = setInterval(
    () => void sample().catch((error: Error) => console.error(`sample failed: ${error.message}`)),
    SAMPLE_EVERY_MS,
  )

  await sample()
  const load = await autocannon({
    url: server.url,
    connections,
    duration: durationS,
    headers: BROWSER_HEADERS,
    requests: paths.map((pathname) => ({ method: 'GET' as const, path: pathname })),
  })
  clearInterval(editTimer)
  clearInterval(sampleTimer)
  await sample()
  await server.stop()

  const measured = samples.filter((point) => point.atS >= warmupS)
  console.log(
    `\nload: ${load.requests.total} requests, ` +
      `${load.requests.average.toFixed(0)} req/s on average, p99 ` +
      `${load.latency.p99} ms, ` +
      `${load.non2xx} non-2xx, ${load.errors} errors; ${edits} content edits`,
  )
  if (measured.length < 3) {
    console.error(`only ${measured.length} samples after the warm-up: run longer`)
    process.exit(1)
  }
  const windowS = measured[measured.length - 1].atS - measured[0].atS
  const heap = trend(measured.map((point) => ({ x: point.atS, y: point.heapUsed })))
  const rss = trend(measured.map((point) => ({ x: point.atS, y: point.rss })))
  const per10Minutes = (slopePerS: number) => `${((slopePerS * 600) / 1024 / 1024).toFixed(2)} MB per 10 min`
  const heapGrowthPercent = (100 * (heap.end - heap.start)) / heap.start
  console.log(`after the warm-up (${measured.length} samples over ${windowS.toFixed(0)} s):`)
  console.log(
    `  heap: ${mb(measured[0].heapUsed)} -> ${mb(measured[measured.length - 1].heapUsed)}, trend ` +
      `${per10Minutes(heap.slope)}, growth ${heapGrowthPercent.toFixed(2)}% (limit ${maxGrowthPercent}%)`,
  )
  console.log(
    `  rss:  ${mb(measured[0].rss)} -> ${mb(measured[measured.length - 1].rss)}, trend ${per10Minutes(rss.slope)}`,
  )
  if (load.errors > 0 || load.requests.total === 0) {
    console.error('FAIL: the load saw connection errors')
    process.exit(1)
  }
  if (heapGrowthPercent > maxGrowthPercent) {
    console.error(
      `FAIL: heap grew ${heapGrowthPercent.toFixed(2)}% after the warm-up, over the ${maxGrowthPercent}% limit`,
    )
    process.exit(1)
  }
  console.log('PASS')
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
