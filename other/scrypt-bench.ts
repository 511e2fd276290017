/**
 * `node --import tsx other/scrypt-bench.ts [runs]`
 *
 * What one password verification costs here with node:crypto scrypt (r=8, p=1) at
 * N = 2^15, 2^16 and 2^17: wall time per hash (median and worst of `runs`), and the memory
 * scrypt takes (128·N·r bytes, seen as the process's RSS growth while one hash runs).
 * docs/security.md records the figures behind the N Kiln uses.
 */
import crypto from 'node:crypto'
import { promisify } from 'node:util'
import { errorMessage } from '../app/utils/error-message.ts'

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>
const runs = Number(process.argv[2] ?? 7)
const salt = crypto.randomBytes(16)

function peakRssDuring(work: Promise<unknown>): Promise<number> {
  let peak = process.memoryUsage.rss()
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5)
  return work.then(() => {
    clearInterval(timer)
    return peak
  })
}

for (const log2 of [15, 16, 17]) {
  const N = 2 ** log2
  const maxmem = 256 * 1024 * 1024
  const times: number[] = []
  let growth = 0
  for (let i = 0; i < runs; i++) {
    const before = process.memoryUsage.rss()
    const start = performance.now()
    const peak = await peakRssDuring(scrypt('a correct horse battery staple', salt, 64, { N, r: 8, p: 1, maxmem }))
    times.push(performance.now() - start)
    growth = Math.max(growth, peak - before)
  }
  times.sort((a, b) => a - b)
  const theory = (128 * N * 8) / 2 ** 20
  console.log(
    `N=2^${log2}: median ${times[Math.floor(runs / 2)].toFixed(0)} ms, worst ${times[runs - 1].toFixed(0)} ms; ` +
      `memory ${theory} MiB by the formula, RSS grew by up to ${(growth / 2 ** 20).toFixed(0)} MiB`,
  )
}
let refused = ''
try {
  await scrypt('x', salt, 64, { N: 2 ** 17, r: 8, p: 1 })
} catch (error) {
  refused = errorMessage(error)
}
console.log(`N=2^17 with the default maxmem (32 MiB): ${refused || 'accepted'}`)
