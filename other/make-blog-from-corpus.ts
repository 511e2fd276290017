/**
 * `tsx other/make-blog-from-corpus.ts --from <folder of .md/.mdx> --to <new content folder> [--copies N]`
 *
 * Turns a folder of MDX documents (the react.dev corpus, for one) into a Kiln content
 * folder: every document becomes blog/<path-with-dashes>.md, with a title and a date
 * added when its frontmatter lacks them, so that every document is a post. --copies
 * repeats the set under new slugs to make a larger blog. For benchmarks and soak runs.
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: { from: { type: 'string' }, to: { type: 'string' }, copies: { type: 'string', default: '1' } },
})
if (!values.from || !values.to) {
  console.error('usage: tsx other/make-blog-from-corpus.ts --from <folder> --to <new content folder> [--copies N]')
  process.exit(2)
}
const from = path.resolve(values.from)
const to = path.resolve(values.to)
const copies = Math.max(1, Number(values.copies) || 1)

function documents(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const absolute = path.join(dir, entry.name)
    if (entry.isDirectory()) return documents(absolute)
    return /\.mdx?$/.test(entry.name) && !/^(SOURCE|LICENSE)/.test(entry.name) ? [absolute] : []
  })
}

function withFrontmatter(source: string, slug: string, index: number): string {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(source)
  const yaml = match ? match[1] : ''
  const body = match ? source.slice(match[0].length) : source
  const lines = [yaml]
  if (!/^title:/m.test(yaml)) lines.push(`title: ${JSON.stringify(slug)}`)
  if (!/^date:/m.test(yaml))
    lines.push(`date: ${new Date(Date.UTC(2024, 0, 1) + index * 86_400_000).toISOString().slice(0, 10)}`)
  return `---\n${lines.filter(Boolean).join('\n')}\n---\n${body}`
}

fs.mkdirSync(path.join(to, 'blog'), { recursive: true })
let written = 0
for (let copy = 0; copy < copies; copy++) {
  for (const file of documents(from)) {
    const base = path
      .relative(from, file)
      .replace(/\.mdx?$/, '')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase()
    const slug = copies > 1 ? `${base}-${copy + 1}` : base
    fs.writeFileSync(path.join(to, 'blog', `${slug}.md`), withFrontmatter(fs.readFileSync(file, 'utf8'), slug, written))
    written++
  }
}
console.log(`wrote ${written} posts to ${path.join(to, 'blog')}`)
