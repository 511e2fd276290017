/**
 * Authors: `content/authors/<id>.mdx` (or .md) describes one author in its frontmatter
 * (`name`, `avatar`, `bio`, `links`; a body is optional and not shown), and a post names
 * its authors with `author: id` or `authors: [id, ...]`. Bylines, author pages, feeds and
 * JSON-LD read them from here; a post that names nobody is by SITE_AUTHOR, as before.
 *
 * The folder is small and read whole, at most MAX_AUTHORS files of at most
 * MAX_AUTHOR_FILE_BYTES, once per change: the folder's listing and the files' stamps are
 * the cache's key, so an edit is seen without a restart, and an unchanged folder costs a
 * listing and a stat per file. content/authors/ is never a post folder (only blog/ and
 * pages/ are scanned for entries).
 */
import { log } from '../logging/logger.server.ts'
import fs from 'node:fs'
import path from 'node:path'
import type { DB } from '../db/connection.server.ts'
import { getEntry, type IndexedEntry } from './content-index.server.ts'
import matter from 'gray-matter'
import { grayMatterOptions, parseFrontmatter } from './frontmatter.ts'
import { isValidSlug } from './slug.ts'
import { authorIdsOf } from './author-ids.ts'

export { authorIdsOf } from './author-ids.ts'
import type { SourceEntry } from './source.server.ts'
import { readEntrySource } from './source.server.ts'

export const AUTHORS_FOLDER = 'authors'
export const MAX_AUTHORS = 200
export const MAX_AUTHOR_FILE_BYTES = 64 * 1024
const MAX_LINKS = 10

export interface AuthorLink {
  label: string
  url: string
}

export interface Author {
  id: string
  name: string
  /** A URL or a path on this site, as written. */
  avatar: string | null
  bio: string | null
  links: AuthorLink[]
}

const text = (value: unknown, max: number) =>
  typeof value === 'string' && value.trim() ? value.trim().slice(0, max) : null

/** Only http(s) and site paths: an author file never puts a `javascript:` link on a page. */
function safeUrl(value: unknown): string | null {
  const url = text(value, 2048)
  if (!url) return null
  if (url.startsWith('/') && !url.startsWith('//')) return url
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null
  } catch {
    return null
  }
}

function toLinks(value: unknown): AuthorLink[] {
  const items = Array.isArray(value)
    ? value
    : value && typeof value === 'object'
      ? Object.entries(value).map(([label, url]) => ({ label, url }))
      : []
  const links: AuthorLink[] = []
  for (const item of items.slice(0, MAX_LINKS)) {
    const url = safeUrl(typeof item === 'string' ? item : (item as { url?: unknown })?.url)
    if (!url) continue
    const label = text(typeof item === 'object' ? (item as { label?: unknown }).label : null, 100)
    links.push({ label: label ?? url.replace(/^https?:\/\//, ''), url })
  }
  return links
}

/** An author from its file's source. Pure. */
export function parseAuthor(id: string, source: string): Author {
  // Not a post: no title or date is required, only the same bounded YAML reading.
  const data = matter(source, grayMatterOptions).data as Record<string, unknown>
  return {
    id,
    name: text(data.name, 200) ?? text(data.title, 200) ?? id,
    avatar: safeUrl(data.avatar ?? data.image),
    bio: text(data.bio ?? data.description, 1000),
    links: toLinks(data.links),
  }
}

let cached: { key: string; authors: Map<string, Author> } | null = null

function authorFiles(contentDir: string): { id: string; file: string; stamp: string }[] {
  const dir = path.join(contentDir, AUTHORS_FOLDER)
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return []
  }
  const files: { id: string; file: string; stamp: string }[] = []
  for (const name of names.sort()) {
    const match = /^(.+)\.mdx?$/.exec(name)
    if (!match || !isValidSlug(match[1]) || files.length >= MAX_AUTHORS) continue
    const file = path.join(dir, name)
    try {
      const stat = fs.statSync(file)
      if (stat.isFile()) files.push({ id: match[1], file, stamp: `${name}:${stat.mtimeMs}:${stat.size}` })
    } catch {
      // Gone between the listing and the stat: the next read sees the folder as it is.
    }
  }
  return files
}

/** Every author with a readable file, by id; re-read only when a file changed. */
export function loadAuthors(contentDir: string): Map<string, Author> {
  const files = authorFiles(contentDir)
  const key = files.map((file) => file.stamp).join('|')
  if (cached?.key === key) return cached.authors
  const authors = new Map<string, Author>()
  for (const { id, file } of files) {
    try {
      if (fs.statSync(file).size > MAX_AUTHOR_FILE_BYTES) continue
      authors.set(id, parseAuthor(id, fs.readFileSync(file, 'utf8')))
    } catch (error) {
      log.error(`${path.relative(contentDir, file)}: not read: ${(error as Error).message}`)
    }
  }
  cached = { key, authors }
  return authors
}

/** What a byline needs of every author: id -> name (the root loader sends it to every page). */
export function authorNames(contentDir: string): Record<string, string> {
  return Object.fromEntries([...loadAuthors(contentDir)].map(([id, author]) => [id, author.name]))
}

/** A post's authors as bylines, feeds and JSON-LD show them: a known author's name, else the id. */
export function resolveAuthors(contentDir: string, ids: string[]): (Author & { known: boolean })[] {
  const authors = loadAuthors(contentDir)
  return ids.map((id) => {
    const author = authors.get(id)
    return author ? { ...author, known: true } : { id, name: id, avatar: null, bio: null, links: [], known: false }
  })
}

/** content:check: an author id with no file is a warning at the post's author line. */
export function authorProblems(
  contentDir: string,
  entries: SourceEntry[],
): { level: 'warning'; file: string; line?: number; message: string }[] {
  const known = loadAuthors(contentDir)
  const problems: { level: 'warning'; file: string; line?: number; message: string }[] = []
  for (const entry of entries) {
    let source: string
    let ids: string[]
    try {
      source = readEntrySource(contentDir, entry.path)
      ids = authorIdsOf(parseFrontmatter(source, { requireDate: false }).data)
    } catch {
      continue // reported by the entry's own check
    }
    for (const id of ids) {
      if (known.has(id)) continue
      const lines = source.split(/\r?\n/)
      const index = lines.findIndex((line, i) => i > 0 && /^authors?\s*:/.test(line))
      const exact = lines.findIndex((line, i) => i >= index && index > 0 && line.includes(id))
      problems.push({
        level: 'warning',
        file: entry.path,
        line: exact > 0 ? exact + 1 : index > 0 ? index + 1 : undefined,
        message: `author "${id}" has no file ${AUTHORS_FOLDER}/${id}.mdx: the byline shows the id`,
      })
    }
  }
  return problems
}

/** Posts listed on an author page at most. */
export const MAX_AUTHOR_POSTS = 500

/**
 * An author and their published posts (newest first), or null when the id has no file.
 * Reads published_entries: drafts and scheduled posts never show.
 */
export function authorPage(db: DB, contentDir: string, id: string): { author: Author; posts: IndexedEntry[] } | null {
  const author = loadAuthors(contentDir).get(id)
  if (!author) return null
  const candidates = db
    .prepare(
      `SELECT slug FROM published_entries
        WHERE kind = 'post' AND (json_extract(frontmatter, '$.author') = @id
          OR EXISTS (SELECT 1 FROM json_each(frontmatter, '$.authors') WHERE json_each.value = @id)
          OR instr(json_extract(frontmatter, '$.author'), @id) > 0)
        ORDER BY date DESC, slug ASC LIMIT ${MAX_AUTHOR_POSTS}`,
    )
    .all({ id }) as { slug: string }[]
  const posts = candidates
    .map((row) => getEntry(db, 'post', row.slug))
    .filter((entry): entry is IndexedEntry => entry !== null && entry.authors.includes(id))
  return { author, posts }
}
