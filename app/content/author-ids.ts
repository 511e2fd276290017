/** Which authors a post names: pure, for the content index (lists) and authors.server.ts alike. */
import { isValidSlug } from './slug.ts'

/** A post names at most this many authors; more are dropped. */
export const MAX_AUTHORS_PER_POST = 10

/** The author ids a post's frontmatter names (`author` or `authors`), valid slugs only, distinct, bounded. */
export function authorIdsOf(data: Record<string, unknown> | null | undefined): string[] {
  const raw = data?.authors ?? data?.author
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : []
  const ids = list.map((value) => (typeof value === 'string' ? value.trim() : '')).filter(isValidSlug)
  return [...new Set(ids)].slice(0, MAX_AUTHORS_PER_POST)
}
