/**
 * returnFreedMemory in a real Node process with the allocator settings of `npm start`: memory
 * freed between blocks still in use stays with the process (free() gives back only the top of
 * the heap) until the native malloc_trim hands it back. The process allocates 4,000 blocks of
 * 16 KB, keeps every tenth, frees the rest and collects: the call then gives back most of what
 * was freed, and a second call finds nothing more.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { expect, it } from 'vitest'
import { repoRoot, tempDir } from '../helpers/server.ts'

it('hands memory freed between live blocks back to the system, and counts it', () => {
  const script = path.join(tempDir('kiln-trim-'), 'probe.mjs')
  const module = pathToFileURL(path.join(repoRoot, 'app/utils/return-freed-memory.ts')).href
  fs.writeFileSync(
    script,
    `
import fs from 'node:fs'
import { returnFreedMemory, trimStats } from ${JSON.stringify(module)}
const rss = () => Number(/^VmRSS:\\s+(\\d+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) * 1024
let blocks = Array.from({ length: 4000 }, () => Buffer.allocUnsafeSlow(16 * 1024).fill(1))
const kept = blocks.filter((_, i) => i % 10 === 0)
blocks = null
gc(); gc()
const beforeTrim = rss()
const returned = returnFreedMemory()
const afterTrim = rss()
const again = returnFreedMemory()
console.log(JSON.stringify({ kept: kept.length, beforeTrim, afterTrim, returned, again, stats: trimStats() }))
`,
  )
  const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script], {
    cwd: repoRoot,
    env: {
      ...process.env,
      MALLOC_ARENA_MAX: '2',
      MALLOC_MMAP_THRESHOLD_: '65536',
      MALLOC_TRIM_THRESHOLD_: '131072',
    },
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
})
