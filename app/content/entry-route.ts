/**
 * What the two routes that show one entry (a post at /blog/<slug>, a page at /<name>)
 * share besides their loaders: the page cache's headers, the client loader that brings
 * the entry's module in before a client navigation renders it, and the meta tags.
 */
import type { data, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import type { ClientLoaderFunctionArgs } from '@remix-run/react'
import type { EntryPageData } from './entry-page.server.ts'
import { loadMdxModule } from './mdx-component.tsx'
import { seoMeta, siteFromMatches } from '../seo/meta.ts'
import { entryPath } from '../seo/urls.ts'

/** The shape both routes' loaders share: an entry's page data, with the page cache's headers. */
type EntryLoader = (args: LoaderFunctionArgs) => Promise<ReturnType<typeof data<EntryPageData>>>

/** The loader's headers (a last good version's mark for the page cache) are the page's. */
export const entryHeaders: HeadersFunction = ({ loaderHeaders }) => loaderHeaders

/** On a client navigation, the entry's module is in before the page renders (no blank body). */
export async function entryClientLoader({ serverLoader }: ClientLoaderFunctionArgs) {
  const data = await serverLoader<EntryLoader>()
  await loadMdxModule(data.moduleUrl)
  return data
}

/** Title, description, canonical address and social card; `article` adds the article:* tags (posts). */
export function entryMeta({ article }: { article: boolean }): MetaFunction<EntryLoader> {
  return ({ data, matches, location }) =>
    seoMeta(
      siteFromMatches(matches),
      data
        ? {
            title: data.title,
            description: data.description,
            path: entryPath(data.kind, data.slug),
            image: data.socialImage,
            article: article
              ? {
                  published: data.date,
                  modified: data.updated,
                  tags: data.tags,
                  authors: data.authors.map((author) => ({
                    id: author.known ? author.id : undefined,
                    name: author.name,
                  })),
                }
              : undefined,
            noindex: data.draft,
          }
        : { title: 'Not found', path: location.pathname, noindex: true },
    )
}
