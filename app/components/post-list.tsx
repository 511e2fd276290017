import { Link, useFetcher } from '@remix-run/react'
import { useEffect, useRef, useState } from 'react'
import { pageHref, pagerItems } from '../content/pagination.ts'
import { ListByline, PostDates, TagList } from './post-meta.tsx'

export interface PostSummary {
  slug: string
  title: string
  date: string | null
  updated: string | null
  description: string | null
  tags: string[]
  readingMinutes: number
  /** Only admins are shown drafts (and scheduled posts, which are hidden the same way). */
  draft: boolean
  /** When a scheduled post goes public (ISO); null for a draft or a published post. */
  scheduledAt: string | null
  /** Author ids (frontmatter `author`/`authors`). */
  authors?: string[]
}

export function PostList({ posts, empty = 'No posts yet.' }: { posts: PostSummary[]; empty?: string }) {
  if (posts.length === 0) return <p className="text-zinc-600 dark:text-zinc-400">{empty}</p>
  return (
    <ol className="divide-y divide-zinc-200 dark:divide-zinc-800" data-testid="post-list">
      {posts.map((post) => (
        <li key={post.slug} className="py-6 first:pt-0" data-slug={post.slug}>
          <article className="space-y-2">
            <h2 className="text-xl font-semibold tracking-tight text-zinc-950 dark:text-white">
              <Link
                to={`/blog/${post.slug}`}
                prefetch="intent"
                className="hover:text-amber-700 dark:hover:text-amber-400"
              >
                {post.title}
              </Link>
              {post.draft ? <DraftBadge scheduledAt={post.scheduledAt} /> : null}
            </h2>
            <ListByline ids={post.authors} />
            <PostDates date={post.date} readingMinutes={post.readingMinutes} />
            {post.description ? <p className="text-zinc-700 dark:text-zinc-300">{post.description}</p> : null}
            <TagList tags={post.tags} />
          </article>
        </li>
      ))}
    </ol>
  )
}

/** A page of a list, as its route's loader returns it (and its fetcher reads it). */
export interface PostListPage {
  posts: PostSummary[]
  page: number
  pageCount: number
  total: number
}

/**
 * A page of a post list with its pager, and a "More posts" link to the next page that, with
 * JavaScript, appends that page's posts here instead (the route's own loader, through a
 * fetcher). Without JavaScript it is a plain link to the next page.
 *
 * `base` is page one's address; `dataHref` is where the fetcher reads page N's data (an
 * index route needs `?index` there), a loader that returns `{ list }`.
 */
export function PaginatedPostList({
  list,
  base,
  dataHref,
  empty,
}: {
  list: PostListPage
  base: string
  dataHref: (page: number) => string
  empty?: string
}) {
  const fetcher = useFetcher()
  const [more, setMore] = useState<PostSummary[]>([])
  const [lastLoaded, setLastLoaded] = useState(list.page)
  const firstAdded = useRef<string | null>(null)
  const listRef = useRef<HTMLDivElement>(null)
  useEffect(() => {
    // The route's loader data: its `list` is the page asked for.
    const loaded = (fetcher.data as { list?: PostListPage } | undefined)?.list
    if (fetcher.state !== 'idle' || !loaded || loaded.page !== lastLoaded + 1) return
    firstAdded.current = loaded.posts[0]?.slug ?? null
    setMore((posts) => [...posts, ...loaded.posts])
    setLastLoaded(loaded.page)
  }, [fetcher.state, fetcher.data, lastLoaded])
  useEffect(() => {
    // Keyboard and screen reader users land on the first post added, where reading goes on.
    if (!firstAdded.current) return
    listRef.current?.querySelector<HTMLElement>(`[data-slug="${CSS.escape(firstAdded.current)}"] a`)?.focus()
    firstAdded.current = null
  }, [more])
  const next = lastLoaded + 1
  return (
    <div className="space-y-8" ref={listRef}>
      <PostList posts={[...list.posts, ...more]} empty={empty} />
      {next <= list.pageCount ? (
        <p>
          <a
            href={pageHref(base, next)}
            data-testid="more-posts"
            className={[
              'inline-block rounded-md border border-zinc-300 px-4 py-2 font-medium text-zinc-800',
              'hover:bg-zinc-100 dark:border-zinc-700 dark:text-zinc-200 dark:hover:bg-zinc-800',
            ].join(' ')}
            aria-busy={fetcher.state !== 'idle'}
            onClick={(event) => {
              if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
              event.preventDefault()
              if (fetcher.state === 'idle') fetcher.load(dataHref(next))
            }}
          >
            {fetcher.state !== 'idle' ? 'Loading…' : 'More posts'}
          </a>
        </p>
      ) : null}
      <p className="sr-only" aria-live="polite">
        {more.length > 0 ? `Showing ${list.posts.length + more.length} of ${list.total} posts.` : ''}
      </p>
      <Pager page={list.page} pageCount={list.pageCount} base={base} />
    </div>
  )
}

/** Numbered links to the pages of a list, with the previous and next page; nothing for a list of one page. */
export function Pager({ page, pageCount, base }: { page: number; pageCount: number; base: string }) {
  if (pageCount <= 1) return null
  const link = 'rounded px-2 py-1 text-amber-700 underline-offset-2 hover:underline dark:text-amber-400'
  return (
    <nav aria-label="Pages" data-testid="pager">
      <ul className="flex flex-wrap items-center gap-1 text-sm">
        {page > 1 ? (
          <li>
            <Link to={pageHref(base, page - 1)} rel="prev" className={link}>
              ← Newer
            </Link>
          </li>
        ) : null}
        {pagerItems(page, pageCount).map((item, index) =>
          item === null ? (
            <li key={`gap-${index}`} aria-hidden="true" className="px-1 text-zinc-500">
              …
            </li>
          ) : (
            <li key={item}>
              {item === page ? (
                <span aria-current="page" className="rounded bg-zinc-200 px-2 py-1 font-semibold dark:bg-zinc-800">
                  {item}
                </span>
              ) : (
                <Link to={pageHref(base, item)} className={link} aria-label={`Page ${item}`}>
                  {item}
                </Link>
              )}
            </li>
          ),
        )}
        {page < pageCount ? (
          <li>
            <Link to={pageHref(base, page + 1)} rel="next" className={link}>
              Older →
            </Link>
          </li>
        ) : null}
      </ul>
    </nav>
  )
}

export function toSummary(entry: PostSummary): PostSummary {
  const { slug, title, date, updated, description, tags, readingMinutes, draft, scheduledAt, authors } = entry
  return { slug, title, date, updated, description, tags, readingMinutes, draft, scheduledAt, authors }
}

/**
 * Marks a draft, or a scheduled post with its instant, which only an admin is shown. The
 * instant is written in UTC, the same on the server and in the browser (no hydration drift).
 */
export function DraftBadge({ scheduledAt = null }: { scheduledAt?: string | null }) {
  return (
    <span
      className={[
        'ml-2 inline-block rounded bg-amber-100 px-1.5 py-0.5 align-middle text-xs font-semibold',
        'uppercase tracking-wide text-amber-900 dark:bg-amber-900/50 dark:text-amber-100',
      ].join(' ')}
    >
      {scheduledAt ? (
        <>
          Scheduled <time dateTime={scheduledAt}>{`${scheduledAt.slice(0, 16).replace('T', ' ')} UTC`}</time>
        </>
      ) : (
        'Draft'
      )}
    </span>
  )
}
