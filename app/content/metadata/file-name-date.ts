/**
 * A date at the front of a post's file or folder name (`2023-01-15-my-post.mdx`,
 * `2023-01-15-my-post/index.mdx`), as Jekyll and Docusaurus name posts: it gives the
 * post's date when the metadata has none, and is not part of the slug.
 */
import path from 'node:path'

const DATE_PREFIX = /^(\d{4})-(\d{2})-(\d{2})-(.+)$/

export type DatePrefix = { date: string; rest: string } | { invalid: string; rest: string }

/** Splits `2023-01-15-my-post` into its date and the rest; an impossible date (2023-02-30) is `invalid`. */
export function splitDatePrefix(name: string): DatePrefix | null {
  const match = DATE_PREFIX.exec(name)
  if (!match) return null
  const [, year, month, day, rest] = match
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)))
  const real =
    date.getUTCFullYear() === Number(year) &&
    date.getUTCMonth() === Number(month) - 1 &&
    date.getUTCDate() === Number(day)
  const text = `${year}-${month}-${day}`
  return real ? { date: text, rest } : { invalid: text, rest }
}

/** The name that carries an entry's date: its file's, or its folder's for an index file. */
export function datedName(entryPath: string): string {
  const base = path.basename(entryPath, path.extname(entryPath))
  return base === 'index' || base === '_index' ? path.basename(path.dirname(entryPath)) : base
}

/** The valid date in an entry's file or folder name, or null. */
export function dateFromEntryPath(entryPath: string): string | null {
  const prefix = splitDatePrefix(datedName(entryPath))
  return prefix && 'date' in prefix ? prefix.date : null
}
