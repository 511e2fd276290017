/**
 * Language tags (BCP 47) for `<html lang>` and for formatting dates: SITE_LANG, and a
 * post's frontmatter `lang`. Pure, for the server and the browser.
 */

/** The longest tag kept: real ones are short ("zh-Hant-TW"); a long value is a mistake, not a language. */
const MAX_LANG_LENGTH = 35

/** The canonical spelling of a language tag (`zh-hant` -> `zh-Hant`), or null when it is not one. */
export function canonicalLang(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LANG_LENGTH) return null
  try {
    return Intl.getCanonicalLocales(value.trim())[0] ?? null
  } catch {
    return null
  }
}
