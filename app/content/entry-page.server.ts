/**
 * The loader behind a post or page route: turns the content service's answer into what
 * the page renders, or into a 404 / 500 that the error boundary shows without internals.
 */
import { data, type AppLoadContext } from '@remix-run/node'
import { getDb } from '../db/connection.server.ts'
import { NOT_CACHEABLE_HEADER, PAGE_ENTRY_HEADER } from '../http/page-cache.server.ts'
import { socialImageUrl } from '../seo/social-image.server.ts'
import { loadEntry } from './content.server.ts'
import { postFooter } from './post-footer.server.ts'
import { throwNotFound } from './not-found.server.ts'
import { canonicalLang } from './language.ts'
import { authorIdsOf, resolveAuthors } from './authors.server.ts'
import { getConfig } from '../config.server.ts'
import { canSeeDrafts } from './drafts.server.ts'
import { mdxModulePath } from './mdx-module.server.ts'
import { isQuarantined } from './render-guard.server.ts'
import type { EntryKind } from './source.server.ts'

export async function loadEntryPage(
  kind: EntryKind,
  slug: string | undefined,
  context: AppLoadContext,
  request: Request,
  /** A preview link opens a hidden post to whoever holds it (previews.server.ts). */
  { preview = false }: { preview?: boolean } = {},
) {
  const includeDrafts = preview || (await canSeeDrafts(request))
  const result = await loadEntry(kind, slug ?? '', context.timings, { includeDrafts })
  // A redirect (an alias, content/redirects) when one names this address; else a 404 with suggestions.
  if (result.status === 'not-found') throwNotFound(request)
  if (result.status === 'failed') {
    // The author finds the file, line and message in the server log and in
    // `npm run content:check`; readers get a plain apology.
    throw data(
      {
        message:
          `“${result.entry.title}” could not be built, so it cannot ` + `be shown right now. The author has been told.`,
      },
      { status: 500 },
    )
  }
  const { entry, compiled } = result
  if (isQuarantined(getDb(), kind, entry.slug, compiled.sourceHash)) {
    // This version's component blocked the server once (render-guard.server.ts): it is
    // not run again until the source changes.
    throw data(
      {
        message:
          `“${entry.title}” cannot be shown right now: it took too long to ` +
          `display and is set aside until the author changes it.`,
      },
      { status: 500 },
    )
  }
  const fm = compiled.frontmatter
  return {
    kind,
    slug: entry.slug,
    // A provisional compile is replaced under the same hash: its evaluated component must not outlive it.
    cacheKey: `${kind}:${entry.slug}@${compiled.sourceHash}${compiled.provisional ? `~${compiled.compiledAt}` : ''}`,
    code: compiled.code,
    /** The same code as a module from this site, for the browser (no eval under the CSP). */
    moduleUrl: mdxModulePath(kind, entry.slug, compiled.code),
    title: fm.title,
    description: fm.description,
    date: fm.date,
    updated: fm.updated,
    tags: fm.tags,
    /** The post's own language (frontmatter `lang`), for `<html lang>` and its dates; null: the site's. */
    lang: canonicalLang(fm.data.lang),
    /** Its authors (frontmatter `author`/`authors`); empty: SITE_AUTHOR, with no byline. */
    authors: resolveAuthors(getConfig().contentDir, authorIdsOf(fm.data)).map(({ id, name, known }) => ({
      id,
      name,
      known,
    })),
    headings: compiled.headings,
    readingMinutes: compiled.readingMinutes,
    wordCount: compiled.wordCount,
    missingComponents: compiled.warnings.flatMap((warning) => (warning.component ? [warning.component] : [])),
    /**
     * True while a newer, broken version of this post exists and this older good one is
     * served, or while this version is provisional (compiled again later): either way the
     * page cache must not keep this answer.
     */
    servingLastGood: result.failure !== null || compiled.provisional,
    /** Absolute URL of the social image: the frontmatter's `image`, else a generated card. */
    socialImage: socialImageUrl(kind, entry.slug, fm.image ?? null),
    /** Previous and next posts, and the edit link. */
    footer: context.timings.time('db', () => postFooter(getDb(), entry, fm.data.series)),
    /** Only an admin gets a draft; the page is marked and kept out of search engines. */
    draft: entry.draft,
    /** A scheduled post (shown to an admin before its time): when it goes public. */
    scheduledAt: entry.scheduledAt,
  }
}

export type EntryPageData = Awaited<ReturnType<typeof loadEntryPage>>

/**
 * The route's headers for this answer, for the page cache: which entry the page shows (it is
 * kept under that entry's stamp), and a last good (or provisional) version marked not to keep.
 */
export function entryPageHeaders(page: Pick<EntryPageData, 'kind' | 'slug' | 'servingLastGood'>): HeadersInit {
  const entry = { [PAGE_ENTRY_HEADER]: `${page.kind}/${page.slug}` }
  return page.servingLastGood ? { ...entry, [NOT_CACHEABLE_HEADER]: 'last good version' } : entry
}
