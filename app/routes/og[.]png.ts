import type { LoaderFunctionArgs } from '@remix-run/node'
import { siteSocialImage, socialImageResponse } from '../seo/social-image.server.ts'

/** The site's social image: for the home page, lists and pages. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return socialImageResponse(request, await siteSocialImage(context.timings))
}
