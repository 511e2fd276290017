import { data, redirect, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { PaginatedPostList } from '../components/post-list.tsx'
import { listPosts, listTags } from '../content/content-index.server.ts'
import { canSeeDrafts } from '../content/drafts.server.ts'
import { pageHref, pageLinkDescriptors } from '../content/pagination.ts'
import { loadPostListPage } from '../content/post-list-page.server.ts'
import { isValidTag, normalizeTag } from '../content/slug.ts'
import { getDb } from '../db/connection.server.ts'
import { seoMeta, siteFromMatches } from '../seo/meta.ts'
import type { PageCacheHandle } from '../http/page-cache.server.ts'

/** Its pages depend only on the content (and the theme): the page cache may keep them. */
export const handle = {
  pageCache: true,
  pageCacheQuery: ['tag', 'page'],
  pageCacheDepends: ['listing'],
} satisfies PageCacheHandle

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url)
  const values = url.searchParams.getAll('tag')
  const db = getDb()
  const includeDrafts = await canSeeDrafts(request)
  // Only a tag that exists is a page (and may key the page cache): an unknown or malformed
  // one is 404, one written another way (case, spaces, repeated) moves to its own address.
  let tag: string | null = null
  if (values.length > 0) {
    if (values.every((value) => value.trim() === '')) throw redirect('/blog', 301)
    tag = normalizeTag(values[0])
    if (!isValidTag(tag) || !context.timings.time('db', () => hasPosts(db, tag!, includeDrafts)))
      throw data({ message: 'Not found' }, { status: 404 })
    if (values.length > 1 || values[0] !== tag) {
      const page = url.searchParams.getAll('page')
      throw redirect(`${listBase(tag)}${page.length === 1 ? `&page=${encodeURIComponent(page[0])}` : ''}`, 301)
    }
  }
  return context.timings.time('db', () => ({
    tag,
    list: loadPostListPage(db, url, { base: listBase(tag), tag: tag ?? undefined, includeDrafts }),
    tags: listTags(db, { includeDrafts }),
  }))
}

/** Page one of the list of every post, or of a tag's posts. */
const listBase = (tag: string | null) => (tag ? `/blog?tag=${encodeURIComponent(tag)}` : '/blog')

const hasPosts = (db: ReturnType<typeof getDb>, tag: string, includeDrafts: boolean) =>
  listPosts(db, { tag, includeDrafts, limit: 1 }).length > 0

// The tag filter and the page select different posts, so they are part of the canonical URL.
export const meta: MetaFunction<typeof loader> = ({ data, matches }) => {
  if (!data) return seoMeta(siteFromMatches(matches), { title: 'Not found', path: '/blog', noindex: true })
  const base = listBase(data.tag)
  const { page, pageCount } = data.list
  const ofPage = page > 1 ? ` (page ${page} of ${pageCount})` : ''
  return [
    ...seoMeta(
      siteFromMatches(matches),
      data.tag
        ? {
            title: `Posts tagged #${data.tag}${ofPage}`,
            description: `Every post tagged #${data.tag}.`,
            path: pageHref(base, page),
          }
        : { title: `All posts${ofPage}`, path: pageHref(base, page) },
    ),
    ...pageLinkDescriptors(base, page, pageCount),
  ]
}

export default function Blog() {
  const { tag, list, tags } = useLoaderData<typeof loader>()
  const base = listBase(tag)
  const chip = (active: boolean) =>
    'rounded-full px-3 py-1 text-sm font-medium ' +
    (active
      ? 'bg-amber-700 text-white'
      : 'bg-zinc-100 text-zinc-700 hover:bg-zinc-200 dark:bg-zinc-800 dark:text-zinc-300 dark:hover:bg-zinc-700')
  return (
    <div className="space-y-8">
      <header className="space-y-4">
        <h1 className="text-3xl font-bold tracking-tight text-zinc-950 sm:text-4xl dark:text-white">
          {tag ? `Posts tagged #${tag}` : 'All posts'}
        </h1>
        <nav aria-label="Filter by tag">
          <ul className="flex flex-wrap gap-2">
            <li>
              <Link to="/blog" className={chip(!tag)} aria-current={!tag ? 'page' : undefined}>
                All
              </Link>
            </li>
            {tags.map(({ tag: name, count }) => (
              <li key={name}>
                <Link
                  to={`/blog?tag=${encodeURIComponent(name)}`}
                  className={chip(name === tag)}
                  aria-current={name === tag ? 'page' : undefined}
                >
                  #{name}{' '}
                  {/* Not opacity: faded text over the chip falls under 4.5:1. font-normal sets the count apart. */}
                  <span className={name === tag ? 'font-normal' : 'font-normal text-zinc-600 dark:text-zinc-300'}>
                    {count}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <PaginatedPostList
        key={pageHref(base, list.page)}
        list={list}
        base={base}
        dataHref={(page) => `/blog?index${tag ? `&tag=${encodeURIComponent(tag)}` : ''}&page=${page}`}
        empty={tag ? `No posts are tagged #${tag}.` : 'No posts yet.'}
      />
    </div>
  )
}
