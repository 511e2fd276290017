/**
 * A post's body as static HTML, for feeds: the same evaluated MDX component the page
 * renders (MdxContent, from the component cache), through react-dom/server, with every
 * link and image made absolute against the post's URL, and styles that do nothing outside
 * the site (the highlighter's CSS variables) left out.
 *
 * Rendering fifty posts for every feed request would be wasteful, so the HTML is kept in
 * a bounded lru-cache keyed by kind, slug and source hash (SITE_URL is fixed for the
 * process): a new version of a post has a new key and the old HTML ages out.
 */
import { LRUCache } from 'lru-cache'
import { renderToStaticMarkup } from 'react-dom/server'
import { endPostRender, MdxContent } from '../content/mdx-component.tsx'
import { dropInertStyles } from './feed-html.ts'
import { absolutizeHtml } from './urls.ts'

const MAX_ENTRIES = 500
const MAX_BYTES = 32 * 1024 * 1024

const cache = new LRUCache<string, string>({
  max: MAX_ENTRIES,
  maxSize: MAX_BYTES,
  sizeCalculation: (html) => Math.max(1, html.length),
})
const counters = { hits: 0, misses: 0, failures: 0, renderMsTotal: 0 }

export function entryHtmlCacheStats() {
  return { maxEntries: MAX_ENTRIES, maxBytes: MAX_BYTES, entries: cache.size, bytes: cache.calculatedSize, ...counters }
}

export interface RenderableEntry {
  /** kind:slug@sourceHash, as the page uses for the component cache. */
  cacheKey: string
  code: string
  missingComponents: string[]
  /** The entry's absolute URL: relative links in its body resolve against it. */
  url: string
}

/** The entry's body as HTML with absolute URLs; throws when the component fails to render. */
export function renderEntryHtml(entry: RenderableEntry): string {
  const hit = cache.get(entry.cacheKey)
  if (hit !== undefined) {
    counters.hits++
    return hit
  }
  counters.misses++
  const start = performance.now()
  try {
    const markup = renderToStaticMarkup(
      <MdxContent cacheKey={entry.cacheKey} code={entry.code} missing={entry.missingComponents} />,
    )
    const html = absolutizeHtml(dropInertStyles(markup), entry.url)
    cache.set(entry.cacheKey, html)
    return html
  } catch (error) {
    counters.failures++
    // The component threw before its end was marked: the post is no longer rendering.
    endPostRender()
    throw error
  } finally {
    counters.renderMsTotal += performance.now() - start
  }
}
