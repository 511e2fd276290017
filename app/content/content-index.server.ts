/**
 * The content index: one SQLite row per post and page, with its source hash and
 * frontmatter, kept in step with the content folder. Lists are read from here and never
 * compile anything.
 *
 * A sync is scan, digest, plan, apply: the folder is scanned (source.server.ts), each
 * entry whose stamps moved is read and hashed, `planSync` (content-index-plan.ts, no I/O)
 * decides what changes, and `applySync` writes that in one transaction, so readers see
 * the old index or the new one.
 *
 * Which entries a reader may see is written once, in the database: the view
 * `published_entries` (valid frontmatter, not a draft), and `valid_entries` (drafts too)
 * for an admin. See the migration that made them.
 */
import type { DB } from '../db/connection.server.ts'
import { errorMessage } from '../utils/error-message.ts'
import { readingMinutes } from './reading-time.ts'
import { authorIdsOf } from './author-ids.ts'
import { deleteSearchDocument, indexedSearchHashes, writeSearchDocument } from '../search/search-index.server.ts'
import {
  DEFAULT_MAX_POST_BYTES,
  entryKey,
  indexFormat,
  planSync,
  reportOf,
  type DigestedEntry,
  type DigestedScan,
  type IndexedRow,
  type IndexSnapshot,
  type SyncPlan,
  type SyncResult,
} from './content-index-plan.ts'
import { bumpIndexVersion, getIndexFormat, getIndexVersionNow, setIndexFormat } from './kiln-state.server.ts'
import { contentLayout, type ContentLayoutSetting } from './content-layout.server.ts'
import { assignAddresses } from './entry-addresses.ts'
import { readSlugField } from './frontmatter.ts'
import { slugFromField, type SlugChoice } from './slug.ts'
import {
  hashEntry,
  importedFiles,
  readEntrySource,
  restamp,
  sameStamps,
  scanFiles,
  type EntryKind,
  type FileStamp,
  type SourceEntry,
  type SourceScan,
} from './source.server.ts'

export {
  DEFAULT_MAX_POST_BYTES,
  VANISH_GUARD_MIN_ENTRIES,
  VANISH_GUARD_MIN_FOUND,
  type SyncResult,
} from './content-index-plan.ts'

/**
 * Changes whenever a sync changed the index: anything derived from content keys on it.
 * Kept in kiln_state and moved in the sync's transaction.
 */
export { getIndexVersion } from './kiln-state.server.ts'

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
  /**
   * Hidden from readers: a draft, or a post whose publish instant is still ahead (`scheduledAt`
   * says which). Everything that hides drafts hides scheduled posts the same way.
   */
  draft: boolean
  /** The publish instant (ISO, UTC) of a post that is not public yet; null once it is, and for drafts. */
  scheduledAt: string | null
  wordCount: number
  readingMinutes: number
  /** Why this entry cannot be compiled, found when indexing: its frontmatter, or its size. */
  frontmatterError: string | null
  /** Author ids from the frontmatter's `author`/`authors` (authors.server.ts). */
  authors: string[]
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
  publish_at: number | null
  word_count: number
  frontmatter_error: string | null
  frontmatter?: string
}

function toEntry(row: EntryRow): IndexedEntry {
  // The same test as the published_entries view's, on this process's clock.
  const scheduled = row.draft === 0 && row.publish_at !== null && row.publish_at > Date.now()
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
    draft: row.draft === 1 || scheduled,
    scheduledAt: scheduled ? new Date(row.publish_at!).toISOString() : null,
    wordCount: row.word_count,
    readingMinutes: readingMinutes(row.word_count),
    frontmatterError: row.frontmatter_error,
    authors: row.frontmatter ? authorIdsOf(JSON.parse(row.frontmatter) as Record<string, unknown>) : [],
  }
}

export interface SyncOptions {
  /** Largest entry file read; a larger one is indexed as an error of its entry, unread. */
  maxPostBytes?: number
  /** Entry files deleted in the commits a git refresh applied: see PlanOptions. */
  confirmedDeletions?: ReadonlySet<string>
  /** The zone of dates written without one (SITE_TIMEZONE); UTC when not given. */
  timeZone?: string
  /** Where the posts and pages are (CONTENT_LAYOUT); `auto` when not given. */
  layout?: ContentLayoutSetting
}

/**
 * Brings the index in step with the folder. Files whose stamps (name, mtime, size) did
 * not change are not read again, so a sync of an unchanged blog only stats its files and
 * the files they import.
 */
export function syncContentIndex(db: DB, contentDir: string, options: SyncOptions = {}): SyncResult {
  const maxPostBytes = options.maxPostBytes ?? DEFAULT_MAX_POST_BYTES
  const { folders } = contentLayout(contentDir, options.layout ?? 'auto')
  const scan = scanFiles(contentDir, folders)
  const timeZone = options.timeZone ?? 'UTC'
  const confirmedDeletions = options.confirmedDeletions ?? new Set<string>()
  const seen = JSON.stringify([contentDir, folders, maxPostBytes, timeZone, scan])
  const steady = steadyStates.get(db)
  if (
    steady &&
    confirmedDeletions.size === 0 &&
    steady.seen === seen &&
    steady.index === indexState(db) &&
    sameStamps(steady.imports, restamp(contentDir, steady.imports))
  ) {
    syncCounts.unchanged++
    return steady.result
  }
  syncCounts.full++
  const index = readIndex(db)
  const plan = planSync(digestScan(contentDir, scan, index, maxPostBytes, indexFormat(timeZone)), index, {
    contentDir,
    maxPostBytes,
    confirmedDeletions,
    timeZone,
    folders,
  })
  applySync(db, plan)
  const result = reportOf(plan)
  if (changesNothing(plan)) {
    const own = new Set(scan.entries.flatMap((entry) => entry.files.map(([file]) => file)))
    const imports = new Map<string, FileStamp>()
    for (const row of index.rows) for (const file of row.files) if (!own.has(file[0])) imports.set(file[0], file)
    steadyStates.set(db, { seen, index: indexState(db), imports: [...imports.values()], result })
  } else steadyStates.delete(db)
  return result
}

/**
 * The last sync that found nothing to change, per database: what its scan saw, the stamps
 * of the files its entries import, and the index's version and format then. A scan that
 * sees all of it again (the usual case: CONTENT_SCAN_INTERVAL_MS re-scans an unchanged
 * folder every few seconds, on the main thread) would digest and plan the same nothing:
 * it returns that sync's report without reading the index back, which was most of an
 * unchanged sync's time (docs/performance.md, serving). Any difference (a file's stamp, an
 * imported file's, the index changed by a git refresh or another process, a format to
 * record) takes the whole path.
 */
interface SteadyState {
  seen: string
  index: string
  imports: FileStamp[]
  result: SyncResult
}
const steadyStates = new WeakMap<DB, SteadyState>()
const syncCounts = { full: 0, unchanged: 0 }

/** Syncs since start: read and planned in full, or found unchanged by the steady-state check. */
export function contentIndexSyncCounts(): { full: number; unchanged: number } {
  return { ...syncCounts }
}

/** What of the database a sync's plan depends on besides the rows: their version and format. */
function indexState(db: DB): string {
  return `${getIndexVersionNow(db)}\n${getIndexFormat(db)}`
}

/** A plan that writes nothing and refuses nothing: the next identical scan would plan it again. */
function changesNothing(plan: SyncPlan): boolean {
  return (
    !plan.refused &&
    plan.writes.length === 0 &&
    plan.restamps.length === 0 &&
    plan.searchDocuments.length === 0 &&
    plan.deleted.length === 0 &&
    plan.moves.length === 0 &&
    plan.recordFormat === null &&
    plan.added.length + plan.updated.length === 0
  )
}

type SnapshotRow = Pick<
  EntryRow,
  'kind' | 'slug' | 'path' | 'source_hash' | 'files' | 'title' | 'description' | 'tags' | 'frontmatter_error'
> & { slug_field: unknown }

/** The index as a sync needs it: each row's version and files, its search document's version, the format. */
function readIndex(db: DB): IndexSnapshot {
  const rows = db
    .prepare(
      `SELECT kind, slug, path, source_hash, files, title, description, tags, frontmatter_error,
        json_extract(frontmatter, '$.slug') AS slug_field FROM content_entries`,
    )
    .all() as SnapshotRow[]
  return {
    rows: rows.map((row) => ({
      kind: row.kind,
      slug: row.slug,
      path: row.path,
      sourceHash: row.source_hash,
      files: JSON.parse(row.files) as FileStamp[],
      frontmatterError: row.frontmatter_error,
      title: row.title,
      description: row.description,
      tags: JSON.parse(row.tags) as string[],
      slugField: row.slug_field,
    })),
    searchHashes: indexedSearchHashes(db),
    format: getIndexFormat(db),
  }
}

/**
 * Each scanned entry with its digest and its address. An index row is matched by its file's
 * path, not its slug: a `slug:` in the frontmatter may give the entry another address than
 * its file name, and a change of that field moves the row. An entry whose files, and the
 * files it imported last time, kept their stamps keeps its row's version and `slug:` unread
 * (its text is read only when its search document must be remade, or its address moved
 * because another entry's did); any other is read, its imports followed and its files
 * hashed. One that vanished or became unreadable between the scan and the read is skipped
 * and kept as it was: the next sync sees the folder as it then is.
 */
function digestScan(
  contentDir: string,
  scan: SourceScan,
  index: IndexSnapshot,
  maxPostBytes: number,
  format: string,
): DigestedScan {
  const digested: DigestedScan = {
    entries: [],
    skipped: [...scan.skipped],
    unreadable: [],
    unavailable: scan.unavailable,
    missingFolders: scan.missingFolders,
    addressProblems: [],
  }
  const rowsByPath = new Map(index.rows.map((row) => [`${row.kind}:${row.path}`, row]))
  // Seen but unreadable: the row of that file (or of the folder post's files) is kept, whatever its slug.
  for (const { kind, slug, path } of scan.unreadable ?? []) {
    digested.unreadable.push({ kind, slug })
    for (const row of index.rows) {
      if (row.kind === kind && (row.path === path || row.path.startsWith(`${path}/`))) digested.unreadable.push(row)
    }
  }
  if (scan.unavailable) return digested
  const rereadAll = index.format !== format
  const found: { entry: DigestedEntry; previous: IndexedRow | undefined; wish: SlugWish }[] = []
  for (const entry of scan.entries) {
    const previous = rowsByPath.get(`${entry.kind}:${entry.path}`)
    const size = entry.files[0][2]
    const own = new Set(entry.files.map((file) => file[0]))
    if (previous && !rereadAll) {
      // The files it imported last time, stamped again: an edit to a shared component
      // moves the version of every post that imports it.
      const imported = restamp(
        contentDir,
        previous.files.filter((file) => !own.has(file[0])),
      )
      if (sameStamps(previous.files, [...entry.files, ...imported])) {
        let source: string | null = null
        if (index.searchHashes.get(entryKey(previous)) !== previous.sourceHash && size <= maxPostBytes) {
          try {
            source = readEntrySource(contentDir, entry.path)
          } catch {
            // Unreadable right now: the next sync tries again.
          }
        }
        const digest = digestedEntry(entry, previous.files, previous.sourceHash, source)
        found.push({ entry: digest, previous, wish: slugWish(digest, previous) })
        continue
      }
    }
    // A post over the limit is never read: its version is its stamp.
    const oversize = size > maxPostBytes
    try {
      const source = oversize ? null : readEntrySource(contentDir, entry.path)
      const imported = source === null ? [] : importedFiles(contentDir, entry.path, source, maxPostBytes)
      const files = [...entry.files, ...imported.filter((file) => !own.has(file[0]))]
      const digest = hashEntry(contentDir, files, oversize ? { stampOnly: new Set([entry.path]) } : {})
      const digestEntry = digestedEntry(entry, files, digest, source)
      found.push({ entry: digestEntry, previous, wish: slugWish(digestEntry, previous) })
    } catch (error) {
      digested.skipped.push({ path: entry.path, reason: errorMessage(error) })
      digested.unreadable.push(previous ?? { kind: entry.kind, slug: entry.slug })
    }
  }
  const wishes = new Map(found.map(({ entry, wish }) => [entry, wish]))
  const assigned = assignAddresses(
    found.map(({ entry }) => entry),
    (entry) => wishes.get(entry)!,
  )
  digested.skipped.push(...assigned.skipped)
  // A problem of an entry not read this time gets its line from the file, so it reads the same on every sync.
  for (const problem of assigned.problems) {
    if (problem.line !== undefined) continue
    try {
      problem.line = readSlugField(readEntrySource(contentDir, problem.path))?.line
    } catch {
      // Unreadable right now: reported without its line.
    }
  }
  digested.addressProblems = assigned.problems
  const previousOf = new Map(found.map(({ entry, previous }) => [entry, previous]))
  for (const { entry, slug } of assigned.entries) {
    const previous = previousOf.get(entry)
    if (previous && previous.slug !== slug) {
      entry.movedFrom = previous.slug
      // Its row is written anew at its new address: an unchanged entry's text is read for it.
      if (entry.source === null && entry.size <= maxPostBytes) {
        try {
          entry.source = readEntrySource(contentDir, entry.path)
        } catch (error) {
          digested.skipped.push({ path: entry.path, reason: errorMessage(error) })
          digested.unreadable.push(previous)
          continue
        }
      }
    }
    entry.slug = slug
    digested.entries.push(entry)
  }
  return digested
}

interface SlugWish {
  choice: SlugChoice | null
  line?: number
}

/**
 * The address an entry's `slug:` asks for. Read from its text when it was read; from its
 * row when its stamps did not move; and when its metadata cannot be read at all (broken
 * frontmatter, a file over the size limit) the address its row had: a post keeps its
 * address while its author fixes the frontmatter.
 */
function slugWish(entry: DigestedEntry, previous: IndexedRow | undefined): SlugWish {
  if (entry.source !== null) {
    const field = readSlugField(entry.source)
    if (field) return { choice: slugFromField(field.value, entry.slug, entry.kind), line: field.line }
  } else if (previous && previous.sourceHash === entry.digest && !previous.frontmatterError) {
    return { choice: slugFromField(previous.slugField, entry.slug, entry.kind) }
  }
  return { choice: previous && previous.slug !== entry.slug ? { slug: previous.slug } : null }
}

/**
 * Written out, not spread: `{ ...entry, files }` overwrites a property the spread just
 * copied, which made the object 35 times slower to build on Node 20 (about 30 µs), and an
 * unchanged sync builds one per entry.
 */
function digestedEntry(entry: SourceEntry, files: FileStamp[], digest: string, source: string | null): DigestedEntry {
  return { kind: entry.kind, slug: entry.slug, path: entry.path, files, digest, source, size: entry.files[0][2] }
}

const UPSERT_ENTRY = `INSERT INTO content_entries
    (kind, slug, path, source_hash, files, title, date, updated, description, tags, draft, word_count, frontmatter,
      frontmatter_error, indexed_at, publish_at)
  VALUES (@kind, @slug, @path, @source_hash, @files, @title, @date, @updated, @description, @tags, @draft, @word_count,
    @frontmatter, @frontmatter_error, @indexed_at, @publish_at)
  ON CONFLICT (kind, slug) DO UPDATE SET
    path = excluded.path, source_hash = excluded.source_hash, files = excluded.files, title = excluded.title,
    date = excluded.date, updated = excluded.updated, description = excluded.description, tags = excluded.tags,
    draft = excluded.draft, word_count = excluded.word_count, frontmatter = excluded.frontmatter,
    frontmatter_error = excluded.frontmatter_error, indexed_at = excluded.indexed_at, publish_at = excluded.publish_at`

/**
 * Writes a plan in one transaction, with the search documents and the index's version:
 * readers see the old index or the new one. A refused plan writes nothing.
 */
export function applySync(db: DB, plan: SyncPlan): void {
  if (plan.refused) return
  const upsert = db.prepare(UPSERT_ENTRY)
  const restampFiles = db.prepare('UPDATE content_entries SET files = ? WHERE kind = ? AND slug = ?')
  const remove = db.prepare('DELETE FROM content_entries WHERE kind = ? AND slug = ?')
  const moveViews = db.prepare(
    `INSERT INTO post_views (slug, views) SELECT ?, views FROM post_views WHERE slug = ?
      ON CONFLICT (slug) DO UPDATE SET views = views + excluded.views`,
  )
  const dropViews = db.prepare('DELETE FROM post_views WHERE slug = ?')
  const apply = db.transaction(() => {
    const indexedAt = new Date().toISOString()
    for (const write of plan.writes) {
      upsert.run({
        kind: write.kind,
        slug: write.slug,
        path: write.path,
        source_hash: write.sourceHash,
        files: JSON.stringify(write.files),
        title: write.title,
        date: write.date,
        updated: write.updated,
        description: write.description,
        tags: JSON.stringify(write.tags),
        draft: write.draft ? 1 : 0,
        word_count: write.wordCount,
        frontmatter: JSON.stringify(write.frontmatter),
        frontmatter_error: write.frontmatterError,
        indexed_at: indexedAt,
        publish_at: write.publishAt,
      })
    }
    for (const { kind, slug, files } of plan.restamps) restampFiles.run(JSON.stringify(files), kind, slug)
    for (const doc of plan.searchDocuments) writeSearchDocument(db, doc)
    for (const { kind, slug } of plan.deleted) {
      remove.run(kind, slug)
      deleteSearchDocument(db, kind, slug)
    }
    // A post whose `slug:` changed is the same post: its view count goes to its new address.
    for (const { kind, from, to } of plan.moves) {
      if (kind !== 'post') continue
      moveViews.run(to, from)
      dropViews.run(from)
    }
    if (plan.recordFormat) setIndexFormat(db, plan.recordFormat)
    if (plan.added.length + plan.updated.length + plan.deleted.length > 0) bumpIndexVersion(db)
  })
  apply.immediate()
}

/** The files (with their stamps) that make up an entry's version, as last indexed. */
export function getEntryFiles(db: DB, kind: EntryKind, slug: string): FileStamp[] {
  const row = db.prepare('SELECT files FROM content_entries WHERE kind = ? AND slug = ?').get(kind, slug) as
    { files: string } | undefined
  return row ? (JSON.parse(row.files) as FileStamp[]) : []
}

export function getEntry(db: DB, kind: EntryKind, slug: string): IndexedEntry | null {
  const row = db.prepare('SELECT * FROM content_entries WHERE kind = ? AND slug = ?').get(kind, slug) as
    EntryRow | undefined
  return row ? toEntry(row) : null
}

/** The view of the entries a reader may see, or an admin (drafts too). */
const visibleEntries = (includeDrafts: boolean) => (includeDrafts ? 'valid_entries' : 'published_entries')

export interface ListOptions {
  tag?: string
  limit?: number
  offset?: number
  /** Drafts too (for an admin); each entry's `draft` says which. */
  includeDrafts?: boolean
}

/** The FROM and WHERE of a list of posts, with its parameters. */
function postsOf(includeDrafts: boolean, tag: string | undefined): { sql: string; params: string[] } {
  const view = visibleEntries(includeDrafts)
  const where = ["kind = 'post'"]
  const params: string[] = []
  if (tag) {
    where.push(`EXISTS (SELECT 1 FROM json_each(${view}.tags) WHERE json_each.value = ?)`)
    params.push(tag)
  }
  return { sql: `FROM ${view} WHERE ${where.join(' AND ')}`, params }
}

/** Published posts (not drafts, not scheduled, with valid frontmatter), newest first. */
export function listPosts(
  db: DB,
  { tag, limit = -1, offset = 0, includeDrafts = false }: ListOptions = {},
): IndexedEntry[] {
  const { sql, params } = postsOf(includeDrafts, tag)
  const rows = db
    .prepare(`SELECT * ${sql} ORDER BY date DESC, slug ASC LIMIT ? OFFSET ?`)
    .all(...params, limit, offset) as EntryRow[]
  return rows.map(toEntry)
}

/** How many posts listPosts would list without a limit: the number of pages of a list. */
export function countPosts(db: DB, { tag, includeDrafts = false }: Pick<ListOptions, 'tag' | 'includeDrafts'> = {}) {
  const { sql, params } = postsOf(includeDrafts, tag)
  return (db.prepare(`SELECT COUNT(*) AS count ${sql}`).get(...params) as { count: number }).count
}

/** Every tag of a published post (or of a draft too, for an admin), with how many posts carry it. */
export function listTags(
  db: DB,
  { includeDrafts = false }: { includeDrafts?: boolean } = {},
): { tag: string; count: number }[] {
  const view = visibleEntries(includeDrafts)
  return db
    .prepare(
      `SELECT json_each.value AS tag, COUNT(*) AS count
        FROM ${view}, json_each(${view}.tags)
        WHERE kind = 'post'
        GROUP BY json_each.value ORDER BY count DESC, tag ASC`,
    )
    .all() as { tag: string; count: number }[]
}

/**
 * For /admin and the metrics: published posts; valid pages (drafts among them); drafts and invalid entries of both
 * kinds.
 */
export function countEntries(db: DB): { posts: number; pages: number; drafts: number; invalid: number } {
  return db
    .prepare(
      `SELECT
        (SELECT COUNT(*) FROM published_entries WHERE kind = 'post') AS posts,
        (SELECT COUNT(*) FROM valid_entries WHERE kind = 'page') AS pages,
        COALESCE(SUM(draft = 1), 0) AS drafts,
        COALESCE(SUM(frontmatter_error IS NOT NULL), 0) AS invalid
      FROM content_entries`,
    )
    .get() as { posts: number; pages: number; drafts: number; invalid: number }
}

export function listAllEntries(db: DB): IndexedEntry[] {
  return (db.prepare('SELECT * FROM content_entries ORDER BY kind, slug').all() as EntryRow[]).map(toEntry)
}

/** Published pages, by title: the site's navigation. */
export function listPages(db: DB): IndexedEntry[] {
  return (db.prepare(`SELECT * FROM published_entries WHERE kind = 'page' ORDER BY title`).all() as EntryRow[]).map(
    toEntry,
  )
}
