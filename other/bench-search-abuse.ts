/**
 * `npm run bench:search-abuse -- --dir <content folder> [--runs N]`
 *
 * What a hostile search query costs the main thread: searchEntries (the whole of the
 * search loader's synchronous work) timed for queries an anonymous reader can send, on
 * a fresh SQLite file. Kiln's budget for anything anonymous is 50 ms of main-thread time
 * (docs/security.md); the worst of these is the figure to watch. Figures only; it asserts
 * nothing and never runs in npm test.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { getConfig } from '../app/config.server.ts'
import { syncContentIndex } from '../app/content/content-index.server.ts'
import { openDatabase } from '../app/db/connection.server.ts'
import { searchEntries } from '../app/search/search-index.server.ts'
import { ADVERSARIAL_QUERIES } from './lib/search-abuse.ts'

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    runs: { type: 'string', default: '5' },
  },
})
const contentDir = values.dir ? path.resolve(values.dir) : getConfig().contentDir
const runs = Math.max(1, Number(values.runs) || 5)

const ms = (value: number) => `${value.toFixed(1)} ms`.padStart(10)

function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-search-abuse-'))
  try {
    const db = openDatabase(path.join(dir, 'kiln.db'), getConfig().migrationsDir)
    const { added } = syncContentIndex(db, contentDir)
    console.log(`content: ${contentDir} (${added.length} entries); ${runs} runs per query; worst and median per query`)
    let worst = 0
    for (const { name, query } of ADVERSARIAL_QUERIES) {
      const times: number[] = []
      let found = ''
      for (let i = 0; i < runs; i++) {
        const start = performance.now()
        const result = searchEntries(db, query)
        times.push(performance.now() - start)
        found = `${result.hits.length}/${result.total}`
      }
      times.sort((a, b) => a - b)
      worst = Math.max(worst, times[times.length - 1])
      console.log(
        `  ${name.padEnd(34)} ${found.padStart(8)}  max ` +
          `${ms(times[times.length - 1])}  median ` +
          `${ms(times[Math.floor(times.length / 2)])}`,
      )
    }
    console.log(`worst single query: ${ms(worst).trim()} (budget 50 ms)`)
    db.close()
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main()
