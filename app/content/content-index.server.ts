/**
 * The content index: one SQLite row per post and page, with its source hash and
 * frontmatter, kept in step with the content folder. Lists are read from here and never
 * compile anything. A sync is one transaction: readers see the old index or the new one.
 */
import type { Statement } from 'better-sqlite3'
import { getDb, type DB } from '../db/connection.server.ts'
import { FrontmatterError, parseFrontmatter, type Frontmatter } from './frontmatter.ts'
import { countWords, readingMinutes } from './reading-time.ts'
import { deleteSearchDocument, indexedSearchHashes, writeSearchDocument, type SearchDocument } from '../search/search-index.server.ts'
import { extractSearchText } from '../search/search-text.ts'
import { hashEntry, readEntrySource, sameStamps, scanContent, type EntryKind, type FileStamp, type SkippedFile } from './source.server.ts'

export interface IndexedEntry {
  kind: EntryKind
  slug: string
  path: string
  sourceHash: string
  title: string
  date: string | null
  updated: string | null
  description: string | null
  tags: string[]
  draft: boolean
  wordCount: number
  readingMinutes: number
  frontmatterError: string | null
}

interface EntryRow {
  kind: EntryKind
  slug: string
  path: string
  source_hash: string
  files: string
  title: string | null
  date: string | null
  updated: string | null
  description: string | null
  tags: string
  draft: number
  word_count: number
  frontmatter_error: string | null
}

export interface SyncResult {
  added: string[]
  updated: string[]
  deleted: string[]
  skipped: SkippedFile[]
  /** Entries whose frontmatter breaks a rule, with the reason. */
  invalid: { path: string; error: string }[]
}

function toEntry(row: EntryRow): IndexedEntry {
  return {
    kind: row.kind,
    slug: row.slug,
    path: row.path,
    sourceHash: row.source_hash,
    title: row.title ?? row.slug,
    date: row.date,
    updated: row.updated,
    description: row.description,
    tags: JSON.parse(row.tags) as string[],
    draft: row.draft === 1,
    wordCount: row.word_count,
    readingMinutes: readingMinutes(row.word_count),
    frontmatterError: row.frontmatter_error,
  }
}

const label = (kind: EntryKind, slug: string) => `${kind === 'post' ? 'blog' : 'pages'}/${slug}`

/**
 * Brings the index in step with the folder. Files whose stamps (name, mtime, size) did
 * not change are not read again, so a sync of an unchanged blog only stats its files.
 */
export function syncContentIndex(db: DB, contentDir: string): SyncResult {
  const scan = scanContent(contentDir)
  const existing = new Map<string, EntryRow>()
  for (const row of db.prepare('SELECT * FROM content_entries').all() as EntryRow[]) {
    existing.set(`${row.kind}:${row.slug}`, row)
  }
  const result: SyncResult = { added: [], updated: [], deleted: [], skipped: scan.skipped, invalid: [] }
  const upserts: { row: Omit<EntryRow, 'files'> & { files: FileStamp[] }; frontmatter: Record<string, unknown> }[] = []
  // Search documents to write in the same transaction: every added or changed entry, and
  // unchanged ones whose document is missing or stale (indexed before search existed).
  const searchHashes = indexedSearchHashes(db)
  const searchUpdates: SearchDocument[] = []
  const searchDocument = (row: Pick<EntryRow, 'kind' | 'slug' | 'source_hash' | 'title' | 'description' | 'tags'>, source: string): SearchDocument => ({
    kind: row.kind,
    slug: row.slug,
    sourceHash: row.source_hash,
    title: row.title ?? row.slug,
    description: row.description,
    tags: JSON.parse(row.tags) as string[],
    body: extractSearchText(source),
  })
  const backfillSearch = (row: EntryRow) => {
    if (searchHashes.get(`${row.kind}:${row.slug}`) === row.source_hash) return
    try {
      searchUpdates.push(searchDocument(row, readEntrySource(contentDir, row.path)))
    } catch {
      // Unreadable right now: the next sync tries again.
    }
  }

  for (const entry of scan.entries) {
    const key = `${entry.kind}:${entry.slug}`
    const previous = existing.get(key)
    existing.delete(key)
    if (previous && previous.path === entry.path && sameStamps(JSON.parse(previous.files) as FileStamp[], entry.files)) {
      if (previous.frontmatter_error) result.invalid.push({ path: entry.path, error: previous.frontmatter_error })
      backfillSearch(previous)
      continue
    }
    let hash: string
    let source: string
    try {
      hash = hashEntry(contentDir, entry.files)
      source = readEntrySource(contentDir, entry.path)
    } catch (error) {
      // The file vanished or became unreadable between the scan and the read: the next
      // sync sees the folder as it then is.
      // Its previous row (if any) stays as it was: it is no longer in `existing`, so it
      // is not deleted either.
      result.skipped.push({ path: entry.path, reason: (error as Error).message })
      continue
    }
    if (previous && previous.source_hash === hash && previous.path === entry.path) {
      // Touched but unchanged: remember the new stamps only.
      db.prepare('UPDATE content_entries SET files = ? WHERE kind = ? AND slug = ?').run(JSON.stringify(entry.files), entry.kind, entry.slug)
      if (previous.frontmatter_error) result.invalid.push({ path: entry.path, error: previous.frontmatter_error })
      backfillSearch(previous)
      continue
    }
    let fm: Frontmatter | null = null
    let error: string | null = null
    try {
      fm = parseFrontmatter(source, { requireDate: entry.kind === 'post' })
    } catch (cause) {
      if (!(cause instanceof FrontmatterError)) throw cause
      error = cause.line ? `${cause.message} (line ${cause.line})` : cause.message
      result.invalid.push({ path: entry.path, error })
    }
    upserts.push({
      row: {
        kind: entry.kind,
        slug: entry.slug,
        path: entry.path,
        source_hash: hash,
        files: entry.files,
        title: fm?.title ?? null,
        date: fm?.date ?? null,
        updated: fm?.updated ?? null,
        description: fm?.description ?? null,
        tags: JSON.stringify(fm?.tags ?? []),
        draft: fm?.draft ? 1 : 0,
        word_count: countWords(source),
        frontmatter_error: error,
      },
      frontmatter: fm?.data ?? {},
    })
    const row = upserts[upserts.length - 1].row
    searchUpdates.push(searchDocument(row, source))
    ;(previous ? result.updated : result.added).push(label(entry.kind, entry.slug))
  }

  const upsert = db.prepare(`INSERT INTO content_entries
      (kind, slug, path, source_hash, files, title, date, updated, description, tags, draft, word_count, frontmatter, frontmatter_error, indexed_at)
    VALUES (@kind, @slug, @path, @source_hash, @files, @title, @date, @updated, @description, @tags, @draft, @word_count, @frontmatter, @frontmatter_error, @indexed_at)
    ON CONFLICT (kind, slug) DO UPDATE SET
      path = excluded.path, source_hash = excluded.source_hash, files = excluded.files, title = excluded.title,
      date = excluded.date, updated = excluded.updated, description = excluded.description, tags = excluded.tags,
      draft = excluded.draft, word_count = excluded.word_count, frontmatter = excluded.frontmatter,
      frontmatter_error = excluded.frontmatter_error, indexed_at = excluded.indexed_at`)
  const remove = db.prepare('DELETE FROM content_entries WHERE kind = ? AND slug = ?')
  const apply = db.transaction(() => {
    const now = new Date().toISOString()
    for (const { row, frontmatter } of upserts) {
      upsert.run({ ...row, files: JSON.stringify(row.files), frontmatter: JSON.stringify(frontmatter), indexed_at: now })
    }
    for (const doc of searchUpdates) writeSearchDocument(db, doc)
    for (const row of existing.values()) {
      remove.run(row.kind, row.slug)
      deleteSearchDocument(db, row.kind, row.slug)
      result.deleted.push(label(row.kind, row.slug))
    }
    if (result.added.length + result.updated.length + result.deleted.length > 0) {
      db.prepare(`INSERT INTO kiln_state (key, value) VALUES ('content_version', '1')
        ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`).run()
    }
  })
  apply.immediate()
  return result
}

/**
 * Changes whenever a sync changed the index: anything derived from content keys on it.
 * It is stored with the index, in the same transaction, so a LiteFS replica (which never
 * syncs) sees it move when the primary's change replicates.
 */
export function getIndexVersion(db: DB = getDb()): number {
  // Read on every cached page: the statement is prepared once per connection.
  let statement = versionStatements.get(db)
  if (!statement) {
    statement = db.prepare("SELECT value FROM kiln_state WHERE key = 'content_version'")
    versionStatements.set(db, statement)
  }
  const row = statement.get() as { value: string } | undefined
  return row ? Number(row.value) : 0
}

const versionStatements = new WeakMap<DB, Statement>()

/** The files (with their stamps) that make up an entry's version, as last indexed. */
export function getEntryFiles(db: DB, kind: EntryKind, slug: string): FileStamp[] {
  const row = db.prepare('SELECT files FROM content_entries WHERE kind = ? AND slug = ?').get(kind, slug) as { files: string } | undefined
  return row ? (JSON.parse(row.files) as FileStamp[]) : []
}

export function getEntry(db: DB, kind: EntryKind, slug: string): IndexedEntry | null {
  const row = db.prepare('SELECT * FROM content_entries WHERE kind = ? AND slug = ?').get(kind, slug) as EntryRow | undefined
  return row ? toEntry(row) : null
}

export interface ListOptions {
  tag?: string
  limit?: number
  offset?: number
  /** Drafts too (for an admin); each entry's `draft` says which. */
  includeDrafts?: boolean
}

/** Published posts (not drafts, with valid frontmatter), newest first. */
export function listPosts(db: DB, { tag, limit = -1, offset = 0, includeDrafts = false }: ListOptions = {}): IndexedEntry[] {
  const where = ["kind = 'post'", includeDrafts ? '1 = 1' : 'draft = 0', 'frontmatter_error IS NULL']
  const params: (string | number)[] = []
  if (tag) {
    where.push('EXISTS (SELECT 1 FROM json_each(content_entries.tags) WHERE json_each.value = ?)')
    params.push(tag)
  }
  const rows = db
    .prepare(`SELECT * FROM content_entries WHERE ${where.join(' AND ')} ORDER BY date DESC, slug ASC LIMIT ? OFFSET ?`)
    .all(...params, limit, offset) as EntryRow[]
  return rows.map(toEntry)
}

/** Every tag of a published post (or of a draft too, for an admin), with how many posts carry it. */
export function listTags(db: DB, { includeDrafts = false }: { includeDrafts?: boolean } = {}): { tag: string; count: number }[] {
  return db
    .prepare(`SELECT json_each.value AS tag, COUNT(*) AS count
      FROM content_entries, json_each(content_entries.tags)
      WHERE kind = 'post' AND ${includeDrafts ? '1 = 1' : 'draft = 0'} AND frontmatter_error IS NULL
      GROUP BY json_each.value ORDER BY count DESC, tag ASC`)
    .all() as { tag: string; count: number }[]
}

export function countEntries(db: DB): { posts: number; pages: number; drafts: number; invalid: number } {
  return db
    .prepare(`SELECT
        COALESCE(SUM(kind = 'post' AND draft = 0 AND frontmatter_error IS NULL), 0) AS posts,
        COALESCE(SUM(kind = 'page' AND frontmatter_error IS NULL), 0) AS pages,
        COALESCE(SUM(draft = 1), 0) AS drafts,
        COALESCE(SUM(frontmatter_error IS NOT NULL), 0) AS invalid
      FROM content_entries`)
    .get() as { posts: number; pages: number; drafts: number; invalid: number }
}

export function listAllEntries(db: DB): IndexedEntry[] {
  return (db.prepare('SELECT * FROM content_entries ORDER BY kind, slug').all() as EntryRow[]).map(toEntry)
}

/** Pages with valid frontmatter, by title: the site's navigation. */
export function listPages(db: DB): IndexedEntry[] {
  return (
    db.prepare(`SELECT * FROM content_entries WHERE kind = 'page' AND draft = 0 AND frontmatter_error IS NULL ORDER BY title`).all() as EntryRow[]
  ).map(toEntry)
}
