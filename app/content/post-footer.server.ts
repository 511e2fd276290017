/**
 * What goes around a post: the previous (older) and next (newer) published posts, in the
 * order of the blog's list (date, then slug); its series (frontmatter `series`, every
 * part in order, with previous and next within it); up to three related posts (shared
 * tags, then text similarity from the search index); and the "Edit this post" link when
 * CONTENT_EDIT_URL is set.
 *
 * Series and related posts read every published post, so they are computed once per
 * content version and post, and kept in a bounded LRU (a new version makes the old keys
 * unreachable; they age out). Only published_entries is read: drafts and scheduled posts
 * never appear.
 */
import { LRUCache } from 'lru-cache'
import { getConfig } from '../config.server.ts'
import type { DB } from '../db/connection.server.ts'
import { relatedByText } from '../search/search-index.server.ts'
import type { IndexedEntry } from './content-index.server.ts'
import { getIndexVersion } from './kiln-state.server.ts'

export interface PostLink {
  slug: string
  title: string
}

export interface SeriesPart extends PostLink {
  current: boolean
}

export interface SeriesData {
  name: string
  parts: SeriesPart[]
  previous: PostLink | null
  next: PostLink | null
}

export interface PostFooterData {
  previous: PostLink | null
  next: PostLink | null
  editUrl: string | null
  series: SeriesData | null
  related: PostLink[]
}

/** A series longer than this shows its first parts only: a box, not a table of contents of the blog. */
export const MAX_SERIES_PARTS = 100
export const MAX_RELATED_POSTS = 3

interface SeriesRow {
  slug: string
  title: string
  date: string | null
  seriesOrder: unknown
}

/** Parts in reading order: `seriesOrder` (numbers first, ascending), then date, then slug. Pure. */
export function orderSeries<T extends SeriesRow>(parts: T[]): T[] {
  const order = (part: T) => {
    const value = typeof part.seriesOrder === 'string' ? Number(part.seriesOrder) : part.seriesOrder
    return typeof value === 'number' && Number.isFinite(value) ? value : Number.POSITIVE_INFINITY
  }
  return [...parts].sort(
    (a, b) => order(a) - order(b) || (a.date ?? '').localeCompare(b.date ?? '') || a.slug.localeCompare(b.slug),
  )
}

/** A post's series, with every published part in order, or null when it has none. */
export function seriesOf(db: DB, slug: string, name: unknown): SeriesData | null {
  if (typeof name !== 'string' || name.trim() === '') return null
  const rows = db
    .prepare(
      `SELECT slug, COALESCE(title, slug) AS title, date, json_extract(frontmatter, '$.seriesOrder') AS seriesOrder
        FROM published_entries
        WHERE kind = 'post' AND json_extract(frontmatter, '$.series') = ?`,
    )
    .all(name) as SeriesRow[]
  const ordered = orderSeries(rows).slice(0, MAX_SERIES_PARTS)
  const index = ordered.findIndex((part) => part.slug === slug)
  if (index === -1) return null
  const link = (part: SeriesRow | undefined) => (part ? { slug: part.slug, title: part.title } : null)
  return {
    name,
    parts: ordered.map((part) => ({ slug: part.slug, title: part.title, current: part.slug === slug })),
    previous: link(ordered[index - 1]),
    next: link(ordered[index + 1]),
  }
}

/**
 * Up to three published posts most like this one: two points per shared tag, plus up to
 * one for being among the closest texts to its title and description (the search index,
 * bm25); ties go to the newer post.
 */
export function relatedPosts(db: DB, entry: Pick<IndexedEntry, 'slug' | 'title' | 'description' | 'tags'>): PostLink[] {
  const scores = new Map<string, { post: PostLink; score: number; date: string }>()
  if (entry.tags.length > 0) {
    const tagged = db
      .prepare(
        `SELECT e.slug, COALESCE(e.title, e.slug) AS title, COALESCE(e.date, '') AS date, COUNT(*) AS shared
          FROM published_entries e, json_each(e.tags)
          WHERE e.kind = 'post' AND e.slug <> @slug AND json_each.value IN (SELECT value FROM json_each(@tags))
          GROUP BY e.slug ORDER BY shared DESC, e.date DESC LIMIT 20`,
      )
      .all({ slug: entry.slug, tags: JSON.stringify(entry.tags.slice(0, 20)) }) as (PostLink & {
      date: string
      shared: number
    })[]
    for (const row of tagged)
      scores.set(row.slug, { post: { slug: row.slug, title: row.title }, score: 2 * row.shared, date: row.date })
  }
  const similar = relatedByText(db, entry.slug, `${entry.title} ${entry.description ?? ''}`, 10)
  similar.forEach((row, rank) => {
    const bonus = 1 - rank / similar.length
    const known = scores.get(row.slug)
    if (known) known.score += bonus
    else scores.set(row.slug, { post: { slug: row.slug, title: row.title }, score: bonus, date: row.date ?? '' })
  })
  return [...scores.values()]
    .sort((a, b) => b.score - a.score || b.date.localeCompare(a.date))
    .slice(0, MAX_RELATED_POSTS)
    .map((item) => item.post)
}

const SERIES_AND_RELATED_CACHE_MAX = 2000
const seriesAndRelated = new LRUCache<string, { series: SeriesData | null; related: PostLink[] }>({
  max: SERIES_AND_RELATED_CACHE_MAX,
})
const cacheStats = { hits: 0, misses: 0 }

/** Series and related posts for this content version, computed once per post and version. */
function cachedSeriesAndRelated(db: DB, entry: IndexedEntry, series: unknown) {
  const key = `${getIndexVersion(db)}:${entry.slug}@${entry.sourceHash}`
  const hit = seriesAndRelated.get(key)
  if (hit) {
    cacheStats.hits++
    return hit
  }
  cacheStats.misses++
  const value = { series: seriesOf(db, entry.slug, series), related: relatedPosts(db, entry) }
  seriesAndRelated.set(key, value)
  return value
}

/** For /metrics and /admin: the series-and-related cache's size, bound and use. */
export function postFooterCacheStats() {
  return { entries: seriesAndRelated.size, max: SERIES_AND_RELATED_CACHE_MAX, ...cacheStats }
}

/** The neighbours of a post in the list ordered by date DESC, slug ASC (as listPosts orders it). */
export function adjacentPosts(
  db: DB,
  entry: Pick<IndexedEntry, 'slug' | 'date'>,
): { previous: PostLink | null; next: PostLink | null } {
  if (!entry.date) return { previous: null, next: null }
  const older = db
    .prepare(
      `SELECT slug, COALESCE(title, slug) AS title FROM published_entries
      WHERE kind = 'post' AND date IS NOT NULL AND (date < @date OR (date = @date AND slug > @slug))
      ORDER BY date DESC, slug ASC LIMIT 1`,
    )
    .get({ date: entry.date, slug: entry.slug }) as PostLink | undefined
  const newer = db
    .prepare(
      `SELECT slug, COALESCE(title, slug) AS title FROM published_entries
      WHERE kind = 'post' AND date IS NOT NULL AND (date > @date OR (date = @date AND slug < @slug))
      ORDER BY date ASC, slug DESC LIMIT 1`,
    )
    .get({ date: entry.date, slug: entry.slug }) as PostLink | undefined
  return { previous: older ?? null, next: newer ?? null }
}

/** CONTENT_EDIT_URL + the entry's path in the content folder, each segment URL-encoded. */
export function editUrl(entryPath: string): string | null {
  const prefix = getConfig().contentEditUrl
  if (!prefix) return null
  const relative = entryPath.split(/[\\/]/).map(encodeURIComponent).join('/')
  return `${prefix}${prefix.endsWith('/') ? '' : '/'}${relative}`
}

/** `series` is the entry's frontmatter `series` (read from the compiled frontmatter by the caller). */
export function postFooter(db: DB, entry: IndexedEntry, series: unknown = null): PostFooterData {
  if (entry.kind !== 'post' || entry.draft) {
    return { previous: null, next: null, editUrl: editUrl(entry.path), series: null, related: [] }
  }
  return {
    ...adjacentPosts(db, entry),
    editUrl: editUrl(entry.path),
    ...cachedSeriesAndRelated(db, entry, series),
  }
}
