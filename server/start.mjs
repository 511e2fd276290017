/**
 * `npm start`: the production server on plain Node.
 *
 * `npm ci && npm start` must work on a fresh clone: when the build is missing, or older
 * than the sources it is made from, it is made first (about a minute). Then the bundled
 * server (build/kiln/server.mjs, from server/index.ts) runs in a child process, and this
 * one stays as its supervisor, because some faults leave the server unable to help itself:
 *
 * - A post whose component loops blocks the server's main thread. Its render watchdog
 *   (workers/render-watchdog.mjs) quarantines the post and kills the process; a child that
 *   had been serving and dies is started again here (backing off when that keeps happening).
 * - A blocked main thread cannot run its SIGTERM handler. SIGTERM and SIGINT are passed on
 *   to the child, and a child still there SHUTDOWN_TIMEOUT_MS (its drain budget, which it
 *   reports when it is ready) plus KILL_GRACE_MS later is killed.
 * - When this process is killed outright, the child notices its IPC channel close and
 *   stops (its render watchdog ends it if its main thread is stuck in a post's render), so no
 *   orphan keeps the port.
 *
 * Messages other than the child's own (the soak's memory probe) are relayed both ways.
 */
import { fork, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** A log line of the same shape as the server's (app/logging): JSON on standard output. */
function log(level, msg) {
  process.stdout.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), pid: process.pid, name: 'kiln', msg })}\n`,
  )
}

// better-sqlite3 13 needs Node-API 10, which no Node 20 release has: on Node 20 the server
// would die of a segmentation fault at its first query. Refuse with the reason instead.
const NODE_MAJOR_MIN = 24
if (Number(process.versions.node.split('.')[0]) < NODE_MAJOR_MIN) {
  // Said to the person at the terminal (standard error, plain), not to a log collector: nothing has started.
  process.stderr.write(`Kiln needs Node ${NODE_MAJOR_MIN} or newer (.nvmrc); this is Node ${process.versions.node}.\n`)
  process.exit(1)
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const SOURCES = [
  'app',
  'server',
  'workers',
  'public',
  'vite.config.ts',
  'tailwind.config.ts',
  'postcss.config.js',
  'package.json',
  'package-lock.json',
  'other/bundle-server.mjs',
]
const OUTPUTS = [path.join(root, 'build', 'server', 'index.js'), path.join(root, 'build', 'kiln', 'server.mjs')]

function newestMtime(target) {
  if (!fs.existsSync(target)) return 0
  const stat = fs.statSync(target)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)))
  return newest
}

function buildIsCurrent() {
  if (!OUTPUTS.every((file) => fs.existsSync(file))) return false
  const built = Math.min(...OUTPUTS.map((file) => fs.statSync(file).mtimeMs))
  return SOURCES.every((source) => newestMtime(path.join(root, source)) <= built)
}

function run(args, what) {
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  })
  if (result.status !== 0) {
    log(
      'fatal',
      `could not start: ${what} failed (exit ${result.status ?? result.signal}); run "npm run build" to see why`,
    )
    process.exit(1)
  }
}

if (!buildIsCurrent()) {
  log('info', 'the production build is missing or older than the sources: building (about a minute)…')
  run([path.join(root, 'node_modules', '@remix-run', 'dev', 'dist', 'cli.js'), 'vite:build'], 'the build')
  run([path.join(root, 'other', 'bundle-server.mjs')], 'bundling the server')
}

const KILL_GRACE_MS = 3_000
/** Deaths within a minute restarted at once; after those, the wait doubles from 1 s up to 30 s. */
const RESTARTS_AT_ONCE = 5
const MAX_RESTART_DELAY_MS = 30_000
let restartTimer = null
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000

let child = null
let shutdownTimeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS
let stopping = false
const restarts = []

/**
 * glibc's allocator settings for the server (and the compile processes it starts), unless
 * the environment sets its own: at most two arenas, large blocks mapped on their own, and
 * free memory at the top of the heap given back past 128 KB. Without them, memory freed
 * by rendering large posts and by ended worker threads stayed with the process
 * (docs/performance.md, memory). `npm start` and the Dockerfile set the same.
 */
const ALLOCATOR_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '65536', MALLOC_TRIM_THRESHOLD_: '131072' }

/**
 * V8 flags of the server (every isolate of the process: the main thread and the pool
 * threads), measured on a cold compile of a 223-post blog (docs/performance.md, memory):
 * - `--max-semi-space-size=4`: a young generation of at most 4 MB per semi-space (V8's
 *   default grows to 16): the cold peak and the idle RSS 47 and 24 MB lower.
 * - `--heap-growing-percent=50`: a heap grows by half before V8 collects it again, where
 *   V8 lets a busy heap grow up to fourfold: the cold peak about 40 MB lower (451-453
 *   against 486-502 MB), idle and snapshot figures as low as with `--optimize-for-size`.
 *   That flag took the cold peak 70 MB lower still, but a cached page then cost the main
 *   thread 14 % more CPU on a quiet machine (less optimized code, a 1 MB young
 *   generation); this one costs serving nothing measurable.
 * Node options given to this process come after, so an operator's own win
 * (`node --optimize-for-size server/start.mjs` for the smallest peak).
 */
const SERVER_NODE_OPTIONS = ['--max-semi-space-size=4', '--heap-growing-percent=50']

function startChild() {
  let ready = false
  // In its own process group: Ctrl-C in a terminal reaches this process only, which passes
  // it on once (a second signal means "exit now" to the server).
  const server = fork(OUTPUTS[1], [], {
    cwd: process.cwd(),
    stdio: 'inherit',
    detached: true,
    execArgv: [...SERVER_NODE_OPTIONS, ...process.execArgv],
    env: { ...ALLOCATOR_ENV, ...process.env },
  })
  child = server
  server.on('message', (message) => {
    if (message?.type === 'kiln:ready') {
      ready = true
      shutdownTimeoutMs = message.shutdownTimeoutMs
      // A server started on port 0 got one from the kernel: a replacement listens there too.
      if (message.port) process.env.PORT = String(message.port)
      return
    }
    process.send?.(message)
  })
  server.on('exit', (code, signal) => {
    if (stopping || !ready) process.exit(code ?? 1)
    const now = Date.now()
    while (restarts.length > 0 && now - restarts[0] > 60_000) restarts.shift()
    restarts.push(now)
    // Each bad post quarantines itself, so a run of deaths is several posts or something
    // else: back off rather than spin, but never give up on a server that had been serving.
    const delay =
      restarts.length <= RESTARTS_AT_ONCE
        ? 0
        : Math.min(MAX_RESTART_DELAY_MS, 1000 * 2 ** (restarts.length - RESTARTS_AT_ONCE - 1))
    log(
      'error',
      `the server process ended (${signal ?? `exit ${code}`}): ` +
        `starting a new one${delay ? ` in ${delay} ms` : ''}`,
    )
    restartTimer = setTimeout(() => {
      restartTimer = null
      if (!stopping) startChild()
    }, delay)
  })
}

function stop(signal) {
  // Between a death and its restart there is no server to stop.
  if (!child || restartTimer) process.exit(child ? 0 : 1)
  child.kill(signal)
  if (stopping) return
  stopping = true
  // Whatever the child's main thread is doing, the process is gone shortly after its budget.
  setTimeout(() => {
    log('error', `the server did not stop within ${shutdownTimeoutMs + KILL_GRACE_MS} ms of ${signal}: killing it`)
    child.kill('SIGKILL')
  }, shutdownTimeoutMs + KILL_GRACE_MS).unref()
}

process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGINT', () => stop('SIGINT'))
process.on('message', (message) => {
  if (child?.connected) child.send(message)
})
// The channel from whoever started this process must not keep it alive once the child is gone.
process.channel?.unref()
startChild()
