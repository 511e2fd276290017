/**
 * `npm run bench:memory -- --dir <content folder> [--readers 4] [--compare] [--env KEY=VALUE ...] [--build]`
 *
 * Kiln's memory budget, measured on a real blog in one run: starts the built server as
 * `npm start` does (server/start.mjs, which becomes its supervisor server/supervisor.pl,
 * with a fresh DATA_DIR and database) and samples, every 100 ms from /proc, the RSS of the
 * whole process tree: the supervisor, the server process with all its threads, and every
 * descendant (compile processes, esbuild services). It prints:
 *   1. the peak during a cold compile of every post, `--readers` readers at a time, and
 *      the V8 heaps then (the main thread's and each pool's threads', from /metrics);
 *   2. the tree's RSS once the worker pools are idle (read from /metrics: no pool thread
 *      or process alive), after serving every post;
 *   3. the peak during a heap snapshot of the server (GET /admin/heapsnapshot as an admin),
 *      and the tree 15 s after it (the server collects and hands memory back 10 s after a
 *      diagnostic ends: what a snapshot leaves behind for good).
 * With --compare, the same figures again with posts compiled in a child process that
 * exits when idle (COMPILE_RUNTIME=process) instead of a thread, and the ratios.
 *
 * A figure is the sum of VmRSS over the tree's processes: pages shared between processes
 * (Node's binary, mapped by the server and its compile processes) count once per process, so the
 * figure errs high, never low; the goals are read against it. Beside it, in parentheses, the
 * same tree with shared file pages counted once, as a container's memory limit counts them:
 * each process's anonymous and written pages, plus each mapped file's resident pages once
 * (the most any process of the tree has resident of that mapping, from /proc/<pid>/smaps).
 * Not PSS: PSS divides a shared page among every process mapping it, Node processes outside
 * the tree (the benchmark's own, other servers on the machine) included, and so errs low.
 */
import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { repoRoot, startServer, tempDir, type KilnServer } from './lib/server.ts'
import {
  BROWSER_HEADERS,
  fetchAll,
  getRaw,
  mb,
  metricsWithPrefix,
  nodeArgsOption,
  poolWorkersAlive,
  postPaths,
} from './load.ts'

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    readers: { type: 'string', default: '4' },
    compare: { type: 'boolean', default: false },
    build: { type: 'boolean', default: false },
    env: { type: 'string', multiple: true, default: [] },
    // V8 flags for the server beside its own (server/start.mjs), to measure one: "--flag-a --flag-b".
    'node-args': { type: 'string', default: '' },
  },
})
if (!values.dir) {
  console.error(
    'usage: npm run bench:memory -- --dir <content folder> [--readers 4] [--compare] [--env KEY=VALUE ...] ' +
      '[--node-args="<V8 flags>"] [--build]',
  )
  process.exit(2)
}
const contentDir = path.resolve(values.dir)
const readers = Math.max(1, Number(values.readers) || 4)
const extraEnv = Object.fromEntries(
  values.env.map((pair) => {
    const at = pair.indexOf('=')
    if (at < 1) throw new Error(`--env wants KEY=VALUE, got ${pair}`)
    return [pair.slice(0, at), pair.slice(at + 1)]
  }),
)
const METRICS_TOKEN = 'bench-memory-metrics-token'
const ADMIN = 'bench-memory@example.com'
const PASSWORD = 'bench memory password'

/** An admin made with `npm run admin:create`'s script against the server's database, signed in: its cookie. */
async function adminCookie(server: KilnServer): Promise<string> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'other', 'admin-create.ts'), '--email', ADMIN],
    {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_PATH: server.databasePath },
      stdio: ['pipe', 'inherit', 'inherit'],
    },
  )
  child.stdin.end(`${PASSWORD}\n`)
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  if (code !== 0) throw new Error(`admin:create failed (${code})`)
  const response = await fetch(`${server.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url },
    body: new URLSearchParams({ email: ADMIN, password: PASSWORD }).toString(),
  })
  const cookie = /kiln_session=[^;]*/.exec(response.headers.get('set-cookie') ?? '')?.[0]
  if (!cookie) throw new Error(`sign-in failed: ${response.status}`)
  return cookie
}

interface ProcessInfo {
  pid: number
  name: string
  rss: number
  /** Anonymous and written pages (kB), which no other process of the tree has. */
  ownKb: number
  /** Resident clean pages (kB) of each file mapping, by file and offset. */
  fileKb: Map<string, number>
}

/** Every process's parent, from /proc/<pid>/stat (the field after the name, which may hold spaces). */
function parents(): Map<number, number[]> {
  const children = new Map<number, number[]>()
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8')
    } catch {
      continue // ended while we looked
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    const list = children.get(ppid) ?? []
    list.push(Number(entry))
    children.set(ppid, list)
  }
  return children
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return fallback
  }
}

/** A process's pages from /proc/<pid>/smaps: its own (anonymous or written), and each file mapping's clean ones. */
function mappedPages(pid: number): { ownKb: number; fileKb: Map<string, number> } {
  const fileKb = new Map<string, number>()
  let ownKb = 0
  let mapping: string | null = null
  let clean = 0
  const endMapping = () => {
    if (mapping !== null && clean > 0) fileKb.set(mapping, Math.max(fileKb.get(mapping) ?? 0, clean))
    clean = 0
  }
  for (const line of readOr(`/proc/${pid}/smaps`, '').split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ ([0-9a-f]+) \S+ (\d+)\s*(.*)$/.exec(line)
    if (header) {
      endMapping()
      // A file's mapping (inode not 0) is keyed by its path and offset; anything else is the process's own.
      mapping = header[2] !== '0' ? `${header[3]}@${header[1]}` : null
      continue
    }
    const field = /^(Shared_Clean|Private_Clean|Shared_Dirty|Private_Dirty):\s+(\d+) kB/.exec(line)
    if (!field) continue
    const kb = Number(field[2])
    if (mapping !== null && field[1].endsWith('_Clean')) clean += kb
    else ownKb += kb
  }
  endMapping()
  return { ownKb, fileKb }
}

function processInfo(pid: number, parent: number | undefined): ProcessInfo | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
    const name = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '?'
    // A zombie has no VmRSS line: it holds no memory.
    let rss = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0) * 1024
    // Forked but not yet exec'd (libuv's spawn): its pages are its parent's, counted there.
    if (parent !== undefined && readOr(`/proc/${pid}/cmdline`, 'a') === readOr(`/proc/${parent}/cmdline`, 'b')) rss = 0
    const pages = rss > 0 ? mappedPages(pid) : { ownKb: 0, fileKb: new Map<string, number>() }
    return { pid, name, rss, ...pages }
  } catch {
    return null
  }
}

/** The root process and all its descendants, with their RSS now. */
function tree(root: number): ProcessInfo[] {
  const children = parents()
  const found: ProcessInfo[] = []
  const stack: [number, number | undefined][] = [[root, undefined]]
  while (stack.length > 0) {
    const [pid, parent] = stack.pop()!
    const info = processInfo(pid, parent)
    if (info) found.push(info)
    for (const child of children.get(pid) ?? []) stack.push([child, pid])
  }
  return found
}

const total = (processes: ProcessInfo[]) => processes.reduce((sum, p) => sum + p.rss, 0)

/** The tree's memory with shared file pages counted once (see the header), in bytes. */
function sharedOnce(processes: ProcessInfo[]): number {
  const files = new Map<string, number>()
  let kb = 0
  for (const p of processes) {
    kb += p.ownKb
    for (const [mapping, clean] of p.fileKb) files.set(mapping, Math.max(files.get(mapping) ?? 0, clean))
  }
  for (const clean of files.values()) kb += clean
  return kb * 1024
}
const describe = (processes: ProcessInfo[]) =>
  processes
    .filter((p) => p.rss > 0)
    .map((p) => `${p.name} ${mb(p.rss)}`)
    .join(', ')

/** Samples the tree every 100 ms until stopped; keeps the peak (and the processes then) of both sums. */
function sampleTree(root: number) {
  let peak: ProcessInfo[] = []
  let peakOnce = 0
  let samples = 0
  const take = () => {
    const now = tree(root)
    samples++
    if (total(now) > total(peak)) peak = now
    peakOnce = Math.max(peakOnce, sharedOnce(now))
  }
  take()
  const timer = setInterval(take, 100)
  return {
    stop() {
      clearInterval(timer)
      take()
      return { peak: total(peak), peakOnce, peakProcesses: peak, samples }
    },
  }
}

/**
 * Reads the V8 heaps from /metrics once a second until stopped (the server's main thread and
 * each pool's threads: kiln_worker_pool_heap_bytes) and keeps the reading whose sum was
 * largest: which isolate holds the memory at a cold compile's peak. Once a second, not at
 * every RSS sample: each read costs the main thread a scrape.
 */
function sampleHeaps(server: KilnServer) {
  let largest: Record<string, number> = {}
  let running = true
  const sum = (heaps: Record<string, number>) => Object.values(heaps).reduce((a, b) => a + b, 0)
  const loop = (async () => {
    while (running) {
      const figures = await metricsWithPrefix(server.url, METRICS_TOKEN, '').catch(() => ({}) as Record<string, number>)
      const heaps: Record<string, number> = { main: figures['nodejs_heap_size_total_bytes'] ?? 0 }
      for (const [name, value] of Object.entries(figures)) {
        const pool = /^kiln_worker_pool_heap_bytes\{pool="([^"]+)"\}$/.exec(name)?.[1]
        if (pool && value > 0) heaps[pool] = value
      }
      if (sum(heaps) > sum(largest)) largest = heaps
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
  })()
  return {
    async stop(): Promise<string> {
      running = false
      await loop
      return Object.entries(largest)
        .map(([name, bytes]) => `${name} ${mb(bytes)}`)
        .join(', ')
    },
  }
}

interface Figures {
  label: string
  posts: number
  compileSeconds: number
  coldPeak: number
  coldPeakOnce: number
  coldPeakProcesses: ProcessInfo[]
  idle: number
  idleOnce: number
  idleProcesses: ProcessInfo[]
  snapshotPeak: number
  snapshotPeakOnce: number
  snapshotPeakProcesses: ProcessInfo[]
  snapshotBytes: number
  /** The tree 15 s after the snapshot, and with shared file pages counted once. */
  afterSnapshot: number
  afterSnapshotOnce: number
}

async function measure(label: string, env: Record<string, string>): Promise<Figures> {
  const dataDir = tempDir('kiln-bench-memory-')
  // npm start's settings (package.json), then whatever this run asks for.
  const server = await startServer({
    contentDir,
    databasePath: path.join(dataDir, 'kiln.db'),
    env: {
      MALLOC_ARENA_MAX: '2',
      MALLOC_MMAP_THRESHOLD_: '65536',
      MALLOC_TRIM_THRESHOLD_: '131072',
      DATA_DIR: dataDir,
      METRICS_TOKEN,
      ...env,
    },
    nodeArgs: nodeArgsOption(values['node-args']),
  })
  const root = server.process.pid!
  try {
    const paths = postPaths(contentDir)
    await new Promise((resolve) => setTimeout(resolve, 1000))
    console.log(`[${label}] started: ${mb(total(tree(root)))} (${describe(tree(root))})`)

    // 1. Cold compile of every post, `readers` at a time.
    const cold = sampleTree(root)
    const heaps = sampleHeaps(server)
    const start = performance.now()
    const served = await fetchAll(server.url, paths, readers)
    const compileSeconds = (performance.now() - start) / 1000
    const coldFigures = cold.stop()
    const largestHeaps = await heaps.stop()
    if (served.size !== paths.length) console.log(`[${label}] ${paths.length - served.size} posts did not answer 200`)
    console.log(
      `[${label}] cold compile of ${paths.length} posts (${readers} readers): ${compileSeconds.toFixed(1)} s, ` +
        `peak ${mb(coldFigures.peak)} (${describe(coldFigures.peakProcesses)}; shared pages once ` +
        `${mb(coldFigures.peakOnce)}); V8 heaps at their largest (total size, read once a second): ${largestHeaps}`,
    )

    // 2. Idle: every pool thread and process ended (their idle timeout), then a few samples.
    const idleDeadline = Date.now() + 300_000
    while ((await poolWorkersAlive(server.url, METRICS_TOKEN)) > 0 && Date.now() < idleDeadline)
      await new Promise((resolve) => setTimeout(resolve, 500))
    // Past V8's memory reducer's first look (8 s after the last major GC while allocation is low).
    await new Promise((resolve) => setTimeout(resolve, 10_000))
    const idleSamples: ProcessInfo[][] = []
    for (let i = 0; i < 10; i++) {
      idleSamples.push(tree(root))
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    idleSamples.sort((a, b) => total(a) - total(b))
    const idleProcesses = idleSamples[Math.floor(idleSamples.length / 2)]
    const heap = await metricsWithPrefix(server.url, METRICS_TOKEN, 'nodejs_')
    // What the caches in the server hold at that moment (their bytes are in the figures above).
    const caches = await metricsWithPrefix(server.url, METRICS_TOKEN, 'kiln_')
    console.log(
      `[${label}] idle (pools spun down): ${mb(total(idleProcesses))} (${describe(idleProcesses)}; shared ` +
        `pages once ${mb(sharedOnce(idleProcesses))}); server heap ` +
        `${mb(heap.nodejs_heap_size_used_bytes)} used of ${mb(heap.nodejs_heap_size_total_bytes)}, external ` +
        `${mb(heap.nodejs_external_memory_bytes)}; caches: pages ${mb(caches.kiln_page_cache_bytes)} ` +
        `(${caches.kiln_page_cache_entries} entries), components ${mb(caches.kiln_component_cache_bytes)} ` +
        `(${caches.kiln_component_cache_entries}), feed HTML ${mb(caches.kiln_feed_html_cache_bytes)}`,
    )

    // 3. A heap snapshot of the server, read to its end.
    const cookie = await adminCookie(server)
    const snapshot = sampleTree(root)
    const response = await getRaw(server.url, '/admin/heapsnapshot', { ...BROWSER_HEADERS, Cookie: cookie })
    const snapshotFigures = snapshot.stop()
    if (response.status !== 200)
      throw new Error(`the heap snapshot answered ${response.status}: ${response.body.toString().slice(0, 300)}`)
    await new Promise((resolve) => setTimeout(resolve, 15_000))
    const afterSnapshot = tree(root)
    console.log(
      `[${label}] heap snapshot (${mb(response.body.length)}): peak ${mb(snapshotFigures.peak)} ` +
        `(${describe(snapshotFigures.peakProcesses)}; shared pages once ${mb(snapshotFigures.peakOnce)}); ` +
        `15 s after it ${mb(total(afterSnapshot))} (${describe(afterSnapshot)})`,
    )
    return {
      label,
      posts: paths.length,
      compileSeconds,
      coldPeak: coldFigures.peak,
      coldPeakOnce: coldFigures.peakOnce,
      coldPeakProcesses: coldFigures.peakProcesses,
      idle: total(idleProcesses),
      idleOnce: sharedOnce(idleProcesses),
      idleProcesses,
      snapshotPeak: snapshotFigures.peak,
      snapshotPeakOnce: snapshotFigures.peakOnce,
      snapshotPeakProcesses: snapshotFigures.peakProcesses,
      snapshotBytes: response.body.length,
      afterSnapshot: total(afterSnapshot),
      afterSnapshotOnce: sharedOnce(afterSnapshot),
    }
  } catch (error) {
    console.error(`[${label}] failed; the server's last words:\n${server.output().slice(-4000)}`)
    throw error
  } finally {
    await server.stop()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

if (values.build) execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit' })

const runs: Figures[] = [await measure(`kiln (${extraEnv.COMPILE_RUNTIME ?? 'default'})`, extraEnv)]
if (values.compare) runs.push(await measure('compile process', { ...extraEnv, COMPILE_RUNTIME: 'process' }))

const GOALS = { coldPeak: 256, idle: 128, snapshotPeak: 256 }
const inMb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0)
console.log(
  `\n${runs[0].posts} posts, ${readers} readers at a time; the sum of RSS over the whole process tree, MB ` +
    `(in parentheses: shared file pages counted once)`,
)
console.log(
  '| design | cold compile peak | idle after serving every post | heap snapshot peak | 15 s after the snapshot ' +
    '| compile time |',
)
console.log('|---|---:|---:|---:|---:|---:|')
for (const run of runs)
  console.log(
    `| ${run.label} | ${inMb(run.coldPeak)} (${inMb(run.coldPeakOnce)}) | ` +
      `${inMb(run.idle)} (${inMb(run.idleOnce)}) | ` +
      `${inMb(run.snapshotPeak)} (${inMb(run.snapshotPeakOnce)}) | ` +
      `${inMb(run.afterSnapshot)} (${inMb(run.afterSnapshotOnce)}) | ${run.compileSeconds.toFixed(1)} s |`,
  )
console.log(`| goal | < ${GOALS.coldPeak} | < ${GOALS.idle} | < ${GOALS.snapshotPeak} | | |`)
if (runs.length === 2) {
  const [before, now] = runs
  const ratio = (a: number, b: number) => (a / b).toFixed(2)
  console.log(
    `ratios process/thread: cold peak ${ratio(now.coldPeak, before.coldPeak)}, idle ${ratio(now.idle, before.idle)}, ` +
      `snapshot peak ${ratio(now.snapshotPeak, before.snapshotPeak)}, compile time ` +
      `${ratio(now.compileSeconds, before.compileSeconds)}`,
  )
}
