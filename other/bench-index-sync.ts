/**
 * `npx tsx other/bench-index-sync.ts --dir <content folder> | --generate <posts> [--runs N]`
 *
 * What keeping the content index in step costs on the main thread, on a fresh SQLite file:
 * the cold sync (reads every entry, follows its imports, hashes its files), an unchanged
 * re-sync (stats each entry's files and the files it imports; reads nothing), and the
 * one-time re-read after an upgrade of the index's format. Figures only; asserts nothing.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { syncContentIndex } from '../app/content/content-index.server.ts'
import { forgetIndexFormat } from '../app/content/kiln-state.server.ts'
import { openDatabase } from '../app/db/connection.server.ts'

const { values } = parseArgs({
  options: { dir: { type: 'string' }, runs: { type: 'string', default: '50' }, generate: { type: 'string' } },
})
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-sync-'))
/** --generate N: a blog of N posts, every other one importing a shared component that imports another file. */
function generate(count: number): string {
  const root = path.join(dir, 'content')
  fs.mkdirSync(path.join(root, 'blog', '_components'), { recursive: true })
  fs.writeFileSync(
    path.join(root, 'blog', '_components', 'note.jsx'),
    "import { label } from './label.js'\nexport const Note = ({ children }) => <aside>{label}{children}</aside>\n",
  )
  fs.writeFileSync(path.join(root, 'blog', '_components', 'label.js'), "export const label = 'Note: '\n")
  for (let i = 0; i < count; i++) {
    const imports = i % 2 === 0 ? "import { Note } from './_components/note.jsx'\n\n<Note>shared</Note>\n\n" : ''
    fs.writeFileSync(
      path.join(root, 'blog', `post-${i}.mdx`),
      `---\ntitle: Post ${i}\ndate: 2026-01-01\n---\n\n${imports}${'Some words of a post. '.repeat(300)}\n`,
    )
  }
  return root
}
const contentDir = values.generate
  ? generate(Number(values.generate))
  : path.resolve(values.dir ?? process.env.CONTENT_DIR ?? 'content')
const runs = Math.max(1, Number(values.runs) || 50)
const ms = (value: number) => `${value.toFixed(2)} ms`

const log = console.log
try {
  console.log = () => {}
  const db = openDatabase(path.join(dir, 'kiln.db'), path.resolve('prisma', 'migrations'))
  console.log = log
  let start = performance.now()
  const cold = syncContentIndex(db, contentDir)
  const coldMs = performance.now() - start
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    start = performance.now()
    syncContentIndex(db, contentDir)
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  forgetIndexFormat(db)
  start = performance.now()
  const reread = syncContentIndex(db, contentDir)
  const rereadMs = performance.now() - start
  const files = (db.prepare('SELECT SUM(json_array_length(files)) AS n FROM content_entries').get() as { n: number }).n
  console.log(`entries: ${cold.added.length}, files in their versions: ${files}`)
  console.log(`cold sync: ${ms(coldMs)}`)
  console.log(
    `unchanged sync: median ` +
      `${ms(times[Math.floor(times.length / 2)])}, max ` +
      `${ms(times[times.length - 1])} (${runs} runs)`,
  )
  console.log(`re-read after a format upgrade: ${ms(rereadMs)}, ${reread.updated.length} entries changed version`)
  db.close()
} finally {
  console.log = log
  fs.rmSync(dir, { recursive: true, force: true })
}
