/**
 * Reading a Content-Security-Policy and a document's inline scripts the way a browser
 * does, independently of Kiln's own code (app/http/content-security-policy.server.ts).
 * Also the extra posts the CSP tests serve beside the sample blog: an embed with code, a
 * broken post, and one that carries an inline script of its own.
 */
import crypto from 'node:crypto'

/** Directive name -> its sources. A repeated directive is ignored by browsers after the first. */
export function parsePolicy(header: string | null): Map<string, string[]> {
  const directives = new Map<string, string[]>()
  for (const part of (header ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/)
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), sources)
  }
  return directives
}

/** The texts of a document's inline scripts that a browser would run (data blocks such as JSON-LD are not scripts). */
export function inlineScripts(html: string): string[] {
  const scripts: string[] = []
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    const attributes = match[1]
    if (/\ssrc\s*=/i.test(attributes)) continue
    const type = /\stype\s*=\s*"([^"]*)"/i.exec(attributes)?.[1]?.trim().toLowerCase()
    if (type && !['module', 'text/javascript', 'application/javascript'].includes(type)) continue
    scripts.push(match[2])
  }
  return scripts
}

export function sha256Source(text: string): string {
  return `'sha256-${crypto.createHash('sha256').update(text.replace(/\r\n?/g, '\n')).digest('base64')}'`
}

export const EMBED = 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ'

/** The sample blog, plus a post with an embed, a broken one and one carrying its own inline script. */
export const EXTRA_POSTS = {
  'blog/zz-embeds.mdx': `---
title: Embeds and code
date: 2026-02-01
tags:
  - embeds
---
A video:

<iframe src="${EMBED}" title="A video" width="560" height="315"></iframe>

\`\`\`ts title="hello.ts"
export const hello = (name: string) => \`hello \${name}\`
\`\`\`
`,
  'blog/zz-broken.mdx': `---
title: Broken
date: 2026-02-02
---
Hello <Broken
`,
  'blog/zz-injected.mdx': `---
title: Injected
date: 2026-02-03
---
An inline script written into the content:

<script dangerouslySetInnerHTML={{ __html: 'window.kilnInjected = 1' }} />
`,
}
