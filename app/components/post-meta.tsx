import { Link, useRouteLoaderData } from '@remix-run/react'
import { authorPath } from '../seo/urls.ts'
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

export interface BylineAuthor {
  id: string
  name: string
  /** Has a file in content/authors/: its name links to its page. */
  known: boolean
}

/** A post's authors from the ids alone (lists): names from the root loader's directory. */
export function useBylineAuthors(ids: readonly string[] | undefined): BylineAuthor[] {
  const root = useRouteLoaderData('root') as { authors?: Record<string, string> } | undefined
  return (ids ?? []).map((id) => {
    const name = root?.authors?.[id]
    return { id, name: name ?? id, known: name !== undefined }
  })
}

/** "By A and B": each known author links to their page; an id with no file shows as written. */
export function Byline({ authors }: { authors: BylineAuthor[] }) {
  if (authors.length === 0) return null
  return (
    <p className="text-sm text-zinc-700 dark:text-zinc-300" data-testid="byline">
      By{' '}
      {authors.map((author, index) => (
        <span key={author.id}>
          {index > 0 ? (index === authors.length - 1 ? ' and ' : ', ') : null}
          {author.known ? (
            <Link to={authorPath(author.id)} rel="author" className="font-medium hover:text-amber-700 hover:underline">
              {author.name}
            </Link>
          ) : (
            <span className="font-medium">{author.name}</span>
          )}
        </span>
      ))}
    </p>
  )
}

/** A byline for a list item, from its author ids. */
export function ListByline({ ids }: { ids: readonly string[] | undefined }) {
  return <Byline authors={useBylineAuthors(ids)} />
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
