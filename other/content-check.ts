/**
 * `npm run content:check [-- --dir <content folder>]`
 *
 * Compiles every post and page (drafts too) exactly as the server would, and prints a
 * table of errors and warnings with file and line. Exits 1 when anything fails to
 * compile, so an author (or a content repository's CI) can run it before pushing.
 * It reads the content folder only: no database, no server.
 */
import path from 'node:path'
import { parseArgs } from 'node:util'
import { getConfig } from '../app/config.server.ts'
import { compileInThisThread, CompileError } from '../app/content/compile-mdx.server.ts'
import { FrontmatterError, parseFrontmatter } from '../app/content/frontmatter.ts'
import { destroyHighlightPool, highlightInPool } from '../app/content/highlight.server.ts'
import { formatPlace } from '../app/content/place.ts'
import { publishingProblems } from '../app/content/publishing-check.server.ts'
import { readEntrySource, scanContent, type SourceEntry } from '../app/content/source.server.ts'
import { errorMessage } from '../app/utils/error-message.ts'

interface Problem {
  level: 'error' | 'warning'
  where: string
  message: string
}

const { values } = parseArgs({
  options: { dir: { type: 'string' }, concurrency: { type: 'string', default: '2' } },
})
const contentDir = values.dir ? path.resolve(values.dir) : getConfig().contentDir
const concurrency = Math.max(1, Number(values.concurrency) || 2)

async function checkEntry(entry: SourceEntry): Promise<Problem[]> {
  try {
    parseFrontmatter(readEntrySource(contentDir, entry.path), { requireDate: entry.kind === 'post' })
  } catch (error) {
    if (error instanceof FrontmatterError)
      return [{ level: 'error', where: formatPlace(entry.path, error.line), message: error.message }]
    throw error
  }
  try {
    const compiled = await compileInThisThread({
      contentDir,
      entryPath: entry.path,
      kind: entry.kind,
      highlight: highlightInPool,
    })
    return compiled.warnings.map((warning) => ({
      level: 'warning' as const,
      where: formatPlace(warning.file ?? entry.path, warning.line, warning.column),
      message: warning.message,
    }))
  } catch (error) {
    const failure = CompileError.from(error, { contentDir, entryPath: entry.path })
    return [{ level: 'error', where: failure.where || entry.path, message: failure.message }]
  }
}

function printTable(problems: Problem[]): void {
  const rows = problems.map((problem) => [problem.level, problem.where, problem.message.replace(/\s+/g, ' ')])
  const header = ['level', 'file:line:column', 'message']
  const widths = [0, 1].map((column) => Math.max(header[column].length, ...rows.map((row) => row[column].length)))
  const line = (cells: string[]) => `${cells[0].padEnd(widths[0])}  ${cells[1].padEnd(widths[1])}  ${cells[2]}`
  console.log(line(header))
  console.log(line(['-'.repeat(widths[0]), '-'.repeat(widths[1]), '-'.repeat(7)]))
  for (const row of rows) console.log(line(row))
}

async function main(): Promise<number> {
  const scan = scanContent(contentDir)
  const problems: Problem[] = scan.skipped.map((skipped) => ({
    level: 'warning',
    where: skipped.path,
    message: `skipped: ${skipped.reason}`,
  }))
  const queue = [...scan.entries]
  const start = performance.now()
  let done = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let entry = queue.shift(); entry; entry = queue.shift()) {
        problems.push(...(await checkEntry(entry)))
        done++
        if (process.stderr.isTTY) process.stderr.write(`\rcompiled ${done}/${scan.entries.length}`)
      }
    }),
  )
  if (process.stderr.isTTY) process.stderr.write('\n')
  problems.push(...publishingProblems(contentDir, scan.entries))

  problems.sort((a, b) =>
    a.level === b.level ? a.where.localeCompare(b.where, undefined, { numeric: true }) : a.level === 'error' ? -1 : 1,
  )
  const errors = problems.filter((problem) => problem.level === 'error').length
  const warnings = problems.length - errors
  const posts = scan.entries.filter((entry) => entry.kind === 'post').length
  if (problems.length > 0) printTable(problems)
  await destroyHighlightPool()
  const seconds = ((performance.now() - start) / 1000).toFixed(1)
  console.log(
    `\n${contentDir}: ${posts} posts, ${scan.entries.length - posts} pages ` +
      `compiled in ${seconds} s: ${errors} errors, ${warnings} warnings`,
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
