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

/**
 * The first segments of Kiln's own routes (app/routes, kept equal by a test): a page named
 * like one of them would never be reached, since a fixed route answers before a page's
 * (`/tags`, `/admin`). Compared in lowercase, as routes match.
 */
export const KILN_ROUTE_NAMES: ReadonlySet<string> = new Set([
  'action',
  'admin',
  'authors',
  'blog',
  'diagnostics',
  'healthcheck',
  'images',
  'internal',
  'login',
  'logout',
  'mdx',
  'metrics',
  'og.png',
  'preview',
  'robots.txt',
  'search',
  'sitemap.xml',
  'tags',
])

/** Why a page cannot be at `/<name>`, or null when it can. */
export function pageNameTaken(name: string): string | null {
  return KILN_ROUTE_NAMES.has(name.toLowerCase()) ? `/${name} is Kiln's own address: give the page another name` : null
}

/** What a frontmatter `slug` asks for: a slug, or why it cannot be one. */
export type SlugChoice = { slug: string } | { error: string }

/**
 * The slug a frontmatter `slug:` gives an entry whose file name gives `fileSlug`, or null
 * when it gives none. As in Hugo and Jekyll, a slug names the post's last segment and the
 * post stays in its section: `slug: new-name` in `blog/2023/old-name.mdx` is
 * `2023/new-name`. A slug with "/" inside is still relative to the section; one that starts
 * with "/" (optionally "/blog/", as Docusaurus writes it) is the whole slug below /blog. A
 * page (`pages/about.mdx`) is one segment at the root; a section's own page keeps its
 * folder's address. Every segment follows the rule of a file name's (isValidSlug).
 */
export function slugFromField(value: unknown, fileSlug: string, kind: 'post' | 'page'): SlugChoice | null {
  if (value === undefined || value === null || value === '') return null
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) value = String(value)
  if (typeof value !== 'string') return { error: '"slug" must be text, like slug: my-post' }
  let text = value.trim()
  if (text === '') return null
  const section = fileSlug.split('/').slice(0, -1)
  const absolute = text.startsWith('/')
  if (kind === 'page') {
    // A section's page (blog/2023/_index.md) is the section's address; it has no name of its own.
    if (section.length > 0) return { error: `"slug" is not used on a section's page: it is served at /${fileSlug}` }
    text = text.replace(/^\/|\/$/g, '')
    if (text === '' || text.includes('/')) return { error: `"slug" of a page is one name, like slug: about` }
  } else {
    if (absolute) text = text.replace(/^\/(?:blog(?:\/|$))?/, '')
    text = text.replace(/\/$/, '')
    if (text === '') return { error: `"slug: ${value}" names the /blog list itself, which is Kiln's own` }
  }
  const segments = [...(absolute || kind === 'page' ? [] : section), ...text.split('/')]
  const bad = segments.find((segment) => !isValidSlug(segment))
  if (bad !== undefined) {
    return { error: `"slug: ${value}" is not a valid slug: "${bad}" (letters, digits, ".", "-", "_" in each part)` }
  }
  const slug = segments.join('/')
  const taken = kind === 'page' ? pageNameTaken(slug) : null
  if (taken) return { error: `"slug: ${value}": ${taken}` }
  if (segments.length > MAX_SLUG_SEGMENTS) {
    return { error: `"slug: ${value}" has more than ${MAX_SLUG_SEGMENTS} parts with its section` }
  }
  if (slug.length > MAX_SLUG_PATH_LENGTH) return { error: `"slug" is longer than ${MAX_SLUG_PATH_LENGTH} characters` }
  return { slug }
}
