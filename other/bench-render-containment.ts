/**
 * `npx tsx other/bench-render-containment.ts [--post content/blog/x.mdx] [--renders 300]`
 *
 * What each way of containing a post's render costs (issue 13, point 1), measured on one
 * compiled post in one run:
 *
 *   main            renderToString on the main thread, component cached (what Kiln did)
 *   main+probe      the same, marking begin/end in shared memory for the render watchdog
 *                   (what Kiln does now: app/content/render-guard.server.ts)
 *   main+sqlite     the same, writing a quarantine row before the render and deleting it
 *                   after (the watchdog design as first proposed: a synchronous commit each way)
 *   worker          the render in a worker thread (React and the component there), one
 *                   postMessage round trip per render: the "render in a worker" design
 *   worker start    starting that worker until it answers its first render: paid again
 *                   after every terminate() of a render that ran too long
 *
 * plus the memory a render worker adds (RSS before and after it started and rendered), and
 * what the render watchdog thread (workers/render-watchdog.mjs) adds.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { Worker } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { bundleMDX } from 'mdx-bundler'
import { getMDXComponent } from 'mdx-bundler/client'
import { createElement } from 'react'
import { renderToString } from 'react-dom/server'

const { values } = parseArgs({
  options: {
    post: { type: 'string', default: 'content/blog/compile-on-request.mdx' },
    renders: { type: 'string', default: '300' },
  },
})
const RENDERS = Number(values.renders)
const file = path.resolve(values.post!)
const { code } = await bundleMDX({ source: fs.readFileSync(file, 'utf8'), cwd: path.dirname(file) })

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const rssMB = () => process.memoryUsage().rss / 1048576

/** Median time of each variant, run in interleaved rounds so the JIT's warm-up and the machine's load hit all alike. */
function timeEach(variants: Record<string, () => void>): Record<string, number> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]))
  for (const run of Object.values(variants)) for (let i = 0; i < 50; i++) run()
  for (let round = 0; round < 10; round++) {
    for (const [name, run] of Object.entries(variants)) {
      for (let i = 0; i < RENDERS / 10; i++) {
        const start = performance.now()
        run()
        times[name].push(performance.now() - start)
      }
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, list]) => [name, median(list)]))
}

const Component = getMDXComponent(code)
const render = () => renderToString(createElement(Component))

const shared = new SharedArrayBuffer(1024)
const state = new Int32Array(shared, 0, 4)
const keyBytes = new Uint8Array(shared, 16)
const encoder = new TextEncoder()
const key = `post:compile-on-request@${'a'.repeat(64)}`
const withProbe = () => {
  Atomics.store(state, 1, encoder.encodeInto(key, keyBytes).written)
  render()
  Atomics.store(state, 1, 0)
}

const dbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-render-'))
const db = new Database(path.join(dbDir, 'bench.db'))
db.pragma('journal_mode = WAL')
db.pragma('synchronous = NORMAL')
db.exec('CREATE TABLE rendering (key TEXT PRIMARY KEY, started_at TEXT NOT NULL)')
const insert = db.prepare('INSERT OR REPLACE INTO rendering (key, started_at) VALUES (?, ?)')
const remove = db.prepare('DELETE FROM rendering WHERE key = ?')
const withSqlite = () => {
  insert.run(key, new Date().toISOString())
  render()
  remove.run(key)
}
const { main, mainProbe, mainSqlite } = timeEach({ main: render, mainProbe: withProbe, mainSqlite: withSqlite })
db.close()
fs.rmSync(dbDir, { recursive: true, force: true })

// The worker design: React and the component live in the thread; each render is a message.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { createElement } = require('react')
const { renderToString } = require('react-dom/server')
const { getMDXComponent } = require('mdx-bundler/client')
const Component = getMDXComponent(workerData.code)
parentPort.on('message', (id) => parentPort.postMessage({ id, html: renderToString(createElement(Component)) }))
`
function startWorker(): Worker {
  return new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { code },
    resourceLimits: { maxOldGenerationSizeMb: 256 },
  })
}
function renderIn(worker: Worker, id: number): Promise<string> {
  return new Promise((resolve) => {
    const onMessage = (message: { id: number; html: string }) => {
      if (message.id !== id) return
      worker.off('message', onMessage)
      resolve(message.html)
    }
    worker.on('message', onMessage)
    worker.postMessage(id)
  })
}

const rssBefore = rssMB()
const starts: number[] = []
for (let i = 0; i < 5; i++) {
  const start = performance.now()
  const worker = startWorker()
  await renderIn(worker, 0)
  starts.push(performance.now() - start)
  await worker.terminate()
}
const worker = startWorker()
await renderIn(worker, 0)
for (let i = 1; i <= 20; i++) await renderIn(worker, i)
const workerTimes: number[] = []
for (let i = 0; i < RENDERS; i++) {
  const start = performance.now()
  await renderIn(worker, 1000 + i)
  workerTimes.push(performance.now() - start)
}
const rssWithWorker = rssMB()
await worker.terminate()

// The watchdog thread Kiln runs instead: idle, polling shared memory every 50 ms.
const rssBeforeWatchdog = rssMB()
const watchdog = new Worker(path.resolve('workers/render-watchdog.mjs'), {
  workerData: {
    shared: new SharedArrayBuffer(1024),
    databasePath: ':memory:',
    renderTimeoutMs: 2000,
    compilerVersion: 0,
    supervised: false,
  },
  resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
})
await new Promise((resolve) => setTimeout(resolve, 1000))
const rssWithWatchdog = rssMB()
await watchdog.terminate()

const ms = (value: number) => `${value.toFixed(3)} ms`
console.log(
  `post: ${path.relative(process.cwd(), file)} (${(code.length / 1024).toFixed(0)} KB of ` +
    `code, ${render().length} bytes of HTML), ${RENDERS} renders each, medians`,
)
console.log(`main            ${ms(main)}`)
console.log(`main+probe      ${ms(mainProbe)}  (+${ms(mainProbe - main)})`)
console.log(`main+sqlite     ${ms(mainSqlite)}  (+${ms(mainSqlite - main)})`)
console.log(`worker          ${ms(median(workerTimes))}  (+${ms(median(workerTimes) - main)})`)
console.log(`worker start    ${ms(median(starts))} (start + first render, median of 5)`)
console.log(`worker memory   +${(rssWithWorker - rssBefore).toFixed(1)} MB RSS with one render worker alive`)
console.log(
  `watchdog memory +${(rssWithWatchdog - rssBeforeWatchdog).toFixed(1)} MB RSS for the render watchdog thread`,
)
