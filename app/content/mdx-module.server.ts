/**
 * A post's compiled MDX as a JavaScript module the browser imports from this site.
 *
 * mdx-bundler's own client evaluates the code string with `new Function`, which a
 * Content-Security-Policy without 'unsafe-eval' forbids (app/http/content-security-policy.server.ts).
 * So the browser gets the same code as a module under script-src 'self': a function of the
 * same three globals mdx-bundler passes (React, ReactDOM, the JSX runtime), returning the
 * same exports. The URL names a hash of the code, so a version is immutable in any cache;
 * the server still evaluates the code in-process (no CSP there), through the component cache.
 */
import crypto from 'node:crypto'
import { slugPath } from '../seo/urls.ts'
import type { EntryKind } from './source.server.ts'

/** The module's version: a digest of the code it wraps. */
export function mdxModuleVersion(code: string): string {
  return crypto.createHash('sha256').update(code).digest('base64url').slice(0, 22)
}

export function mdxModulePath(kind: EntryKind, slug: string, code: string): string {
  return `/mdx/${kind}/${slugPath(slug)}/${mdxModuleVersion(code)}.js`
}

/** The code as an ES module: `default(React, ReactDOM, _jsx_runtime)` returns what getMDXExport would. */
export function mdxModuleSource(code: string): string {
  return `export default function (React, ReactDOM, _jsx_runtime) {\n${code}\n}\n`
}
