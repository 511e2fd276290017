import type { ActionFunctionArgs } from '@remix-run/node'
import { getConfig } from '../config.server.ts'
import { requestRefresh } from '../content/refresh.server.ts'
import { SIGNATURE_HEADER, readBodyWithLimit, verifySignature } from '../content/webhook-signature.server.ts'

const json = (body: unknown, status: number, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers } })

/**
 * POST /action/refresh-content: the content webhook. Signed like a GitHub webhook
 * (X-Hub-Signature-256 over the raw body with REFRESH_SECRET); any body up to 1 MB,
 * so a GitHub push payload or a CI's `{}` both work. Answers 202 with the refresh's id.
 */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== 'POST') return json({ error: 'use POST' }, 405)
  const { refreshSecret, webhookBodyMaxBytes } = getConfig()
  if (!refreshSecret) return json({ error: 'refreshing is not enabled: set REFRESH_SECRET on the server' }, 503)
  // The server already refused a larger body at the door (server/request-limits.ts); this
  // guard keeps the route safe wherever it is mounted.
  const body = await readBodyWithLimit(request, webhookBodyMaxBytes)
  // The rest of the body is left unread, so the connection cannot carry another request.
  if (body === null) return json({ error: `body larger than ${webhookBodyMaxBytes} bytes` }, 413, { Connection: 'close' })
  if (!verifySignature(refreshSecret, body, request.headers.get(SIGNATURE_HEADER))) {
    return json({ error: `missing or wrong ${SIGNATURE_HEADER} signature` }, 401)
  }
  const refresh = requestRefresh('webhook')
  return json({ id: refresh.id, status: refresh.status }, 202)
}

export function loader() {
  return json({ error: 'use POST' }, 405)
}
