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
import { hashEntry, importedFiles, KIND_FOLDERS, readEntrySource, restamp, sameStamps, scanContent, type EntryKind, type FileStamp, type SkippedFile } from './source.server.ts'

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
  /** Why this entry cannot be compiled, found when indexing: its frontmatter, or its size. */
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
  /** Entries gone from the scan but kept, because the scan looked like a vanished folder (see `problem`). */
  held: string[]
  /** Set when the content folder looked missing, unreadable or emptied: nothing was deleted on its word. */
  problem: string | null
}

export interface SyncOptions {
  /** Largest entry file read; a larger one is indexed as an error of its entry, unread. */
  maxPostBytes?: number
  /**
   * Entry files (relative to the content folder) deleted in the commits a git refresh
   * applied: their deletion is honoured even when it empties a folder, because git says
   * it was meant.
   */
  confirmedDeletions?: ReadonlySet<string>
}

export const DEFAULT_MAX_POST_BYTES = 2 * 1024 * 1024

/**
 * The vanished-folder guard. A scan that finds fewer than half of a kind's entries, when
 * there were at least this many, is taken for a folder in trouble (a half-mounted volume,
 * a checkout under way, a rename) and deletes nothing. Smaller blogs are guarded only
 * against a scan that finds none of two or more entries: deleting most of a small blog by
 * hand is ordinary, and losing it is less likely to go unnoticed. A deletion that arrives
 * through a git refresh, with the files deleted in its commits, is always honoured.
 */
export const VANISH_GUARD_MIN_ENTRIES = 10
export const VANISH_GUARD_MIN_FOUND = 0.5

/**
 * Bumped when what the index records per entry changes: an index of an older format is
 * re-read once, whatever the stamps say. 2: an entry's files include what it imports.
 */
const INDEX_FORMAT = '2'

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

const formatMB = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`

/**
 * Brings the index in step with the folder. Files whose stamps (name, mtime, size) did
 * not change are not read again, so a sync of an unchanged blog only stats its files and
 * the files they import.
 *
 * One entry's trouble (bad frontmatter, an unreadable file, a file over MAX_POST_BYTES)
 * is recorded on that entry and never stops the sync of the others. A folder that looks
 * vanished is a `problem`, not a deletion: see VANISH_GUARD_MIN_ENTRIES.
 */
export function syncContentIndex(db: DB, contentDir: string, options: SyncOptions = {}): SyncResult {
  const maxPostBytes = options.maxPostBytes ?? DEFAULT_MAX_POST_BYTES
  const confirmed = options.confirmedDeletions ?? new Set<string>()
  const scan = scanContent(contentDir)
  const result: SyncResult = { added: [], updated: [], deleted: [], skipped: scan.skipped, invalid: [], held: [], problem: null }
  if (scan.unavailable) {
    // Nothing can be concluded from a folder that cannot be read: the index stays as it is.
    result.problem = `${scan.unavailable}: the index and compiled posts are kept as they were`
    return result
  }
  const existing = new Map<string, EntryRow>()
  for (const row of db.prepare('SELECT * FROM content_entries').all() as EntryRow[]) {
    existing.set(`${row.kind}:${row.slug}`, row)
  }
  const previousCount: Record<EntryKind, number> = { post: 0, page: 0 }
  for (const row of existing.values()) previousCount[row.kind]++
  const formatRow = db.prepare("SELECT value FROM kiln_state WHERE key = 'content.index_format'").get() as { value: string } | undefined
  const rereadAll = formatRow?.value !== INDEX_FORMAT

  const upserts: { row: Omit<EntryRow, 'files'> & { files: FileStamp[] }; frontmatter: Record<string, unknown> }[] = []
  const filesUpdates: { kind: EntryKind; slug: string; files: FileStamp[] }[] = []
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
      const [entryStamp] = JSON.parse(row.files) as FileStamp[]
      const source = entryStamp && entryStamp[2] > maxPostBytes ? '' : readEntrySource(contentDir, row.path)
      searchUpdates.push(searchDocument(row, source))
    } catch {
      // Unreadable right now: the next sync tries again.
    }
  }

  for (const entry of scan.entries) {
    const key = `${entry.kind}:${entry.slug}`
    const previous = existing.get(key)
    existing.delete(key)
    const own = new Set(entry.files.map((file) => file[0]))
    if (previous && previous.path === entry.path && !rereadAll) {
      // The files it imported last time, stamped again: an edit to a shared component
      // moves the version of every post that imports it.
      const previousFiles = JSON.parse(previous.files) as FileStamp[]
      const current = [...entry.files, ...restamp(contentDir, previousFiles.filter((file) => !own.has(file[0])))]
      if (sameStamps(previousFiles, current)) {
        if (previous.frontmatter_error) result.invalid.push({ path: entry.path, error: previous.frontmatter_error })
        backfillSearch(previous)
        continue
      }
    }
    const size = entry.files[0][2]
    const oversize = size > maxPostBytes
    let hash: string
    let source: string
    let files: FileStamp[]
    try {
      // A post over the limit is never read: its version is its stamp.
      source = oversize ? '' : readEntrySource(contentDir, entry.path)
      const imported = oversize ? [] : importedFiles(contentDir, entry.path, source, maxPostBytes).filter((file) => !own.has(file[0]))
      files = [...entry.files, ...imported]
      hash = hashEntry(contentDir, files, oversize ? { stampOnly: new Set([entry.path]) } : {})
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
      filesUpdates.push({ kind: entry.kind, slug: entry.slug, files })
      if (previous.frontmatter_error) result.invalid.push({ path: entry.path, error: previous.frontmatter_error })
      backfillSearch(previous)
      continue
    }
    let fm: Frontmatter | null = null
    let error: string | null = null
    if (oversize) {
      error = `the file is ${formatMB(size)}, over MAX_POST_BYTES (${formatMB(maxPostBytes)}): it is not read or compiled`
    } else {
      try {
        fm = parseFrontmatter(source, { requireDate: entry.kind === 'post' })
      } catch (cause) {
        // Whatever goes wrong in one post's frontmatter is that post's error alone.
        if (cause instanceof FrontmatterError) error = cause.line ? `${cause.message} (line ${cause.line})` : cause.message
        else error = `frontmatter could not be read: ${(cause as Error)?.message ?? String(cause)}`
      }
    }
    if (error) result.invalid.push({ path: entry.path, error })
    upserts.push({
      row: {
        kind: entry.kind,
        slug: entry.slug,
        path: entry.path,
        source_hash: hash,
        files,
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

  // What is left in `existing` is gone from the scan. An entry whose files could not be
  // read is not gone; a kind whose folder looks vanished keeps its entries.
  for (const key of scan.unreadable ?? []) {
    const row = existing.get(key)
    if (row) existing.delete(key)
  }
  const problems: string[] = []
  for (const kind of Object.keys(KIND_FOLDERS) as EntryKind[]) {
    const gone = [...existing.values()].filter((row) => row.kind === kind && !confirmed.has(row.path))
    if (gone.length === 0) continue
    const before = previousCount[kind]
    const found = before - [...existing.values()].filter((row) => row.kind === kind).length
    const folder = `${KIND_FOLDERS[kind]}/`
    let why: string | null = null
    if (scan.missingFolders?.includes(kind)) why = `${folder} is missing from ${contentDir}`
    else if (found === 0 && before >= 2) why = `${folder} holds none of its ${before} entries`
    else if (before >= VANISH_GUARD_MIN_ENTRIES && found < before * VANISH_GUARD_MIN_FOUND) why = `${folder} holds only ${found} of its ${before} entries`
    if (!why) continue
    for (const row of gone) {
      existing.delete(`${row.kind}:${row.slug}`)
      result.held.push(label(row.kind, row.slug))
    }
    problems.push(`${why}: ${gone.length} kept as they were (a folder that vanished is not a deletion; delete through git, or fewer at a time)`)
  }
  if (problems.length > 0) result.problem = problems.join('; ')

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
    const updateFiles = db.prepare('UPDATE content_entries SET files = ? WHERE kind = ? AND slug = ?')
    for (const { kind, slug, files } of filesUpdates) updateFiles.run(JSON.stringify(files), kind, slug)
    for (const doc of searchUpdates) writeSearchDocument(db, doc)
    for (const row of existing.values()) {
      remove.run(row.kind, row.slug)
      deleteSearchDocument(db, row.kind, row.slug)
      result.deleted.push(label(row.kind, row.slug))
    }
    if (rereadAll) {
      db.prepare(`INSERT INTO kiln_state (key, value) VALUES ('content.index_format', ?)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(INDEX_FORMAT)
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
