import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { listTags } from '../content/content-index.server.ts'
import { canSeeDrafts } from '../content/drafts.server.ts'
import { getDb } from '../db/connection.server.ts'
import { seoMeta, siteFromMatches } from '../seo/meta.ts'
import type { PageCacheHandle } from '../http/page-cache.server.ts'

/** Its pages depend only on the content (and the theme): the page cache may keep them. */
export const handle = { pageCache: true, pageCacheDepends: ['listing'] } satisfies PageCacheHandle

export async function loader({ request, context }: LoaderFunctionArgs) {
  const includeDrafts = await canSeeDrafts(request)
  return { tags: context.timings.time('db', () => listTags(getDb(), { includeDrafts })) }
}

export const meta: MetaFunction<typeof loader> = ({ matches }) =>
  seoMeta(siteFromMatches(matches), {
    title: 'Tags',
    description: 'Every tag of the blog, with its posts.',
    path: '/tags',
  })

export default function Tags() {
  const { tags } = useLoaderData<typeof loader>()
  return (
    <div className="space-y-6">
      <h1 className="text-3xl font-bold tracking-tight text-zinc-950 sm:text-4xl dark:text-white">Tags</h1>
      {tags.length === 0 ? <p className="text-zinc-600 dark:text-zinc-400">No tags yet.</p> : null}
      <ul className="flex flex-wrap gap-3">
        {tags.map(({ tag, count }) => (
          <li key={tag}>
            <Link
              to={`/tags/${encodeURIComponent(tag)}`}
              className={[
                'inline-flex items-baseline gap-1.5 rounded-lg border',
                'border-zinc-200 px-3 py-2 hover:border-amber-500',
                'dark:border-zinc-800',
              ].join(' ')}
            >
              <span className="font-medium">#{tag}</span>
              <span className="text-sm text-zinc-600 dark:text-zinc-400">
                {count} {count === 1 ? 'post' : 'posts'}
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  )
}
