/**
 * The theme a request renders with, from its kiln_theme cookie. The root loader renders
 * with it and the page cache keys pages by it (app/http/page-cache.server.ts): both call this one
 * function on the same header, so a page is never stored under a theme it was not
 * rendered in, whatever the header holds (duplicates, quotes, encodings, junk).
 */
import { readCookie } from '../http/cookies.ts'
import { parseThemeChoice, type ThemeChoice } from './theme.ts'

export const THEME_COOKIE = 'kiln_theme'

export function themeFromCookieHeader(header: string | string[] | null | undefined): ThemeChoice {
  const value = parseThemeChoice(readCookie(header, THEME_COOKIE))
  return value === 'light' || value === 'dark' ? value : 'system'
}
