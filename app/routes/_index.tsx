import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { PostList, toSummary } from '../components/post-list.tsx'
import { getConfig } from '../config.server.ts'
import { countEntries, listPosts } from '../content/content-index.server.ts'
import { canSeeDrafts } from '../content/drafts.server.ts'
import { getDb } from '../db/connection.server.ts'
import { seoMeta, siteFromMatches } from '../seo/meta.ts'
import type { PageCacheHandle } from '../http/page-cache.server.ts'

const LATEST = 5

/** Its pages depend only on the content (and the theme): the page cache may keep them. */
export const handle = { pageCache: true, pageCacheDepends: ['listing'] } satisfies PageCacheHandle

export async function loader({ request, context }: LoaderFunctionArgs) {
  const includeDrafts = await canSeeDrafts(request)
  const db = getDb()
  const config = getConfig()
  return context.timings.time('db', () => ({
    title: config.siteTitle,
    description: config.siteDescription,
    posts: listPosts(db, { limit: LATEST, includeDrafts }).map(toSummary),
    total: includeDrafts ? listPosts(db, { includeDrafts }).length : countEntries(db).posts,
  }))
}

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  seoMeta(siteFromMatches(matches), { title: data?.title ?? 'Kiln', description: data?.description, path: '/' })

export default function Home() {
  const { title, description, posts, total } = useLoaderData<typeof loader>()
  return (
    <div className="space-y-10">
      <section className="space-y-3">
        <h1 className="text-3xl font-bold tracking-tight text-zinc-950 sm:text-4xl dark:text-white">{title}</h1>
        <p className="text-lg text-zinc-600 dark:text-zinc-400">{description}</p>
      </section>
      <section aria-labelledby="latest" className="space-y-6">
        <h2 id="latest" className="text-sm font-semibold uppercase tracking-widest text-zinc-600 dark:text-zinc-400">
          Latest posts
        </h2>
        <PostList posts={posts} />
        {total > posts.length ? (
          <Link to="/blog" className="inline-block font-medium text-amber-700 hover:underline dark:text-amber-400">
            All {total} posts →
          </Link>
        ) : null}
      </section>
    </div>
  )
}
