/**
 * The content source: finds posts and pages in the content folder and reads them.
 *
 *   blog/<slug>.mdx, blog/<slug>.md          a post of one file
 *   blog/<slug>/index.mdx (or index.md)      a post with sibling files it may import
 *   pages/<name>.mdx, .md, <name>/index.mdx  pages, served at /<name>
 *
 * Names starting with "." or "_" directly under blog/ and pages/ are not posts, so
 * authors can keep work in progress there. A one-file post's version is its file alone:
 * a post that imports other files belongs in a folder, whose every file is hashed.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { isValidSlug } from './slug.ts'

export type EntryKind = 'post' | 'page'

export const KIND_FOLDERS: Record<EntryKind, string> = { post: 'blog', page: 'pages' }

const ENTRY_EXTENSIONS = ['.mdx', '.md']
/** A post folder is bounded: beyond this many files its hash would cost too much to take. */
const MAX_FILES_PER_ENTRY = 500
const IGNORED_DIRS = new Set(['node_modules'])

/** [path relative to the content folder, mtimeMs, size] */
export type FileStamp = [string, number, number]

export interface SourceEntry {
  kind: EntryKind
  slug: string
  /** The entry file, relative to the content folder. */
  path: string
  /** The entry file and, for a folder post, every file beside it. */
  files: FileStamp[]
}

export interface SkippedFile {
  path: string
  reason: string
}

export interface SourceScan {
  entries: SourceEntry[]
  skipped: SkippedFile[]
}

function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_')
}

function stamp(contentDir: string, absolute: string): FileStamp {
  const stat = fs.statSync(absolute)
  return [path.relative(contentDir, absolute), stat.mtimeMs, stat.size]
}

/**
 * Every file in a post's folder is part of its version, "_" names included: the post may
 * import them. Only dot files (editor and OS litter) and node_modules are left out.
 */
function listFolder(contentDir: string, dir: string, into: FileStamp[]): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (into.length >= MAX_FILES_PER_ENTRY) return
    if (entry.name.startsWith('.')) continue
    const absolute = path.join(dir, entry.name)
    if (entry.isDirectory()) {
      if (!IGNORED_DIRS.has(entry.name)) listFolder(contentDir, absolute, into)
    } else if (entry.isFile()) {
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

/** Lists every post and page with the stamps of its files. Reads no file contents. */
export function scanContent(contentDir: string): SourceScan {
  const entries: SourceEntry[] = []
  const skipped: SkippedFile[] = []
  for (const kind of Object.keys(KIND_FOLDERS) as EntryKind[]) {
    const root = path.join(contentDir, KIND_FOLDERS[kind])
    if (!fs.existsSync(root)) continue
    const seen = new Map<string, string>()
    for (const dirent of fs.readdirSync(root, { withFileTypes: true })) {
      if (isIgnoredName(dirent.name)) continue
      const absolute = path.join(root, dirent.name)
      const relative = path.relative(contentDir, absolute)
      let slug: string
      let entryFile: string
      const files: FileStamp[] = []
      if (dirent.isDirectory()) {
        const index = findIndexFile(absolute)
        if (!index) {
          skipped.push({ path: relative, reason: 'folder has no index.mdx or index.md' })
          continue
        }
        slug = dirent.name
        entryFile = index
        files.push(stamp(contentDir, index))
        const siblings: FileStamp[] = []
        listFolder(contentDir, absolute, siblings)
        siblings.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        for (const sibling of siblings) if (sibling[0] !== files[0][0]) files.push(sibling)
      } else if (dirent.isFile() && ENTRY_EXTENSIONS.includes(path.extname(dirent.name))) {
        slug = dirent.name.slice(0, -path.extname(dirent.name).length)
        entryFile = absolute
        files.push(stamp(contentDir, absolute))
      } else {
        continue
      }
      if (!isValidSlug(slug)) {
        skipped.push({ path: relative, reason: `"${slug}" is not a valid slug (letters, digits, ".", "-", "_")` })
        continue
      }
      const clash = seen.get(slug)
      if (clash) {
        skipped.push({ path: relative, reason: `slug "${slug}" is already taken by ${clash}` })
        continue
      }
      seen.set(slug, relative)
      entries.push({ kind, slug, path: path.relative(contentDir, entryFile), files })
    }
  }
  return { entries, skipped }
}

/** The version of an entry: a hash over the names and bytes of all its files. */
export function hashEntry(contentDir: string, files: FileStamp[]): string {
  const hash = crypto.createHash('sha256')
  for (const [relative] of [...files].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    hash.update(relative)
    hash.update('\0')
    hash.update(fs.readFileSync(path.join(contentDir, relative)))
    hash.update('\0')
  }
  return hash.digest('hex').slice(0, 32)
}

/** True when the stamps (name, mtime, size) are the same: the bytes are then assumed unchanged. */
export function sameStamps(a: FileStamp[], b: FileStamp[]): boolean {
  return a.length === b.length && a.every((stamp, i) => stamp[0] === b[i][0] && stamp[1] === b[i][1] && stamp[2] === b[i][2])
}

export function readEntrySource(contentDir: string, entryPath: string): string {
  return fs.readFileSync(path.join(contentDir, entryPath), 'utf8')
}
