/**
 * Which entry answers at which address, once every entry's wish is known: the slug its file
 * name gives, or the one its frontmatter's `slug:` asks for (slug.ts, slugFromField). The
 * scan finds the files without reading them; the sync and content:check read the `slug`
 * fields; this pure function settles the addresses for both, so they agree.
 *
 * Nothing that was served is lost to a mistake in a `slug:`:
 *   - a `slug:` that is not a valid slug is an error with its line, and the entry keeps the
 *     address its file name gives (where it was served before the bad edit);
 *   - two entries that claim one address: an entry claiming it by its file name wins over
 *     one claiming it by `slug:`, and between two of the same kind the first by path wins
 *     (as two file names always did). The loser of a `slug:` claim stays at its file
 *     name's address, with an error naming both files; a file name's claim has nowhere
 *     else to go, and that entry is not served (an error naming both, as before).
 */
import type { SlugChoice } from './slug.ts'

// The scan's own types, written out: source.server.ts uses this module, not the other way round.
type EntryKind = 'post' | 'page'
interface SkippedFile {
  path: string
  reason: string
  error?: true
}

/** An address (`/blog/a/b`, `/about`): a clash is two entries with one address, whatever their kinds. */
export const addressOf = (kind: EntryKind, slug: string) => (kind === 'post' ? `/blog/${slug}` : `/${slug}`)

export interface AddressClaim {
  kind: EntryKind
  /** The slug the file name gives. */
  slug: string
  /** The entry file, relative to the content folder. */
  path: string
}

export interface AddressProblem {
  path: string
  error: string
  line?: number
}

export interface AssignedAddresses<T> {
  /** The entries that have an address, in the order given, each with its slug. */
  entries: { entry: T; slug: string }[]
  /** Entries left without an address (a file name's clash): not served. */
  skipped: SkippedFile[]
  /** Entries served, but not where their `slug:` asked (a bad slug, an address taken). */
  problems: AddressProblem[]
}

/**
 * Settles the addresses of `claims` (in the scan's order: pages first, then by path), each
 * with what its `slug:` asks for (`wanted`, null when nothing) and that field's line.
 */
export function assignAddresses<T extends AddressClaim>(
  claims: T[],
  wanted: (claim: T) => { choice: SlugChoice | null; line?: number },
): AssignedAddresses<T> {
  const result: AssignedAddresses<T> = { entries: [], skipped: [], problems: [] }
  const slugs = new Map<T, string>()
  const taken = new Map<string, string>()
  const byName: T[] = []
  const bySlugField: { claim: T; slug: string; line?: number }[] = []
  for (const claim of claims) {
    const { choice, line } = wanted(claim)
    if (choice && 'error' in choice) {
      result.problems.push({
        path: claim.path,
        error: `${choice.error}: served at ${addressOf(claim.kind, claim.slug)}`,
        line,
      })
    }
    if (choice && 'slug' in choice && choice.slug !== claim.slug) bySlugField.push({ claim, slug: choice.slug, line })
    else byName.push(claim)
  }
  for (const claim of byName) {
    const address = addressOf(claim.kind, claim.slug)
    const holder = taken.get(address)
    if (holder) {
      result.skipped.push({
        path: claim.path,
        reason: `slug "${claim.slug}" is already taken by ${holder}: both map to ${address}; rename one`,
        error: true,
      })
      continue
    }
    taken.set(address, claim.path)
    slugs.set(claim, claim.slug)
  }
  for (const { claim, slug, line } of bySlugField) {
    const address = addressOf(claim.kind, slug)
    const holder = taken.get(address)
    if (!holder) {
      taken.set(address, claim.path)
      slugs.set(claim, slug)
      continue
    }
    const fallback = addressOf(claim.kind, claim.slug)
    const fallbackHolder = taken.get(fallback)
    if (fallbackHolder) {
      result.skipped.push({
        path: claim.path,
        reason:
          `"slug: ${slug}" maps to ${address}, already taken by ${holder}, and its file name's ` +
          `${fallback} is taken by ${fallbackHolder}; change one`,
        error: true,
      })
      continue
    }
    taken.set(fallback, claim.path)
    slugs.set(claim, claim.slug)
    result.problems.push({
      path: claim.path,
      error: `"slug: ${slug}" maps to ${address}, already taken by ${holder}: served at ${fallback}; change one`,
      line,
    })
  }
  for (const claim of claims) {
    const slug = slugs.get(claim)
    if (slug !== undefined) result.entries.push({ entry: claim, slug })
  }
  return result
}
