/**
 * `npm run content:check [-- --dir <folder>] [--from auto|jekyll|hugo|astro|next|docusaurus]`
 *
 * Compiles every post and page (drafts too) exactly as the server would, and prints what
 * Kiln will serve at which address, then a table of errors, warnings and what it ignores
 * and why, each with file and line, and a count summary. Exits 1 when anything is an
 * error (a compile failure, broken metadata, two files with one address, another engine's
 * syntax MDX cannot read), so an author (or a content repository's CI) can run it before
 * pushing. It reads the folder only: no database, no server.
 *
 * With `--from` (or without it: CONTENT_LAYOUT, `auto` by default, which looks for another
 * engine's configuration file, as the server does), a site written for another engine is
 * read where that engine keeps its posts (Jekyll's `_posts/`, Hugo's `content/posts/`,
 * Astro's `src/content/blog/`, ...), and its standalone pages where it keeps them (a Jekyll
 * site's `about.md`, Hugo's `content/about.md`, `src/pages/*.md`), and the command says
 * what to set so the server reads it the same way (app/content/content-layout.server.ts,
 * other/lib/engine-layouts.ts).
 */
import path from 'node:path'
import { parseArgs } from 'node:util'
import { getConfig } from '../app/config.server.ts'
import { compileInThisThread, CompileError } from '../app/content/compile-mdx.server.ts'
import { FrontmatterError, readEntryMetadata, readSlugField, type EntryMetadata } from '../app/content/frontmatter.ts'
import { destroyHighlightPool, highlightInPool } from '../app/content/highlight.server.ts'
import { formatPlace } from '../app/content/place.ts'
import { contentLayout } from '../app/content/content-layout.server.ts'
import { publishingProblems } from '../app/content/publishing-check.server.ts'
import { aliasPaths } from '../app/content/redirects.server.ts'
import { readEntrySource, scanContent, type SourceEntry } from '../app/content/source.server.ts'
import { entryPath as addressOf } from '../app/seo/urls.ts'
import { errorMessage } from '../app/utils/error-message.ts'
import {
  engineLayout,
  ENGINES,
  foreignSyntax,
  IGNORED_FIELDS,
  unreadPostFiles,
  type Engine,
} from './lib/engine-layouts.ts'

interface Problem {
  level: 'error' | 'warning' | 'ignored'
  where: string
  message: string
}

interface Served {
  kind: 'post' | 'page'
  address: string
  path: string
  title: string
  date: string | null
  draft: boolean
}

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    from: { type: 'string' },
    concurrency: { type: 'string', default: '2' },
  },
})
// Without --from, the server's own setting: content:check reads the folder as it would.
const from = values.from ?? getConfig().contentLayout
if (from !== 'auto' && from !== 'kiln' && !(ENGINES as readonly string[]).includes(from)) {
  console.error(`content:check: --from must be auto, kiln or one of ${ENGINES.join(', ')}, not "${from}"`)
  process.exit(2)
}
const siteDir = values.dir ? path.resolve(values.dir) : getConfig().contentDir
const detected = from === 'auto' ? contentLayout(siteDir, 'auto') : { engine: from as Engine, evidence: '--from' }
const layout = engineLayout(siteDir, detected.engine, detected.evidence)
// The folder the server would be given (CONTENT_DIR at the site), read through the same folders: the addresses,
// the paths and the content boundary of every import are the server's.
const contentDir = siteDir
const folders = contentLayout(siteDir, detected.engine).folders
const concurrency = Math.max(1, Number(values.concurrency) || 2)

/** A file's place, relative to the folder the author named. */
const place = (relative: string, line?: number, column?: number) =>
  formatPlace(path.relative(siteDir, path.join(contentDir, relative)), line, column)

async function checkEntry(entry: SourceEntry, served: Served[]): Promise<Problem[]> {
  const problems: Problem[] = []
  let source: string
  try {
    source = readEntrySource(contentDir, entry.path)
  } catch (error) {
    return [{ level: 'error', where: place(entry.path), message: `could not be read: ${errorMessage(error)}` }]
  }
  // Another engine's syntax breaks the MDX compile with a message about braces: say what it is instead.
  const foreign = foreignSyntax(source)
  for (const found of foreign)
    problems.push({ level: 'error', where: place(entry.path, found.line), message: found.message })
  let metadata: EntryMetadata
  try {
    metadata = readEntryMetadata(source, { requireDate: entry.kind === 'post', entryPath: entry.path })
  } catch (error) {
    if (!(error instanceof FrontmatterError)) throw error
    return [...problems, { level: 'error', where: place(entry.path, error.line), message: error.message }]
  }
  for (const warning of metadata.warnings) {
    problems.push({ level: 'warning', where: place(entry.path, warning.line), message: warning.message })
  }
  const moved = movedAddressAdvice(entry, metadata.frontmatter.data, source)
  if (moved) problems.push({ level: 'warning', where: place(entry.path, moved.line), message: moved.message })
  for (const [field, why] of Object.entries(IGNORED_FIELDS)) {
    if (field in metadata.frontmatter.data) {
      // A page's address is /<name>, not a post's.
      const message = `frontmatter "${field}": ${entry.kind === 'page' ? why.replace('/blog/<slug>', '/<name>') : why}`
      problems.push({ level: 'ignored', where: place(entry.path), message })
    }
  }
  if (foreign.length > 0) return problems
  try {
    const compiled = await compileInThisThread({
      contentDir,
      entryPath: entry.path,
      kind: entry.kind,
      highlight: highlightInPool,
    })
    for (const warning of compiled.warnings) {
      problems.push({
        level: 'warning',
        where: warning.file ? formatPlace(warning.file, warning.line, warning.column) : place(entry.path, warning.line),
        message: warning.message,
      })
    }
    const { title, date, draft } = metadata.frontmatter
    served.push({
      kind: entry.kind,
      address: addressOf(entry.kind, entry.slug),
      path: place(entry.path),
      title,
      date,
      draft,
    })
  } catch (error) {
    const failure = CompileError.from(error, { contentDir, entryPath: entry.path })
    problems.push({ level: 'error', where: failure.where || place(entry.path), message: failure.message })
  }
  return problems
}

/**
 * An entry served at its `slug:` rather than its file name's address: readers who knew the
 * file name's address get a 404 unless the entry lists it in `aliases` (as renaming a file
 * does). Null when there is nothing to say.
 */
function movedAddressAdvice(
  entry: SourceEntry,
  data: Record<string, unknown>,
  source: string,
): { message: string; line?: number } | null {
  if (entry.fileSlug === undefined) return null
  const old = addressOf(entry.kind, entry.fileSlug)
  if (aliasPaths(data.aliases).includes(old)) return null
  const alias = entry.kind === 'post' && !entry.fileSlug.includes('/') ? entry.fileSlug : old
  return {
    message:
      `served at ${addressOf(entry.kind, entry.slug)} by its "slug:", not at ${old} (its file name): ` +
      `if ${old} was ever public, add aliases: [${alias}] so it redirects there`,
    line: readSlugField(source)?.line,
  }
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)))
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ')
  console.log(line(header))
  console.log(line(widths.map((width) => '-'.repeat(Math.min(width, 40)))))
  for (const row of rows) console.log(line(row))
}

async function main(): Promise<number> {
  if (layout.engine !== 'kiln') {
    console.log(`${siteDir}: written for ${layout.engine} (${layout.evidence})`)
    const looseFolder = layout.loosePages ? `${layout.loosePages}/` : 'the site’s top folder'
    const loose = layout.loosePages === undefined ? '' : ` and the Markdown files of ${looseFolder} (one level deep)`
    console.log(
      `  posts are read from ${path.join(layout.contentRoot, layout.posts)}/, ` +
        `pages from ${path.join(layout.contentRoot, layout.pages)}/${loose}`,
    )
    if (layout.steps.length > 0) console.log(`  to serve it so: ${layout.steps.join('; then ')}`)
    console.log('')
  }
  const scan = scanContent(contentDir, folders)
  if (scan.unavailable) {
    console.error(`content:check: ${scan.unavailable}`)
    return 1
  }
  const problems: Problem[] = scan.skipped.map((skipped) => ({
    level: skipped.error ? 'error' : 'ignored',
    where: place(skipped.path, skipped.line),
    message: skipped.error ? skipped.reason : `not served: ${skipped.reason}`,
  }))
  for (const missing of (scan.missingFolders ?? []).filter((kind) => kind === 'post')) {
    problems.push({
      level: 'ignored',
      where: `${path.join(layout.contentRoot, folders[missing])}/`,
      message: 'no such folder',
    })
  }
  for (const file of unreadPostFiles(path.join(contentDir, folders.post))) {
    problems.push({
      level: 'ignored',
      where: path.relative(siteDir, file),
      message: `not served: Kiln reads .md and .mdx files (rename it to ${path.basename(file).replace(/\.[^.]+$/, '.md')})`,
    })
  }
  for (const folder of layout.notRead)
    problems.push({ level: 'ignored', where: folder.path, message: `not read: ${folder.reason}` })

  const served: Served[] = []
  const queue = [...scan.entries]
  const start = performance.now()
  let done = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let entry = queue.shift(); entry; entry = queue.shift()) {
        problems.push(...(await checkEntry(entry, served)))
        done++
        if (process.stderr.isTTY) process.stderr.write(`\rcompiled ${done}/${scan.entries.length}`)
      }
    }),
  )
  if (process.stderr.isTTY) process.stderr.write('\n')
  problems.push(...publishingProblems(contentDir, scan.entries))
  await destroyHighlightPool()

  served.sort((a, b) => a.address.localeCompare(b.address, undefined, { numeric: true }))
  if (served.length > 0) {
    printTable(
      ['address', 'file', 'title'],
      served.map((entry) => [
        entry.address,
        entry.path,
        `${entry.title}${entry.date ? ` (${entry.date.slice(0, 10)})` : ''}` +
          (entry.draft ? ' [draft: hidden from readers]' : ''),
      ]),
    )
    console.log('')
  }
  const order = { error: 0, warning: 1, ignored: 2 }
  problems.sort((a, b) =>
    a.level === b.level
      ? a.where.localeCompare(b.where, undefined, { numeric: true })
      : order[a.level] - order[b.level],
  )
  if (problems.length > 0) {
    printTable(
      ['level', 'file:line:column', 'message'],
      problems.map((problem) => [problem.level, problem.where, problem.message.replace(/\s+/g, ' ')]),
    )
    console.log('')
  }
  const count = (level: Problem['level']) => problems.filter((problem) => problem.level === level).length
  const errors = count('error')
  const posts = served.filter((entry) => entry.kind === 'post').length
  const drafts = served.filter((entry) => entry.draft).length
  const seconds = ((performance.now() - start) / 1000).toFixed(1)
  console.log(
    `${siteDir}: ${served.length} served (${posts} posts, ${served.length - posts} pages, ${drafts} drafts) ` +
      `of ${scan.entries.length} found, compiled in ${seconds} s: ` +
      `${errors} errors, ${count('warning')} warnings, ${count('ignored')} ignored`,
  )
  return errors > 0 ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`content:check could not run: ${errorMessage(error)}`)
    process.exit(2)
  },
)
