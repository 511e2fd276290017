/**
 * `npm run axe:sweep -- --dir <content folder> [--concurrency 3] [--search react] [--only <slug,...>]
 *   [--phone] [--json out.json]`
 *
 * Starts the built Kiln (npm run build first) on the folder with a throwaway database,
 * opens every published post and page, home, /blog, /tags, every tag page and a search
 * results page in headless Chromium, runs axe-core in the light and the dark theme (the
 * kiln_theme cookie) and prints one row per rule: impact, how many page/theme pairs
 * fail it, an example page and target. --phone uses a phone's window instead of a desktop's. Exits 1 when any serious
 * or critical violation (or a page that could not be checked) remains.
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { getConfig } from '../app/config.server.ts'
import { parseFrontmatter } from '../app/content/frontmatter.ts'
import { readEntrySource, scanContent } from '../app/content/source.server.ts'
import {
  DESKTOP,
  formatTable,
  PHONE,
  isSeriousOrCritical,
  listingPathnames,
  summarize,
  sweepPages,
  type PageResult,
} from './lib/axe.ts'
import { launchChromium } from './lib/chromium.ts'
import { startServer, tempDir } from './lib/server.ts'

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    concurrency: { type: 'string', default: '3' },
    search: { type: 'string', default: 'react' },
    only: { type: 'string' },
    json: { type: 'string' },
    phone: { type: 'boolean', default: false },
  },
})
const contentDir = values.dir ? path.resolve(values.dir) : getConfig().contentDir
const concurrency = Math.max(1, Number(values.concurrency) || 3)

/** Published posts and pages, at their addresses (drafts answer 404 to readers), the longest first (sweepPages). */
function entryPathnames(): string[] {
  const only = values.only ? new Set(values.only.split(',')) : undefined
  const entries: { pathname: string; length: number }[] = []
  for (const entry of scanContent(contentDir).entries) {
    if (only && !only.has(entry.slug)) continue
    let length = 0
    try {
      const source = readEntrySource(contentDir, entry.path)
      length = source.length
      if (parseFrontmatter(source, { requireDate: entry.kind === 'post' }).draft) continue
    } catch {
      // A broken frontmatter is content:check's business; the page still gets checked (its error page).
    }
    entries.push({ pathname: entry.kind === 'post' ? `/blog/${entry.slug}` : `/${entry.slug}`, length })
  }
  return entries.sort((a, b) => b.length - a.length).map((entry) => entry.pathname)
}

async function main(): Promise<number> {
  if (!fs.existsSync(path.join(contentDir, 'blog')) && !fs.existsSync(path.join(contentDir, 'pages'))) {
    console.error(`${contentDir} has neither blog/ nor pages/: pass --dir <content folder>`)
    return 2
  }
  const databaseDir = tempDir('kiln-axe-db-')
  const server = await startServer({ contentDir, databasePath: path.join(databaseDir, 'kiln.db') })
  const browser = await launchChromium()
  const started = performance.now()
  try {
    const pathnames = [...entryPathnames(), ...(values.only ? [] : await listingPathnames(server.url, values.search))]
    const total = pathnames.length * 2
    let done = 0
    const results: PageResult[] = await sweepPages({
      browser,
      baseUrl: server.url,
      pathnames,
      concurrency,
      viewport: values.phone ? PHONE : DESKTOP,
      onResult(result) {
        done += 1
        if (result.error || result.status !== 200)
          console.error(`  ${result.pathname} (${result.theme}): ${result.error ?? `status ${result.status}`}`)
        if (done % 50 === 0 || done === total) console.error(`  ${done}/${total} checked`)
      },
    })
    const seconds = (performance.now() - started) / 1000
    const rows = summarize(results)
    console.log(
      `\naxe-core over ${pathnames.length} pages x 2 themes = ` +
        `${results.length} checks in ${seconds.toFixed(1)} s (${contentDir})\n`,
    )
    console.log(rows.length > 0 ? formatTable(rows) : 'no violations of any impact')
    if (values.json) fs.writeFileSync(values.json, JSON.stringify(results, null, 1))
    const failing = results.filter((result) => result.violations.some(isSeriousOrCritical))
    const broken = results.filter((result) => result.error || result.status !== 200)
    console.log(
      `\n${failing.length} page/theme pairs with serious or critical violations, ${broken.length} not checkable`,
    )
    return failing.length > 0 || broken.length > 0 ? 1 : 0
  } finally {
    await browser.close()
    await server.stop()
    fs.rmSync(databaseDir, { recursive: true, force: true })
  }
}

process.exitCode = await main()
