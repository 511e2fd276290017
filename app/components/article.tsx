import { useEffect, useState } from 'react'
import { MdxContent } from '../content/mdx-component.tsx'
import type { EntryPageData } from '../content/entry-page.server.ts'
import { DraftBadge } from './post-list.tsx'
import { Byline, PostDates, TagList } from './post-meta.tsx'
import { PostFooter } from './post-footer.tsx'
import { slugPath } from '../seo/urls.ts'
import { SeriesBox } from './series-box.tsx'

type Serialized = Omit<EntryPageData, never> & { views?: number | null }

/**
 * The post's headings as links. A <details> so a phone reader can fold it away; from the
 * lg breakpoint it sits in a side column and stays in view (sticky) while the post
 * scrolls. Headings keep clear of the sticky site header through scroll-margin-top.
 */
function TableOfContents({ headings }: { headings: Serialized['headings'] }) {
  return (
    <nav aria-label="Table of contents" className="mb-8 lg:col-start-2 lg:row-span-2 lg:row-start-1 lg:mb-0">
      <details
        className={[
          'toc rounded-lg border border-zinc-200 p-4 text-sm lg:sticky lg:top-20',
          'lg:max-h-[calc(100vh-6rem)] lg:overflow-y-auto dark:border-zinc-800',
        ].join(' ')}
        open
      >
        <summary className="cursor-pointer rounded font-semibold text-zinc-900 dark:text-zinc-100">
          On this page
        </summary>
        <ol className="mt-3 space-y-1.5">
          {headings.map((heading) => (
            <li key={heading.id} style={{ paddingLeft: `${(heading.depth - 2) * 1}rem` }}>
              <a
                href={`#${heading.id}`}
                className="rounded text-zinc-600 hover:text-amber-700 dark:text-zinc-400 dark:hover:text-amber-400"
              >
                {heading.text}
              </a>
            </li>
          ))}
        </ol>
      </details>
    </nav>
  )
}

/**
 * The post's read count. The server renders the count as of the render (the page may come
 * from a cache); once the page has loaded it sends the read to /action/view/<slug> and
 * shows the count that answer carries. Counting after load keeps it off the page's path.
 */
function ViewCount({ slug, initial }: { slug: string; initial: number }) {
  const [views, setViews] = useState(initial)
  useEffect(() => {
    let live = true
    fetch(`/action/view/${slugPath(slug)}`, { method: 'POST', keepalive: true, credentials: 'same-origin' })
      .then((response) => (response.ok ? (response.json() as Promise<{ views?: unknown }>) : null))
      .then((body) => {
        if (live && body && typeof body.views === 'number') setViews(body.views)
      })
      .catch(() => {
        // A count that cannot be sent is not worth bothering the reader about.
      })
    return () => {
      live = false
    }
  }, [slug])
  return (
    <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="view-count" data-views={views}>
      {views.toLocaleString('en')} {views === 1 ? 'view' : 'views'}
    </p>
  )
}

/** A post or page: title, dates, tags, table of contents and the MDX body. */
export function Article({ data }: { data: Serialized }) {
  const toc = data.kind === 'post' && data.headings.length >= 2
  return (
    // With a table of contents, wide screens get a second column: the article widens past
    // the page's reading width by the same amount on both sides, so it stays centred.
    <article className={toc ? 'lg:-mx-32 lg:grid lg:grid-cols-[minmax(0,1fr)_13rem] lg:gap-x-10 xl:-mx-40' : undefined}>
      <header className="mb-8 space-y-3 lg:col-start-1">
        <h1 className="text-3xl font-bold tracking-tight text-zinc-950 sm:text-4xl dark:text-white">
          {data.title}
          {data.draft ? <DraftBadge scheduledAt={data.scheduledAt} /> : null}
        </h1>
        {data.description ? <p className="text-lg text-zinc-600 dark:text-zinc-400">{data.description}</p> : null}
        {data.kind === 'post' ? <Byline authors={data.authors} /> : null}
        {data.kind === 'post' ? (
          <PostDates date={data.date} updated={data.updated} readingMinutes={data.readingMinutes} />
        ) : null}
        {data.kind === 'post' && typeof data.views === 'number' ? (
          <ViewCount key={data.slug} slug={data.slug} initial={data.views} />
        ) : null}
        <TagList tags={data.tags} />
      </header>
      {data.footer.series ? <SeriesBox series={data.footer.series} /> : null}
      {toc ? <TableOfContents headings={data.headings} /> : null}
      {/* data-mdx-module: the post's code as a module, imported before hydration (app/entry.client.tsx). */}
      <div
        data-mdx-module={data.moduleUrl}
        className={[
          'prose prose-zinc max-w-none lg:col-start-1 dark:prose-invert prose-headings:tracking-tight',
          'prose-a:text-amber-700 dark:prose-a:text-amber-400 prose-pre:p-0 [&_pre>code]:block [&_pre>code]:p-4',
        ].join(' ')}
      >
        <MdxContent
          cacheKey={data.cacheKey}
          code={data.code}
          moduleUrl={data.moduleUrl}
          missing={data.missingComponents}
        />
      </div>
      <PostFooter kind={data.kind} footer={data.footer} />
    </article>
  )
}
