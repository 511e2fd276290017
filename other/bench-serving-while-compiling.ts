/**
 * `tsx other/bench-serving-while-compiling.ts --dir <content folder>`
 *
 * What a reader feels while the server compiles a whole blog: starts Kiln on a fresh
 * database, compiles one post, then requests every other post at once (each compiles on
 * its first request) while a reader fetches the already-compiled post in a loop. Prints
 * the reader's latency percentiles with and without the compile storm, measured in the
 * same run, and their ratio.
 */
import path from 'node:path'
import { parseArgs } from 'node:util'
import { scanContent } from '../app/content/source.server.ts'
import { errorMessage } from '../app/utils/error-message.ts'
import { startServer } from './lib/server.ts'

const { values } = parseArgs({ options: { dir: { type: 'string' }, concurrency: { type: 'string', default: '8' } } })
const contentDir = path.resolve(values.dir ?? 'content')
const concurrency = Math.max(1, Number(values.concurrency) || 8)

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

async function readerLoop(url: string, until: () => boolean): Promise<number[]> {
  const latencies: number[] = []
  while (!until()) {
    const start = performance.now()
    const response = await fetch(url)
    await response.arrayBuffer()
    if (!response.ok) throw new Error(`${url} answered ${response.status}`)
    latencies.push(performance.now() - start)
  }
  return latencies.sort((a, b) => a - b)
}

async function main() {
  const posts = scanContent(contentDir).entries.filter((entry) => entry.kind === 'post')
  if (posts.length < 2) throw new Error('need at least two posts')
  const server = await startServer({ contentDir })
  try {
    const [reader, ...rest] = posts
    const readerUrl = `${server.url}/blog/${reader.slug}`
    await fetch(readerUrl).then((response) => response.arrayBuffer())

    // Baseline: the reader alone, for three seconds.
    const quietUntil = Date.now() + 3000
    const quiet = await readerLoop(readerUrl, () => Date.now() > quietUntil)

    // The storm: every other post requested (and so compiled) while the reader reads.
    let done = false
    const queue = [...rest]
    const start = performance.now()
    const storm = Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let post = queue.shift(); post; post = queue.shift()) {
          await fetch(`${server.url}/blog/${post.slug}`).then((response) => response.arrayBuffer())
        }
      }),
    ).then(() => {
      done = true
    })
    const busy = await readerLoop(readerUrl, () => done)
    await storm
    const stormMs = performance.now() - start

    const row = (label: string, sorted: number[]) =>
      `${label.padEnd(26)} n=${String(sorted.length).padStart(5)}  p50 ${percentile(sorted, 50).toFixed(1)} ms  ` +
      `p99 ${percentile(sorted, 99).toFixed(1)} ms  max ${sorted[sorted.length - 1].toFixed(1)} ms`
    console.log(
      `${rest.length} posts compiled on request in ${(stormMs / 1000).toFixed(1)} s (${concurrency} at a time)`,
    )
    console.log(row('reader, server idle', quiet))
    console.log(row('reader, while compiling', busy))
    console.log(`p99 ratio busy/idle: ${(percentile(busy, 99) / percentile(quiet, 99)).toFixed(2)}x`)
  } finally {
    await server.stop()
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${errorMessage(error)}`)
  process.exit(1)
})
