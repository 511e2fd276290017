import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { requireAdmin } from '../auth/session.server.ts'
import { SnapshotDiffView } from '../components/admin/snapshot-diff.tsx'
import { snapshotDiffPageData } from '../diagnostics/snapshot-pages.server.ts'

/**
 * GET /admin/snapshots/<id>/diff/<other-id>: what grew from snapshot <id> (before) to
 * <other-id> (after), by constructor, largest growth in bytes first: the view that finds a leak.
 */
export const meta: MetaFunction = () => [
  { title: 'Admin · what grew between two snapshots' },
  { name: 'robots', content: 'noindex' },
]

export const headers: HeadersFunction = () => ({ 'Cache-Control': 'private, no-store' })

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requireAdmin(request, context)
  const page = await context.timings.timeAsync('diff', () => snapshotDiffPageData(params.id ?? '', params.other ?? ''))
  return data(page, { status: page.status })
}

export default function SnapshotDiffPage() {
  return <SnapshotDiffView page={useLoaderData<typeof loader>()} />
}
