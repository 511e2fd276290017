import { Link } from '@remix-run/react'
import { ListByline, PostDates, TagList } from './post-meta.tsx'

export interface PostSummary {
  slug: string
  title: string
  date: string | null
  updated: string | null
  description: string | null
  tags: string[]
  readingMinutes: number
  /** Only admins are shown drafts. */
  draft: boolean
  /** Author ids (frontmatter `author`/`authors`). */
  authors?: string[]
}

export function PostList({ posts, empty = 'No posts yet.' }: { posts: PostSummary[]; empty?: string }) {
  if (posts.length === 0) return <p className="text-zinc-600 dark:text-zinc-400">{empty}</p>
  return (
    <ol className="divide-y divide-zinc-200 dark:divide-zinc-800" data-testid="post-list">
      {posts.map((post) => (
        <li key={post.slug} className="py-6 first:pt-0">
          <article className="space-y-2">
            <h2 className="text-xl font-semibold tracking-tight text-zinc-950 dark:text-white">
              <Link
                to={`/blog/${post.slug}`}
                prefetch="intent"
                className="hover:text-amber-700 dark:hover:text-amber-400"
              >
                {post.title}
              </Link>
              {post.draft ? <DraftBadge /> : null}
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

export function toSummary(entry: PostSummary): PostSummary {
  const { slug, title, date, updated, description, tags, readingMinutes, draft, authors } = entry
  return { slug, title, date, updated, description, tags, readingMinutes, draft, authors }
}

/** Marks a draft, which only an admin is shown. */
export function DraftBadge() {
  return (
    <span
      className={[
        'ml-2 inline-block rounded bg-amber-100 px-1.5 py-0.5 align-middle text-xs font-semibold',
        'uppercase tracking-wide text-amber-900 dark:bg-amber-900/50 dark:text-amber-100',
      ].join(' ')}
    >
      Draft
    </span>
  )
}
