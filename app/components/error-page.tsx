import { Link } from '@remix-run/react'
import { postPath } from '../seo/urls.ts'

export interface Suggestion {
  slug: string
  title: string
}

/** The posts a 404's data suggests (app/content/not-found.server.ts), checked: error data is untyped. */
export function notFoundSuggestions(data: unknown): Suggestion[] {
  const list = typeof data === 'object' && data && 'suggestions' in data ? data.suggestions : null
  if (!Array.isArray(list)) return []
  return list
    .filter(
      (item): item is Suggestion =>
        typeof item === 'object' && item && typeof item.slug === 'string' && typeof item.title === 'string',
    )
    .slice(0, 5)
}

export function ErrorPage({
  status,
  title,
  message,
  suggestions = [],
}: {
  status: number
  title: string
  message?: string
  suggestions?: Suggestion[]
}) {
  return (
    <section className="py-12 text-center" aria-labelledby="error-title">
      <p className="text-sm font-semibold uppercase tracking-widest text-amber-700 dark:text-amber-400">
        Error {status}
      </p>
      <h1 id="error-title" className="mt-3 text-3xl font-bold tracking-tight text-zinc-950 sm:text-4xl dark:text-white">
        {title}
      </h1>
      {message ? <p className="mx-auto mt-4 max-w-md text-zinc-600 dark:text-zinc-400">{message}</p> : null}
      {suggestions.length > 0 ? (
        <nav aria-labelledby="suggestions-title" className="mx-auto mt-8 max-w-md text-left" data-testid="suggestions">
          <h2 id="suggestions-title" className="text-sm font-semibold text-zinc-900 dark:text-zinc-100">
            Perhaps you were looking for
          </h2>
          <ul className="mt-2 list-disc space-y-1 pl-5">
            {suggestions.map((post) => (
              <li key={post.slug}>
                <Link to={postPath(post.slug)} className="text-amber-700 hover:underline dark:text-amber-400">
                  {post.title}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <div className="mt-8 flex justify-center gap-4 text-sm font-medium">
        <Link to="/" className="rounded-md bg-amber-700 px-4 py-2 text-white hover:bg-amber-800">
          Home
        </Link>
        <Link
          to="/blog"
          className="rounded-md border border-zinc-300 px-4 py-2 hover:border-zinc-400 dark:border-zinc-700"
        >
          All posts
        </Link>
      </div>
    </section>
  )
}
