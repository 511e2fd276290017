/**
 * Slug rules. A slug is the name of a post's file or folder and the last segment of its
 * URL. Anything else that arrives as a slug (dots only, encoded dots, slashes, NUL,
 * very long names) is not a slug: the route answers 404 before anything is looked up.
 */
export const MAX_SLUG_LENGTH = 200

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

/** Tags are compared in lowercase and shown as written; a tag in a URL follows the same rule as a slug. */
export function normalizeTag(value: string): string {
  return value.trim().toLowerCase().replace(/\s+/g, '-')
}

export function isValidTag(value: unknown): value is string {
  return isValidSlug(value)
}
