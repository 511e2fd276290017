/**
 * The blog's feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1, built by the `feed` library from
 * the newest published posts, each with its full rendered body; and each tag's own feeds
 * (/tags/<tag>/rss.xml, ...), the same documents over that tag's posts.
 *
 * The output is a function of the content alone (no "now"): the feed's updated time is
 * the newest post's, so a cache keyed by the content version keeps serving correct bytes.
 */
import { Feed, type Item } from 'feed'
import type { Timings } from '../timing.server.ts'
import { loadEntry } from '../content/content.server.ts'
import { countPosts, listPosts, type IndexedEntry } from '../content/content-index.server.ts'
import { isValidTag, normalizeTag } from '../content/slug.ts'
import { getDb } from '../db/connection.server.ts'
import { isQuarantined } from '../content/render-guard.server.ts'
import { stripUncarriable } from '../content/plain-text.ts'
import { renderEntryHtml } from './entry-html.server.tsx'
import { siteSeo } from './site.server.ts'
import { socialImageUrl } from './social-image.server.ts'
import { absoluteUrl, authorPath, feedPaths, postPath, tagFeedPaths, tagPath } from './urls.ts'
import { resolveAuthors } from '../content/authors.server.ts'
import { getConfig } from '../config.server.ts'
import { errorMessage } from '../utils/error-message.ts'
import { log } from '../logging/logger.server.ts'

export const FEED_SIZE = 50

export type FeedFormat = keyof typeof feedPaths

export const feedContentTypes: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
}

/** Characters XML 1.0 forbids (a stray control character in a post would make the whole feed unreadable). */
const xmlSafe = stripUncarriable
/** The library puts HTML in CDATA sections, which "]]>" would end early; "]]&gt;" reads the same as HTML. */
const cdataSafe = (html: string) => xmlSafe(html).replace(/]]>/g, ']]&gt;')
const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

interface FeedPost {
  entry: IndexedEntry
  url: string
  html: string
  image: string
  description: string | null
}

/** The post's body as HTML; a post that cannot be compiled or rendered falls back to its description. */
async function loadFeedPost(entry: IndexedEntry, timings: Timings): Promise<FeedPost> {
  const site = siteSeo()
  const url = absoluteUrl(site.url, postPath(entry.slug))
  const fallback = (reason: string): FeedPost => {
    log.error({ file: entry.path }, `feed: ${entry.path} shown by its description only: ${reason}`)
    const text = entry.description ?? entry.title
    return {
      entry,
      url,
      description: entry.description,
      image: socialImageUrl('post', entry.slug, null),
      html:
        `<p>${escapeHtml(text)}</p><p><a href="${escapeHtml(url)}">Read ` +
        `“${escapeHtml(entry.title)}” on ${escapeHtml(site.title)}</a></p>`,
    }
  }
  let result
  try {
    result = await loadEntry('post', entry.slug, timings)
  } catch (error) {
    return fallback(errorMessage(error))
  }
  if (result.status !== 'ok') return fallback(result.status === 'failed' ? result.failure.message : 'not found')
  const { compiled } = result
  // A version whose component blocked the server once is never rendered again (render-guard.server.ts).
  if (isQuarantined(getDb(), 'post', entry.slug, compiled.sourceHash))
    return fallback('quarantined: its component rendered past RENDER_TIMEOUT_MS')
  const cacheKey = `post:${entry.slug}@${compiled.sourceHash}${compiled.provisional ? `~${compiled.compiledAt}` : ''}`
  const missingComponents = compiled.warnings.flatMap((warning) => (warning.component ? [warning.component] : []))
  try {
    const html = timings.time('render', () =>
      renderEntryHtml({ cacheKey, code: compiled.code, missingComponents, url }),
    )
    return {
      entry,
      url,
      html,
      description: compiled.frontmatter.description,
      image: socialImageUrl('post', entry.slug, compiled.frontmatter.image ?? null),
    }
  } catch (error) {
    return fallback(`render failed: ${errorMessage(error)}`)
  }
}

const toDate = (iso: string) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00.000Z` : iso)

/** Which feed: the whole blog's, or one tag's. */
export interface FeedChannel {
  title: string
  description: string
  /** The page the feed follows (its id and link). */
  pagePath: string
  /** The feed's own addresses, in each format. */
  paths: Record<FeedFormat, string>
}

/** The whole blog's feed. */
export function blogChannel(): FeedChannel {
  const site = siteSeo()
  return { title: site.title, description: site.description, pagePath: '/blog', paths: feedPaths }
}

/** A tag's feed. */
export function tagChannel(tag: string): FeedChannel {
  const site = siteSeo()
  return {
    title: `${site.title}: #${tag}`,
    description: `Posts tagged #${tag} on ${site.title}.`,
    pagePath: tagPath(tag),
    paths: tagFeedPaths(tag),
  }
}

/** The feed in the asked format, as text. Compiles the posts among the newest 50 that were never compiled. */
export async function buildFeed(format: FeedFormat, timings: Timings, tag?: string): Promise<string> {
  const entries = timings.time('db', () => listPosts(getDb(), { limit: FEED_SIZE, tag }))
  return buildFeedOf(format, entries, tag ? tagChannel(tag) : blogChannel(), timings)
}

/** The feed of these entries (newest first) in the asked format. */
export async function buildFeedOf(
  format: FeedFormat,
  entries: IndexedEntry[],
  channel: FeedChannel,
  timings: Timings,
): Promise<string> {
  // The compile pool queues what it cannot run at once; a stored post costs one query.
  const posts = await Promise.all(entries.map((entry) => loadFeedPost(entry, timings)))
  const site = siteSeo()
  const lastChange = posts.reduce<Date>((newest, post) => {
    const changed = toDate(post.entry.updated ?? post.entry.date ?? '1970-01-01')
    return changed > newest ? changed : newest
  }, new Date(0))

  const feed = new Feed({
    title: xmlSafe(channel.title),
    description: xmlSafe(channel.description),
    id: absoluteUrl(site.url, channel.pagePath),
    link: absoluteUrl(site.url, channel.pagePath),
    language: getConfig().siteLang,
    updated: lastChange,
    generator: 'Kiln',
    favicon: absoluteUrl(site.url, '/favicon.svg'),
    copyright: `© ${site.author}`,
    feedLinks: {
      rss: absoluteUrl(site.url, channel.paths.rss),
      atom: absoluteUrl(site.url, channel.paths.atom),
      json: absoluteUrl(site.url, channel.paths.json),
    },
    author: { name: site.author, link: site.url },
  })
  // Each format reads a field its own way: Atom's title and summary and RSS's description
  // are HTML (a title "A <b> B" would lose its "<b>"), so those get escaped text; JSON
  // Feed's are plain text. RSS's <author> must be an e-mail address, so RSS names the
  // author in <dc:creator> instead.
  const asHtml = (text: string) => (format === 'json' ? text : escapeHtml(text))
  for (const post of posts) {
    const { entry } = post
    const published = toDate(entry.date ?? '1970-01-01')
    const people = feedAuthors(entry, site)
    const item: Item = {
      title: xmlSafe(format === 'atom' ? escapeHtml(entry.title) : entry.title),
      id: post.url,
      link: post.url,
      // Atom's <updated> and JSON Feed's date_modified; <published> and RSS's pubDate come from `published`.
      date: entry.updated ? toDate(entry.updated) : published,
      published,
      description: post.description ? xmlSafe(asHtml(post.description)) : undefined,
      content: cdataSafe(post.html),
      ...(format === 'rss'
        ? { extensions: [{ name: 'dc:creator', objects: { _text: xmlSafe(people.map((p) => p.name).join(', ')) } }] }
        : { author: people.map((p) => ({ name: xmlSafe(p.name), link: p.link })) }),
      category: entry.tags.map((tag) => ({
        name: tag,
        term: tag,
        domain: absoluteUrl(site.url, tagPath(tag)),
        scheme: absoluteUrl(site.url, '/tags'),
      })),
    }
    feed.addItem(item)
  }
  if (format === 'rss') return feed.rss2()
  if (format === 'atom') return feed.atom1()
  return toJsonFeed11(feed.json1(), posts)
}

/** A post's authors (content/authors/) with their pages, else SITE_AUTHOR. */
function feedAuthors(entry: IndexedEntry, site: ReturnType<typeof siteSeo>): { name: string; link: string }[] {
  if (entry.authors.length === 0) return [{ name: site.author, link: site.url }]
  return resolveAuthors(getConfig().contentDir, entry.authors).map((author) => ({
    name: author.name,
    link: author.known ? absoluteUrl(site.url, authorPath(author.id)) : site.url,
  }))
}

/**
 * The library writes JSON Feed 1.0; 1.1 only renames `author` to `authors` (a list) and
 * adds `language`, so the document is moved forward here rather than written by hand.
 */
function toJsonFeed11(json: string, posts: FeedPost[]): string {
  const document = JSON.parse(json) as Record<string, unknown> & { items: Record<string, unknown>[] }
  document.version = 'https://jsonfeed.org/version/1.1'
  document.language = getConfig().siteLang
  if (document.author) {
    document.authors = [document.author]
    delete document.author
  }
  document.items.forEach((item, index) => {
    // Every author of the post (the library keeps the first only).
    item.authors = feedAuthors(posts[index].entry, siteSeo()).map((person) => ({ name: person.name, url: person.link }))
    delete item.author
    item.image = posts[index].image
  })
  return JSON.stringify(document, null, 2)
}

/** The feed as an HTTP response, with its format's content type: the blog's, or a tag's (which must have posts). */
export async function feedResponse(format: FeedFormat, timings: Timings, tag?: string): Promise<Response> {
  const body = await buildFeed(format, timings, tag)
  const headers = new Headers({
    'Content-Type': feedContentTypes[format],
    // Readers poll feeds: a few minutes of caching spares the server, edits still show soon.
    'Cache-Control': 'public, max-age=300',
  })
  // A function of the content alone: its routes let the page cache keep it per content version.
  return new Response(body, { headers })
}

/**
 * A tag's feed at /tags/<tag>/<file>: only a tag some published post carries has one (any
 * other is a 404, so made-up tags never key the page cache); a tag written another way
 * (case, spaces) moves to its own address.
 */
export async function tagFeedResponse(format: FeedFormat, written: string, timings: Timings): Promise<Response> {
  const tag = normalizeTag(written)
  if (!isValidTag(tag) || timings.time('db', () => countPosts(getDb(), { tag })) === 0)
    return new Response('Not found\n', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
  if (tag !== written) return new Response(null, { status: 301, headers: { Location: tagFeedPaths(tag)[format] } })
  return feedResponse(format, timings, tag)
}
