import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData, useNavigation, useSubmit } from '@remix-run/react'
import { useEffect, useRef } from 'react'
import { formatDate } from '../components/dates.ts'
import { DraftBadge } from '../components/post-list.tsx'
import { canSeeDrafts } from '../content/drafts.server.ts'
import { getDb } from '../db/connection.server.ts'
import { searchEntries } from '../search/search-index.server.ts'
import { MAX_QUERY_LENGTH, normalizeQuery, type SnippetPart } from '../search/search-text.ts'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const query = normalizeQuery(new URL(request.url).searchParams.get('q'))
  if (!query) return { query, total: 0, results: [] }
  const includeDrafts = await canSeeDrafts(request)
  const { total, hits } = context.timings.time('db', () => searchEntries(getDb(), query, { includeDrafts }))
  return { query, total, results: hits }
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.query ? `Search: ${data.query}` : 'Search' },
  { name: 'robots', content: 'noindex' },
]

/** Milliseconds of quiet typing before the results follow. */
const TYPING_DEBOUNCE_MS = 250

function Marked({ parts }: { parts: SnippetPart[] }) {
  return (
    <>
      {parts.map((part, index) =>
        part.match ? (
          <mark
            key={index}
            className="rounded-sm bg-amber-200 px-0.5 text-zinc-950 dark:bg-amber-500/40 dark:text-white"
          >
            {part.text}
          </mark>
        ) : (
          <span key={index}>{part.text}</span>
        ),
      )}
    </>
  )
}

/**
 * A GET form, so search works without JavaScript; with it, results follow typing (after
 * a short pause) in place, and the address follows the query (replaced, not pushed, so
 * Back leaves the search rather than stepping through keystrokes).
 */
export default function Search() {
  const { query, total, results } = useLoaderData<typeof loader>()
  const submit = useSubmit()
  const searching = useNavigation().location?.pathname === '/search'
  const input = useRef<HTMLInputElement>(null)
  const timer = useRef<ReturnType<typeof setTimeout>>()

  // Back/forward to another query: show it in the box (unless the reader is typing there).
  useEffect(() => {
    if (input.current && document.activeElement !== input.current) input.current.value = query
  }, [query])
  useEffect(() => () => clearTimeout(timer.current), [])

  return (
    <div className="space-y-8">
      <h1 className="text-3xl font-bold tracking-tight text-zinc-950 sm:text-4xl dark:text-white">Search</h1>
      <Form method="get" action="/search" role="search" className="flex gap-2">
        <label htmlFor="search-query" className="sr-only">
          Search posts
        </label>
        <input
          ref={input}
          id="search-query"
          name="q"
          type="search"
          defaultValue={query}
          maxLength={MAX_QUERY_LENGTH}
          placeholder="Words in a title, tag or post"
          autoComplete="off"
          className={[
            'block w-full rounded-md border border-zinc-400 bg-white px-3 py-2',
            'text-base text-zinc-900 placeholder:text-zinc-500 dark:border-zinc-600',
            'dark:bg-zinc-900 dark:text-zinc-100 dark:placeholder:text-zinc-400',
          ].join(' ')}
          onChange={(event) => {
            const form = event.currentTarget.form
            clearTimeout(timer.current)
            timer.current = setTimeout(
              () => submit(form, { replace: true, preventScrollReset: true }),
              TYPING_DEBOUNCE_MS,
            )
          }}
        />
        <button type="submit" className="rounded-md bg-amber-700 px-4 py-2 font-medium text-white hover:bg-amber-800">
          Search
        </button>
      </Form>
      <section aria-labelledby="search-results-heading" aria-busy={searching} className="space-y-6">
        <h2 id="search-results-heading" className="sr-only">
          Results
        </h2>
        {query ? (
          <p role="status" className="text-sm text-zinc-600 dark:text-zinc-400">
            {total === 0
              ? `Nothing matches “${query}”.`
              : total > results.length
                ? `The best ${results.length} of ${total} results for “${query}”`
                : `${total} ${total === 1 ? 'result' : 'results'} for “${query}”`}
          </p>
        ) : null}
        {results.length > 0 ? (
          <ol className="divide-y divide-zinc-200 dark:divide-zinc-800" data-testid="search-results">
            {results.map((hit) => (
              <li key={`${hit.kind}:${hit.slug}`} className="space-y-1.5 py-5 first:pt-0">
                <h3 className="text-lg font-semibold tracking-tight text-zinc-950 dark:text-white">
                  <Link
                    to={hit.kind === 'post' ? `/blog/${hit.slug}` : `/${hit.slug}`}
                    className="hover:text-amber-700 dark:hover:text-amber-400"
                  >
                    <Marked parts={hit.title} />
                  </Link>
                  {hit.draft ? <DraftBadge /> : null}
                </h3>
                {hit.kind === 'post' && hit.date ? (
                  <p className="text-sm text-zinc-600 dark:text-zinc-400">
                    <time dateTime={hit.date}>{formatDate(hit.date)}</time>
                  </p>
                ) : null}
                {hit.snippet.length > 0 ? (
                  <p className="text-zinc-700 dark:text-zinc-300">
                    <Marked parts={hit.snippet} />
                  </p>
                ) : null}
              </li>
            ))}
          </ol>
        ) : null}
      </section>
    </div>
  )
}
