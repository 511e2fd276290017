/**
 * `npm start`: the production server on plain Node.
 *
 * `npm ci && npm start` must work on a fresh clone: when the build is missing, or older
 * than the sources it is made from, it is made first (about a minute). Then this process
 * becomes the server's supervisor, server/supervisor.pl (read its header for what it does:
 * restarts a server that dies after serving, passes signals on and kills a server stuck
 * past its drain budget, leaves no orphan). It replaces this process (`process.execve`:
 * the same pid, so whoever started `npm start` signals and waits for the supervisor) and
 * is Perl, not Node: a second Node process cost the tree 50-56 MB of RSS for a loop that
 * waits; the Perl one about 8 MB (docs/performance.md, memory, fifth round).
 *
 * Started with an IPC channel (the soak's and the serving benchmark's memory probe), this
 * process stays, relaying messages and signals to the supervisor started as its child: a
 * channel does not survive execve (libuv marks it close-on-exec).
 */
import { spawn, spawnSync } from 'node:child_process'
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

/** Perl on PATH (perl-base: every Debian and Ubuntu system, the Docker image, macOS), or null. */
function findPerl() {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir || '.', 'perl')
    try {
      fs.accessSync(candidate, fs.constants.X_OK)
      if (fs.statSync(candidate).isFile()) return candidate
    } catch {
      // not in this folder
    }
  }
  return null
}

const perl = findPerl()
if (!perl || typeof process.execve !== 'function') {
  process.stderr.write(
    "Kiln's supervisor (server/supervisor.pl) needs perl on PATH and a POSIX system: every Debian, Ubuntu and " +
      'macOS has it; on Alpine, `apk add perl`.\n',
  )
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
 * - `--no-allocation-site-pretenuring`: every object starts in the young generation. V8
 *   otherwise learns which places in the code make objects that outlive a young collection
 *   and from then on allocates theirs in the old generation at once. Under a load of cache
 *   hits the server's short-lived request objects were allocated there and died there: 12-19
 *   full collections in 10 s, pauses of 4-16 ms, a p99 about twice the bare server's. Without
 *   it: 1-2 full collections, 6-30 % more answers a second, the cold peak and idle RSS
 *   unchanged (docs/performance.md, 2026-12-02, fourth session).
 * Node options given to this process come after, so an operator's own win
 * (`node --optimize-for-size server/start.mjs` for the smallest peak).
 */
const SERVER_NODE_OPTIONS = ['--max-semi-space-size=4', '--heap-growing-percent=50', '--no-allocation-site-pretenuring']

const supervisor = [
  path.join(root, 'server', 'supervisor.pl'),
  process.execPath,
  ...SERVER_NODE_OPTIONS,
  ...process.execArgv,
  OUTPUTS[1],
]
const env = { ...ALLOCATOR_ENV, ...process.env }

if (!process.channel) {
  // Experimental in Node 24, so it warns when used: the warning would print on the
  // next tick, and by then this process is the supervisor.
  try {
    process.execve(perl, ['perl', ...supervisor], env)
  } catch (error) {
    log('fatal', `could not start: the supervisor could not replace this process (${error.message})`)
    process.exit(1)
  }
}

// With a channel: the supervisor as a child, in its own process group (Ctrl-C reaches this
// process only, and is passed on once), and this process in between.
const child = spawn(perl, supervisor, { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], detached: true, env })
child.on('message', (message) => process.send?.(message))
process.on('message', (message) => {
  if (child.connected) child.send(message)
})
child.on('exit', (code) => process.exit(code ?? 1))
process.on('SIGTERM', () => child.kill('SIGTERM'))
process.on('SIGINT', () => child.kill('SIGINT'))
// The channel from whoever started this process must not keep it alive once the child is gone.
process.channel.unref()
