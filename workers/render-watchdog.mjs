/**
 * The render watchdog: a thread that watches the main thread's heartbeat while posts render.
 *
 * A post's MDX is code, and it runs on the main thread when the page or a feed renders it.
 * A component that loops (or merely crawls for seconds) blocks the event loop: no other
 * page, no /healthcheck, no signal handler runs. Nothing on the main thread can stop it, so
 * this thread does. The main thread bumps a counter in shared memory every HEARTBEAT_MS and
 * writes the key of the post whose component it is rendering (app/content/render-guard.server.ts).
 * When the counter has not moved for RENDER_TIMEOUT_MS while a post is rendering, this
 * thread writes the post's version into render_quarantine (its own SQLite connection: the
 * main thread's is as stuck as the rest of it), says so on stderr (console would go through
 * the blocked main thread) and kills the process. The supervisor (server/supervisor.pl) starts
 * a new one, which serves that version as an error page until its source changes.
 *
 * It also ends the process when its supervisor is gone while the main thread is stuck (a
 * free main thread does that itself, on the IPC channel's 'disconnect'), so a server never
 * outlives its parent holding the port. The thread runs only while posts render (it starts
 * with a render and ends RENDER_WATCHDOG_IDLE_MS after the last): the main thread can hang
 * on a post's code, which runs only in a render; Kiln's own code outside renders is not guarded.
 *
 * Plain JavaScript, no build step: the same file runs under `npm run dev` and `npm start`.
 */
import fs from 'node:fs'
import { workerData } from 'node:worker_threads'

const { shared, databasePath, renderTimeoutMs, compilerVersion, supervised } = workerData
const state = new Int32Array(shared, 0, 4)
const keyBytes = new Uint8Array(shared, 16)
const POLL_MS = 50
const startPpid = process.ppid

/**
 * The main thread's CPU time in ms (Linux: its thread id is the process id), or null where
 * /proc is not there. A stalled main thread that is starved of CPU on a busy machine is not
 * the post's fault the way one spinning is: see `blames` below.
 */
function mainThreadCpuMs() {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // utime and stime, fields 14 and 15 of the line, in clock ticks (100 a second).
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return null
  }
}

let lastTick = Atomics.load(state, 0)
let lastTickAt = Date.now()
let cpuAtLastTick = mainThreadCpuMs()

/**
 * Whether a render stalled this long is the post's doing. On an idle machine a stall of
 * RENDER_TIMEOUT_MS is; on a busy one a legitimately slow render can take several times its
 * CPU time in wall time, so the stall must also have burnt half the limit in CPU, unless it
 * has lasted three times the limit (a post waiting on something, or a loop given little CPU).
 */
function blames(stalledMs) {
  if (stalledMs < renderTimeoutMs) return false
  if (stalledMs >= 3 * renderTimeoutMs) return true
  const cpuNow = mainThreadCpuMs()
  if (cpuNow === null || cpuAtLastTick === null) return true
  return cpuNow - cpuAtLastTick >= renderTimeoutMs / 2
}

/** One log line as app/logging writes them (JSON on standard output), written at once: the main thread may be stuck. */
function say(msg, file) {
  const line = { level: 'error', time: new Date().toISOString(), pid: process.pid, name: 'kiln', file, msg }
  try {
    fs.writeSync(1, `${JSON.stringify(line)}\n`)
  } catch {
    // nowhere to say it
  }
}

/** kind:slug@hash, as the page and the feeds key a post's component. */
function parseKey(key) {
  const colon = key.indexOf(':')
  const at = key.lastIndexOf('@')
  if (colon < 0 || at < colon) return null
  return { kind: key.slice(0, colon), slug: key.slice(colon + 1, at), hash: key.slice(at + 1) }
}

async function quarantine(key, stalledMs) {
  const post = parseKey(key)
  if (!post) return `an unknown post (${key})`
  let where = `${post.kind} "${post.slug}"`
  try {
    // Loaded only now: the thread stays small (a few MB) while it merely watches.
    const { default: Database } = await import('better-sqlite3')
    const db = new Database(databasePath)
    try {
      db.pragma('busy_timeout = 2000')
      const row = db.prepare('SELECT path FROM content_entries WHERE kind = ? AND slug = ?').get(post.kind, post.slug)
      if (row && row.path) where = row.path
      db.prepare(
        `INSERT OR REPLACE INTO render_quarantine (kind, slug, ` +
          `source_hash, compiler_version, path, reason, quarantined_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        post.kind,
        post.slug,
        post.hash,
        compilerVersion,
        row ? row.path : null,
        `rendering took longer than ${renderTimeoutMs} ms (stopped after ${stalledMs} ms)`,
        new Date().toISOString(),
      )
    } finally {
      db.close()
    }
  } catch (error) {
    say(`render watchdog: could not record the quarantine of ${where}: ${error && error.message}`, where)
  }
  return where
}

let acting = false

setInterval(async () => {
  if (acting) return
  const now = Date.now()
  const tick = Atomics.load(state, 0)
  if (tick !== lastTick) {
    lastTick = tick
    lastTickAt = now
    cpuAtLastTick = mainThreadCpuMs()
    return
  }
  const stalledMs = now - lastTickAt
  if (supervised && process.ppid !== startPpid && stalledMs > 1000) {
    say('the supervisor is gone and the main thread is stuck: exiting')
    process.kill(process.pid, 'SIGKILL')
  }
  const length = Atomics.load(state, 1)
  if (length <= 0 || !blames(stalledMs)) return
  acting = true
  const key = Buffer.from(keyBytes.slice(0, length)).toString('utf8')
  const where = await quarantine(key, stalledMs)
  say(
    `${where}: its component rendered for more than ${renderTimeoutMs} ms (RENDER_TIMEOUT_MS) ` +
      `and blocked the server: quarantined until its source changes; replacing this process`,
    where,
  )
  process.kill(process.pid, 'SIGKILL')
}, POLL_MS)
