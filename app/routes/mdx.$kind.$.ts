import type { LoaderFunctionArgs } from '@remix-run/node'
import { loadEntry } from '../content/content.server.ts'
import { canSeeDrafts } from '../content/drafts.server.ts'
import { mdxModuleSource, mdxModuleVersion } from '../content/mdx-module.server.ts'

const notFound = () =>
  new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })

/**
 * GET /mdx/<post|page>/<slug>/<version>.js (a nested slug's "/" kept): a post's compiled MDX as a module for the
 * browser (app/content/mdx-module.server.ts). The version named is immutable for a year;
 * an older one (the post changed since the page was rendered) gets the current code,
 * never kept, so the page still comes to life.
 */
export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const kind = params.kind
  const rest = params['*'] ?? ''
  const version = /\/([A-Za-z0-9_-]+)\.js$/.exec(rest)?.[1]
  if ((kind !== 'post' && kind !== 'page') || !version) return notFound()
  const slug = rest.slice(0, -(version.length + 4))
  const result = await loadEntry(kind, slug, context.timings, {
    includeDrafts: await canSeeDrafts(request),
  })
  if (result.status !== 'ok') return notFound()
  const code = result.compiled.code
  const current = mdxModuleVersion(code) === version && !result.entry.draft
  return new Response(mdxModuleSource(code), {
    headers: {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': current ? 'public, max-age=31536000, immutable' : 'no-cache',
    },
  })
}
