/**
 * `npx tsx other/bench-memory-start.ts --dir <content folder> [--serve] [--env KEY=VALUE ...]`
 *
 * What the server holds before its first request, in a minute instead of bench:memory's ten:
 * starts the built server as `npm start` does (supervisor and server, a fresh database,
 * BACKGROUND_COMPILES=0 so nothing compiles on its own) and prints the server process's
 * RSS, split into anonymous and file-backed pages, the supervisor's, the server's threads by
 * name, and its largest mappings from /proc/<pid>/smaps: 2, 30 and 60 s after it listens
 * (start-up's garbage is collected in between), and with --serve again 25 s after every
 * post has been read, 4 at a time (the pools and the render watchdog have ended by then).
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { startServer, type KilnServer } from './lib/server.ts'
import { fetchAll, postPaths } from './load.ts'

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    serve: { type: 'boolean', default: false },
    env: { type: 'string', multiple: true, default: [] },
  },
})
if (!values.dir) {
  console.error('usage: npx tsx other/bench-memory-start.ts --dir <content folder> [--serve] [--env KEY=VALUE ...]')
  process.exit(2)
}
const contentDir = path.resolve(values.dir)
const env: Record<string, string> = { BACKGROUND_COMPILES: '0' }
for (const pair of values.env) {
  const at = pair.indexOf('=')
  if (at < 1) throw new Error(`--env wants KEY=VALUE, got ${pair}`)
  env[pair.slice(0, at)] = pair.slice(at + 1)
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`

function statusKb(pid: number, field: string): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0)
}

/** Resident kB by mapping (file path, [heap], or [anon] for anonymous memory), largest first. */
function mappings(pid: number): [string, number][] {
  const byName = new Map<string, number>()
  let name = ''
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (header) {
      name = header[1] || '[anon]'
      continue
    }
    const rss = /^Rss:\s+(\d+)/.exec(line)
    if (rss) byName.set(name, (byName.get(name) ?? 0) + Number(rss[1]))
  }
  return [...byName].sort((a, b) => b[1] - a[1])
}

function report(server: KilnServer, label: string): void {
  const pid = server.serverPid()
  const threads = fs
    .readdirSync(`/proc/${pid}/task`)
    .map((task) => fs.readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim())
  console.log(
    `${label}: server ${mb(statusKb(pid, 'VmRSS'))} (anonymous ${mb(statusKb(pid, 'RssAnon'))}, ` +
      `file ${mb(statusKb(pid, 'RssFile'))}), supervisor ${mb(statusKb(server.process.pid!, 'VmRSS'))}`,
  )
  console.log(`  threads: ${threads.join(', ')}`)
  for (const [name, kb] of mappings(pid).slice(0, 6)) console.log(`  ${mb(kb).padStart(9)}  ${name}`)
}

console.log(`load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`)
const server = await startServer({ contentDir, env })
try {
  await sleep(2000)
  report(server, 'listening + 2 s')
  await sleep(28_000)
  report(server, 'listening + 30 s')
  await sleep(30_000)
  report(server, 'listening + 60 s')
  if (values.serve) {
    const paths = postPaths(contentDir)
    await fetchAll(server.url, paths, 4)
    await sleep(25_000)
    report(server, `${paths.length} posts read, + 25 s`)
  }
} finally {
  await server.stop()
}
