/**
 * HTML made for a page, trimmed for a feed reader. Pure functions.
 */

/**
 * Drops style attributes that only set CSS custom properties, like the
 * `--shiki-light:#24292e;--shiki-dark:#e1e4e8` on every highlighted token: without the
 * site's stylesheet they do nothing, and in a feed of code-heavy posts they are more than
 * half of the bytes. Styles with any real property stay as they are.
 */
export function dropInertStyles(html: string): string {
  return html.replace(/ style="([^"]*)"/g, (attribute, value: string) => {
    const declarations = value
      .split(';')
      .map((declaration) => declaration.trim())
      .filter(Boolean)
    return declarations.length > 0 && declarations.every((declaration) => declaration.startsWith('--')) ? '' : attribute
  })
}
