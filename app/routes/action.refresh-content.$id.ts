import type { LoaderFunctionArgs } from '@remix-run/node'
import { getConfig } from '../config.server.ts'
import { getRefresh } from '../content/refresh.server.ts'
import {
  SIGNATURE_HEADER,
  STATUS_SIGNATURE_FORMAT,
  STATUS_SIGNATURE_HEADER,
  verifyStatusRead,
} from '../content/webhook-signature.server.ts'
import { noStoreJson } from '../http/no-store-responses.ts'

/**
 * GET /action/refresh-content/<id>: a refresh's status, signed with a timestamp over the
 * path (X-Kiln-Signature, see webhook-signature.server.ts); `npm run content:refresh` does it.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { refreshSecret } = getConfig()
  if (!refreshSecret) return noStoreJson({ error: 'refreshing is not enabled: set REFRESH_SECRET on the server' }, 503)
  const { pathname } = new URL(request.url)
  const signature = request.headers.get(STATUS_SIGNATURE_HEADER)
  if (!verifyStatusRead(refreshSecret, pathname, signature)) {
    // A client written for the old scheme (X-Hub-Signature-256 over the empty body) is told what changed.
    const old = !signature && request.headers.has(SIGNATURE_HEADER)
    const error = old
      ? `${SIGNATURE_HEADER} over the empty body is no longer accepted for a status read (it never ` +
        `expired); sign it with ${STATUS_SIGNATURE_HEADER}: ${STATUS_SIGNATURE_FORMAT}`
      : `missing, expired or wrong ${STATUS_SIGNATURE_HEADER}: it must be ` +
        `${STATUS_SIGNATURE_FORMAT}, made within five minutes`
    return noStoreJson({ error }, 401)
  }
  const refresh = getRefresh(params.id ?? '')
  if (!refresh) return noStoreJson({ error: 'no refresh with that id' }, 404)
  return noStoreJson(
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
