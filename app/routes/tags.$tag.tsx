import { data, redirect, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { PostList, toSummary } from '../components/post-list.tsx'
import { listPosts } from '../content/content-index.server.ts'
import { canSeeDrafts } from '../content/drafts.server.ts'
import { isValidTag, normalizeTag } from '../content/slug.ts'
import { getDb } from '../db/connection.server.ts'
import { seoMeta, siteFromMatches } from '../seo/meta.ts'
import { tagPath } from '../seo/urls.ts'
import type { PageCacheHandle } from '../http/page-cache.server.ts'

/** Its pages depend only on the content (and the theme): the page cache may keep them. */
export const handle = { pageCache: true, pageCacheDepends: ['listing'] } satisfies PageCacheHandle

export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const tag = normalizeTag(params.tag ?? '')
  if (!isValidTag(tag)) throw data({ message: 'Not found' }, { status: 404 })
  const includeDrafts = await canSeeDrafts(request)
  const posts = context.timings.time('db', () => listPosts(getDb(), { tag, includeDrafts }).map(toSummary))
  if (posts.length === 0) throw data({ message: 'Not found' }, { status: 404 })
  // A tag written another way (/tags/React) moves to its own address: one page, one cache entry.
  if (params.tag !== tag) throw redirect(tagPath(tag), 301)
  return { tag, posts }
}

export const meta: MetaFunction<typeof loader> = ({ data, matches, location }) =>
  seoMeta(
    siteFromMatches(matches),
    data
      ? {
          title: `#${data.tag}`,
          description: `${data.posts.length} ${data.posts.length === 1 ? 'post' : 'posts'} tagged #${data.tag}.`,
          path: tagPath(data.tag),
        }
      : { title: 'Not found', path: location.pathname, noindex: true },
  )

export default function Tag() {
  const { tag, posts } = useLoaderData<typeof loader>()
  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <h1 className="text-3xl font-bold tracking-tight text-zinc-950 sm:text-4xl dark:text-white">#{tag}</h1>
        <p className="text-zinc-600 dark:text-zinc-400">
          {posts.length} {posts.length === 1 ? 'post' : 'posts'} ·{' '}
          <Link to="/tags" className="text-amber-700 underline underline-offset-2 dark:text-amber-400">
            all tags
          </Link>
        </p>
      </header>
      <PostList posts={posts} />
    </div>
  )
}
