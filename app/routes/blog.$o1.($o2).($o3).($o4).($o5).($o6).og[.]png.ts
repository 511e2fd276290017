import type { LoaderFunctionArgs } from '@remix-run/node'
import { slugFromParams } from '../content/slug.ts'
import { postSocialImage, socialImageRoute } from '../seo/social-image.server.ts'

/**
 * A post's generated social image (1200x630 PNG) at /blog/<slug>/og.png, nested slugs
 * too (`o1`…`o6`, as the post's route); 404 for a draft or an unknown slug.
 */
export function loader({ request, params, context }: LoaderFunctionArgs) {
  return socialImageRoute(request, () => postSocialImage(slugFromParams(params, 'o'), context.timings))
}
