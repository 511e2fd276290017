import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { throwNotFound } from '../content/not-found.server.ts'
import { seoMeta, siteFromMatches } from '../seo/meta.ts'

/**
 * Any address no other route claims: a redirect when a rule or an alias names it, else the
 * styled 404 (with suggestions) from the root error boundary.
 */
export function loader({ request }: LoaderFunctionArgs) {
  throwNotFound(request)
}

/** The loader always throws, so the root's meta (for errors) is what renders; this is the same, should it not. */
export const meta: MetaFunction = ({ matches, location }) =>
  seoMeta(siteFromMatches(matches), { title: 'Page not found', path: location.pathname, noindex: true })

export default function NotFound() {
  return null
}
