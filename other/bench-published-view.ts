/**
 * What reading "now" in the published_entries view costs (scheduled posts): a page of
 * /blog and the count behind its pager, through the view as it is (valid, not a draft,
 * publish_at passed) and through the view as it was before scheduling (valid, not a
 * draft), on a database made by the real migrations with POSTS posts. Prints each query's
 * time per run and the ratio new / old, measured in one run.
 *
 *   npx tsx other/bench-published-view.ts [posts]
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openDatabase } from '../app/db/connection.server.ts'
import { countPassed } from '../app/content/schedule.server.ts'

const POSTS = Number(process.argv[2] ?? 10_000)
const ROUNDS = 5
const RUNS = 200

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-view-'))
const db = openDatabase(path.join(dir, 'kiln.db'), path.join(import.meta.dirname, '..', 'prisma', 'migrations'))
db.exec(`CREATE TEMP VIEW unscheduled_entries AS SELECT * FROM valid_entries WHERE draft = 0`)
const insert = db.prepare(
  `INSERT INTO content_entries (kind, slug, path, source_hash, files, title, date, tags, publish_at, indexed_at)
   VALUES ('post', ?, ?, 'h', '[]', ?, ?, '["all"]', ?, '')`,
)
const now = Date.now()
db.transaction(() => {
  for (let i = 0; i < POSTS; i++) {
    // One post in a hundred is scheduled ahead.
    const at = now - i * 3_600_000 + (i % 100 === 0 ? 30 * 86_400_000 : 0)
    insert.run(`post-${i}`, `blog/post-${i}.mdx`, `Post ${i}`, new Date(at).toISOString(), at)
  }
})()

function time(sql: string): number {
  const statement = db.prepare(sql)
  const start = process.hrtime.bigint()
  for (let run = 0; run < RUNS; run++) statement.all()
  return Number(process.hrtime.bigint() - start) / RUNS / 1000
}

const queries = {
  'page 11 of /blog': (view: string) =>
    `SELECT * FROM ${view} WHERE kind = 'post' ORDER BY date DESC, slug ASC LIMIT 20 OFFSET 200`,
  'count for the pager': (view: string) => `SELECT COUNT(*) FROM ${view} WHERE kind = 'post'`,
}
console.log(`${POSTS} posts, best of ${ROUNDS} rounds of ${RUNS} runs`)
for (const [name, sql] of Object.entries(queries)) {
  let old = Infinity
  let current = Infinity
  for (let round = 0; round < ROUNDS; round++) {
    old = Math.min(old, time(sql('unscheduled_entries')))
    current = Math.min(current, time(sql('published_entries')))
  }
  console.log(
    `${name.padEnd(20)} before ${old.toFixed(1)} µs, with "now" ${current.toFixed(1)} µs: ` +
      `${(current / old).toFixed(2)}x`,
  )
}

// The content version's part per request: a binary search over the instants still ahead.
const instants = Array.from({ length: POSTS / 100 }, (_, i) => now + i * 1000)
const start = process.hrtime.bigint()
let sink = 0
for (let run = 0; run < 1_000_000; run++) sink += countPassed(instants, now + (run % 1000))
console.log(
  `counting passed instants (${instants.length} ahead): ` +
    `${(Number(process.hrtime.bigint() - start) / 1_000_000).toFixed(0)} ns a request (${sink > 0 ? 'ok' : ''})`,
)
db.close()
fs.rmSync(dir, { recursive: true, force: true })
