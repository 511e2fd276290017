import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireAdminAction } from '../auth/session.server.ts'
import { keptSnapshotDownload } from '../diagnostics/snapshot-pages.server.ts'

/** GET /admin/snapshots/<id>/download: a kept heap snapshot as a file, gzip-compressed with ?gzip=1. Admins only. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requireAdminAction(request, context)
  const gzip = new URL(request.url).searchParams.get('gzip') === '1'
  return keptSnapshotDownload(request, params.id ?? '', gzip, context.clientSignal)
}
