import { data, redirect, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { PaginatedPostList } from '../components/post-list.tsx'
import { canSeeDrafts } from '../content/drafts.server.ts'
import { pageHref, pageLinkDescriptors } from '../content/pagination.ts'
import { loadPostListPage } from '../content/post-list-page.server.ts'
import { isValidTag, normalizeTag } from '../content/slug.ts'
import { getDb } from '../db/connection.server.ts'
import { seoMeta, siteFromMatches } from '../seo/meta.ts'
import { tagFeedPaths, tagPath } from '../seo/urls.ts'
import type { PageCacheHandle } from '../http/page-cache.server.ts'

/** Its pages depend only on the content (and the theme): the page cache may keep them. */
export const handle = {
  pageCache: true,
  pageCacheQuery: ['page'],
  pageCacheDepends: ['listing'],
} satisfies PageCacheHandle

export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const tag = normalizeTag(params.tag ?? '')
  if (!isValidTag(tag)) throw data({ message: 'Not found' }, { status: 404 })
  const includeDrafts = await canSeeDrafts(request)
  const url = new URL(request.url)
  const list = context.timings.time('db', () =>
    loadPostListPage(getDb(), url, { base: tagPath(tag), tag, includeDrafts }),
  )
  if (list.total === 0) throw data({ message: 'Not found' }, { status: 404 })
  // A tag written another way (/tags/React) moves to its own address: one page, one cache entry.
  if (params.tag !== tag) throw redirect(`${tagPath(tag)}${url.search}`, 301)
  return { tag, list }
}

export const meta: MetaFunction<typeof loader> = ({ data, matches, location }) => {
  if (!data) return seoMeta(siteFromMatches(matches), { title: 'Not found', path: location.pathname, noindex: true })
  const { page, pageCount, total } = data.list
  const base = tagPath(data.tag)
  return [
    ...seoMeta(siteFromMatches(matches), {
      title: page > 1 ? `#${data.tag} (page ${page} of ${pageCount})` : `#${data.tag}`,
      description: `${total} ${total === 1 ? 'post' : 'posts'} tagged #${data.tag}.`,
      path: pageHref(base, page),
    }),
    ...pageLinkDescriptors(base, page, pageCount),
    ...tagFeedLinkDescriptors(data.tag),
  ]
}

/** The tag's own feeds, for feed readers that look in the page's head. */
const tagFeedLinkDescriptors = (tag: string) => {
  const paths = tagFeedPaths(tag)
  return [
    { tagName: 'link', rel: 'alternate', type: 'application/rss+xml', title: `#${tag} (RSS)`, href: paths.rss },
    { tagName: 'link', rel: 'alternate', type: 'application/atom+xml', title: `#${tag} (Atom)`, href: paths.atom },
    { tagName: 'link', rel: 'alternate', type: 'application/feed+json', title: `#${tag} (JSON)`, href: paths.json },
  ]
}

export default function Tag() {
  const { tag, list } = useLoaderData<typeof loader>()
  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <h1 className="text-3xl font-bold tracking-tight text-zinc-950 sm:text-4xl dark:text-white">#{tag}</h1>
        <p className="text-zinc-600 dark:text-zinc-400">
          {list.total} {list.total === 1 ? 'post' : 'posts'} ·{' '}
          <Link to="/tags" className="text-amber-700 underline underline-offset-2 dark:text-amber-400">
            all tags
          </Link>
        </p>
      </header>
      <PaginatedPostList
        key={pageHref(tagPath(tag), list.page)}
        list={list}
        base={tagPath(tag)}
        dataHref={(page) => `${tagPath(tag)}?page=${page}`}
      />
    </div>
  )
}
