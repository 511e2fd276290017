/**
 * Full-text search over posts and pages with SQLite FTS5. The index is written by the
 * content index's sync, in its transaction (writeSearchDocument / deleteSearchDocument),
 * so search never disagrees with the lists. Whether an entry may be seen is read from the
 * content index at query time, through the views the lists read (published_entries, or
 * valid_entries for an admin), so a draft flag flip needs no reindexing.
 */
import type { DB } from '../db/connection.server.ts'
import {
  ftsMatch,
  makeSnippet,
  MAX_QUERY_TOKENS,
  MAX_TOKEN_LENGTH,
  MIN_PREFIX_LENGTH,
  hasNoSpaceScript,
  queryTerms,
  SNIPPET_SCAN_CHARS,
  type QueryTerms,
  splitSnippet,
  type SnippetPart,
} from './search-text.ts'

export interface SearchDocument {
  kind: 'post' | 'page'
  slug: string
  sourceHash: string
  title: string
  description: string | null
  tags: string[]
  /** The source's readable text (extractSearchText). */
  body: string
}

/** Adds or replaces an entry's document. Call inside the sync's transaction. */
export function writeSearchDocument(db: DB, doc: SearchDocument): void {
  const existing = db.prepare('SELECT id FROM search_documents WHERE kind = ? AND slug = ?').get(doc.kind, doc.slug) as
    { id: number } | undefined
  let id: number
  if (existing) {
    id = existing.id
    db.prepare('UPDATE search_documents SET source_hash = ? WHERE id = ?').run(doc.sourceHash, id)
    db.prepare('DELETE FROM search_index WHERE rowid = ?').run(id)
    db.prepare('DELETE FROM search_trigram WHERE rowid = ?').run(id)
  } else {
    id = Number(
      db
        .prepare('INSERT INTO search_documents (kind, slug, source_hash) VALUES (?, ?, ?)')
        .run(doc.kind, doc.slug, doc.sourceHash).lastInsertRowid,
    )
  }
  db.prepare('INSERT INTO search_index (rowid, title, description, tags, body) VALUES (?, ?, ?, ?, ?)').run(
    id,
    doc.title,
    doc.description ?? '',
    doc.tags.join(' '),
    doc.body,
  )
  if (hasNoSpaceScript(doc.title) || hasNoSpaceScript(doc.description ?? '') || hasNoSpaceScript(doc.body)) {
    db.prepare('INSERT INTO search_trigram (rowid, title, description, tags, body) VALUES (?, ?, ?, ?, ?)').run(
      id,
      doc.title,
      doc.description ?? '',
      doc.tags.join(' '),
      doc.body,
    )
  }
}

export function deleteSearchDocument(db: DB, kind: string, slug: string): void {
  const existing = db.prepare('SELECT id FROM search_documents WHERE kind = ? AND slug = ?').get(kind, slug) as
    { id: number } | undefined
  if (!existing) return
  db.prepare('DELETE FROM search_index WHERE rowid = ?').run(existing.id)
  db.prepare('DELETE FROM search_trigram WHERE rowid = ?').run(existing.id)
  db.prepare('DELETE FROM search_documents WHERE id = ?').run(existing.id)
}

/** kind:slug -> the source hash its search document was made from. */
export function indexedSearchHashes(db: DB): Map<string, string> {
  const rows = db.prepare('SELECT kind, slug, source_hash FROM search_documents').all() as {
    kind: string
    slug: string
    source_hash: string
  }[]
  return new Map(rows.map((row) => [`${row.kind}:${row.slug}`, row.source_hash]))
}

export interface SearchHit {
  kind: 'post' | 'page'
  slug: string
  /** The title, with matched words marked. */
  title: SnippetPart[]
  /** A passage of the body (or the description) around the matches, matches marked. */
  snippet: SnippetPart[]
  date: string | null
  tags: string[]
  draft: boolean
}

export interface SearchResults {
  /** Every match the reader may see. */
  total: number
  /** The best of them, at most `limit`. */
  hits: SearchHit[]
}

export interface SearchOptions {
  /** Admins see drafts (marked as such); readers never do. */
  includeDrafts?: boolean
  /** Results shown; snippets cost, so a page shows the best few. */
  limit?: number
}

interface HitRow {
  kind: 'post' | 'page'
  slug: string
  title: string
  body: string
  description: string
  date: string | null
  tags: string
  draft: number
}

/** Column weights for bm25, in the table's column order: a title match counts most. */
const WEIGHTS = '10.0, 4.0, 3.0, 1.0'
/** Results a page may ask for at most: each costs a snippet. */
export const MAX_SEARCH_LIMIT = 50

/**
 * Entries matching every word of the query (the last one as a prefix), best first: any
 * entry whose title matches comes before those that match elsewhere, then by bm25. A
 * query with no word in it finds nothing; no query can make SQLite raise an error.
 *
 * Anyone can send a query, so its main-thread cost is bounded whatever it holds: the
 * query's words are deduplicated and capped (queryTerms), the snippets are made in
 * JavaScript over a bounded prefix of each text (makeSnippet), and at most
 * MAX_SEARCH_LIMIT rows get one. other/bench-search-abuse.ts measures the worst cases.
 */
export function searchEntries(
  db: DB,
  query: string,
  { includeDrafts = false, limit = 20 }: SearchOptions = {},
): SearchResults {
  const terms = queryTerms(query)
  if (!terms) return { total: 0, hits: [] }
  limit = Math.max(1, Math.min(MAX_SEARCH_LIMIT, Math.floor(limit) || 1))
  // The views of what a reader, or an admin, may see (the published_entries migration).
  const visible = includeDrafts ? 'valid_entries' : 'published_entries'
  if (terms.phrases.some((phrase) => phrase.some(hasNoSpaceScript)))
    return searchNoSpaceScripts(db, terms, visible, limit)
  const match = ftsMatch(terms)
  const { total } = db
    .prepare(
      `SELECT COUNT(*) AS total FROM search_index
        JOIN search_documents d ON d.id = search_index.rowid
        JOIN ${visible} e ON e.kind = d.kind AND e.slug = d.slug
        WHERE search_index MATCH @match`,
    )
    .get({ match }) as { total: number }
  if (total === 0) return { total: 0, hits: [] }
  // Ranking first, over ids only; snippets are then made for the rows shown, not for
  // every match.
  const rows = db
    .prepare(
      `WITH ranked AS (
          SELECT search_index.rowid AS id,
            search_index.rowid NOT IN (SELECT rowid FROM search_index WHERE search_index MATCH @titleMatch) AS ` +
        `title_miss,
            bm25(search_index, ${WEIGHTS}) AS score,
            e.date AS date
          FROM search_index
          JOIN search_documents d ON d.id = search_index.rowid
          JOIN ${visible} e ON e.kind = d.kind AND e.slug = d.slug
          WHERE search_index MATCH @match
          ORDER BY title_miss, score, e.date DESC
          LIMIT @limit
        )
        SELECT d.kind, d.slug,
          highlight(search_index, 0, char(1), char(2)) AS title,
          substr(search_index.body, 1, ${SNIPPET_SCAN_CHARS}) AS body,
          substr(search_index.description, 1, ${SNIPPET_SCAN_CHARS}) AS description,
          e.date, e.tags, e.draft
        FROM ranked
        JOIN search_index ON search_index.rowid = ranked.id
        JOIN search_documents d ON d.id = ranked.id
        JOIN content_entries e ON e.kind = d.kind AND e.slug = d.slug
        WHERE search_index MATCH @match
        ORDER BY ranked.title_miss, ranked.score, ranked.date DESC`,
    )
    .all({ match, titleMatch: `{title} : (${match})`, limit }) as HitRow[]
  return { total, hits: rows.map((row) => toHit(row, terms)) }
}

function toHit(row: HitRow, terms: QueryTerms): SearchHit {
  // The body's passage, unless only the description matched; else the description as it is.
  const body = makeSnippet(row.body, terms) ?? makeSnippet(row.description, terms) ?? row.description
  return {
    kind: row.kind,
    slug: row.slug,
    title: splitSnippet(row.title),
    snippet: splitSnippet(body),
    date: row.date,
    tags: JSON.parse(row.tags) as string[],
    draft: row.draft === 1,
  }
}

/** Characters of a document a 1-2 letter word is looked for in (LIKE, no index): bounded per document. */
const SHORT_WORD_SCAN_CHARS = SNIPPET_SCAN_CHARS

/**
 * A query with words in a script written without spaces. Such a word is found by
 * substring in search_trigram (which holds only the documents that have such letters):
 * through its trigram index when it has 3 or more characters, else with LIKE over a
 * bounded prefix of each of those documents. Other words of the query are ANDed in
 * through search_index. Title matches first, then bm25 over the trigram words, then newest.
 */
function searchNoSpaceScripts(db: DB, terms: QueryTerms, visible: string, limit: number): SearchResults {
  const params: Record<string, string | number> = { limit }
  const conditions: string[] = []
  const titleConditions: string[] = []
  const longWords: string[] = []
  const otherPhrases: string[][] = []
  terms.phrases.forEach((phrase, p) => {
    const noSpace = phrase.filter(hasNoSpaceScript)
    const rest = phrase.filter((word) => !hasNoSpaceScript(word))
    if (rest.length > 0) otherPhrases.push(rest)
    noSpace.forEach((word, w) => {
      const name = `w${p}_${w}`
      if ([...word].length >= 3) {
        // queryTerms keeps letters, digits and marks only: no quote to escape.
        longWords.push(`"${word}"`)
        params[name] = word
        titleConditions.push(`instr(t.title, @${name}) > 0`)
      } else {
        params[name] = `%${word}%`
        conditions.push(
          `(t.title LIKE @${name} OR t.description LIKE @${name} OR t.tags LIKE @${name} ` +
            `OR substr(t.body, 1, ${SHORT_WORD_SCAN_CHARS}) LIKE @${name})`,
        )
        titleConditions.push(`t.title LIKE @${name}`)
      }
    })
  })
  if (longWords.length > 0) {
    params.trigram = longWords.join(' AND ')
    conditions.push('t.search_trigram MATCH @trigram')
  }
  if (otherPhrases.length > 0) {
    params.other = ftsMatch({ phrases: otherPhrases, prefix: false })
    conditions.push('t.rowid IN (SELECT rowid FROM search_index WHERE search_index MATCH @other)')
  }
  const from = `FROM search_trigram t
      JOIN search_documents d ON d.id = t.rowid
      JOIN ${visible} e ON e.kind = d.kind AND e.slug = d.slug
      WHERE ${conditions.join(' AND ')}`
  const { total } = db.prepare(`SELECT COUNT(*) AS total ${from}`).get(params) as { total: number }
  if (total === 0) return { total: 0, hits: [] }
  const rank = longWords.length > 0 ? `bm25(t.search_trigram, ${WEIGHTS}),` : ''
  const rows = db
    .prepare(
      `SELECT d.kind, d.slug, t.title,
          substr(t.body, 1, ${SNIPPET_SCAN_CHARS}) AS body,
          substr(t.description, 1, ${SNIPPET_SCAN_CHARS}) AS description,
          e.date, e.tags, e.draft
        ${from}
        ORDER BY NOT (${titleConditions.join(' AND ')}), ${rank} e.date DESC
        LIMIT @limit`,
    )
    .all(params) as HitRow[]
  // The title is marked here, as highlight() cannot mark a substring of a trigram-free token.
  return {
    total,
    hits: rows.map((row) => toHit({ ...row, title: makeTitle(row.title, terms) }, terms)),
  }
}

/** A title with the query's words marked (MATCH_START/MATCH_END), as highlight() would. */
function makeTitle(title: string, terms: QueryTerms): string {
  const marked = makeSnippet(title, terms)
  return marked && !marked.startsWith('…') && !marked.endsWith('…') ? marked : title
}

/** How many documents the index holds, for the admin dashboard and tests. */
export function searchIndexSize(db: DB): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM search_documents').get() as { n: number }).n
}

export interface PostSuggestion {
  slug: string
  title: string
}

/** Parts of an address that say nothing about which post was meant. */
const ADDRESS_NOISE = new Set(['blog', 'tags', 'posts', 'post', 'www', 'html', 'htm', 'php', 'index', 'amp', 'the'])
/** How much of a missing address is read for words: a 6,000-character path costs what a short one does. */
const SUGGESTION_PATH_CHARS = 256

/**
 * The words of a missing address, for suggestions: letters and digits between the
 * slashes, dashes and dots, without the noise (`blog`, `html`), at most MAX_QUERY_TOKENS.
 */
export function addressWords(pathname: string): string[] {
  let decoded = pathname.slice(0, SUGGESTION_PATH_CHARS)
  try {
    decoded = decodeURIComponent(decoded)
  } catch {
    // Kept as it is: its words are still words.
  }
  const words = (decoded.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter(
    (word) => word.length >= 2 && !ADDRESS_NOISE.has(word) && !/^\d+$/.test(word),
  )
  return [...new Set(words.map((word) => word.slice(0, MAX_TOKEN_LENGTH)))].slice(0, MAX_QUERY_TOKENS)
}

/**
 * Up to `limit` published posts whose titles (then descriptions, tags and text) are
 * closest to a missing address: any of its words, each as a prefix when it is long
 * enough, ranked by bm25 with the title weighed most. Costs what a search of
 * MAX_QUERY_TOKENS words costs (docs/security.md, "Main-thread budget"), no snippets.
 */
export function suggestPosts(db: DB, pathname: string, limit = 5): PostSuggestion[] {
  const words = addressWords(pathname)
  if (words.length === 0) return []
  // A long word is matched by its stem-ish prefix, so "migrating" finds "migration" (no stemmer in unicode61).
  const match = words
    .map((word) => (word.length >= 6 ? word.slice(0, Math.max(4, word.length - 3)) : word))
    .map((word) => `"${word}"${word.length >= MIN_PREFIX_LENGTH + 1 ? '*' : ''}`)
    .join(' OR ')
  return db
    .prepare(
      `SELECT e.slug, COALESCE(e.title, e.slug) AS title FROM search_index
        JOIN search_documents d ON d.id = search_index.rowid
        JOIN published_entries e ON e.kind = d.kind AND e.slug = d.slug
        WHERE search_index MATCH @match AND e.kind = 'post'
        ORDER BY bm25(search_index, ${WEIGHTS}), e.date DESC
        LIMIT @limit`,
    )
    .all({ match, limit: Math.max(1, Math.min(limit, 10)) }) as PostSuggestion[]
}

/**
 * Published posts whose text is closest to `text` (a post's title and description): any
 * of its first MAX_QUERY_TOKENS words of 3 or more letters, ranked by bm25. For related
 * posts; the caller caches the answer per content version.
 */
export function relatedByText(
  db: DB,
  slug: string,
  text: string,
  limit: number,
): { slug: string; title: string; date: string | null }[] {
  const words = [...new Set((text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => word.length >= 3))]
    .filter((word) => !RELATED_NOISE.has(word) && !hasNoSpaceScript(word))
    .slice(0, MAX_QUERY_TOKENS)
    .map((word) => `"${word.slice(0, MAX_TOKEN_LENGTH)}"`)
  if (words.length === 0) return []
  return db
    .prepare(
      `SELECT e.slug, COALESCE(e.title, e.slug) AS title, e.date FROM search_index
        JOIN search_documents d ON d.id = search_index.rowid
        JOIN published_entries e ON e.kind = d.kind AND e.slug = d.slug
        WHERE search_index MATCH @match AND e.kind = 'post' AND e.slug <> @slug
        ORDER BY bm25(search_index, ${WEIGHTS}), e.date DESC
        LIMIT @limit`,
    )
    .all({ match: words.join(' OR '), slug, limit }) as { slug: string; title: string; date: string | null }[]
}

/** Words too common to say two posts are alike. */
const RELATED_NOISE = new Set([
  'the',
  'and',
  'for',
  'with',
  'how',
  'what',
  'why',
  'you',
  'your',
  'are',
  'was',
  'this',
  'that',
  'from',
  'into',
  'about',
  'when',
  'not',
  'can',
  'one',
  'all',
  'its',
  'our',
  'new',
  'use',
  'using',
])
