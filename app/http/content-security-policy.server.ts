/**
 * Kiln's Content-Security-Policy: only Kiln's own scripts run.
 *
 * Scripts come from this origin ('self': the build's modules), plus the few inline scripts
 * Remix writes into a document (the context script, the route modules script, the
 * single-fetch data scripts, ScrollRestoration's), each allowed by its sha256 hash, never
 * by 'unsafe-inline' or 'unsafe-eval'.
 *
 * Why hashes and not a nonce: the page cache (app/http/page-cache.server.ts) answers many readers
 * with one rendered document; a nonce baked into a shared page is a constant any reader
 * can read. A hash names the script's exact text, so a cached page and its stored policy
 * stay true together, whoever receives them.
 *
 * Which inline scripts get a hash: only those Kiln rendered itself. Each render picks a
 * random marker and hands it to Remix as the scripts' `nonce` attribute (and to React, for
 * its own runtime scripts); after the render, exactly the scripts carrying the marker are
 * hashed and the marker is removed from the HTML. A script injected into the page by any
 * other way (a bug that lets markup through) cannot carry a marker it never saw, gets no
 * hash, and is blocked. Pages are rendered whole before their first byte (see
 * app/entry.server.tsx), so the complete document is at hand when its header is written.
 *
 * Styles may be inline ('unsafe-inline' for styles only): shiki colours code with style
 * attributes. Development (Vite's hot reload, its inline and eval'd modules, its websocket)
 * gets a relaxed script-src; production is strict.
 */
import crypto from 'node:crypto'

export interface PolicyOptions {
  /** Origins posts may embed in iframes (CSP_FRAME_SRC); empty: none. */
  frameSrc: readonly string[]
  /** SITE_URL is https: ask browsers to upgrade any http subresource. */
  https: boolean
  /** Vite's dev server: inline and eval'd scripts, a websocket for hot reload. */
  development: boolean
}

/** Every Kiln policy carries this directive: how a policy set by anything else is told apart. */
export const KILN_POLICY_SIGNATURE = "frame-ancestors 'none'"

/** The policy for a response whose inline scripts have these hashes ('sha256-…' sources). */
export function contentSecurityPolicy(options: PolicyOptions, scriptHashes: readonly string[] = []): string {
  const scripts = options.development
    ? ["'self'", "'unsafe-inline'", "'unsafe-eval'"]
    : ["'self'", ...new Set(scriptHashes)]
  // Only what differs from default-src: a directive left out falls back to it (connect-src,
  // font-src, manifest-src and worker-src would each say 'self' again), and inline event
  // handlers (script-src-attr) fall back to script-src, whose hashes never allow them
  // without 'unsafe-hashes'. Every answer carries the policy and every client parses it, so
  // its bytes are part of what each request costs (docs/performance.md, serving).
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    ['script-src', ...scripts],
    ['style-src', "'self'", "'unsafe-inline'"],
    // Posts show remote images; small icons come as data: URLs.
    ['img-src', "'self'", 'https:', 'data:'],
    ['media-src', "'self'", 'https:'],
    ...(options.development ? [['connect-src', "'self'", 'ws:', 'wss:'] as [string, ...string[]]] : []),
    ['frame-src', ...(options.frameSrc.length > 0 ? options.frameSrc : ["'none'"])],
    // frame-ancestors, base-uri and form-action never fall back to default-src; object-src
    // does, but no plug-in content at all is stricter than 'self'.
    ['frame-ancestors', "'none'"],
    ['base-uri', "'none'"],
    ['object-src', "'none'"],
    ['form-action', "'self'"],
  ]
  if (options.https) directives.push(['upgrade-insecure-requests'])
  return directives.map((directive) => directive.join(' ')).join('; ')
}

/** A fresh marker for one render: 144 random bits, URL-safe (it is only ever an attribute value). */
export function newScriptMarker(): string {
  return crypto.randomBytes(18).toString('base64url')
}

/**
 * The CSP source for a script's text: the browser hashes its UTF-8 bytes after the parser turned CR LF and CR into LF.
 */
export function scriptHashSource(text: string): string {
  return `'sha256-${crypto.createHash('sha256').update(text.replace(/\r\n?/g, '\n'), 'utf8').digest('base64')}'`
}

/**
 * The HTML without the marker, and the hash sources of the inline scripts that carried it.
 * React escapes `>` in attribute values and Remix escapes `<` inside its scripts, so the
 * first `>` ends a marked tag and the first `</script` ends its text.
 */
export function sealInlineScripts(html: string, marker: string): { html: string; hashes: string[] } {
  const hashes = new Set<string>()
  const marked = new RegExp(`<script\\b([^>]*?) nonce="${marker}"([^>]*)>([\\s\\S]*?)</script`, 'gi')
  const sealed = html.replace(marked, (_match, before: string, after: string, text: string) => {
    if (text.length > 0) hashes.add(scriptHashSource(text))
    return `<script${before}${after}>${text}</script`
  })
  return { html: sealed, hashes: [...hashes] }
}
