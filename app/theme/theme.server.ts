/**
 * The theme cookie, kiln_theme: "light" or "dark" as plain text (absent: follow the
 * system). The root loader reads it and the server renders <html class="dark"> or
 * <html class="light">, so the first paint has the right colours with or without
 * JavaScript. It changes the page's HTML: a page cache must include it in its key.
 */
import { redirect } from '@remix-run/node'
import { isSameOrigin } from '../auth/session.server.ts'
import { noStoreJson } from '../http/no-store-responses.ts'
import { requestOrigins, safeRedirect } from '../http/safe-redirect.ts'
import { THEME_COOKIE, themeFromCookieHeader } from './theme-cookie.server.ts'
import { parseThemeChoice, type ThemeChoice } from './theme.ts'

export { THEME_COOKIE }
const YEAR_SECONDS = 365 * 24 * 60 * 60

export function readTheme(request: Request): ThemeChoice {
  return themeFromCookieHeader(request.headers.get('Cookie'))
}

export function themeCookie(theme: ThemeChoice): string {
  // Not secret and not personal: no Secure flag needed; httpOnly since only the server reads it.
  return theme === 'system'
    ? `${THEME_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`
    : `${THEME_COOKIE}=${theme}; Path=/; Max-Age=${YEAR_SECONDS}; HttpOnly; SameSite=Lax`
}

/**
 * POST /action/theme with `theme` = system | light | dark. A plain form post (no
 * JavaScript) is redirected back to `redirectTo`, a path on this site; the toggle's
 * fetcher sends `enhanced=1` and gets JSON, and the page's loaders revalidate.
 */
export async function answerThemeChange(request: Request): Promise<Response> {
  if (!isSameOrigin(request)) return noStoreJson({ error: 'This form must be sent from this site.' }, 403)
  let form: FormData
  try {
    form = await request.formData()
  } catch {
    return noStoreJson({ error: 'expected a form' }, 400)
  }
  const theme = parseThemeChoice(form.get('theme'))
  if (!theme) return noStoreJson({ error: 'theme must be system, light or dark' }, 400)
  const headers = { 'Set-Cookie': themeCookie(theme) }
  if (form.get('enhanced') === '1') return noStoreJson({ theme }, 200, headers)
  return redirect(safeRedirect(form.get('redirectTo'), '/', requestOrigins(request)), { headers })
}
