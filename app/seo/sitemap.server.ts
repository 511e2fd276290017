/**
 * /sitemap.xml and /robots.txt: every published post and page, and the lists (home, the
 * blog, tags), with `lastmod` from the frontmatter (updated, else date). Drafts and
 * entries with invalid frontmatter are in neither, as they have no page.
 *
 * The output is a function of the content alone (no "now"), so it can be cached by the
 * content version.
 */
import { listPages, listPosts, type IndexedEntry } from '../content/content-index.server.ts'
import { isValidTag } from '../content/slug.ts'
import { getDb } from '../db/connection.server.ts'
import type { Timings } from '../timing.server.ts'
import { siteSeo } from './site.server.ts'
import { absoluteUrl, pagePath, postPath, tagPath } from './urls.ts'

interface SitemapUrl {
  path: string
  lastmod: string | null
}

const escapeXml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')

const changedAt = (entry: IndexedEntry) => entry.updated ?? entry.date
/** The later of two ISO dates (a day and a timestamp compare correctly as text). */
const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b)

/** Every URL the sitemap lists, in a stable order. */
export function sitemapUrls(): SitemapUrl[] {
  const db = getDb()
  const posts = listPosts(db)
  const pages = listPages(db)
  const newest = posts.reduce<string | null>((latest, post) => later(latest, changedAt(post)), null)
  const tags = new Map<string, string | null>()
  // Only tags that have a page: one no URL can name (markup, quotes) would be a listed 404.
  for (const post of posts)
    for (const tag of post.tags.filter(isValidTag)) tags.set(tag, later(tags.get(tag) ?? null, changedAt(post)))
  return [
    { path: '/', lastmod: newest },
    { path: '/blog', lastmod: newest },
    { path: '/tags', lastmod: newest },
    ...[...tags.keys()].sort().map((tag) => ({ path: tagPath(tag), lastmod: tags.get(tag) ?? null })),
    ...posts.map((post) => ({ path: postPath(post.slug), lastmod: changedAt(post) })),
    ...pages.map((page) => ({ path: pagePath(page.slug), lastmod: changedAt(page) })),
  ]
}

export function buildSitemap(timings: Timings): string {
  const site = siteSeo()
  const urls = timings.time('db', sitemapUrls)
  const body = urls
    .map(
      ({ path, lastmod }) =>
        `  <url>\n    <loc>${escapeXml(absoluteUrl(site.url, path))}</loc>\n` +
        `${lastmod ? `    <lastmod>${escapeXml(lastmod)}</lastmod>\n` : ''}  </url>`,
    )
    .join('\n')
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<urlset ` +
    `xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${body}\n` +
    `</urlset>\n`
  )
}

export function sitemapResponse(timings: Timings): Response {
  const headers = new Headers({
    'Content-Type': 'application/xml; charset=utf-8',
    'Cache-Control': 'public, max-age=300',
  })
  return new Response(buildSitemap(timings), { headers })
}

/**
 * Everything may be crawled but the admin, the webhooks and requests between instances; the sitemap says what there is.
 */
export function robotsTxt(): string {
  const site = siteSeo()
  return [
    'User-agent: *',
    'Disallow: /admin',
    'Disallow: /action/',
    'Disallow: /login',
    'Disallow: /internal/',
    '',
    `Sitemap: ${absoluteUrl(site.url, '/sitemap.xml')}`,
    '',
  ].join('\n')
}

export function robotsResponse(): Response {
  const headers = new Headers({ 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'public, max-age=3600' })
  return new Response(robotsTxt(), { headers })
}
