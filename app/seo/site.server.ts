/** The site as SEO, feeds and the sitemap describe it, from the configuration. */
import { getConfig } from '../config.server.ts'
import type { SiteSeo } from './meta.ts'

export function siteSeo(): SiteSeo {
  const config = getConfig()
  return {
    title: config.siteTitle,
    description: config.siteDescription,
    url: config.siteUrl,
    author: config.siteAuthor,
    lang: config.siteLang,
  }
}
