/**
 * What summarizing a heap snapshot costs, streaming (Kiln's parser and summary, as the
 * heap-summary worker runs them) against one JSON.parse of the whole file: the peak RSS
 * over each process's start and the time, each in its own process, and their ratio.
 *
 *   tsx other/bench-snapshot-summary.ts <file.heapsnapshot>
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseHeapSnapshot } from '../app/diagnostics/heap-snapshot-parser.ts'
import { summarizeHeapSnapshot } from '../app/diagnostics/heap-summary.ts'

const [mode, file] = process.argv.slice(2)

if (mode === 'stream' || mode === 'json') {
  const base = process.resourceUsage().maxRSS
  const start = performance.now()
  if (mode === 'stream') {
    summarizeHeapSnapshot(await parseHeapSnapshot(fs.createReadStream(file, { highWaterMark: 1 << 20 })))
  } else {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: number[] }
    if (parsed.nodes.length === 0) throw new Error('no nodes')
  }
  const ms = performance.now() - start
  console.log(JSON.stringify({ peakMB: (process.resourceUsage().maxRSS - base) / 1024, ms }))
} else {
  const target = mode
  if (!target || !fs.existsSync(target)) {
    console.error('usage: tsx other/bench-snapshot-summary.ts <file.heapsnapshot>')
    process.exit(2)
  }
  const run = (which: string) => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), which, target], {
      encoding: 'utf8',
    })
    if (child.status !== 0) throw new Error(child.stderr)
    return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { peakMB: number; ms: number }
  }
  const sizeMB = fs.statSync(target).size / 1048576
  const stream = run('stream')
  const json = run('json')
  console.log(`file: ${sizeMB.toFixed(1)} MB`)
  console.log(`stream parse + summary: +${stream.peakMB.toFixed(0)} MB peak RSS, ${stream.ms.toFixed(0)} ms`)
  console.log(`JSON.parse alone:       +${json.peakMB.toFixed(0)} MB peak RSS, ${json.ms.toFixed(0)} ms`)
  console.log(`memory ratio (stream / JSON.parse): ${(stream.peakMB / json.peakMB).toFixed(2)}`)
  const perByte = (peakMB: number) => (peakMB / sizeMB).toFixed(2)
  console.log(`peak per byte of file: stream ${perByte(stream.peakMB)}, JSON.parse ${perByte(json.peakMB)}`)
}
