/**
 * What a cached page depends on, and the stamp of each dependency now: so an edit of one
 * post re-renders that post's page and the lists, not every page of the blog.
 *
 * The index's version (kiln-state) moves on any change, so keying every page on it emptied
 * the whole page cache for a typo fixed in one post. A page says instead what it shows
 * (its route's `handle.pageCacheDepends`, see page-cache.server.ts):
 *
 *   site      what every page's frame and a post's neighbours show: which entries exist
 *             and are published, and their frontmatter (titles, dates, tags, the pages in
 *             the navigation). A body-only edit leaves it as it was.
 *   listing   what the lists show: `site`, and what is read from the bodies (word counts,
 *             so reading times).
 *   entry:<kind>/<slug>
 *             one entry's own version (its files' hash) and state (draft, error).
 *   *         everything: the index's version itself (feeds carry every post's text).
 *
 * A page's stamp is the stamps of its dependencies joined; the cache keeps the stamp a page
 * was rendered with and serves it only while the stamp is still the same. The stamps are
 * computed once per index version, in one read of the index, never per request.
 */
import crypto from 'node:crypto'
import type { DB } from '../db/connection.server.ts'

/** Columns that change with a post's body only: they move `listing`, never `site`. */
const BODY_COLUMNS = new Set(['word_count'])
/** Columns that say nothing a page shows (the files' stamps and hash are the entry's version). */
const UNSHOWN_COLUMNS = new Set(['files', 'indexed_at', 'source_hash'])

export interface DependencyStamps {
  site: string
  listing: string
  /** `kind/slug` → the entry's stamp. */
  entries: Map<string, string>
}

type Row = Record<string, unknown> & { kind: string; slug: string; source_hash: string; published: number }

/**
 * The stamps of every dependency, from the index's rows (each with `published`: 1 when a
 * reader may see it). Pure, for tests. Every column counts except those named above, so a
 * column added to the index later is part of `site` without anyone remembering to add it.
 */
export function dependencyStamps(rows: readonly Row[]): DependencyStamps {
  const site = crypto.createHash('sha256')
  const listing = crypto.createHash('sha256')
  const entries = new Map<string, string>()
  const sorted = [...rows].sort((a, b) => (a.kind + a.slug < b.kind + b.slug ? -1 : 1))
  for (const row of sorted) {
    const shown: [string, unknown][] = []
    const body: [string, unknown][] = []
    for (const name of Object.keys(row).sort()) {
      if (UNSHOWN_COLUMNS.has(name)) continue
      ;(BODY_COLUMNS.has(name) ? body : shown).push([name, row[name]])
    }
    const line = JSON.stringify(shown)
    site.update(line).update('\n')
    listing.update(line).update(JSON.stringify(body)).update('\n')
    entries.set(
      `${row.kind}/${row.slug}`,
      crypto.createHash('sha256').update(row.source_hash).update(line).digest('base64url').slice(0, 16),
    )
  }
  return {
    site: site.digest('base64url').slice(0, 16),
    listing: listing.digest('base64url').slice(0, 16),
    entries,
  }
}

let cached: { version: string; stamps: DependencyStamps } | null = null

/**
 * The stamps as of the index's `version` (read once per version, then from memory). The
 * database is asked for (`database`) only then: while it cannot be opened, pages keep the
 * stamps last read.
 */
export function stampsAt(database: () => DB, version: string): DependencyStamps {
  if (cached?.version === version) return cached.stamps
  let rows: Row[]
  try {
    rows = database()
      .prepare(
        `SELECT c.*, EXISTS (SELECT 1 FROM published_entries p WHERE p.kind = c.kind AND p.slug = c.slug) AS published
         FROM content_entries c`,
      )
      .all() as Row[]
  } catch (error) {
    // The database cannot be read (damaged, replaced, failing disk): pages cached with the
    // last stamps read keep being served, as contentVersion keeps the last version.
    if (cached) return cached.stamps
    throw error
  }
  const stamps = dependencyStamps(rows)
  cached = { version, stamps }
  return stamps
}

/**
 * The stamp of a page's dependencies (`depends`, space-separated, as the page cache stores
 * them) at the index's `version`. An entry that is not indexed has the stamp `none`.
 */
export function stampOf(stamps: DependencyStamps, depends: string, version: string): string {
  const parts: string[] = []
  for (const dependency of depends.split(' ')) {
    if (dependency === 'site') parts.push(stamps.site)
    else if (dependency === 'listing') parts.push(stamps.listing)
    else if (dependency.startsWith('entry:')) parts.push(stamps.entries.get(dependency.slice(6)) ?? 'none')
    else parts.push(version)
  }
  return parts.join(' ')
}
