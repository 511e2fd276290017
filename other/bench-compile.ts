/**
 * `npm run bench:compile -- --dir <content folder> [--in-process] [--concurrency N]`
 *
 * Compiles every post and page of a content folder cold, the way the server does (in
 * the compile pool, code blocks highlighted in the highlight pool), and prints: posts,
 * failures, total and median time, the event loop's delay while compiling (what
 * readers of already-compiled pages would feel), the process's peak RSS, and the RSS
 * and thread count before, and after the pools' idle timeout has passed.
 *
 * --in-process compiles on the main thread instead (highlighting still in its pool):
 * the comparison that decided where compiling runs.
 */
import fs from 'node:fs'
import path from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { getConfig } from '../app/config.server.ts'
import { compileInThisThread } from '../app/content/compile-mdx.server.ts'
import { compileInPool, destroyCompilePool, getCompilePool } from '../app/content/compile-pool.server.ts'
import { destroyHighlightPool, getHighlightPool, highlightInPool } from '../app/content/highlight.server.ts'
import { scanContent } from '../app/content/source.server.ts'
import { errorMessage } from '../app/utils/error-message.ts'

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    'in-process': { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '4' },
  },
})
const contentDir = values.dir ? path.resolve(values.dir) : getConfig().contentDir
const inProcess = values['in-process']
const concurrency = Math.max(1, Number(values.concurrency) || 4)

function threads(): number {
  const status = fs.readFileSync('/proc/self/status', 'utf8')
  return Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? NaN)
}
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`
const ms = (value: number) => `${value.toFixed(0)} ms`
const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

async function main() {
  const config = getConfig()
  const { entries } = scanContent(contentDir)
  if (entries.length === 0) throw new Error(`no posts or pages under ${contentDir}`)
  // Warm the libuv thread pool and the module graph so the "before" thread count is a
  // fair baseline, not one that lacks threads any file read would start.
  fs.readFileSync(path.join(contentDir, entries[0].path))
  await sleep(50)
  const threadsBefore = threads()
  const rssBefore = process.memoryUsage().rss

  const delay = monitorEventLoopDelay({ resolution: 10 })
  delay.enable()
  const durations: number[] = []
  let failures = 0
  const queue = [...entries]
  const start = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let entry = queue.shift(); entry; entry = queue.shift()) {
        const began = performance.now()
        try {
          const input = { contentDir, entryPath: entry.path, kind: entry.kind }
          if (inProcess) await compileInThisThread({ ...input, highlight: highlightInPool })
          else await compileInPool(input)
        } catch {
          failures++
        }
        durations.push(performance.now() - began)
      }
    }),
  )
  const total = performance.now() - start
  delay.disable()
  const threadsDuring = threads()
  const peakRss = process.resourceUsage().maxRSS * 1024
  const poolStats = [getCompilePool().stats(), getHighlightPool().stats()]

  const idle = Math.max(config.highlightIdleMs, config.compileIdleMs) + 1500
  process.stderr.write(`waiting ${(idle / 1000).toFixed(1)} s for the pools' idle timeout…\n`)
  await sleep(idle)
  global.gc?.()
  const rssAfter = process.memoryUsage().rss
  const threadsAfter = threads()

  durations.sort((a, b) => a - b)
  const rows: [string, string][] = [
    ['content', contentDir],
    [
      'compiled on',
      inProcess ? 'main thread (--in-process)' : `compile pool (${config.compileMaxThreads} threads max)`,
    ],
    ['posts and pages', String(entries.length)],
    ['failures', String(failures)],
    ['total time', ms(total)],
    ['median per post', ms(durations[Math.floor(durations.length / 2)])],
    [
      'event loop delay p50 / p99 / max',
      `${ms(delay.percentile(50) / 1e6)} / ${ms(delay.percentile(99) / 1e6)} / ${ms(delay.max / 1e6)}`,
    ],
    ['RSS before', mb(rssBefore)],
    ['peak RSS', mb(peakRss)],
    [`RSS after idle (${idle} ms)`, mb(rssAfter)],
    ['threads before / during / after idle', `${threadsBefore} / ${threadsDuring} / ${threadsAfter}`],
    ['pool jobs (compile, highlight)', `${poolStats[0].jobs}, ${poolStats[1].jobs}`],
  ]
  const width = Math.max(...rows.map(([label]) => label.length))
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`)
  await Promise.all([destroyCompilePool(), destroyHighlightPool()])
}

main().catch((error: unknown) => {
  console.error(`bench:compile failed: ${errorMessage(error)}`)
  process.exit(1)
})
