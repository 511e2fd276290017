import { Link } from '@remix-run/react'
import type { SeriesData } from '../content/post-footer.server.ts'
import { postPath } from '../seo/urls.ts'

/**
 * A post's series (frontmatter `series`): every part in order, the one being read marked
 * (aria-current), and the previous and next parts.
 */
export function SeriesBox({ series }: { series: SeriesData }) {
  const current = series.parts.findIndex((part) => part.current) + 1
  return (
    <nav
      aria-label={`Series: ${series.name}`}
      className="mb-8 rounded-lg border border-zinc-200 p-4 text-sm dark:border-zinc-800"
      data-testid="series-box"
    >
      <p className="font-semibold text-zinc-900 dark:text-zinc-100">
        {series.name}{' '}
        <span className="font-normal text-zinc-600 dark:text-zinc-400">
          (part {current} of {series.parts.length})
        </span>
      </p>
      <ol className="mt-2 list-decimal space-y-1 pl-5">
        {series.parts.map((part) => (
          <li key={part.slug}>
            {part.current ? (
              <span aria-current="page" className="font-semibold text-zinc-900 dark:text-zinc-100">
                {part.title}
              </span>
            ) : (
              <Link to={postPath(part.slug)} className="text-amber-700 hover:underline dark:text-amber-400">
                {part.title}
              </Link>
            )}
          </li>
        ))}
      </ol>
      {series.previous || series.next ? (
        <p className="mt-3 flex justify-between gap-4">
          {series.previous ? (
            <Link
              to={postPath(series.previous.slug)}
              className="text-amber-700 hover:underline dark:text-amber-400"
              data-testid="series-previous"
            >
              ← {series.previous.title}
            </Link>
          ) : (
            <span />
          )}
          {series.next ? (
            <Link
              to={postPath(series.next.slug)}
              className="text-right text-amber-700 hover:underline dark:text-amber-400"
              data-testid="series-next"
            >
              {series.next.title} →
            </Link>
          ) : null}
        </p>
      ) : null}
    </nav>
  )
}
