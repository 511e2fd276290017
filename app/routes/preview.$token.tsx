import { data, redirect, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { Article } from '../components/article.tsx'
import { loadEntryPage } from '../content/entry-page.server.ts'
import { findPreview } from '../content/previews.server.ts'
import { getDb } from '../db/connection.server.ts'
import { NOT_CACHEABLE_HEADER } from '../http/page-cache.server.ts'
import { seoMeta, siteFromMatches } from '../seo/meta.ts'
import { postPath } from '../seo/urls.ts'

/**
 * A hidden post (draft or scheduled) opened by a preview link, for anyone who holds it
 * (app/content/previews.server.ts). Never kept by any cache, never indexed, and the token
 * never leaves in a Referer. A forged, expired or revoked link is a 404; a link to a post
 * that has gone public since moves to its own address.
 */
const PRIVATE_HEADERS = {
  'Cache-Control': 'private, no-store',
  'X-Robots-Tag': 'noindex',
  'Referrer-Policy': 'no-referrer',
  [NOT_CACHEABLE_HEADER]: 'preview',
}

export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const token = params.token ?? ''
  const preview = context.timings.time('db', () => findPreview(getDb(), token))
  if (!preview) throw data({ message: 'Not found' }, { status: 404, headers: PRIVATE_HEADERS })
  const page = await loadEntryPage('post', preview.slug, context, request, { preview: true })
  if (!page.draft) throw redirect(postPath(page.slug), { status: 302, headers: PRIVATE_HEADERS })
  return data(
    {
      ...page,
      views: null,
      // The browser loads the post's code through this link too: /mdx/ answers only admins for a hidden post.
      moduleUrl: `/preview/${encodeURIComponent(token)}/module.js`,
      previewExpiresAt: preview.expiresAt,
    },
    { headers: PRIVATE_HEADERS },
  )
}

export const headers: HeadersFunction = ({ loaderHeaders, errorHeaders }) => errorHeaders ?? loaderHeaders

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  seoMeta(siteFromMatches(matches), {
    title: data ? `Preview: ${data.title}` : 'Not found',
    description: data?.description ?? undefined,
    path: data ? postPath(data.slug) : '/',
    noindex: true,
  })

export default function Preview() {
  const data = useLoaderData<typeof loader>()
  return (
    <div className="space-y-6">
      <p
        role="status"
        data-testid="preview-banner"
        className={[
          'rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950',
          'dark:border-amber-700 dark:bg-amber-950/60 dark:text-amber-100',
        ].join(' ')}
      >
        <strong>Preview, not published.</strong>{' '}
        {data.scheduledAt
          ? `This post is scheduled for ${data.scheduledAt.slice(0, 16).replace('T', ' ')} UTC.`
          : 'This post is a draft.'}{' '}
        This link works until {data.previewExpiresAt.slice(0, 10)}; please do not share it further.
      </p>
      <Article data={data} />
    </div>
  )
}
