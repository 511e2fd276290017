/**
 * Site-wide components: `content/components/<Name>.tsx` (or `.jsx`) is `<Name>` in every
 * post, without an import. What the compiler, the server and the browser share about
 * them, with no Node or React in it.
 *
 * Each component is bundled once per version (its file and what it imports), not once per
 * post, and served as its own module (`/mdx/component/<Name>/<version>.js`); a post's
 * compiled code names the components it uses and their versions in one exported string,
 * so the page (server and browser) knows what to load without compiling anything again.
 * The post's own version counts those files (source.server.ts), so an edit to a component
 * makes a new version of exactly the posts that use it, and their code names the new one.
 */

/** The folder under the content folder; never a post folder (posts live in blog/ and pages/). */
export const SITE_COMPONENTS_FOLDER = 'components'
export const SITE_COMPONENT_EXTENSIONS = ['.tsx', '.jsx']
/** A file name that is a component name: capitalised, a JavaScript identifier. */
export const SITE_COMPONENT_NAME = /^[A-Z][A-Za-z0-9_]*$/
/** The export of a compiled post naming its site-wide components: `"Chart:v1,Note:v2"`. */
export const SITE_COMPONENTS_EXPORT = '__kilnSiteComponents'
/** Versions are base64url; names identifiers: the list needs no quoting in any form esbuild prints. */
const VERSION = /^[A-Za-z0-9_-]+$/

export type SiteComponentVersions = Record<string, string>

/**
 * The value starts with its own name: mdx-bundler minifies a post's code, which renames the
 * variable behind the export, so the code is searched for the value itself.
 */
const MARK = `${SITE_COMPONENTS_EXPORT}=`

export function encodeSiteComponents(used: SiteComponentVersions): string {
  return (
    MARK +
    Object.keys(used)
      .sort()
      .map((name) => `${name}:${used[name]}`)
      .join(',')
  )
}

export function decodeSiteComponents(text: string): SiteComponentVersions {
  const used: SiteComponentVersions = {}
  if (!text.startsWith(MARK)) return used
  for (const pair of text.slice(MARK.length).split(',')) {
    const [name, version] = pair.split(':')
    if (name && version && SITE_COMPONENT_NAME.test(name) && VERSION.test(version)) used[name] = version
  }
  return used
}

const VALUE_IN_CODE = new RegExp(`["'\`](${MARK}[\\w:,-]*)["'\`]`)

/** The site-wide components a compiled post uses, read from its code (no evaluation). */
export function siteComponentsOfCode(code: string): SiteComponentVersions {
  const match = VALUE_IN_CODE.exec(code)
  return match ? decodeSiteComponents(match[1]) : {}
}

export function siteComponentModulePath(name: string, version: string): string {
  return `/mdx/component/${name}/${version}.js`
}
