/**
 * What follows a post: the previous (older) and next (newer) published posts, in the
 * order of the blog's list (date, then slug), and the "Edit this post" link when
 * CONTENT_EDIT_URL is set.
 */
import { getConfig } from '../config.server.ts'
import type { DB } from '../db/connection.server.ts'
import type { IndexedEntry } from './content-index.server.ts'

export interface PostLink {
  slug: string
  title: string
}

export interface PostFooterData {
  previous: PostLink | null
  next: PostLink | null
  editUrl: string | null
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

export function postFooter(db: DB, entry: IndexedEntry): PostFooterData {
  return {
    ...(entry.kind === 'post' ? adjacentPosts(db, entry) : { previous: null, next: null }),
    editUrl: editUrl(entry.path),
  }
}
