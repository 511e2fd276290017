import type { ActionFunctionArgs } from '@remix-run/node'
import { isValidSlugPath } from '../content/slug.ts'
import { getDb } from '../db/connection.server.ts'
import { answerWriteFailures } from '../db/write-errors.server.ts'
import { noStoreJson } from '../http/no-store-responses.ts'
import { answerViewBeacon } from '../view-counts/view-counts.server.ts'

/** POST /action/view/<slug> (a nested slug keeps its "/"): the read beacon (app/view-counts/view-counts.server.ts). */
export async function action({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== 'POST') return noStoreJson({ error: 'use POST' }, 405, { Allow: 'POST' })
  const slug = params['*'] ?? ''
  if (!isValidSlugPath(slug)) return noStoreJson({ error: 'no such post' }, 404)
  // A disk that is full or read-only answers 503 with Retry-After; the count is one transaction.
  return answerWriteFailures('view beacon', 'count this read', () => {
    return answerViewBeacon(getDb(), request, slug, context.clientAddress)
  })
}

/** Counting is a write: a GET (a crawler, a prefetch) never counts. */
export function loader() {
  return noStoreJson({ error: 'use POST' }, 405, { Allow: 'POST' })
}
