import { Link } from '@remix-run/react'
import { formatDate, usePageLang } from './dates.ts'

export function TagList({ tags }: { tags: string[] }) {
  if (tags.length === 0) return null
  return (
    <ul className="flex flex-wrap gap-2" aria-label="Tags">
      {tags.map((tag) => (
        <li key={tag}>
          <Link
            to={`/tags/${encodeURIComponent(tag)}`}
            className={[
              'rounded-full bg-zinc-100 px-2.5 py-0.5 text-xs font-medium text-zinc-700',
              'hover:bg-amber-100 hover:text-amber-900 dark:bg-zinc-800',
              'dark:text-zinc-300 dark:hover:bg-amber-900/40 dark:hover:text-amber-200',
            ].join(' ')}
          >
            #{tag}
          </Link>
        </li>
      ))}
    </ul>
  )
}

export function PostDates({
  date,
  updated,
  readingMinutes,
}: {
  date: string | null
  updated?: string | null
  readingMinutes?: number
}) {
  const lang = usePageLang()
  return (
    <p className="flex flex-wrap gap-x-2 text-sm text-zinc-600 dark:text-zinc-400">
      {date ? <time dateTime={date}>{formatDate(date, lang)}</time> : null}
      {updated ? (
        <>
          <span aria-hidden="true">·</span>
          <span>
            Updated <time dateTime={updated}>{formatDate(updated, lang)}</time>
          </span>
        </>
      ) : null}
      {readingMinutes ? (
        <>
          <span aria-hidden="true">·</span>
          <span>{readingMinutes} min read</span>
        </>
      ) : null}
    </p>
  )
}
