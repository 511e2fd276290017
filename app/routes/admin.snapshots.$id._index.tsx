import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { requireAdmin } from '../auth/session.server.ts'
import { SnapshotSummaryView } from '../components/admin/snapshot-summary.tsx'
import { snapshotSummaryPageData } from '../diagnostics/snapshot-pages.server.ts'

/**
 * GET /admin/snapshots/<id>: the summary of one kept heap snapshot, computed by the server
 * the first time (in a worker with a memory limit) and cached beside it. A file that is not
 * a snapshot, or memory too short to read it, is explained on the page.
 */
export const meta: MetaFunction = () => [{ title: 'Admin · heap snapshot' }, { name: 'robots', content: 'noindex' }]

export const headers: HeadersFunction = () => ({ 'Cache-Control': 'private, no-store' })

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requireAdmin(request, context)
  const page = await context.timings.timeAsync('summary', () => snapshotSummaryPageData(params.id ?? ''))
  return data(page, { status: page.status })
}

export default function SnapshotSummaryPage() {
  return <SnapshotSummaryView page={useLoaderData<typeof loader>()} />
}
