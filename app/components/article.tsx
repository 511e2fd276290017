import { MdxContent } from '../content/mdx-component.tsx'
import type { EntryPageData } from '../content/entry-page.server.ts'
import { PostDates, TagList } from './post-meta.tsx'
import { PostFooter } from './post-footer.tsx'

type Serialized = Omit<EntryPageData, never>

function TableOfContents({ headings }: { headings: Serialized['headings'] }) {
  if (headings.length < 2) return null
  return (
    <details className="mb-8 rounded-lg border border-zinc-200 p-4 text-sm dark:border-zinc-800" open>
      <summary className="cursor-pointer font-semibold text-zinc-900 dark:text-zinc-100">On this page</summary>
      <ol className="mt-3 space-y-1.5">
        {headings.map((heading) => (
          <li key={heading.id} style={{ paddingLeft: `${(heading.depth - 2) * 1}rem` }}>
            <a href={`#${heading.id}`} className="text-zinc-600 hover:text-amber-700 dark:text-zinc-400 dark:hover:text-amber-400">
              {heading.text}
            </a>
          </li>
        ))}
      </ol>
    </details>
  )
}

/** A post or page: title, dates, tags, table of contents and the MDX body. */
export function Article({ data }: { data: Serialized }) {
  return (
    <article>
      <header className="mb-8 space-y-3">
        <h1 className="text-3xl font-bold tracking-tight text-zinc-950 sm:text-4xl dark:text-white">{data.title}</h1>
        {data.description ? <p className="text-lg text-zinc-600 dark:text-zinc-400">{data.description}</p> : null}
        {data.kind === 'post' ? <PostDates date={data.date} updated={data.updated} readingMinutes={data.readingMinutes} /> : null}
        <TagList tags={data.tags} />
      </header>
      {data.kind === 'post' ? <TableOfContents headings={data.headings} /> : null}
      <div className="prose prose-zinc max-w-none dark:prose-invert prose-headings:tracking-tight prose-a:text-amber-700 dark:prose-a:text-amber-400 prose-pre:p-0 [&_pre>code]:block [&_pre>code]:p-4">
        <MdxContent cacheKey={data.cacheKey} code={data.code} missing={data.missingComponents} />
      </div>
      <PostFooter kind={data.kind} footer={data.footer} />
    </article>
  )
}
