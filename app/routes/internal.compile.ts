import type { ActionFunctionArgs } from '@remix-run/node'
import { getConfig } from '../config.server.ts'
import { compileForReplica } from '../content/content.server.ts'
import { readBodyWithLimit } from '../http/read-body.ts'
import { INTERNAL_SIGNATURE_HEADER, verifyInternal } from '../replication/internal-request.server.ts'

const MAX_BODY = 16 * 1024

const json = (body: unknown, status: number) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
  })

/**
 * POST /internal/compile: a replica asks the primary to compile and store a post or page
 * it was asked for (body `{ kind, slug, sourceHash }`, signed with INTERNAL_TOKEN). The
 * answer carries the compiled entry, so the replica can serve it before the stored row
 * has replicated. Only the primary gets here: on a replica the write rule replays it.
 */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== 'POST') return json({ error: 'use POST' }, 405)
  const { internalToken } = getConfig()
  if (!internalToken)
    return json({ error: 'internal requests are not enabled: set INTERNAL_TOKEN on every instance' }, 503)
  const body = await readBodyWithLimit(request, MAX_BODY)
  if (body === null) return json({ error: 'body too large' }, 413)
  const text = body.toString('utf8')
  if (!verifyInternal(internalToken, text, request.headers.get(INTERNAL_SIGNATURE_HEADER))) {
    return json({ error: `missing, expired or wrong ${INTERNAL_SIGNATURE_HEADER}` }, 401)
  }
  let input: { kind?: unknown; slug?: unknown }
  try {
    input = JSON.parse(text) as typeof input
  } catch {
    return json({ error: 'body must be JSON' }, 400)
  }
  if ((input.kind !== 'post' && input.kind !== 'page') || typeof input.slug !== 'string') {
    return json({ error: 'body must be { kind: "post" | "page", slug }' }, 400)
  }
  return json(await compileForReplica(input.kind, input.slug), 200)
}

export function loader() {
  return json({ error: 'use POST' }, 405)
}
