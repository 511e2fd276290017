/**
 * What content:check knows about the blog engines a Kiln blog often comes from: how to
 * recognise a site written for one (`--from auto`), where it keeps its posts and pages,
 * what to do so Kiln serves them where they are, and the syntax of its own that MDX does
 * not have (Liquid tags, Hugo shortcodes, HTML comments), found line by line with the
 * line's number. Pure functions of a folder and of a file's text, so each is tested alone.
 */
import fs from 'node:fs'
import path from 'node:path'
import { linesOutsideFences } from '../../app/content/metadata/markdown-lines.ts'

export const ENGINES = ['jekyll', 'hugo', 'astro', 'next', 'docusaurus'] as const
export type Engine = (typeof ENGINES)[number] | 'kiln'

/** Where an engine's site keeps what Kiln reads, relative to the folder given with --dir. */
export interface EngineLayout {
  engine: Engine
  /** Why this engine: the file that told, or "--from". */
  evidence: string
  /** The folder Kiln's CONTENT_DIR should be (relative to --dir; "" is --dir itself). */
  contentRoot: string
  /** The posts' folder inside contentRoot, and the pages' (null: none). */
  posts: string
  pages: string
  /** What to do so the server reads it as content:check did (empty when nothing is needed). */
  steps: string[]
  /** Folders of the site Kiln does not read, with why. */
  notRead: { path: string; reason: string }[]
}

const CONFIG_FILES: [Engine, RegExp][] = [
  ['jekyll', /^_config\.ya?ml$/],
  ['hugo', /^(?:hugo|config)\.(?:toml|ya?ml|json)$/],
  ['astro', /^astro\.config\.(?:m?[jt]s|cjs)$/],
  ['next', /^next\.config\.(?:m?[jt]s|cjs)$/],
  ['docusaurus', /^docusaurus\.config\.(?:m?[jt]s|cjs)$/],
]

/** The engine a site was written for, from its configuration file; Kiln's own layout otherwise. */
export function detectEngine(dir: string): { engine: Engine; evidence: string } {
  let names: string[] = []
  try {
    names = fs.readdirSync(dir).sort()
  } catch {
    return { engine: 'kiln', evidence: 'the folder could not be read' }
  }
  for (const [engine, pattern] of CONFIG_FILES) {
    const found = names.find((name) => pattern.test(name))
    if (found) return { engine, evidence: found }
  }
  return { engine: 'kiln', evidence: 'no other engine’s configuration file' }
}

const exists = (dir: string, relative: string) => fs.existsSync(path.join(dir, relative))
const firstExisting = (dir: string, candidates: string[]) => candidates.find((candidate) => exists(dir, candidate))

/** Where `engine` keeps posts and pages in `dir`, and what makes Kiln read them there. */
export function engineLayout(dir: string, engine: Engine, evidence: string): EngineLayout {
  const link = (root: string, from: string) =>
    `link the posts as Kiln's blog/ folder: (cd ${path.join(dir, root) || '.'} && ln -s ${from} blog)`
  const point = (root: string) => `set CONTENT_DIR=${path.join(dir, root)}`
  switch (engine) {
    case 'jekyll':
      return {
        engine,
        evidence,
        contentRoot: '',
        posts: '_posts',
        pages: 'pages',
        steps: [link('', '_posts'), point('')],
        notRead: [
          { path: '_layouts, _includes', reason: 'Liquid templates: Kiln renders every post with its own layout' },
          { path: '*.md at the top', reason: 'pages are read from pages/: move them there' },
        ],
      }
    case 'hugo': {
      const posts = firstExisting(dir, ['content/blog', 'content/posts', 'content/post']) ?? 'content/posts'
      const name = path.basename(posts)
      return {
        engine,
        evidence,
        contentRoot: 'content',
        posts: name,
        pages: 'pages',
        steps: [...(name === 'blog' ? [] : [link('content', name)]), point('content')],
        notRead: [
          { path: 'layouts, themes', reason: 'Go templates: Kiln renders every post with its own layout' },
          { path: 'content/*.md', reason: 'pages are read from content/pages/: move them there' },
        ],
      }
    }
    case 'astro':
      return {
        engine,
        evidence,
        contentRoot: 'src/content',
        posts: 'blog',
        pages: 'pages',
        steps: [point('src/content')],
        notRead: [{ path: 'src/pages, src/layouts', reason: 'Astro components: Kiln has its own pages and layout' }],
      }
    case 'next': {
      const posts = firstExisting(dir, ['posts', 'content/posts', 'content/blog', 'blog']) ?? 'posts'
      const root = path.dirname(posts) === '.' ? '' : path.dirname(posts)
      const name = path.basename(posts)
      return {
        engine,
        evidence,
        contentRoot: root,
        posts: name,
        pages: 'pages',
        steps: [...(name === 'blog' ? [] : [link(root, name)]), point(root)],
        notRead: [
          {
            path: 'app, pages',
            reason: 'Next.js routes (page.mdx included): keep posts as files in a posts folder',
          },
        ],
      }
    }
    case 'docusaurus':
      return {
        engine,
        evidence,
        contentRoot: '',
        posts: 'blog',
        pages: 'pages',
        steps: [point('')],
        notRead: [
          {
            path: 'docs',
            reason: 'documentation is not a blog: move a document that should be a page into pages/',
          },
        ],
      }
    default:
      return { engine: 'kiln', evidence, contentRoot: '', posts: 'blog', pages: 'pages', steps: [], notRead: [] }
  }
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
