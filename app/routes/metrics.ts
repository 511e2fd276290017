import type { LoaderFunctionArgs } from '@remix-run/node'
import { metricsAccess, renderMetrics } from '../diagnostics/metrics.server.ts'
import { noStoreText } from '../http/no-store-responses.ts'

/**
 * GET /metrics: Prometheus text, for a scraper holding `Authorization: Bearer $METRICS_TOKEN`.
 * Without METRICS_TOKEN the endpoint does not exist (404); a missing or wrong token is 401.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const access = metricsAccess(request)
  if (access === 'closed') return noStoreText('Not found\n', 404)
  if (access === 'denied') {
    return noStoreText('A valid bearer token is required.\n', 401, {
      'WWW-Authenticate': 'Bearer realm="kiln-metrics"',
    })
  }
  const { body, contentType } = await renderMetrics()
  // Prometheus's own text format (its version is a parameter of the type).
  return noStoreText(body, 200, { 'Content-Type': contentType })
}
