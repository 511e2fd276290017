import type { LoaderFunctionArgs } from '@remix-run/node'
import { loadEntry } from '../content/content.server.ts'
import { mdxModuleSource } from '../content/mdx-module.server.ts'
import { findPreview } from '../content/previews.server.ts'
import { getDb } from '../db/connection.server.ts'

/** The previewed post's code as a module for the browser, to whoever holds the link; never kept by a cache. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const preview = findPreview(getDb(), params.token ?? '')
  const result = preview ? await loadEntry('post', preview.slug, context.timings, { includeDrafts: true }) : null
  if (!result || result.status !== 'ok')
    return new Response('Not found', {
      status: 404,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'private, no-store' },
    })
  return new Response(mdxModuleSource(result.compiled.code), {
    headers: { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'private, no-store' },
  })
}
