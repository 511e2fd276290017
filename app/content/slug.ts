/**
 * Slug rules. A slug segment is the name of a post's file or folder; a post in a section
 * of blog/ (`blog/2023/my-post.mdx`) has a slug of several segments joined by "/"
 * (`2023/my-post`), each following the rule of one. Anything else that arrives as a slug
 * (dots only, encoded dots, backslashes, NUL, empty segments, very long names) is not a
 * slug: the route answers 404 before anything is looked up.
 */
export const MAX_SLUG_LENGTH = 200
/** Sections nest at most this deep, the post's own name included: a bound on every path. */
export const MAX_SLUG_SEGMENTS = 6

const SLUG = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_-])?$/

export function isValidSlug(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_SLUG_LENGTH &&
    SLUG.test(value) &&
    !value.includes('..')
  )
}

/**
 * A nested slug's whole length: its deepest address (/mdx/post/<slug>/<version>.js) stays
 * under the request guard's 1024 characters (app/http/request-guards.server.ts).
 */
export const MAX_SLUG_PATH_LENGTH = 800

/** A slug of one to MAX_SLUG_SEGMENTS valid segments joined by "/" (`2023/my-post`). */
export function isValidSlugPath(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > MAX_SLUG_PATH_LENGTH) return false
  const segments = value.split('/')
  return segments.length <= MAX_SLUG_SEGMENTS && segments.every(isValidSlug)
}

/**
 * The slug a nested post's route matched: its parameters `<prefix>1`…`<prefix>6` (one per
 * segment, the later ones optional) joined by "/". Validated by whoever looks it up.
 */
export function slugFromParams(params: Record<string, string | undefined>, prefix = 's'): string {
  const segments: string[] = []
  for (let i = 1; i <= MAX_SLUG_SEGMENTS; i++) {
    const segment = params[`${prefix}${i}`]
    if (segment === undefined) break
    segments.push(segment)
  }
  return segments.join('/')
}

/** Tags are compared in lowercase and shown as written; a tag in a URL follows the same rule as a slug. */
export function normalizeTag(value: string): string {
  return value.trim().toLowerCase().replace(/\s+/g, '-')
}

export function isValidTag(value: unknown): value is string {
  return isValidSlug(value)
}
