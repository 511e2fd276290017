/**
 * Addresses as the outside world sees them: every URL Kiln hands to a feed reader, a
 * search engine or a social network is absolute, built on SITE_URL. Pure functions,
 * shared by the server and the browser (meta tags are rendered in both).
 */

/** A slug as a path: each segment encoded, the "/" between the segments of a nested post kept. */
export const slugPath = (slug: string) => slug.split('/').map(encodeURIComponent).join('/')
export const postPath = (slug: string) => `/blog/${slugPath(slug)}`
/** A page's address; a section page's slug (`blog/2023`) is its address below the root too. */
export const pagePath = (slug: string) => `/${slugPath(slug)}`
export const tagPath = (tag: string) => `/tags/${encodeURIComponent(tag)}`
export const authorPath = (id: string) => `/authors/${encodeURIComponent(id)}`
export const entryPath = (kind: 'post' | 'page', slug: string) => (kind === 'post' ? postPath(slug) : pagePath(slug))
/** The generated social image of a post, and of everything else. */
export const postImagePath = (slug: string) => `${postPath(slug)}/og.png`
export const siteImagePath = '/og.png'

export const feedPaths = { rss: '/blog/rss.xml', atom: '/blog/atom.xml', json: '/blog/feed.json' } as const
/** A tag's own feeds, in the same three formats. */
export const tagFeedPaths = (tag: string): Record<keyof typeof feedPaths, string> => ({
  rss: `${tagPath(tag)}/rss.xml`,
  atom: `${tagPath(tag)}/atom.xml`,
  json: `${tagPath(tag)}/feed.json`,
})

/** SITE_URL (no trailing slash) + a path starting with "/". */
export function absoluteUrl(siteUrl: string, pathname: string): string {
  return `${siteUrl}${pathname.startsWith('/') ? pathname : `/${pathname}`}`
}

/**
 * A URL as written by an author (absolute, root-relative or relative), resolved the way a
 * browser on `base` would. Anything unparsable is returned as written.
 */
export function resolveUrl(value: string, base: string): string {
  try {
    return new URL(value, base).href
  } catch {
    return value
  }
}

const decodeAttribute = (value: string) =>
  value.replace(
    /&(amp|quot|#x27|#39|lt|gt);/g,
    (_, name: string) => ({ amp: '&', quot: '"', '#x27': "'", '#39': "'", lt: '<', gt: '>' })[name] ?? '',
  )
const encodeAttribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/**
 * Makes every href, src, poster and srcset in HTML absolute against `base` (the page the
 * HTML came from), so the HTML reads the same out of context: in a feed reader, relative
 * links would resolve against the reader's address. Works on React's serialisation, which
 * always writes attributes as ` name="value"` with the value escaped.
 */
export function absolutizeHtml(html: string, base: string): string {
  return html.replace(
    /(\s)(href|src|poster|srcset)="([^"]*)"/gi,
    (_match, space: string, name: string, raw: string) => {
      const value = decodeAttribute(raw)
      let resolved: string
      if (name.toLowerCase() === 'srcset') {
        // "a.png 1x, b.png 2x": each candidate's URL, leaving its descriptor alone.
        resolved = value
          .split(',')
          .map((candidate) => {
            const [url, ...descriptor] = candidate.trim().split(/\s+/)
            return url ? [resolveUrl(url, base), ...descriptor].join(' ') : candidate
          })
          .join(', ')
      } else {
        // mailto:, data: and other schemes are already absolute: URL keeps them as they are.
        resolved = resolveUrl(value, base)
      }
      return `${space}${name}="${encodeAttribute(resolved)}"`
    },
  )
}
