import type { LoaderFunctionArgs } from '@remix-run/node'
import { databaseHealth } from '../db/health.server.ts'
import { noStoreText } from '../http/no-store-responses.ts'
import { errorMessage } from '../utils/error-message.ts'
import { log } from '../logging/logger.server.ts'

/**
 * 200 when the database takes a write (a read on a replica; app/db/health.server.ts) and a
 * page renders. The page is the home page, requested from this same process over loopback,
 * so the whole stack is exercised. A database that cannot be used answers 503 with the
 * reason, naming the file and what to do.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const database = context.timings.time('db', () => databaseHealth())
  if (!database.ok) return noStoreText(`database: ${database.problem}`, 503)
  try {
    const response = await fetch(`http://127.0.0.1:${context.localPort}/`, {
      method: 'HEAD',
      headers: { 'X-Kiln-Healthcheck': '1' },
      signal: AbortSignal.any([request.signal, AbortSignal.timeout(5000)]),
    })
    if (!response.ok) throw new Error(`home page answered ${response.status}`)
    return noStoreText('OK', 200)
  } catch (error) {
    log.error(`healthcheck failed: ${errorMessage(error)}`)
    return noStoreText('ERROR', 500)
  }
}
