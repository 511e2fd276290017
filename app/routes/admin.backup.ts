import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireAdminAction } from '../auth/session.server.ts'
import { backupStatus, newestBackupResponse } from '../db/backup.server.ts'
import { noStoreJson } from '../http/no-store-responses.ts'

/**
 * GET /admin/backup: the newest backup of the database, as `kiln-<time>.db`; 404 before the
 * first. `?status=1`: the schedule and the kept backups as JSON, for the dashboard's card.
 * Admins only, and refused (403) when another site started the request: a backup holds
 * every account's password hash.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAdminAction(request, context)
  if (new URL(request.url).searchParams.get('status') === '1') {
    return noStoreJson(backupStatus(), 200, { 'Cache-Control': 'private, no-store' })
  }
  return newestBackupResponse()
}
