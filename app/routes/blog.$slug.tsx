import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { Article } from '../components/article.tsx'
import { loadEntryPage } from '../content/entry-page.server.ts'
import { seoMeta, siteFromMatches } from '../seo/meta.ts'
import { postPath } from '../seo/urls.ts'

export async function loader({ params, context }: LoaderFunctionArgs) {
  return loadEntryPage('post', params.slug, context)
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
          article: { published: data.date, modified: data.updated, tags: data.tags },
        }
      : { title: 'Not found', path: location.pathname, noindex: true },
  )

export default function Post() {
  return <Article data={useLoaderData<typeof loader>()} />
}
