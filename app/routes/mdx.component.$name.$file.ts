import type { LoaderFunctionArgs } from '@remix-run/node'
import { siteComponentModule } from '../content/site-components.server.ts'

const notFound = () =>
  new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })

/**
 * GET /mdx/component/<Name>/<version>.js: a site-wide component (content/components/) as a
 * module for the browser, shared by every post that uses it (app/content/site-components.ts).
 * The file's current version is immutable for a year; any other gets the current code, never kept.
 */
export async function loader({ params }: LoaderFunctionArgs) {
  const version = /^([A-Za-z0-9_-]+)\.js$/.exec(params.file ?? '')?.[1]
  if (!version) return notFound()
  const module = await siteComponentModule(params.name ?? '', version)
  if (!module) return notFound()
  return new Response(module.source, {
    headers: {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': module.current ? 'public, max-age=31536000, immutable' : 'no-cache',
    },
  })
}
