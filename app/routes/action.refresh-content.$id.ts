import type { LoaderFunctionArgs } from '@remix-run/node'
import { getConfig } from '../config.server.ts'
import { getRefresh } from '../content/refresh.server.ts'
import { SIGNATURE_HEADER, verifySignature } from '../content/webhook-signature.server.ts'

const json = (body: unknown, status: number) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' } })

/** GET /action/refresh-content/<id>: a refresh's status, signed like the webhook over the empty body. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { refreshSecret } = getConfig()
  if (!refreshSecret) return json({ error: 'refreshing is not enabled: set REFRESH_SECRET on the server' }, 503)
  if (!verifySignature(refreshSecret, '', request.headers.get(SIGNATURE_HEADER))) {
    return json({ error: `missing or wrong ${SIGNATURE_HEADER} signature (over the empty body)` }, 401)
  }
  const refresh = getRefresh(params.id ?? '')
  if (!refresh) return json({ error: 'no refresh with that id' }, 404)
  return json(
    {
      id: refresh.id,
      status: refresh.status,
      commit: refresh.commit,
      posts: refresh.posts.map(({ slug, result, error }) => ({ slug, result, ...(error ? { error } : {}) })),
      ...(refresh.error ? { error: refresh.error } : {}),
      requestedAt: refresh.requestedAt,
      startedAt: refresh.startedAt,
      finishedAt: refresh.finishedAt,
      ...(refresh.interruptedAt ? { interruptedAt: refresh.interruptedAt } : {}),
    },
    200,
  )
}
