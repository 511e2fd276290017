import type { LoaderFunctionArgs } from '@remix-run/node'
import { postSocialImage, socialImageResponse } from '../seo/social-image.server.ts'

/** A post's generated social image (1200x630 PNG); 404 for a draft or an unknown slug. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const image = await postSocialImage(params.slug ?? '', context.timings)
  if (!image) return new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
  return socialImageResponse(request, image)
}
