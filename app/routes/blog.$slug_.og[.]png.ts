import type { LoaderFunctionArgs } from '@remix-run/node'
import { postSocialImage, socialImageRoute } from '../seo/social-image.server.ts'

/** A post's generated social image (1200x630 PNG); 404 for a draft or an unknown slug. */
export function loader({ request, params, context }: LoaderFunctionArgs) {
  return socialImageRoute(request, () => postSocialImage(params.slug ?? '', context.timings))
}
