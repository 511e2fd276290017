import type { LoaderFunctionArgs } from '@remix-run/node'
import { imageResponse } from '../images/image-response.server.ts'

/** GET /images/<hash>/<width>.<format>: a copy of a post's image that its page declared (app/images/). */
export function loader({ request, params }: LoaderFunctionArgs) {
  return imageResponse(request, params.hash, params.variant)
}
