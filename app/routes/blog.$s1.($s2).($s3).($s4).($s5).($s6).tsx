import { data, type LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { Article } from '../components/article.tsx'
import { entryClientLoader, entryHeaders, entryMeta } from '../content/entry-route.ts'
import { entryPageHeaders, loadEntryPage } from '../content/entry-page.server.ts'
import type { PageCacheHandle } from '../http/page-cache.server.ts'
import { slugFromParams } from '../content/slug.ts'
import { getDb } from '../db/connection.server.ts'
import { getViewCount } from '../view-counts/view-counts.server.ts'

/** A post depends on its own entry and the site's frame (its neighbours): an edit of another post keeps it cached. */
export const handle = { pageCache: true, pageCacheDepends: ['site', 'entry'] } satisfies PageCacheHandle

/**
 * A post at /blog/<slug>, where a post in a section of blog/ has a slug of several segments
 * (/blog/2023/my-post: the route's optional `s2`…`s6`, MAX_SLUG_SEGMENTS in all). An address
 * that is no post may be a section's own page (blog/2023/_index.md, kind "page", slug
 * "blog/2023"), served here at the section's address.
 */
export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const slug = slugFromParams(params)
  const page = await loadEntryPage('post', slug, context, request).catch((error: unknown) => {
    if (!isNotFound(error)) throw error
    return loadEntryPage('page', `blog/${slug}`, context, request)
  })
  // The count as of this render; the page asks for the current one once it has loaded.
  const views =
    page.kind !== 'post' || page.draft ? null : context.timings.time('db', () => getViewCount(getDb(), page.slug))
  return data({ ...page, views }, { headers: entryPageHeaders(page) })
}

const isNotFound = (error: unknown) =>
  typeof error === 'object' && error !== null && (error as { init?: { status?: number } }).init?.status === 404

export const headers = entryHeaders
export const clientLoader = entryClientLoader
export const meta = entryMeta({ article: true })

export default function Post() {
  return <Article data={useLoaderData<typeof loader>()} />
}
