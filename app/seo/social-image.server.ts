/**
 * Social images (Open Graph, Twitter cards): a post's frontmatter `image` when it has
 * one, otherwise a 1200x630 PNG generated from an SVG card (the site's title and the
 * post's title, wrapped) by resvg. The text is set in Inter, shipped under fonts/, so the
 * image looks the same on a machine with no system fonts at all.
 *
 * Generated PNGs are kept in a bounded lru-cache keyed by slug and source hash, with
 * stats; resvg renders on libuv's thread pool (renderAsync), never on the event loop.
 */
import { createHash } from 'node:crypto'
import path from 'node:path'
import { LRUCache } from 'lru-cache'
import { getConfig, projectRoot } from '../config.server.ts'
import { getEntry } from '../content/content-index.server.ts'
import { isValidSlugPath } from '../content/slug.ts'
import type { EntryKind } from '../content/source.server.ts'
import { getDb } from '../db/connection.server.ts'
import type { Timings } from '../timing.server.ts'
import { SingleFlight } from '../utils/single-flight.ts'
import { socialCardSvg } from './social-card.ts'
import { absoluteUrl, entryPath, postImagePath, resolveUrl, siteImagePath } from './urls.ts'
import { errorMessage } from '../utils/error-message.ts'
import { log } from '../logging/logger.server.ts'

/** Bumped when the card's design changes, so ETags and cache keys of old designs lapse. */
const DESIGN_VERSION = 1

const FONT_FILES = [
  path.join(projectRoot, 'fonts', 'Inter_400Regular.ttf'),
  path.join(projectRoot, 'fonts', 'Inter_700Bold.ttf'),
]

const MAX_ENTRIES = 200
/** A card is 20-60 KB; 16 MiB holds a few hundred of them. */
const MAX_BYTES = 16 * 1024 * 1024

interface SocialImage {
  png: Uint8Array<ArrayBuffer>
  etag: string
}

const cache = new LRUCache<string, SocialImage>({
  max: MAX_ENTRIES,
  maxSize: MAX_BYTES,
  sizeCalculation: (image) => Math.max(1, image.png.length),
})
const counters = { hits: 0, misses: 0, renders: 0, failures: 0, renderMsTotal: 0 }
/** Renders in progress by key: concurrent requests for one card share one render. */
const inFlight = new SingleFlight<SocialImage>()

export function socialImageCacheStats() {
  return {
    maxEntries: MAX_ENTRIES,
    maxBytes: MAX_BYTES,
    entries: cache.size,
    bytes: cache.calculatedSize,
    inFlight: inFlight.size,
    ...counters,
  }
}

/**
 * The absolute URL of an entry's social image: its frontmatter `image` (resolved against
 * the entry's address, as a link in its body would be), else the generated card.
 */
export function socialImageUrl(kind: EntryKind, slug: string, image: string | null): string {
  const { siteUrl } = getConfig()
  if (image) return resolveUrl(image, absoluteUrl(siteUrl, entryPath(kind, slug)))
  return absoluteUrl(siteUrl, kind === 'post' ? postImagePath(slug) : siteImagePath)
}

async function renderCard(
  key: string,
  card: { siteTitle: string; title: string; footer: string },
): Promise<SocialImage> {
  const hit = cache.get(key)
  if (hit) {
    counters.hits++
    return hit
  }
  if (!inFlight.has(key)) counters.misses++
  return inFlight.run(key, async () => {
    const start = performance.now()
    try {
      // Loaded on first use: the native renderer costs memory a server that never
      // draws a card should not pay.
      const { renderAsync } = await import('@resvg/resvg-js')
      const rendered = await renderAsync(socialCardSvg(card), {
        font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: 'Inter' },
        fitTo: { mode: 'original' },
      })
      // A plain Uint8Array (one copy, once per card) is what a Response body accepts.
      const png = new Uint8Array(rendered.asPng())
      counters.renders++
      const image = { png, etag: `"og-${createHash('sha256').update(key).digest('base64url').slice(0, 24)}"` }
      cache.set(key, image)
      return image
    } catch (error) {
      counters.failures++
      throw error
    } finally {
      counters.renderMsTotal += performance.now() - start
    }
  })
}

const hostOf = (url: string) => new URL(url).host

/** The card of a published post, or null when there is no such post. */
export async function postSocialImage(slug: string, timings: Timings): Promise<SocialImage | null> {
  if (!isValidSlugPath(slug)) return null
  const entry = timings.time('db', () => getEntry(getDb(), 'post', slug))
  if (!entry || entry.draft || entry.frontmatterError) return null
  const config = getConfig()
  // The title comes from the source, so its hash says when the card must change; the
  // site's title is part of the key too, as it is drawn on every card.
  const key = `post:${slug}@${entry.sourceHash}:${config.siteTitle}:${config.siteUrl}:v${DESIGN_VERSION}`
  return timings.timeAsync(
    'render',
    () => renderCard(key, { siteTitle: config.siteTitle, title: entry.title, footer: hostOf(config.siteUrl) }),
    'social image',
  )
}

/** The site's own card, for the home page, lists and pages. */
export function siteSocialImage(timings: Timings): Promise<SocialImage> {
  const config = getConfig()
  const key = `site:${config.siteTitle}:${config.siteDescription}:${config.siteUrl}:v${DESIGN_VERSION}`
  return timings.timeAsync(
    'render',
    () =>
      renderCard(key, { siteTitle: config.siteTitle, title: config.siteDescription, footer: hostOf(config.siteUrl) }),
    'social image',
  )
}

/** A card as an HTTP response: cacheable by anyone, revalidated by its ETag. */
export function socialImageResponse(request: Request, image: SocialImage): Response {
  const headers = {
    'Content-Type': 'image/png',
    'Cache-Control': 'public, max-age=86400',
    ETag: image.etag,
  }
  const ifNoneMatch = request.headers.get('if-none-match')
  // A proxy may have weakened the tag (W/"..."): the bytes are the same either way.
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => [image.etag, '*'].includes(tag.trim().replace(/^W\//, '')))) {
    return new Response(null, { status: 304, headers })
  }
  return new Response(image.png, { headers: { ...headers, 'Content-Length': String(image.png.length) } })
}

/**
 * The answer of a card route: the card, 404 when there is no such post, or a plain 500
 * naming the problem when resvg could not draw it (the page that links it still works).
 */
export async function socialImageRoute(request: Request, load: () => Promise<SocialImage | null>): Promise<Response> {
  const text = (status: number, body: string) =>
    new Response(body, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
  let image: SocialImage | null
  try {
    image = await load()
  } catch (error) {
    log.error(`social image for ${new URL(request.url).pathname} could not be drawn: ${errorMessage(error)}`)
    return text(500, 'The social image could not be drawn.')
  }
  return image ? socialImageResponse(request, image) : text(404, 'Not found')
}
