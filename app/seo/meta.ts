/**
 * The <head> every page shares: title, description, canonical URL, Open Graph, Twitter
 * card and, for posts, article tags and a JSON-LD BlogPosting. Routes describe their page
 * in a few fields and call `seoMeta`; this module turns that into Remix meta descriptors.
 *
 * Remix uses the meta of the deepest route only (parents are not merged), so each route's
 * list is complete on its own. Runs on the server and in the browser: no server imports.
 */
import type { MetaDescriptor } from '@remix-run/react'
import { absoluteUrl, authorPath, siteImagePath } from './urls.ts'

/** What the root loader tells every page about the site. */
export interface SiteSeo {
  title: string
  description: string
  /** SITE_URL, without a trailing slash. */
  url: string
  author: string
  /** SITE_LANG. */
  lang?: string
}

export interface ArticleSeo {
  /** ISO dates from the frontmatter. */
  published: string | null
  modified: string | null
  tags: string[]
  /** The post's own authors (content/authors/); none: SITE_AUTHOR. `id` set: they have a page. */
  authors?: { id?: string; name: string }[]
}

export interface PageSeo {
  /** The document title as shown in the tab. */
  title: string
  description?: string | null
  /** The canonical path (and query, only where it selects different content). */
  path: string
  /** Absolute URL of the social image; the site's default image when absent. */
  image?: string | null
  article?: ArticleSeo
  /** For error pages: not to be indexed, and no canonical. */
  noindex?: boolean
}

/** The root loader's `site`, found among the matches a meta function receives. */
export function siteFromMatches(matches: readonly { id: string; data?: unknown }[]): SiteSeo | null {
  const root = matches.find((match) => match.id === 'root')?.data as { site?: Partial<SiteSeo> } | undefined
  const site = root?.site
  if (!site?.url || !site.title) return null
  return { title: site.title, description: site.description ?? '', url: site.url, author: site.author ?? site.title }
}

/** A date as a full ISO timestamp, which Open Graph and schema.org both accept. */
export function isoDateTime(date: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? `${date}T00:00:00.000Z` : date
}

export function seoMeta(site: SiteSeo | null, page: PageSeo): MetaDescriptor[] {
  if (!site)
    return [{ title: page.title }, ...(page.description ? [{ name: 'description', content: page.description }] : [])]
  const description = page.description || site.description
  const url = absoluteUrl(site.url, page.path)
  const image = page.image || absoluteUrl(site.url, siteImagePath)
  const meta: MetaDescriptor[] = [
    { title: page.title },
    { name: 'description', content: description },
    page.noindex ? { name: 'robots', content: 'noindex' } : { tagName: 'link', rel: 'canonical', href: url },
    { property: 'og:site_name', content: site.title },
    { property: 'og:title', content: page.title },
    { property: 'og:description', content: description },
    { property: 'og:url', content: url },
    { property: 'og:type', content: page.article ? 'article' : 'website' },
    { property: 'og:image', content: image },
    { property: 'og:image:alt', content: page.title },
    { name: 'twitter:card', content: 'summary_large_image' },
    { name: 'twitter:title', content: page.title },
    { name: 'twitter:description', content: description },
    { name: 'twitter:image', content: image },
  ]
  const article = page.article
  if (article) {
    if (article.published) meta.push({ property: 'article:published_time', content: isoDateTime(article.published) })
    if (article.modified) meta.push({ property: 'article:modified_time', content: isoDateTime(article.modified) })
    const people = article.authors?.length ? article.authors : [{ name: site.author }]
    for (const person of people) meta.push({ property: 'article:author', content: person.name })
    const persons = people.map((person) => ({
      '@type': 'Person',
      name: person.name,
      ...('id' in person && person.id ? { url: absoluteUrl(site.url, authorPath(person.id)) } : {}),
    }))
    for (const tag of article.tags) meta.push({ property: 'article:tag', content: tag })
    meta.push({
      'script:ld+json': {
        '@context': 'https://schema.org',
        '@type': 'BlogPosting',
        headline: page.title,
        description,
        url,
        mainEntityOfPage: url,
        image,
        ...(article.published ? { datePublished: isoDateTime(article.published) } : {}),
        ...(article.published || article.modified
          ? { dateModified: isoDateTime(article.modified ?? article.published ?? '') }
          : {}),
        // One Person as before; a list when the post has several authors.
        author: people.length === 1 ? persons[0] : persons,
        publisher: { '@type': 'Organization', name: site.title, url: site.url },
        keywords: article.tags.join(', '),
      },
    })
  }
  return meta
}
