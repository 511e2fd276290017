/**
 * Where the content folder keeps its posts and pages: Kiln's own `blog/` and `pages/`, or
 * where another blog engine keeps them, so a site written for Jekyll, Hugo, Astro, Next.js
 * or Docusaurus is served as it is, with CONTENT_DIR pointing at the site, no link or move.
 *
 *   kiln        blog/                                    pages/
 *   jekyll      _posts/                                  pages/
 *   hugo        content/blog, content/posts or content/post (the first there)   content/pages/
 *   astro       src/content/blog/                        src/content/pages/
 *   next        posts/, content/posts/, content/blog/ or blog/ (the first there)   pages/ beside it
 *   docusaurus  blog/                                    pages/
 *
 * CONTENT_LAYOUT=auto (the default) recognises the engine by its configuration file
 * (`_config.yml`, `hugo.toml`, `astro.config.mjs`, ...), as `content:check --from auto`
 * does, through this same module, so the two agree. Kiln's own layout always wins when its
 * `blog/` is there and the engine's posts folder is not: a Kiln blog keeps its addresses
 * whatever other files sit beside it.
 *
 * Other engines also keep standalone pages where their own router finds them: Jekyll at the
 * site's root (`about.md`, `about/index.md`), Hugo in `content/` (`content/about.md`,
 * `content/about/_index.md`), Astro and Docusaurus in `src/pages/`. That folder is the
 * layout's `loosePages`: its Markdown files and index folders, one level deep, are pages
 * too, served at /<name> as the engine serves them (source.server.ts says which are not).
 *
 * Only where the files are read from changes: every post is still at /blog/<slug> and
 * every page at /<name>, below Kiln's own routes, which a content file never shadows
 * (Remix answers a fixed route such as /admin or /tags before a page's).
 */
import fs from 'node:fs'
import path from 'node:path'

export const ENGINES = ['jekyll', 'hugo', 'astro', 'next', 'docusaurus'] as const
export type Engine = (typeof ENGINES)[number] | 'kiln'
export const CONTENT_LAYOUTS = ['auto', 'kiln', ...ENGINES] as const
export type ContentLayoutSetting = (typeof CONTENT_LAYOUTS)[number]

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

const isDirectory = (dir: string, relative: string) => {
  try {
    return fs.statSync(path.join(dir, relative)).isDirectory()
  } catch {
    return false
  }
}
const firstExisting = (dir: string, candidates: string[]) => candidates.find((candidate) => isDirectory(dir, candidate))

/** Where `engine` keeps its content in `dir`: the folder holding it, and the posts' and pages' folders inside. */
export interface EngineFolders {
  /** Relative to `dir` ("" is `dir` itself). */
  contentRoot: string
  /** Relative to contentRoot. */
  posts: string
  pages: string
  /** Relative to `dir`: the folder whose own Markdown files are the engine's standalone pages (see the header). */
  loosePages?: string
}

export function engineFolders(dir: string, engine: Engine): EngineFolders {
  switch (engine) {
    case 'jekyll':
      return { contentRoot: '', posts: '_posts', pages: 'pages', loosePages: '' }
    case 'hugo': {
      const posts = firstExisting(dir, ['content/blog', 'content/posts', 'content/post']) ?? 'content/posts'
      return { contentRoot: 'content', posts: path.basename(posts), pages: 'pages', loosePages: 'content' }
    }
    case 'astro':
      return { contentRoot: 'src/content', posts: 'blog', pages: 'pages', loosePages: 'src/pages' }
    case 'next': {
      const posts = firstExisting(dir, ['posts', 'content/posts', 'content/blog', 'blog']) ?? 'posts'
      const root = path.dirname(posts) === '.' ? '' : path.dirname(posts)
      return { contentRoot: root, posts: path.basename(posts), pages: 'pages' }
    }
    case 'docusaurus':
      return { contentRoot: '', posts: 'blog', pages: 'pages', loosePages: 'src/pages' }
    default:
      return { contentRoot: '', posts: 'blog', pages: 'pages' }
  }
}

/** Another engine's folder of standalone pages (see the header), relative to the content folder. */
export interface LoosePages {
  folder: string
  /** Names of folders inside it that hold no pages of their own: the posts' and pages' folders. */
  skip: string[]
  /** The name the posts' folder has there, when it is inside: its address is the posts' section, not a page's. */
  postsName?: string
}

/** The posts' and pages' folders, relative to the content folder, and the engine's standalone pages. */
export interface ContentFolders {
  post: string
  page: string
  loosePages?: LoosePages
}

export interface ContentLayout {
  engine: Engine
  /** Why this layout: CONTENT_LAYOUT, or the file that told. */
  evidence: string
  folders: ContentFolders
}

/** The first segment of `folder` inside `parent`, or undefined when it is not inside. */
function firstSegmentInside(parent: string, folder: string): string | undefined {
  const relative = path.relative(parent, folder)
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined
  return relative.split(path.sep)[0]
}

/** The layout CONTENT_LAYOUT names for the content folder `dir` (see the module's header for `auto`). */
export function contentLayout(dir: string, setting: ContentLayoutSetting): ContentLayout {
  let engine: Engine
  let evidence: string
  if (setting === 'auto') ({ engine, evidence } = detectEngine(dir))
  else [engine, evidence] = [setting, `CONTENT_LAYOUT=${setting}`]
  let found = engineFolders(dir, engine)
  const posts = path.join(found.contentRoot, found.posts)
  if (setting === 'auto' && engine !== 'kiln' && !isDirectory(dir, posts) && isDirectory(dir, 'blog')) {
    engine = 'kiln'
    evidence = `blog/ is there and ${posts}/ is not`
    found = engineFolders(dir, 'kiln')
  }
  const folders: ContentFolders = {
    post: path.join(found.contentRoot, found.posts),
    page: path.join(found.contentRoot, found.pages),
  }
  if (found.loosePages !== undefined) {
    const postsName = firstSegmentInside(found.loosePages, folders.post)
    const skip = [postsName, firstSegmentInside(found.loosePages, folders.page)].filter((name) => name !== undefined)
    folders.loosePages = { folder: found.loosePages, skip, ...(postsName ? { postsName } : {}) }
  }
  return { engine, evidence, folders }
}
