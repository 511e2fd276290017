import type { LoaderFunctionArgs } from '@remix-run/node'
import { sharedSnapshotDownload } from '../diagnostics/snapshot-pages.server.ts'

/**
 * GET /diagnostics/shared/<token>: a kept heap snapshot an admin shared, downloaded without
 * signing in while the link is live; 404 once it expired or was revoked, or for a forged
 * token. Every download is logged (shown on /admin).
 */
export function loader({ request, params, context }: LoaderFunctionArgs) {
  return sharedSnapshotDownload(request, params.token ?? '', context.clientAddress, context.clientSignal)
}
