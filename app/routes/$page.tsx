import { data, type LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { Article } from '../components/article.tsx'
import { entryClientLoader, entryHeaders, entryMeta } from '../content/entry-route.ts'
import { entryPageHeaders, loadEntryPage } from '../content/entry-page.server.ts'
import type { PageCacheHandle } from '../http/page-cache.server.ts'

/** A page depends only on the content (and the theme): the page cache may keep it. */
export const handle = { pageCache: true, pageCacheDepends: ['site', 'entry'] } satisfies PageCacheHandle

/** An MDX page from content/pages/, at /<name>. */
export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const page = await loadEntryPage('page', params.page, context, request)
  return data(page, { headers: entryPageHeaders(page) })
}

export const headers = entryHeaders
export const clientLoader = entryClientLoader
export const meta = entryMeta({ article: false })

export default function Page() {
  return <Article data={useLoaderData<typeof loader>()} />
}
