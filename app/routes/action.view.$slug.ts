import type { ActionFunctionArgs } from '@remix-run/node'
import { isValidSlug } from '../content/slug.ts'
import { getDb } from '../db/connection.server.ts'
import { answerWriteFailures } from '../db/write-errors.server.ts'
import { answerViewBeacon } from '../views/view-counts.server.ts'

const notFound = () =>
  new Response(JSON.stringify({ error: 'no such post' }), {
    status: 404,
    headers: { 'Content-Type': 'application/json' },
  })

/** POST /action/view/<slug>: the page's "read" beacon (app/views/view-counts.server.ts). */
export async function action({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== 'POST')
    return new Response(JSON.stringify({ error: 'use POST' }), { status: 405, headers: { Allow: 'POST' } })
  const slug = params.slug ?? ''
  if (!isValidSlug(slug)) return notFound()
  // A disk that is full or read-only answers 503 with Retry-After; the count is one transaction.
  return answerWriteFailures('view beacon', 'count this read', () => {
    return answerViewBeacon(getDb(), request, slug, context.clientAddress)
  })
}

/** Counting is a write: a GET (a crawler, a prefetch) never counts. */
export function loader() {
  return new Response(JSON.stringify({ error: 'use POST' }), {
    status: 405,
    headers: { Allow: 'POST', 'Content-Type': 'application/json' },
  })
}
