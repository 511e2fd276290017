import { Link } from '@remix-run/react'
import { PostDates, TagList } from './post-meta.tsx'

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
              {post.draft ? <DraftBadge scheduledAt={post.scheduledAt} /> : null}
            </h2>
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
  const { slug, title, date, updated, description, tags, readingMinutes, draft, scheduledAt } = entry
  return { slug, title, date, updated, description, tags, readingMinutes, draft, scheduledAt }
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
          Scheduled <time dateTime={scheduledAt}>{scheduledAt.slice(0, 16).replace('T', ' ')} UTC</time>
        </>
      ) : (
        'Draft'
      )}
    </span>
  )
}
