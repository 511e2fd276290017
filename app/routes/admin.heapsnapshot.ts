import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireAdminAction } from '../auth/session.server.ts'
import { heapSnapshotResponse } from '../diagnostics/heap-snapshot.server.ts'

/**
 * GET /admin/heapsnapshot: a heap snapshot of this process, streamed as
 * `<host>-<date>.heapsnapshot`, or gzip-compressed as `.heapsnapshot.gz` with ?gzip=1.
 * Admins only; one diagnostic at a time (409); refused with 503 when memory is short.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requireAdminAction(request, context)
  const gzip = new URL(request.url).searchParams.get('gzip') === '1'
  return heapSnapshotResponse({
    request,
    userEmail: admin.email,
    gzip,
    signal: context.clientSignal,
    timings: context.timings,
  })
}
