import type { LoaderFunctionArgs } from '@remix-run/node'
import { siteSocialImage, socialImageRoute } from '../seo/social-image.server.ts'

/** The site's social image: for the home page, lists and pages. */
export function loader({ request, context }: LoaderFunctionArgs) {
  return socialImageRoute(request, () => siteSocialImage(context.timings))
}
