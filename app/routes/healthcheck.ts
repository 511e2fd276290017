import type { LoaderFunctionArgs } from '@remix-run/node'
import { getDb } from '../db/connection.server.ts'

/**
 * 200 when the database answers and a page renders. The page is the home page,
 * requested from this same process over loopback, so the whole stack is exercised.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  try {
    context.timings.time('db', () => getDb().prepare('SELECT COUNT(*) FROM content_entries').get())
    const response = await fetch(`http://127.0.0.1:${context.localPort}/`, {
      method: 'HEAD',
      headers: { 'X-Kiln-Healthcheck': '1' },
      signal: AbortSignal.any([request.signal, AbortSignal.timeout(5000)]),
    })
    if (!response.ok) throw new Error(`home page answered ${response.status}`)
    return new Response('OK', { headers: { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' } })
  } catch (error) {
    console.error(`[kiln] healthcheck failed: ${(error as Error).message}`)
    return new Response('ERROR', { status: 500, headers: { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' } })
  }
}
