import { useMatches } from '@remix-run/react'
import { canonicalLang } from '../content/language.ts'

/**
 * Dates are stored as ISO strings; shown in UTC so server and browser agree on the day,
 * in the page's language (SITE_LANG, or a post's `lang`). English keeps the day-month-year
 * order Kiln has always shown ("31 January 2026").
 */
export function formatDate(iso: string, lang = 'en'): string {
  const locale = lang === 'en' ? 'en-GB' : (canonicalLang(lang) ?? 'en-GB')
  return new Date(iso).toLocaleDateString(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
}

/**
 * The page's language: the deepest route's `lang` (a post's), else the site's (the root
 * loader's `site.lang`), else English. The root layout and dates read it alike.
 */
export function usePageLang(): string {
  const matches = useMatches()
  for (let index = matches.length - 1; index >= 0; index--) {
    const data = matches[index].data as { lang?: unknown; site?: { lang?: unknown } } | null | undefined
    const lang = canonicalLang(data?.lang) ?? canonicalLang(data?.site?.lang)
    if (lang) return lang
  }
  return 'en'
}
