import { data, type MetaFunction } from '@remix-run/node'
import { seoMeta, siteFromMatches } from '../seo/meta.ts'

/** Any address no other route claims: the styled 404 from the root error boundary. */
export function loader() {
  throw data({ message: 'Not found' }, { status: 404 })
}

/** The loader always throws, so the root's meta (for errors) is what renders; this is the same, should it not. */
export const meta: MetaFunction = ({ matches, location }) =>
  seoMeta(siteFromMatches(matches), { title: 'Page not found', path: location.pathname, noindex: true })

export default function NotFound() {
  return null
}
