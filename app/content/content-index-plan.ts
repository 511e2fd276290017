/**
 * What a sync of the content index will do, decided without any I/O: `planSync` takes the
 * scanned entries with their digests and the rows the index holds, and answers which rows
 * to insert, update, restamp and delete, which search documents to write, and what to
 * report. content-index.server.ts reads the folder and the index before, and writes the
 * plan in one transaction after (`applySync`).
 *
 * The split is Astro's glob loader's (withastro/astro, packages/astro/src/content/loaders/
 * glob.ts): an entry whose digest did not move is left alone, and an indexed entry the
 * scan did not see is deleted. Here a plan may also refuse: the guards that keep a
 * vanished or unreadable folder from emptying the index live in this one function, where
 * a test can give them any folder on plain data.
 */
import { errorMessage } from '../utils/error-message.ts'
import { FrontmatterError, parseFrontmatter, type Frontmatter } from './frontmatter.ts'
import { entryPublishInstant } from './publish-time.ts'
import { countWords } from './reading-time.ts'
import type { SearchDocument } from '../search/search-index.server.ts'
import { extractSearchText } from '../search/search-text.ts'
import {
  KIND_FOLDERS,
  sameStamps,
  type EntryKey,
  type EntryKind,
  type FileStamp,
  type SkippedFile,
} from './source.server.ts'

/**
 * Bumped when what the index records per entry changes: an index of an older format is
 * re-read once, whatever the stamps say. 2: an entry's files include what it imports. 3: a post's
 * publish instant (publish_at). 4: metadata from TOML, an exported literal, the first heading
 * and the file name's date. 5: a `slug:` in the frontmatter gives the entry's address.
 */
export const INDEX_FORMAT = '5'

/**
 * The format recorded with the site's zone when it is not UTC: a bare date's publish instant
 * depends on SITE_TIMEZONE, so a change of zone re-reads every entry once.
 */
export function indexFormat(timeZone = 'UTC'): string {
  return timeZone === 'UTC' ? INDEX_FORMAT : `${INDEX_FORMAT} ${timeZone}`
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

/** A scanned entry with its version: read and hashed when a stamp moved, carried over from its row when none did. */
export interface DigestedEntry extends EntryKey {
  /** The entry file, relative to the content folder. */
  path: string
  /** Its own files and the files it imports, as stamped now. */
  files: FileStamp[]
  /** Its version: a hash over the names and bytes of its files. */
  digest: string
  /** The entry file's text, when it was read (not when its stamps had not moved, nor over the size limit). */
  source: string | null
  /** The entry file's size in bytes. */
  size: number
  /** The slug its row had, when its address moved (a `slug:` changed): its views follow it. */
  movedFrom?: string
}

/** The content folder as the sync found it. */
export interface DigestedScan {
  entries: DigestedEntry[]
  skipped: SkippedFile[]
  /** Entries seen but not readable now: they are not gone. */
  unreadable: EntryKey[]
  /** Why nothing can be concluded from this scan (the folder is missing or unreadable). */
  unavailable?: string
  /** Kinds whose folder (blog/, pages/) is not there at all. */
  missingFolders?: EntryKind[]
  /** Entries served elsewhere than their `slug:` asks (a bad slug, an address taken), with the line. */
  addressProblems?: { path: string; error: string; line?: number }[]
}

/** An indexed entry, as far as a sync needs to know it. */
export interface IndexedRow extends EntryKey {
  path: string
  sourceHash: string
  files: FileStamp[]
  frontmatterError: string | null
  /** What a search document remade from the row needs. */
  title: string | null
  description: string | null
  tags: string[]
  /** Its frontmatter's `slug` as written (unknown: not given). */
  slugField?: unknown
}

/** The index as it stands before the sync. */
export interface IndexSnapshot {
  /** In the order the index holds them: deletions are reported in this order. */
  rows: IndexedRow[]
  /** kind:slug -> the version its search document was made from. */
  searchHashes: ReadonlyMap<string, string>
  /** The format the rows were written in (null: none recorded). */
  format: string | null
}

/** A row written whole: a new entry, or one whose version or path moved. */
export interface EntryWrite extends EntryKey {
  path: string
  sourceHash: string
  files: FileStamp[]
  title: string | null
  date: string | null
  updated: string | null
  description: string | null
  tags: string[]
  draft: boolean
  /** The instant (UTC ms) a post goes public, from its date read in the site's zone; null for pages. */
  publishAt: number | null
  wordCount: number
  frontmatter: Record<string, unknown>
  /** Why this entry cannot be compiled: its frontmatter, or its size. */
  frontmatterError: string | null
}

export interface SyncResult {
  added: EntryKey[]
  updated: EntryKey[]
  deleted: EntryKey[]
  skipped: SkippedFile[]
  /** Entries whose frontmatter breaks a rule, with the reason. */
  invalid: { path: string; error: string }[]
  /** Entries gone from the scan but kept, because the scan looked like a vanished folder (see `problem`). */
  held: EntryKey[]
  /** Set when the content folder looked missing, unreadable or emptied: nothing was deleted on its word. */
  problem: string | null
}

/** What the sync reports, and what it writes to get there. `deleted` lists the rows to delete. */
export interface SyncPlan extends SyncResult {
  /** A guard refused the whole sync: nothing is written. */
  refused: boolean
  writes: EntryWrite[]
  /** Entries touched but unchanged: only their new stamps are written. */
  restamps: (EntryKey & { files: FileStamp[] })[]
  searchDocuments: SearchDocument[]
  /** The format to record, when the rows were written in another. */
  recordFormat: string | null
  /** Posts whose address moved (a `slug:` changed) and whose old row is deleted: their views go with them. */
  moves: { kind: EntryKind; from: string; to: string }[]
}

export interface PlanOptions {
  /** Named in the guard's message. */
  contentDir: string
  /** Largest entry file read; a larger one is indexed as an error of its entry, unread. */
  maxPostBytes: number
  /**
   * Entry files (relative to the content folder) deleted in the commits a git refresh
   * applied: their deletion is honoured even when it empties a folder, because git says
   * it was meant.
   */
  confirmedDeletions: ReadonlySet<string>
  /** The zone of dates written without one (SITE_TIMEZONE); UTC when not given. */
  timeZone?: string
  /** The posts' and pages' folders (CONTENT_LAYOUT), named in the guard's message; blog/ and pages/ when not given. */
  folders?: Record<EntryKind, string>
}

/** The lookup key of an entry in a map; never parsed back. */
export const entryKey = ({ kind, slug }: EntryKey): string => `${kind}:${slug}`

const formatMB = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`

function emptyPlan(skipped: SkippedFile[]): SyncPlan {
  return {
    added: [],
    updated: [],
    deleted: [],
    skipped,
    invalid: [],
    held: [],
    problem: null,
    refused: false,
    writes: [],
    restamps: [],
    searchDocuments: [],
    recordFormat: null,
    moves: [],
  }
}

/** What the sync reports, without what it writes. */
export function reportOf(plan: SyncPlan): SyncResult {
  const { added, updated, deleted, skipped, invalid, held, problem } = plan
  return { added, updated, deleted, skipped, invalid, held, problem }
}

/**
 * The sync's plan. One entry's trouble (bad frontmatter, a file over `maxPostBytes`) is
 * recorded on that entry and never stops the others; a folder that looks vanished is a
 * `problem` and holds its entries (see VANISH_GUARD_MIN_ENTRIES); a folder that cannot be
 * read refuses the whole sync.
 */
export function planSync(scan: DigestedScan, index: IndexSnapshot, options: PlanOptions): SyncPlan {
  const plan = emptyPlan(scan.skipped)
  if (scan.unavailable) {
    // Nothing can be concluded from a folder that cannot be read: the index stays as it is.
    plan.refused = true
    plan.problem = `${scan.unavailable}: the index and compiled posts are kept as they were`
    return plan
  }
  const format = indexFormat(options.timeZone)
  if (index.format !== format) plan.recordFormat = format
  for (const { path, error, line } of scan.addressProblems ?? []) {
    plan.invalid.push({ path, error: line ? `${error} (line ${line})` : error })
  }
  const unseen = new Map(index.rows.map((row) => [entryKey(row), row]))
  for (const entry of scan.entries) {
    const previous = unseen.get(entryKey(entry))
    unseen.delete(entryKey(entry))
    // An index of another format is written again whole (the scan re-read every entry for it).
    if (previous && previous.path === entry.path && previous.sourceHash === entry.digest && !plan.recordFormat) {
      planUnchanged(plan, entry, previous, index, options)
    } else {
      planWrite(plan, entry, previous !== undefined, options)
    }
  }
  // What is left unseen is gone from the scan. An entry whose files could not be read is
  // not gone; a kind whose folder looks vanished keeps its entries.
  for (const key of scan.unreadable) unseen.delete(entryKey(key))
  const problems = holdVanished(plan, scan, index.rows, unseen, options)
  if (problems.length > 0) plan.problem = problems.join('; ')
  plan.deleted = [...unseen.values()].map(({ kind, slug }) => ({ kind, slug }))
  // A moved entry's old row goes (nothing claims its address now); a swap of two addresses keeps both rows.
  for (const entry of scan.entries) {
    if (entry.movedFrom !== undefined && unseen.has(entryKey({ kind: entry.kind, slug: entry.movedFrom }))) {
      plan.moves.push({ kind: entry.kind, from: entry.movedFrom, to: entry.slug })
    }
  }
  return plan
}

/** Same version, same path: new stamps at most, and the search document if it is missing or stale. */
function planUnchanged(
  plan: SyncPlan,
  entry: DigestedEntry,
  previous: IndexedRow,
  index: IndexSnapshot,
  { maxPostBytes }: PlanOptions,
): void {
  if (!sameStamps(previous.files, entry.files)) {
    plan.restamps.push({ kind: entry.kind, slug: entry.slug, files: entry.files })
  }
  if (previous.frontmatterError) plan.invalid.push({ path: entry.path, error: previous.frontmatterError })
  // Indexed before search existed, or its document was lost: remade from the row. A
  // source that could not be read now is tried again by the next sync.
  if (index.searchHashes.get(entryKey(previous)) === previous.sourceHash) return
  const source = entry.size > maxPostBytes ? '' : entry.source
  if (source === null) return
  plan.searchDocuments.push({
    kind: previous.kind,
    slug: previous.slug,
    sourceHash: previous.sourceHash,
    title: previous.title ?? previous.slug,
    description: previous.description,
    tags: previous.tags,
    body: extractSearchText(source),
  })
}

/** A new entry, or one whose version or path moved: its row and search document written whole. */
function planWrite(
  plan: SyncPlan,
  entry: DigestedEntry,
  existed: boolean,
  { maxPostBytes, timeZone = 'UTC' }: PlanOptions,
): void {
  // A post over the limit is never read: its version is its stamp, its size its error.
  const oversize = entry.size > maxPostBytes
  const source = oversize ? '' : (entry.source ?? '')
  const { frontmatter, error } = oversize
    ? {
        frontmatter: null,
        error:
          `the file is ${formatMB(entry.size)}, over MAX_POST_BYTES ` +
          `(${formatMB(maxPostBytes)}): it is not read or compiled`,
      }
    : readFrontmatter(source, entry.kind, entry.path)
  if (error) plan.invalid.push({ path: entry.path, error })
  const write: EntryWrite = {
    kind: entry.kind,
    slug: entry.slug,
    path: entry.path,
    sourceHash: entry.digest,
    files: entry.files,
    title: frontmatter?.title ?? null,
    date: frontmatter?.date ?? null,
    updated: frontmatter?.updated ?? null,
    description: frontmatter?.description ?? null,
    tags: frontmatter?.tags ?? [],
    draft: frontmatter?.draft ?? false,
    publishAt:
      frontmatter && entry.kind === 'post'
        ? entryPublishInstant(frontmatter.data.date, frontmatter.date, timeZone)
        : null,
    wordCount: countWords(source),
    frontmatter: frontmatter?.data ?? {},
    frontmatterError: error,
  }
  plan.writes.push(write)
  plan.searchDocuments.push({
    kind: write.kind,
    slug: write.slug,
    sourceHash: write.sourceHash,
    title: write.title ?? write.slug,
    description: write.description,
    tags: write.tags,
    body: extractSearchText(source),
  })
  ;(existed ? plan.updated : plan.added).push({ kind: entry.kind, slug: entry.slug })
}

/** Whatever goes wrong in one entry's frontmatter is that entry's error alone. */
function readFrontmatter(
  source: string,
  kind: EntryKind,
  entryPath: string,
): { frontmatter: Frontmatter | null; error: string | null } {
  try {
    return { frontmatter: parseFrontmatter(source, { requireDate: kind === 'post', entryPath }), error: null }
  } catch (cause) {
    if (!(cause instanceof FrontmatterError)) {
      return { frontmatter: null, error: `frontmatter could not be read: ${errorMessage(cause)}` }
    }
    return { frontmatter: null, error: cause.line ? `${cause.message} (line ${cause.line})` : cause.message }
  }
}

/**
 * The vanished-folder guard (VANISH_GUARD_MIN_ENTRIES): takes the entries of a kind whose
 * folder looks vanished out of `unseen`, into `plan.held`. Returns why, per kind held.
 */
function holdVanished(
  plan: SyncPlan,
  scan: DigestedScan,
  rows: IndexedRow[],
  unseen: Map<string, IndexedRow>,
  { contentDir, confirmedDeletions, folders = KIND_FOLDERS }: PlanOptions,
): string[] {
  const problems: string[] = []
  // A row whose file is still there only moved to another address (a `slug:` changed): it is found.
  const scanned = new Set(scan.entries.map((entry) => `${entry.kind}:${entry.path}`))
  for (const kind of Object.keys(KIND_FOLDERS) as EntryKind[]) {
    const vanished = [...unseen.values()].filter((row) => row.kind === kind && !scanned.has(`${kind}:${row.path}`))
    const gone = vanished.filter((row) => !confirmedDeletions.has(row.path))
    if (gone.length === 0) continue
    const before = rows.filter((row) => row.kind === kind).length
    const found = before - vanished.length
    const folder = `${folders[kind]}/`
    let why: string | null = null
    if (scan.missingFolders?.includes(kind)) why = `${folder} is missing from ${contentDir}`
    else if (found === 0 && before >= 2) why = `${folder} holds none of its ${before} entries`
    else if (before >= VANISH_GUARD_MIN_ENTRIES && found < before * VANISH_GUARD_MIN_FOUND) {
      why = `${folder} holds only ${found} of its ${before} entries`
    }
    if (!why) continue
    for (const row of gone) {
      unseen.delete(entryKey(row))
      plan.held.push({ kind: row.kind, slug: row.slug })
    }
    problems.push(
      `${why}: ${gone.length} kept as they were (a folder that vanished is ` +
        `not a deletion; delete through git, or fewer at a time)`,
    )
  }
  return problems
}
