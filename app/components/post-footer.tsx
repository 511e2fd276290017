import { Link } from '@remix-run/react'
import type { PostFooterData } from '../content/post-footer.server.ts'

/** After a post: links to the previous (older) and next (newer) posts, and to its source for editing. */
export function PostFooter({ kind, footer }: { kind: 'post' | 'page'; footer: PostFooterData }) {
  const { previous, next, editUrl, related } = footer
  if (!previous && !next && !editUrl && related.length === 0) return null
  return (
    <footer className="mt-12 space-y-6 border-t border-zinc-200 pt-8 dark:border-zinc-800" data-testid="post-footer">
      {previous || next ? (
        <nav aria-label="More posts" className="grid gap-4 sm:grid-cols-2">
          {previous ? (
            <Link
              to={`/blog/${previous.slug}`}
              rel="prev"
              prefetch="intent"
              className="group rounded-lg border border-zinc-200 p-4 hover:border-amber-500 dark:border-zinc-800"
            >
              <span className="block text-xs font-semibold uppercase tracking-widest text-zinc-600 dark:text-zinc-400">
                ← Previous post
              </span>
              <span
                className={[
                  'mt-1 block font-medium text-zinc-900 group-hover:text-amber-700',
                  'dark:text-zinc-100 dark:group-hover:text-amber-400',
                ].join(' ')}
              >
                {previous.title}
              </span>
            </Link>
          ) : (
            <span />
          )}
          {next ? (
            <Link
              to={`/blog/${next.slug}`}
              rel="next"
              prefetch="intent"
              className={[
                'group rounded-lg border border-zinc-200 p-4 text-right',
                'hover:border-amber-500 dark:border-zinc-800',
              ].join(' ')}
            >
              <span className="block text-xs font-semibold uppercase tracking-widest text-zinc-600 dark:text-zinc-400">
                Next post →
              </span>
              <span
                className={[
                  'mt-1 block font-medium text-zinc-900 group-hover:text-amber-700',
                  'dark:text-zinc-100 dark:group-hover:text-amber-400',
                ].join(' ')}
              >
                {next.title}
              </span>
            </Link>
          ) : null}
        </nav>
      ) : null}
      {related.length > 0 ? (
        <nav aria-labelledby="related-posts-title" data-testid="related-posts">
          <h2 id="related-posts-title" className="text-sm font-semibold text-zinc-900 dark:text-zinc-100">
            Related posts
          </h2>
          <ul className="mt-2 list-disc space-y-1 pl-5">
            {related.map((post) => (
              <li key={post.slug}>
                <Link
                  to={`/blog/${post.slug}`}
                  prefetch="intent"
                  className="text-amber-700 hover:underline dark:text-amber-400"
                >
                  {post.title}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      {editUrl ? (
        <p className="text-sm">
          <a
            href={editUrl}
            rel="noopener"
            className="text-zinc-600 hover:text-amber-700 hover:underline dark:text-zinc-400 dark:hover:text-amber-400"
            data-testid="edit-link"
          >
            Edit this {kind === 'post' ? 'post' : 'page'}
          </a>
        </p>
      ) : null}
    </footer>
  )
}
