/**
 * The content source: finds posts and pages in the content folder and reads them.
 *
 *   blog/<slug>.mdx, blog/<slug>.md          a post of one file
 *   blog/<slug>/index.mdx (or index.md)      a post with sibling files it may import
 *   blog/2023-01-15-<slug>.mdx               the same post: the date gives its date, not its slug
 *   blog/<section>/<slug>.mdx                a post at /blog/<section>/<slug> (sections nest, to
 *                                            MAX_SLUG_SEGMENTS in all; folder posts inside too)
 *   blog/<section>/_index.mdx (or .md)       the section's page, at /blog/<section>: kind "page",
 *                                            slug "blog/<section>", in no list of posts or feed
 *   pages/<name>.mdx, .md, <name>/index.mdx  pages, served at /<name>
 *   <loose>/<name>.md, .markdown, .mdx,      another engine's standalone pages, where it keeps
 *   <loose>/<name>/index.md (or _index.md)   them (content-layout.server.ts): pages at /<name>
 *
 * These are the layouts Jekyll, Hugo, Astro and Docusaurus blogs use. A folder with an
 * index file is a post (Hugo's leaf bundle: every file in it is the post's); a folder
 * without one is a section. Names starting with "." or "_" anywhere under blog/ and
 * pages/ are not posts, so authors can keep work in progress and shared components
 * (`blog/_components/`, `_components/` at the top) there. Two files with one address (a
 * dated and an undated name, a .md beside a .mdx) and an impossible date in a name are
 * errors that name the file (`SkippedFile.error`); the first by sorted path is served.
 * A `slug:` in an entry's frontmatter gives it another address than its file name's
 * (slug.ts, slugFromField); which entry gets which address is settled once those are read
 * (entry-addresses.ts), so the scan of files alone (scanFiles) reads no file.
 *
 * The content folder is a boundary (docs/security.md, "Content boundary"): nothing
 * outside it is ever read. A symbolic link is followed only when its target is inside the
 * folder; an entry or a sibling file whose link leaves it is skipped with a warning, so a
 * link to /etc/passwd is never served and never hashed. The compiler holds the same line
 * for imports (compile/esbuild-content-boundary.ts).
 *
 * An entry's version is a hash over its own files (a folder post: every file in it) and
 * every file inside the content folder it imports, followed through imports of imports:
 * editing a shared `_components/note.jsx` is a new version of each post that imports it.
 * The imports are found here, when the entry is indexed, and not recorded by the compile:
 * the version keys the compiled row, the component and page caches and the index's
 * content version, so it must be known before anything is compiled, and a post must move
 * when a file it imports changes even if nobody has asked for it since. Reading imports
 * with patterns may count a file too many (an import written in a code block), which
 * costs a recompile at most; never one too few for the import forms esbuild bundles.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { errorMessage } from '../utils/error-message.ts'
import type { ContentFolders, LoosePages } from './content-layout.server.ts'
import { assignAddresses } from './entry-addresses.ts'
import { readSlugField } from './frontmatter.ts'
import { splitDatePrefix } from './metadata/file-name-date.ts'
import { SITE_COMPONENT_EXTENSIONS, SITE_COMPONENTS_FOLDER } from './site-components.ts'
import {
  isValidSlug,
  isValidSlugPath,
  MAX_SLUG_PATH_LENGTH,
  MAX_SLUG_SEGMENTS,
  pageNameTaken,
  slugFromField,
} from './slug.ts'

export type EntryKind = 'post' | 'page'

/** Which entry: what a sync reports, and what the index and the compiled store are keyed by. */
export interface EntryKey {
  kind: EntryKind
  slug: string
}

export const KIND_FOLDERS: Record<EntryKind, string> = { post: 'blog', page: 'pages' }

const ENTRY_EXTENSIONS = ['.mdx', '.md']
/** A post folder is bounded: beyond this many files its hash would cost too much to take. */
const MAX_FILES_PER_ENTRY = 500
const IGNORED_DIRS = new Set(['node_modules'])
/** Files whose imports are followed, and the extensions esbuild tries for an import written without one. */
const SCRIPT_EXTENSIONS = ['.tsx', '.ts', '.jsx', '.js', '.mjs', '.cjs', '.mdx', '.md']
const RESOLVE_EXTENSIONS = ['.tsx', '.ts', '.jsx', '.js', '.mjs', '.cjs', '.css', '.json', '.mdx', '.md']
/** Files of this size or more are hashed a chunk at a time, never held whole in memory. */
const HASH_CHUNK_BYTES = 1024 * 1024

/** [path relative to the content folder, mtimeMs, size] */
export type FileStamp = [string, number, number]

export interface SourceEntry {
  kind: EntryKind
  slug: string
  /** The slug the file name gives, when `slug:` in the frontmatter gave another (scanContent). */
  fileSlug?: string
  /** The entry file, relative to the content folder. */
  path: string
  /** The entry file and, for a folder post, every file beside it. */
  files: FileStamp[]
}

export interface SkippedFile {
  path: string
  reason: string
  /** An author's mistake to fix (two files with one address, an impossible date), not a file Kiln passes over. */
  error?: true
  /** The line of the mistake, where it has one (a bad `slug:`). */
  line?: number
}

export interface SourceScan {
  entries: SourceEntry[]
  skipped: SkippedFile[]
  /**
   * Set when the content folder, or one of its blog/ and pages/ folders, exists but
   * could not be read, or the content folder itself is missing: the scan says nothing
   * about which entries are gone, and nothing may be deleted on its word.
   */
  unavailable?: string
  /** Kinds whose folder (blog/, pages/) is not there at all. */
  missingFolders?: EntryKind[]
  /** Entries that were seen but could not be read: they are not gone. `path` is the file or folder. */
  unreadable?: (EntryKey & { path: string })[]
}

function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_')
}

/** True when `target` is `root` or inside it (both absolute, symbolic links already resolved). */
export function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target)
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative))
}

/** The content folder with its symbolic links resolved: what every real path is compared to. */
export function contentRoot(contentDir: string): string {
  return fs.realpathSync(contentDir)
}

/** `relative`: its path in the content folder, when the caller has it (path.relative is much of a re-scan). */
function stamp(contentDir: string, absolute: string, relative = path.relative(contentDir, absolute)): FileStamp {
  const stat = fs.statSync(absolute)
  return [relative, stat.mtimeMs, stat.size]
}

/**
 * Where a symbolic link leads, when that is inside the content folder; otherwise the
 * reason it is not followed.
 */
function followLink(root: string, absolute: string): { real: string } | { refused: string } {
  let real: string
  try {
    real = fs.realpathSync(absolute)
  } catch {
    return { refused: 'is a symbolic link to nothing' }
  }
  if (!isInside(root, real)) return { refused: `is a symbolic link to ${real}, outside the content folder: not read` }
  return { real }
}

/**
 * Every file in a post's folder is part of its version, "_" names included: the post may
 * import them. Only dot files (editor and OS litter) and node_modules are left out, and
 * symbolic links that leave the content folder.
 */
function listFolder(
  contentDir: string,
  root: string,
  dir: string,
  into: FileStamp[],
  skipped: SkippedFile[],
  seenDirs: Set<string>,
): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (into.length >= MAX_FILES_PER_ENTRY) return
    if (entry.name.startsWith('.')) continue
    const absolute = path.join(dir, entry.name)
    let isDirectory = entry.isDirectory()
    let isFile = entry.isFile()
    if (entry.isSymbolicLink()) {
      const link = followLink(root, absolute)
      if ('refused' in link) {
        skipped.push({ path: path.relative(contentDir, absolute), reason: link.refused })
        continue
      }
      const stat = fs.statSync(link.real)
      isDirectory = stat.isDirectory()
      isFile = stat.isFile()
    }
    if (isDirectory) {
      // A link back up the tree would loop forever: each real folder is listed once.
      const real = fs.realpathSync(absolute)
      if (IGNORED_DIRS.has(entry.name) || seenDirs.has(real)) continue
      seenDirs.add(real)
      listFolder(contentDir, root, absolute, into, skipped, seenDirs)
    } else if (isFile) {
      into.push(stamp(contentDir, absolute))
    }
  }
}

function findIndexFile(dir: string): string | undefined {
  for (const ext of ENTRY_EXTENSIONS) {
    const candidate = path.join(dir, `index${ext}`)
    if (fs.existsSync(candidate)) return candidate
  }
  return undefined
}

const byPath = (a: FileStamp, b: FileStamp) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)

/** What a directory entry is, with symbolic links followed inside the content folder; null when refused. */
function entryType(
  root: string,
  absolute: string,
  dirent: fs.Dirent,
  contentDir: string,
  skipped: SkippedFile[],
): { isDirectory: boolean; isFile: boolean } | null {
  if (!dirent.isSymbolicLink()) return { isDirectory: dirent.isDirectory(), isFile: dirent.isFile() }
  const link = followLink(root, absolute)
  if ('refused' in link) {
    skipped.push({ path: path.relative(contentDir, absolute), reason: link.refused })
    return null
  }
  const stat = fs.statSync(link.real)
  return { isDirectory: stat.isDirectory(), isFile: stat.isFile() }
}

/** One scan's state: what it found, and which address each slug already has. */
interface ScanState {
  contentDir: string
  root: string
  entries: SourceEntry[]
  skipped: SkippedFile[]
  unreadable: (EntryKey & { path: string })[]
}

/**
 * The slug segment a file or folder name gives: its name without extension, the date of a
 * `2023-01-15-` prefix taken off (it gives the post's date, frontmatter.ts). Null, with the
 * reason recorded, when the name cannot be a slug segment.
 */
function slugSegment(name: string, relative: string, skipped: SkippedFile[]): string | null {
  const prefix = splitDatePrefix(name)
  if (prefix && 'invalid' in prefix) {
    skipped.push({
      path: relative,
      reason: `"${prefix.invalid}" at the start of the name is not a real date: fix it, or rename the file`,
      error: true,
    })
    return null
  }
  const segment = prefix ? prefix.rest : name
  if (!isValidSlug(segment)) {
    skipped.push({ path: relative, reason: `"${segment}" is not a valid slug (letters, digits, ".", "-", "_")` })
    return null
  }
  return segment
}

/** Records an entry; two with one address are settled later (entry-addresses.ts), once `slug:` fields are known. */
function addEntry(state: ScanState, entry: SourceEntry, relative: string): void {
  if (!isValidSlugPath(entry.slug)) {
    state.skipped.push({ path: relative, reason: `its address is longer than ${MAX_SLUG_PATH_LENGTH} characters` })
    return
  }
  state.entries.push(entry)
}

/** A folder post: its index file first, then every file beside it (see listFolder). */
function folderEntry(
  state: ScanState,
  kind: EntryKind,
  slug: string,
  absolute: string,
  relative: string,
  indexFile?: string,
): void {
  const { contentDir, root } = state
  try {
    const index = indexFile ?? findIndexFile(absolute)
    if (!index) {
      state.skipped.push({ path: relative, reason: 'folder has no index.mdx or index.md' })
      return
    }
    const files: FileStamp[] = [stamp(contentDir, index)]
    const siblings: FileStamp[] = []
    listFolder(contentDir, root, absolute, siblings, state.skipped, new Set([fs.realpathSync(absolute)]))
    siblings.sort(byPath)
    for (const sibling of siblings) if (sibling[0] !== files[0][0]) files.push(sibling)
    addEntry(state, { kind, slug, path: path.relative(contentDir, index), files }, relative)
  } catch (error) {
    // A folder that cannot be listed right now is not a deleted post: keep its row.
    state.skipped.push({ path: relative, reason: `could not be read: ${errorMessage(error)}` })
    state.unreadable.push({ kind, slug, path: relative })
  }
}

function fileEntry(state: ScanState, kind: EntryKind, slug: string, absolute: string, relative: string): void {
  try {
    addEntry(state, { kind, slug, path: relative, files: [stamp(state.contentDir, absolute, relative)] }, relative)
  } catch (error) {
    state.skipped.push({ path: relative, reason: `could not be read: ${errorMessage(error)}` })
    state.unreadable.push({ kind, slug, path: relative })
  }
}

const isEntryFile = (name: string) => ENTRY_EXTENSIONS.includes(path.extname(name))
const SECTION_INDEX = /^_index\.mdx?$/

/**
 * The entries of one folder of blog/ (`segments` is its path below blog/): files and folder
 * posts are posts, a folder without an index file is a section whose entries are found the
 * same way, down to MAX_SLUG_SEGMENTS, and a section's `_index.md` is its page.
 */
function scanPostFolder(state: ScanState, dir: string, segments: string[], dirents: fs.Dirent[]): void {
  const sorted = [...dirents].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const dirent of sorted) {
    const absolute = path.join(dir, dirent.name)
    const relative = path.relative(state.contentDir, absolute)
    if (SECTION_INDEX.test(dirent.name)) {
      // A section's own page (Hugo's _index.md): a page at the section's address, not a post.
      if (segments.length === 0) {
        state.skipped.push({ path: relative, reason: "the /blog list is Kiln's own: blog/_index is not served" })
      } else if (entryType(state.root, absolute, dirent, state.contentDir, state.skipped)?.isFile) {
        fileEntry(state, 'page', [KIND_FOLDERS.post, ...segments].join('/'), absolute, relative)
      }
      continue
    }
    if (isIgnoredName(dirent.name)) continue
    const type = entryType(state.root, absolute, dirent, state.contentDir, state.skipped)
    if (!type) continue
    if (type.isFile) {
      if (!isEntryFile(dirent.name)) continue
      const segment = slugSegment(dirent.name.slice(0, -path.extname(dirent.name).length), relative, state.skipped)
      if (segment) fileEntry(state, 'post', [...segments, segment].join('/'), absolute, relative)
      continue
    }
    if (!type.isDirectory) continue
    const segment = slugSegment(dirent.name, relative, state.skipped)
    if (!segment) continue
    let hasIndex: boolean
    let children: fs.Dirent[] = []
    try {
      hasIndex = findIndexFile(absolute) !== undefined
      if (!hasIndex) children = fs.readdirSync(absolute, { withFileTypes: true })
    } catch (error) {
      state.skipped.push({ path: relative, reason: `could not be read: ${errorMessage(error)}` })
      continue
    }
    if (hasIndex) {
      folderEntry(state, 'post', [...segments, segment].join('/'), absolute, relative)
    } else if (segments.length + 1 >= MAX_SLUG_SEGMENTS) {
      state.skipped.push({ path: relative, reason: `nested deeper than ${MAX_SLUG_SEGMENTS} folders: not read` })
    } else {
      const before = state.entries.length + state.skipped.length
      scanPostFolder(state, absolute, [...segments, segment], children)
      if (state.entries.length + state.skipped.length === before) {
        state.skipped.push({ path: relative, reason: 'folder has no index.mdx or index.md' })
      }
    }
  }
}

/** The entries of pages/: one level, each file or folder post a page at /<name>. */
function scanPageFolder(state: ScanState, dir: string, dirents: fs.Dirent[]): void {
  const sorted = [...dirents].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const dirent of sorted) {
    if (isIgnoredName(dirent.name)) continue
    const absolute = path.join(dir, dirent.name)
    const relative = path.relative(state.contentDir, absolute)
    const type = entryType(state.root, absolute, dirent, state.contentDir, state.skipped)
    if (!type) continue
    if (type.isDirectory) {
      if (!isValidSlug(dirent.name)) {
        state.skipped.push({
          path: relative,
          reason: `"${dirent.name}" is not a valid slug (letters, digits, ".", "-", "_")`,
        })
        continue
      }
      const taken = pageNameTaken(dirent.name)
      if (taken) state.skipped.push({ path: relative, reason: taken, error: true })
      else folderEntry(state, 'page', dirent.name, absolute, relative)
    } else if (type.isFile && isEntryFile(dirent.name)) {
      const slug = dirent.name.slice(0, -path.extname(dirent.name).length)
      if (!isValidSlug(slug)) {
        state.skipped.push({ path: relative, reason: `"${slug}" is not a valid slug (letters, digits, ".", "-", "_")` })
        continue
      }
      const taken = pageNameTaken(slug)
      if (taken) state.skipped.push({ path: relative, reason: taken, error: true })
      else fileEntry(state, 'page', slug, absolute, relative)
    }
  }
}

/** The extensions another engine's standalone pages have (Jekyll's `.markdown` too). */
const LOOSE_PAGE_EXTENSIONS = ['.md', '.markdown', '.mdx']
/** The index files of a standalone page's folder, in the order they are taken (Hugo's `_index` last). */
const LOOSE_INDEX_NAMES = ['index', '_index'].flatMap((name) => LOOSE_PAGE_EXTENSIONS.map((ext) => name + ext))
/** Folders that hold dependencies or a built copy of the site, never its pages. */
const NOT_PAGE_FOLDERS = new Set(['node_modules', 'vendor', '_site', 'public', 'dist', 'build', 'resources'])
/** Files a repository keeps beside the site that are not pages of it (compared in lowercase, without extension). */
const NOT_PAGE_FILES = new Set(['readme', 'license', 'licence', 'changelog', 'contributing', 'code_of_conduct', '404'])

/**
 * Another engine's standalone pages (content-layout.server.ts, `loosePages`): the Markdown
 * files of that folder and its folders with an index file, one level deep, each a page at
 * /<name> as the engine serves it. That folder also holds what is no page (a README, the
 * home page, the posts' folder, built output), so only what is certainly a page is taken,
 * and each Markdown file passed over says why.
 */
function scanLoosePages(state: ScanState, loose: LoosePages): boolean {
  const dir = path.join(state.contentDir, loose.folder)
  let dirents: fs.Dirent[]
  try {
    dirents = fs.readdirSync(dir, { withFileTypes: true })
  } catch {
    return false
  }
  const skip = new Set(loose.skip)
  const sorted = [...dirents].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const pass = (relative: string, reason: string, error?: true) =>
    state.skipped.push({ path: relative, reason, ...(error ? { error } : {}) })
  for (const dirent of sorted) {
    if (dirent.name.startsWith('.') || skip.has(dirent.name) || NOT_PAGE_FOLDERS.has(dirent.name)) continue
    const absolute = path.join(dir, dirent.name)
    const relative = path.relative(state.contentDir, absolute)
    const ext = path.extname(dirent.name)
    const isPageFile = LOOSE_PAGE_EXTENSIONS.includes(ext)
    // A "_" folder (Jekyll's _layouts, _drafts, ...) is never read; a "_" file is named for what it is below.
    if (dirent.name.startsWith('_') && !isPageFile) continue
    const type = entryType(state.root, absolute, dirent, state.contentDir, state.skipped)
    if (!type) continue
    let name: string
    let index: string | undefined
    let others = 0
    if (type.isDirectory) {
      // A few stats, not a listing: a site's top holds folders of thousands of assets, scanned every few seconds.
      const indexName = LOOSE_INDEX_NAMES.find((candidate) => fs.existsSync(path.join(absolute, candidate)))
      // A folder without an index file is no page (assets, a theme's files): nothing to say about it.
      if (!indexName) continue
      index = path.join(absolute, indexName)
      try {
        others = fs
          .readdirSync(absolute)
          .filter((child) => child !== indexName && LOOSE_PAGE_EXTENSIONS.includes(path.extname(child))).length
      } catch {
        // Unreadable now: folderEntry below says why, and keeps the page's row (state.unreadable).
      }
      name = dirent.name
    } else if (type.isFile && isPageFile) {
      name = dirent.name.slice(0, -ext.length)
    } else {
      continue
    }
    const lower = name.toLowerCase()
    if (type.isFile && (lower === 'index' || lower === '_index')) {
      pass(relative, "it is the site's home page: Kiln's / is the list of posts")
    } else if (type.isFile && NOT_PAGE_FILES.has(lower)) {
      pass(relative, `${dirent.name} is the repository's, not a page of the site`)
    } else if (name.startsWith('_')) {
      pass(relative, 'a name starting with "_" is not a page')
    } else if (!isValidSlug(name)) {
      pass(relative, `"${name}" is not a valid slug (letters, digits, ".", "-", "_")`)
    } else if (pageNameTaken(name)) {
      pass(relative, pageNameTaken(name)!, true)
    } else if (loose.postsName !== undefined && lower === loose.postsName.toLowerCase()) {
      pass(relative, `/${name} is the posts' section (${loose.postsName}/), served at /blog`)
    } else if (index) {
      folderEntry(state, 'page', name, absolute, relative, index)
      if (others > 0) {
        pass(relative, `only its ${path.basename(index)} is served, at /${name}: pages are read one level deep`)
      }
    } else {
      fileEntry(state, 'page', name, absolute, relative)
    }
  }
  return true
}

/** Files larger than this are not read for their `slug:` by scanContent (the sync's MAX_POST_BYTES default). */
const MAX_SLUG_READ_BYTES = 2 * 1024 * 1024

/**
 * Every post and page with its address, and the stamps of its files: the files found
 * (scanFiles), each entry's `slug:` read from its metadata, and the addresses settled
 * (entry-addresses.ts). What tools and content:check read; the sync reads the `slug:`
 * fields only of what changed (content-index.server.ts).
 */
export function scanContent(contentDir: string, folders: ContentFolders = KIND_FOLDERS): SourceScan {
  const scan = scanFiles(contentDir, folders)
  if (scan.unavailable) return scan
  const assigned = assignAddresses(scan.entries, (entry) => {
    if (entry.files[0][2] > MAX_SLUG_READ_BYTES) return { choice: null }
    let field: ReturnType<typeof readSlugField> = null
    try {
      field = readSlugField(readEntrySource(contentDir, entry.path))
    } catch {
      // Unreadable now: its file name's address, and the compile says why.
    }
    return { choice: field && slugFromField(field.value, entry.slug, entry.kind), line: field?.line }
  })
  return {
    ...scan,
    entries: assigned.entries.map(({ entry, slug }) =>
      slug === entry.slug ? entry : { ...entry, slug, fileSlug: entry.slug },
    ),
    skipped: [
      ...scan.skipped,
      ...assigned.skipped,
      ...assigned.problems.map(({ path, error, line }) => ({ path, reason: error, error: true as const, line })),
    ],
  }
}

/**
 * Lists every post and page with the stamps of its files and the slug its file name gives.
 * Reads no file contents; two entries may share an address here (see scanContent).
 * `folders` names other folders for posts and pages (content:check reads a Jekyll site's
 * `_posts/` as it would be served once linked to blog/); addresses stay /blog/….
 * `folders.loosePages` adds another engine's standalone pages (scanLoosePages).
 */
export function scanFiles(contentDir: string, folders: ContentFolders = KIND_FOLDERS): SourceScan {
  const missingFolders: EntryKind[] = []
  let root: string
  try {
    root = contentRoot(contentDir)
    fs.readdirSync(root)
  } catch (error) {
    return {
      entries: [],
      skipped: [],
      unavailable:
        `the content folder ${contentDir} is missing or unreadable ` +
        `(${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`,
    }
  }
  const state: ScanState = { contentDir, root, entries: [], skipped: [], unreadable: [] }
  // Pages first: an address both a page and a section of blog/ claim goes to the page.
  for (const kind of ['page', 'post'] as EntryKind[]) {
    const kindDir = path.join(contentDir, folders[kind])
    if (!fs.existsSync(kindDir)) {
      missingFolders.push(kind)
      continue
    }
    let dirents: fs.Dirent[]
    try {
      dirents = fs.readdirSync(kindDir, { withFileTypes: true })
    } catch (error) {
      return {
        entries: [],
        skipped: state.skipped,
        unavailable:
          `${path.join(contentDir, folders[kind])} is unreadable ` +
          `(${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`,
      }
    }
    if (kind === 'post') scanPostFolder(state, kindDir, [], dirents)
    else scanPageFolder(state, kindDir, dirents)
  }
  // A name both here and in pages/ is two files with one address (entry-addresses.ts). Where the
  // engine's own folder of pages is there, a missing pages/ is no sign of a vanished folder.
  if (folders.loosePages && scanLoosePages(state, folders.loosePages) && missingFolders.includes('page')) {
    missingFolders.splice(missingFolders.indexOf('page'), 1)
  }
  const scan: SourceScan = { entries: state.entries, skipped: state.skipped }
  if (missingFolders.length > 0)
    scan.missingFolders = (['post', 'page'] as EntryKind[]).filter((kind) => missingFolders.includes(kind))
  if (state.unreadable.length > 0) scan.unreadable = state.unreadable
  return scan
}

/**
 * The import specifiers of a module or an MDX file: static imports, re-exports (`from '…'`),
 * side-effect imports, import() and require(). One pattern anchored on the keyword and the
 * string right after it, so text full of the word "import" costs linear time.
 */
const IMPORT_PATTERN = /\b(?:from|import|require)\s*\(?\s*['"]([^'"\n]+)['"]/g

export function importSpecifiers(source: string): string[] {
  const found = new Set<string>()
  for (const match of source.matchAll(IMPORT_PATTERN)) found.add(match[1])
  return [...found]
}

/**
 * The file a relative import names, the way esbuild looks for it (the name, then with each
 * extension, then as a folder's index), relative to the importing file's folder: its real
 * path when that is inside the content folder, `outside` when it leads out, undefined when
 * there is no such file. The compiler resolves relative imports with this function too,
 * so the version and the bundle count the same files.
 */
export function resolveImport(
  root: string,
  fromDir: string,
  specifier: string,
): { path: string } | { outside: string } | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined
  const base = path.resolve(fromDir, specifier.split('?')[0])
  if (!isInside(root, base)) return { outside: base }
  const candidates = [
    base,
    ...RESOLVE_EXTENSIONS.map((ext) => base + ext),
    ...RESOLVE_EXTENSIONS.map((ext) => path.join(base, `index${ext}`)),
  ]
  // TypeScript's habit: `./x.js` names `./x.ts` or `./x.tsx`, and esbuild follows it.
  if (/\.jsx?$/.test(base)) candidates.push(base.replace(/\.jsx?$/, '.ts'), base.replace(/\.jsx?$/, '.tsx'))
  for (const candidate of candidates) {
    let real: string
    try {
      if (!fs.statSync(candidate).isFile()) continue
      real = fs.realpathSync(candidate)
    } catch {
      continue
    }
    return isInside(root, real) ? { path: real } : { outside: real }
  }
  return undefined
}

/**
 * Every file inside the content folder that an entry imports, followed through the imports
 * of what it imports, as stamps relative to the content folder. `source` is the entry
 * file's text (already read by the caller). Files larger than `maxBytes` are counted but
 * not read for imports.
 */
export function importedFiles(contentDir: string, entryPath: string, source: string, maxBytes: number): FileStamp[] {
  const root = contentRoot(contentDir)
  const entryReal = fs.realpathSync(path.join(contentDir, entryPath))
  const seen = new Set<string>([entryReal])
  const found: FileStamp[] = []
  const queue: { dir: string; text: string }[] = [{ dir: path.dirname(entryReal), text: source }]
  for (const stamp of siteComponentStamps(root, source)) {
    found.push(stamp)
    const real = path.join(root, stamp[0])
    seen.add(real)
    if (!stamp[0].endsWith('/') && stamp[2] <= maxBytes)
      queue.push({ dir: path.dirname(real), text: fs.readFileSync(real, 'utf8') })
  }
  while (queue.length > 0 && found.length < MAX_FILES_PER_ENTRY) {
    const { dir, text } = queue.shift()!
    for (const specifier of importSpecifiers(text)) {
      const resolved = resolveImport(root, dir, specifier)
      if (!resolved || !('path' in resolved) || seen.has(resolved.path)) continue
      const real = resolved.path
      seen.add(real)
      const stat = fs.statSync(real)
      found.push([path.relative(root, real), stat.mtimeMs, stat.size])
      if (SCRIPT_EXTENSIONS.includes(path.extname(real)) && stat.size <= maxBytes) {
        queue.push({ dir: path.dirname(real), text: fs.readFileSync(real, 'utf8') })
      }
    }
  }
  return found.sort(byPath)
}

/**
 * The site-wide components (`components/<Name>.tsx|jsx`, see site-components.ts) an entry
 * uses by name: their files count in its version (their imports are followed by the
 * caller). When it uses a name no file there provides (a kit component, a missing one),
 * the folder's own stamp is counted too, as `components/`: adding or removing a file moves
 * the folder's mtime, so the entry is read again and picks up a component added for it;
 * the folder adds nothing to the hash itself (hashEntry), so other entries keep their version.
 */
function siteComponentStamps(root: string, source: string): FileStamp[] {
  const folder = path.join(root, SITE_COMPONENTS_FOLDER)
  let folderStat: fs.Stats
  try {
    folderStat = fs.statSync(folder)
    if (!folderStat.isDirectory()) return []
  } catch {
    return []
  }
  const stamps: FileStamp[] = []
  let unresolved = false
  // A name the entry binds itself (on an import or export line) is its own, not the folder's.
  const bound = new Set(
    source
      .split('\n')
      .filter((line) => /^\s*(import|export)\b/.test(line))
      .flatMap((line) => line.match(/\b[A-Z][A-Za-z0-9_]*\b/g) ?? []),
  )
  const names = new Set([...source.matchAll(/<([A-Z][A-Za-z0-9_]*)/g)].map((match) => match[1]))
  for (const name of names) {
    if (bound.has(name)) continue
    const file = SITE_COMPONENT_EXTENSIONS.map((ext) => path.join(folder, name + ext)).find((candidate) => {
      try {
        return fs.statSync(candidate).isFile() && isInside(root, fs.realpathSync(candidate))
      } catch {
        return false
      }
    })
    if (!file) unresolved = true
    else stamps.push(stamp(root, file))
  }
  if (unresolved) stamps.push([`${SITE_COMPONENTS_FOLDER}/`, folderStat.mtimeMs, folderStat.size])
  return stamps
}

/** Stamps of files as they are now, or null for one that is gone. */
export function restamp(contentDir: string, files: FileStamp[]): (FileStamp | null)[] {
  return files.map(([relative]) => {
    try {
      const stat = fs.statSync(path.join(contentDir, relative))
      return [relative, stat.mtimeMs, stat.size]
    } catch {
      return null
    }
  })
}

function hashFile(hash: crypto.Hash, absolute: string): void {
  const fd = fs.openSync(absolute, 'r')
  try {
    const buffer = Buffer.allocUnsafe(HASH_CHUNK_BYTES)
    for (;;) {
      const read = fs.readSync(fd, buffer, 0, buffer.length, null)
      if (read === 0) break
      hash.update(buffer.subarray(0, read))
    }
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * The version of an entry: a hash over the names and bytes of all its files, each read a
 * chunk at a time. A file named in `stampOnly` (a post over MAX_POST_BYTES) is hashed by
 * its stamp instead of its bytes: it is never read, and any change to it still moves the
 * version.
 */
export function hashEntry(
  contentDir: string,
  files: FileStamp[],
  { stampOnly }: { stampOnly?: Set<string> } = {},
): string {
  const hash = crypto.createHash('sha256')
  for (const [relative, mtimeMs, size] of [...files].sort(byPath)) {
    hash.update(relative)
    hash.update('\0')
    // A folder's stamp (siteComponentStamps) only makes the entry be read again on a change.
    if (relative.endsWith('/')) hash.update('folder')
    else if (stampOnly?.has(relative)) hash.update(`stamp:${mtimeMs}:${size}`)
    else hashFile(hash, path.join(contentDir, relative))
    hash.update('\0')
  }
  return hash.digest('hex').slice(0, 32)
}

/** True when the stamps (name, mtime, size) are the same: the bytes are then assumed unchanged. */
export function sameStamps(a: (FileStamp | null)[], b: (FileStamp | null)[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (stamp, i) =>
        stamp !== null && b[i] !== null && stamp[0] === b[i]![0] && stamp[1] === b[i]![1] && stamp[2] === b[i]![2],
    )
  )
}

export function readEntrySource(contentDir: string, entryPath: string): string {
  return fs.readFileSync(path.join(contentDir, entryPath), 'utf8')
}
