import { data, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import type { ClientLoaderFunctionArgs } from '@remix-run/react'
import { useLoaderData } from '@remix-run/react'
import { Article } from '../components/article.tsx'
import { loadMdxModule } from '../content/mdx-component.tsx'
import { entryPageHeaders, loadEntryPage } from '../content/entry-page.server.ts'
import type { PageCacheHandle } from '../http/page-cache.server.ts'
import { seoMeta, siteFromMatches } from '../seo/meta.ts'
import { pagePath } from '../seo/urls.ts'

/** A page depends only on the content (and the theme): the page cache may keep it. */
export const handle = { pageCache: true, pageCacheDepends: ['site', 'entry'] } satisfies PageCacheHandle

/** An MDX page from content/pages/, at /<name>. */
export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const page = await loadEntryPage('page', params.page, context, request)
  return data(page, { headers: entryPageHeaders(page) })
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
          path: pagePath(data.slug),
          image: data.socialImage,
          noindex: data.draft,
        }
      : { title: 'Not found', path: location.pathname, noindex: true },
  )

export default function Page() {
  return <Article data={useLoaderData<typeof loader>()} />
}
