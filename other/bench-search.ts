/**
 * `npm run bench:search -- --dir <content folder> [--runs N]`
 *
 * What search costs, measured in one run on a fresh SQLite file: the content index's
 * cold sync (which now also extracts every entry's text and writes its FTS5 document),
 * the share of it spent extracting text, the index's size, an unchanged re-sync, and the
 * median and 95th-percentile time of typical queries (whole words, a prefix as typed,
 * several words, FTS syntax). Figures only; it asserts nothing and never runs in npm test.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { getConfig } from '../app/config.server.ts'
import { syncContentIndex } from '../app/content/content-index.server.ts'
import { readEntrySource, scanContent } from '../app/content/source.server.ts'
import { openDatabase } from '../app/db/connection.server.ts'
import { searchEntries, searchIndexSize } from '../app/search/search-index.server.ts'
import { extractSearchText } from '../app/search/search-text.ts'

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    runs: { type: 'string', default: '200' },
  },
})
const contentDir = values.dir ? path.resolve(values.dir) : getConfig().contentDir
const runs = Math.max(1, Number(values.runs) || 200)

const QUERIES = [
  'react',
  'state',
  'effect cleanup',
  'use',
  'useSt',
  'server components streaming',
  'zzzz-no-match',
  '"unbalanced NEAR( a:b',
  'the',
]

const ms = (value: number) => `${value.toFixed(2)} ms`

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]
}

function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-search-'))
  try {
    const db = openDatabase(path.join(dir, 'kiln.db'), getConfig().migrationsDir)
    const { entries } = scanContent(contentDir)
    if (entries.length === 0) throw new Error(`no posts or pages under ${contentDir}`)

    let start = performance.now()
    const sources = entries.map((entry) => readEntrySource(contentDir, entry.path))
    const readMs = performance.now() - start
    start = performance.now()
    let words = 0
    for (const source of sources) words += extractSearchText(source).split(/\s+/).length
    const extractMs = performance.now() - start

    start = performance.now()
    const result = syncContentIndex(db, contentDir)
    const coldMs = performance.now() - start
    start = performance.now()
    syncContentIndex(db, contentDir)
    const warmMs = performance.now() - start
    db.pragma('wal_checkpoint(TRUNCATE)')
    let ftsPages: number | null = null
    try {
      ftsPages = (
        db.prepare("SELECT SUM(pgsize) AS bytes FROM dbstat WHERE name LIKE 'search_index%'").get() as {
          bytes: number | null
        }
      ).bytes
    } catch {
      // SQLite built without the dbstat table: the file's size alone is printed.
    }

    console.log(`content: ${contentDir}`)
    console.log(
      `entries: ${result.added.length} indexed (${searchIndexSize(db)} search documents, ${words} words of text)`,
    )
    console.log(
      `cold sync (index + search): ${ms(coldMs)}; of which text extraction about ` +
        `${ms(extractMs)} (reading the sources alone: ${ms(readMs)})`,
    )
    console.log(`unchanged re-sync: ${ms(warmMs)}`)
    if (ftsPages)
      console.log(
        `FTS5 tables: ${(ftsPages / 1024 / 1024).toFixed(1)} MB; database file: ` +
          `${(fs.statSync(path.join(dir, 'kiln.db')).size / 1024 / 1024).toFixed(1)} MB`,
      )
    console.log(`queries, ${runs} runs each:`)
    for (const query of QUERIES) {
      const times: number[] = []
      let hits = ''
      for (let i = 0; i < runs; i++) {
        const t = performance.now()
        const found = searchEntries(db, query)
        hits = `${found.hits.length}/${found.total}`
        times.push(performance.now() - t)
      }
      times.sort((a, b) => a - b)
      console.log(
        `  ${JSON.stringify(query).padEnd(34)} ${hits.padStart(7)} shown/matched   median ` +
          `${ms(percentile(times, 0.5))}   p95 ${ms(percentile(times, 0.95))}`,
      )
    }
    db.close()
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main()
