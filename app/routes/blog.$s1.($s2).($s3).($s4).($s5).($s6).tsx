import { data, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import type { ClientLoaderFunctionArgs } from '@remix-run/react'
import { useLoaderData } from '@remix-run/react'
import { Article } from '../components/article.tsx'
import { loadMdxModule } from '../content/mdx-component.tsx'
import { entryPageHeaders, loadEntryPage } from '../content/entry-page.server.ts'
import type { PageCacheHandle } from '../http/page-cache.server.ts'
import { seoMeta, siteFromMatches } from '../seo/meta.ts'
import { entryPath } from '../seo/urls.ts'
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

/** The loader's headers (a last good version's mark for the page cache) are the page's. */
export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders

/** On a client navigation, the post's module is in before the page renders (no blank body). */
export async function clientLoader({ serverLoader }: ClientLoaderFunctionArgs) {
  const data = await serverLoader<typeof loader>()
  await loadMdxModule(data.moduleUrl)
  return data
}

export const meta: MetaFunction<typeof loader> = ({ data, matches, location }) =>
  seoMeta(
    siteFromMatches(matches),
    data
      ? {
          title: data.title,
          description: data.description,
          path: entryPath(data.kind, data.slug),
          image: data.socialImage,
          article: {
            published: data.date,
            modified: data.updated,
            tags: data.tags,
            authors: data.authors.map((author) => ({ id: author.known ? author.id : undefined, name: author.name })),
          },
          noindex: data.draft,
        }
      : { title: 'Not found', path: location.pathname, noindex: true },
  )

export default function Post() {
  return <Article data={useLoaderData<typeof loader>()} />
}
