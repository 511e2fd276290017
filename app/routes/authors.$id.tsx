import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { PostList, toSummary } from '../components/post-list.tsx'
import { getConfig } from '../config.server.ts'
import { authorPage } from '../content/authors.server.ts'
import { isValidSlug } from '../content/slug.ts'
import { getDb } from '../db/connection.server.ts'
import type { PageCacheHandle } from '../http/page-cache.server.ts'
import { seoMeta, siteFromMatches } from '../seo/meta.ts'
import { authorPath } from '../seo/urls.ts'

/** Depends only on the content (and the theme): the page cache may keep it. */
export const handle = { pageCache: true } satisfies PageCacheHandle

/** An author (content/authors/<id>.mdx) and their published posts, newest first. */
export function loader({ params, context }: LoaderFunctionArgs) {
  const id = params.id ?? ''
  if (!isValidSlug(id)) throw data({ message: 'Not found' }, { status: 404 })
  const page = context.timings.time('db', () => authorPage(getDb(), getConfig().contentDir, id))
  if (!page) throw data({ message: 'Not found' }, { status: 404 })
  return { author: page.author, posts: page.posts.map(toSummary) }
}

export const meta: MetaFunction<typeof loader> = ({ data, matches, location }) =>
  seoMeta(
    siteFromMatches(matches),
    data
      ? { title: data.author.name, description: data.author.bio, path: authorPath(data.author.id) }
      : { title: 'Not found', path: location.pathname, noindex: true },
  )

export default function AuthorPage() {
  const { author, posts } = useLoaderData<typeof loader>()
  return (
    <div className="space-y-8">
      <header className="flex items-start gap-4" data-testid="author">
        {author.avatar ? (
          <img src={author.avatar} alt="" width={80} height={80} className="h-20 w-20 rounded-full object-cover" />
        ) : null}
        <div className="space-y-2">
          <h1 className="text-3xl font-bold tracking-tight text-zinc-950 sm:text-4xl dark:text-white">{author.name}</h1>
          {author.bio ? <p className="text-zinc-700 dark:text-zinc-300">{author.bio}</p> : null}
          {author.links.length > 0 ? (
            <ul className="flex flex-wrap gap-x-4 text-sm">
              {author.links.map((link) => (
                <li key={link.url}>
                  <a
                    href={link.url}
                    rel="me noopener"
                    className="text-amber-700 underline underline-offset-2 dark:text-amber-400"
                  >
                    {link.label}
                  </a>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      </header>
      <PostList posts={posts} empty="No posts yet." />
    </div>
  )
}
