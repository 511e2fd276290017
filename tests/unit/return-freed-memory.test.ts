/**
 * returnFreedMemory in a real Node process with the allocator settings of `npm start`: memory
 * freed between blocks still in use stays with the process (free() gives back only the top of
 * the heap) until the native malloc_trim hands it back. The process allocates 4,000 blocks of
 * 16 KB, keeps every tenth, frees the rest and collects: the call then gives back most of what
 * was freed, and a second call finds nothing more. On a worker thread the call does nothing: the
 * trim is process-wide, and only the server's main thread decides when it is due.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { expect, it, onTestFinished } from 'vitest'
import { SERVER_ENV } from '../../other/load.ts'
import { repoRoot, tempDir } from '../helpers/server.ts'

it('hands memory freed between live blocks back to the system, and counts it; a worker thread never trims', () => {
  const folder = tempDir('kiln-trim-')
  onTestFinished(() => fs.rmSync(folder, { recursive: true, force: true }))
  const script = path.join(folder, 'probe.mjs')
  const module = pathToFileURL(path.join(repoRoot, 'app/utils/return-freed-memory.ts')).href
  fs.writeFileSync(
    script,
    `
import fs from 'node:fs'
import { Worker } from 'node:worker_threads'
const moduleUrl = ${JSON.stringify(module)}
const { returnFreedMemory, trimStats } = await import(moduleUrl)
const rss = () => Number(/^VmRSS:\\s+(\\d+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) * 1024
let blocks = Array.from({ length: 4000 }, () => Buffer.allocUnsafeSlow(16 * 1024).fill(1))
const kept = blocks.filter((_, i) => i % 10 === 0)
blocks = null
gc(); gc()
const beforeTrim = rss()
const returned = returnFreedMemory()
const afterTrim = rss()
const again = returnFreedMemory()
const onWorker = await new Promise((resolve, reject) => {
  const worker = new Worker(
    'import(' + JSON.stringify(moduleUrl) + ').then((m) => require("node:worker_threads").parentPort' +
      '.postMessage({ returned: m.returnFreedMemory(), trims: m.trimStats().trims }))',
    { eval: true },
  )
  worker.once('message', resolve)
  worker.once('error', reject)
})
console.log(JSON.stringify({ kept: kept.length, beforeTrim, afterTrim, returned, again, onWorker, stats: trimStats() }))
`,
  )
  const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script], {
    cwd: repoRoot,
    env: { ...process.env, ...SERVER_ENV },
    encoding: 'utf8',
  })
  const result = JSON.parse(output.trim().split('\n').at(-1)!)
  expect(result.kept).toBe(400)
  expect(result.stats.available).toBe(true)
  // 3,600 freed blocks of 16 KB are 56 MB; they lay between the 400 kept ones.
  expect(result.returned).toBeGreaterThan(30 * 1024 * 1024)
  expect(result.afterTrim).toBeLessThan(result.beforeTrim - 30 * 1024 * 1024)
  expect(result.again).toBeLessThan(4 * 1024 * 1024)
  expect(result.stats.trims).toBe(2)
  expect(result.stats.returnedBytes).toBe(result.returned + result.again)
  expect(result.stats.ms).toBeGreaterThan(0)
  expect(result.onWorker).toEqual({ returned: null, trims: 0 })
})
