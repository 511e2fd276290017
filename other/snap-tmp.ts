import fs from 'node:fs'
import { startServer, tempDir } from './lib/server.ts'
import { fetchAll, postPaths } from './load.ts'
import { parseHeapSnapshot } from '../app/diagnostics/heap-snapshot-parser.ts'
import { summarizeHeapSnapshot } from '../app/diagnostics/heap-summary.ts'
const dir = tempDir('kiln-snap-')
const server = await startServer({ contentDir: '/tmp/mem-blog', env: { BACKGROUND_COMPILES: '0' }, nodeArgs: [`--diagnostic-dir=${dir}`, '--heapsnapshot-signal=SIGUSR2'] })
await fetchAll(server.url, postPaths('/tmp/mem-blog'), 4)
await new Promise((r) => setTimeout(r, 30000))
process.kill(server.serverPid(), 'SIGUSR2')
let file = ''
for (let i = 0; i < 120 && !file; i++) { await new Promise((r) => setTimeout(r, 1000)); const f = fs.readdirSync(dir).find((n) => n.endsWith('.heapsnapshot')); if (f) { const p = `${dir}/${f}`; const s1 = fs.statSync(p).size; await new Promise((r) => setTimeout(r, 2000)); if (fs.statSync(p).size === s1) file = p } }
await server.stop()
const sum = summarizeHeapSnapshot(await parseHeapSnapshot(fs.createReadStream(file, { highWaterMark: 1 << 20 })))
console.log(JSON.stringify(sum.totals))
for (const r of sum.bySize.slice(0, 12)) console.log(JSON.stringify(r))
for (const r of sum.largest.slice(0, 25)) console.log(JSON.stringify(r).slice(0, 260))
