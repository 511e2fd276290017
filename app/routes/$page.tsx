import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { Article } from '../components/article.tsx'
import { loadEntryPage } from '../content/entry-page.server.ts'

/** An MDX page from content/pages/, at /<name>. */
export async function loader({ params, request, context }: LoaderFunctionArgs) {
  return loadEntryPage('page', params.page, context, request)
}

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data
    ? [{ title: data.title }, { name: 'description', content: data.description ?? '' }, ...(data.draft ? [{ name: 'robots', content: 'noindex' }] : [])]
    : [{ title: 'Not found' }]

export default function Page() {
  return <Article data={useLoaderData<typeof loader>()} />
}
