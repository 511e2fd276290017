import { data, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import type { ClientLoaderFunctionArgs } from '@remix-run/react'
import { useLoaderData } from '@remix-run/react'
import { Article } from '../components/article.tsx'
import { loadMdxModule } from '../content/mdx-component.tsx'
import { lastGoodHeaders, loadEntryPage } from '../content/entry-page.server.ts'
import type { PageCacheHandle } from '../http/page-cache.server.ts'
import { seoMeta, siteFromMatches } from '../seo/meta.ts'
import { postPath } from '../seo/urls.ts'
import { getDb } from '../db/connection.server.ts'
import { getViewCount } from '../view-counts/view-counts.server.ts'

/** A post depends only on the content (and the theme): the page cache may keep it. */
export const handle = { pageCache: true } satisfies PageCacheHandle

export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const page = await loadEntryPage('post', params.slug, context, request)
  // The count as of this render; the page asks for the current one once it has loaded.
  const views = page.draft ? null : context.timings.time('db', () => getViewCount(getDb(), page.slug))
  return data({ ...page, views }, { headers: lastGoodHeaders(page) })
}

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
          path: postPath(data.slug),
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
