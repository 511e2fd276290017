import type { ActionFunctionArgs } from '@remix-run/node'
import { getConfig } from '../config.server.ts'
import { answerWriteFailures } from '../db/write-errors.server.ts'
import { DELIVERY_HEADER, isDeliveryId, refreshForDelivery } from '../content/webhook-deliveries.server.ts'
import { SIGNATURE_HEADER, verifySignature } from '../content/webhook-signature.server.ts'
import { noStoreJson } from '../http/no-store-responses.ts'
import { readBodyWithLimit } from '../http/read-body.ts'

/**
 * POST /action/refresh-content: the content webhook. Signed like a GitHub webhook
 * (X-Hub-Signature-256 over the raw body with REFRESH_SECRET); any body up to 1 MB,
 * so a GitHub push payload or a CI's `{}` both work. Answers 202 with the refresh's id.
 * A delivery already acted on (same X-GitHub-Delivery within a day) starts nothing: it is
 * answered 200 with the first delivery's refresh and `replayed: true`.
 */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== 'POST') return noStoreJson({ error: 'use POST' }, 405)
  const { refreshSecret, webhookBodyMaxBytes } = getConfig()
  if (!refreshSecret) return noStoreJson({ error: 'refreshing is not enabled: set REFRESH_SECRET on the server' }, 503)
  // The server already refused a larger body at the door (server/request-limits.ts); this
  // guard keeps the route safe wherever it is mounted.
  const body = await readBodyWithLimit(request, webhookBodyMaxBytes)
  // The rest of the body is left unread, so the connection cannot carry another request.
  if (body === null)
    return noStoreJson({ error: `body larger than ${webhookBodyMaxBytes} bytes` }, 413, { Connection: 'close' })
  if (!verifySignature(refreshSecret, body, request.headers.get(SIGNATURE_HEADER))) {
    return noStoreJson({ error: `missing or wrong ${SIGNATURE_HEADER} signature` }, 401)
  }
  const deliveryId = request.headers.get(DELIVERY_HEADER)
  if (deliveryId !== null && !isDeliveryId(deliveryId)) {
    return noStoreJson({ error: `${DELIVERY_HEADER} must be printable and at most 128 characters` }, 400)
  }
  // A disk that is full or read-only answers 503 with Retry-After.
  return answerWriteFailures('refresh webhook', 'queue a refresh', () => {
    const outcome = refreshForDelivery(deliveryId)
    if (outcome.replayed) {
      const note =
        `delivery ${deliveryId} was already received at ` +
        `${new Date(outcome.receivedAt).toISOString()}: no second refresh was ` +
        `started`
      return noStoreJson(
        { id: outcome.refreshId, status: outcome.refresh?.status ?? 'forgotten', replayed: true, note },
        200,
      )
    }
    return noStoreJson({ id: outcome.refresh.id, status: outcome.refresh.status }, 202)
  })
}

export function loader() {
  return noStoreJson({ error: 'use POST' }, 405)
}
