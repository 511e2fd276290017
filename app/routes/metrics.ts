import type { LoaderFunctionArgs } from '@remix-run/node'
import { metricsAccess, renderMetrics } from '../diagnostics/metrics.server.ts'

/**
 * GET /metrics: Prometheus text, for a scraper holding `Authorization: Bearer $METRICS_TOKEN`.
 * Without METRICS_TOKEN the endpoint does not exist (404); a missing or wrong token is 401.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const noStore = { 'Cache-Control': 'no-store', 'Content-Type': 'text/plain; charset=utf-8' }
  const access = metricsAccess(request)
  if (access === 'closed') return new Response('Not found\n', { status: 404, headers: noStore })
  if (access === 'denied') {
    return new Response('A valid bearer token is required.\n', {
      status: 401,
      headers: { ...noStore, 'WWW-Authenticate': 'Bearer realm="kiln-metrics"' },
    })
  }
  const { body, contentType } = await renderMetrics()
  return new Response(body, { headers: { 'Cache-Control': 'no-store', 'Content-Type': contentType } })
}
