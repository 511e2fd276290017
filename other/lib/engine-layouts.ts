/**
 * What content:check knows about the blog engines a Kiln blog often comes from: how to
 * recognise a site written for one (`--from auto`), where it keeps its posts and pages,
 * what to do so Kiln serves them where they are, and the syntax of its own that MDX does
 * not have (Liquid tags, Hugo shortcodes, HTML comments), found line by line with the
 * line's number. Pure functions of a folder and of a file's text, so each is tested alone.
 */
import fs from 'node:fs'
import path from 'node:path'
import {
  contentLayout,
  engineFolders,
  type Engine,
  type EngineFolders,
} from '../../app/content/content-layout.server.ts'
import { linesOutsideFences } from '../../app/content/metadata/markdown-lines.ts'

export { detectEngine, ENGINES, type Engine } from '../../app/content/content-layout.server.ts'

/** Where an engine's site keeps what Kiln reads, relative to the folder given with --dir. */
export interface EngineLayout extends EngineFolders {
  engine: Engine
  /** Why this engine: the file that told, or "--from". */
  evidence: string
  /** What to do so the server reads it as content:check did (empty when nothing is needed). */
  steps: string[]
  /** Folders of the site Kiln does not read, with why. */
  notRead: { path: string; reason: string }[]
}

const NOT_READ: Record<Engine, { path: string; reason: string }[]> = {
  kiln: [],
  jekyll: [{ path: '_layouts, _includes', reason: 'Liquid templates: Kiln renders every post with its own layout' }],
  hugo: [{ path: 'layouts, themes', reason: 'Go templates: Kiln renders every post with its own layout' }],
  astro: [
    {
      path: 'src/pages/*.astro, src/layouts',
      reason: 'Astro components: Kiln has its own layout (src/pages/*.md and *.mdx are served as pages)',
    },
  ],
  next: [{ path: 'app, pages', reason: 'Next.js routes (page.mdx included): keep posts as files in a posts folder' }],
  docusaurus: [
    { path: 'docs', reason: 'documentation is not a blog: move a document that should be a page into src/pages/' },
  ],
}

/**
 * Where `engine` keeps posts and pages in `dir` (app/content/content-layout.server.ts, which
 * the server reads them by too), and what makes the server read them there: CONTENT_DIR at
 * the site, and CONTENT_LAYOUT when `auto` would not recognise the engine by itself.
 */
export function engineLayout(dir: string, engine: Engine, evidence: string): EngineLayout {
  const steps: string[] = []
  if (engine !== 'kiln') {
    steps.push(`set CONTENT_DIR=${dir}`)
    if (contentLayout(dir, 'auto').engine !== engine) steps.push(`set CONTENT_LAYOUT=${engine}`)
  }
  return { engine, evidence, ...engineFolders(dir, engine), steps, notRead: NOT_READ[engine] }
}

/** Another engine's syntax that MDX does not have, with its line. */
export interface ForeignSyntax {
  line: number
  message: string
}

const FOREIGN: [RegExp, (match: RegExpExecArray) => string][] = [
  // Hugo's {{% shortcode %}} first: it holds a Liquid-looking {% … %}.
  [
    /\{\{[<%]\s*\/?\s*([\w-]+)[^}]*[>%]\}\}/,
    (match) => `Hugo shortcode {{< ${match[1]} >}}: Kiln does not run shortcodes; write it as a component`,
  ],
  [
    /\{%-?\s*([a-z_]+)[^%]*%\}/,
    (match) => `Liquid tag {% ${match[1]} %} (Jekyll): Kiln does not run Liquid; write it as Markdown or a component`,
  ],
  [/\{\{\s*[\w.]+(?:\s*\|[^}]*)?\s*\}\}/, () => 'Liquid output {{ … }} (Jekyll): Kiln does not run Liquid'],
  [/<!--/, () => 'HTML comment: MDX has none (Docusaurus’s <!-- truncate --> included); write {/* … */} instead'],
]

/**
 * Lines of another engine's syntax outside code blocks: each would break the MDX compile
 * or show as text, so content:check names it before the compiler's less helpful error.
 * One finding per line, at most `limit` per file.
 */
export function foreignSyntax(source: string, limit = 20): ForeignSyntax[] {
  const found: ForeignSyntax[] = []
  for (const { line, text } of linesOutsideFences(source)) {
    // A line this long is data, not prose: the patterns stay linear on what they read.
    if (text.length > 4096) continue
    for (const [pattern, describe] of FOREIGN) {
      const match = pattern.exec(text)
      if (match) {
        found.push({ line, message: describe(match) })
        break
      }
    }
    if (found.length >= limit) break
  }
  return found
}

/** Frontmatter fields of other engines that Kiln reads no meaning from, and what it does instead. */
export const IGNORED_FIELDS: Record<string, string> = {
  layout: 'Kiln renders every post with its own layout',
  permalink: 'the address comes from the file name: /blog/<slug>',
  url: 'the address comes from the file name: /blog/<slug>',
  sidebar_position: 'Kiln has no sidebar',
  weight: 'posts are ordered by date',
}

/** Files in a posts folder that look like posts but that Kiln does not read (other extensions). */
export function unreadPostFiles(dir: string, limit = 200): string[] {
  const found: string[] = []
  const walk = (folder: string, depth: number) => {
    let dirents: fs.Dirent[]
    try {
      dirents = fs.readdirSync(folder, { withFileTypes: true })
    } catch {
      return
    }
    for (const dirent of dirents) {
      if (found.length >= limit || dirent.name.startsWith('.') || dirent.name === 'node_modules') continue
      const absolute = path.join(folder, dirent.name)
      if (dirent.isDirectory() && depth < 6) walk(absolute, depth + 1)
      else if (/\.(?:markdown|mkd|html|textile|adoc|asciidoc|rst|org|ipynb)$/i.test(dirent.name)) found.push(absolute)
    }
  }
  walk(dir, 0)
  return found
}
