import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { requireAdmin, requireAdminAction } from '../auth/session.server.ts'
import { formatAgo, formatBytes } from '../components/admin/format.ts'
import { Card } from '../components/admin/parts.tsx'
import { ErrorBox, SnapshotPage, buttonClass, linkClass } from '../components/admin/snapshot-parts.tsx'
import { snapshotsAction, snapshotsPageData } from '../diagnostics/snapshot-pages.server.ts'

/**
 * GET /admin/snapshots: the kept heap snapshots, newest first, with links to each one's
 * summary, to the comparison with the one before it, and to its download. POST (intent
 * take, share, revoke): take and keep a snapshot, make or revoke a share link.
 */
export const meta: MetaFunction = () => [{ title: 'Admin · heap snapshots' }, { name: 'robots', content: 'noindex' }]

export const headers: HeadersFunction = () => ({ 'Cache-Control': 'private, no-store' })

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAdmin(request, context)
  return snapshotsPageData()
}

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireAdminAction(request, context)
  return snapshotsAction(request, admin.email)
}

export default function SnapshotsPage() {
  const { snapshots, keep, dir, now, shareHours } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  const taking = navigation.state !== 'idle' && navigation.formData?.get('intent') === 'take'
  return (
    <SnapshotPage title="Heap snapshots">
      <Card title="Take a snapshot" id="take">
        <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
          The snapshot is kept on the server (the newest {keep} stay, in <code className="break-all">{dir}</code>), so
          it can be read here, compared with another, downloaded or shared. Taking one pauses the server for a moment.
        </p>
        {result && 'error' in result ? <ErrorBox>{result.error}</ErrorBox> : null}
        <Form method="post" className="mt-3">
          <button type="submit" name="intent" value="take" className={buttonClass} disabled={taking}>
            {taking ? 'Taking a snapshot…' : 'Take and keep a heap snapshot'}
          </button>
        </Form>
      </Card>
      <Card title="Kept snapshots" id="kept" aside={`${snapshots.length} of ${keep}`}>
        {snapshots.length === 0 ? (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">None yet.</p>
        ) : (
          <ul className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800" data-testid="kept-snapshots">
            {snapshots.map((snapshot, i) => {
              const older = snapshots[i + 1]
              return (
                <li key={snapshot.id} data-snapshot={snapshot.id} className="space-y-1 py-2.5">
                  <div className="flex flex-wrap items-baseline justify-between gap-x-3">
                    <Link to={`/admin/snapshots/${snapshot.id}`} className={`font-medium ${linkClass}`}>
                      {snapshot.id}
                    </Link>
                    <span className="tabular-nums text-zinc-600 dark:text-zinc-400">{formatBytes(snapshot.bytes)}</span>
                  </div>
                  <div className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400">
                    <time dateTime={snapshot.takenAt} title={snapshot.takenAt}>
                      {formatAgo(snapshot.takenAt, now)}
                    </time>
                    {older ? (
                      <Link to={`/admin/snapshots/${older.id}/diff/${snapshot.id}`} className={linkClass}>
                        What grew since the one before
                      </Link>
                    ) : null}
                    <Link to={`/admin/snapshots/${snapshot.id}/download?gzip=1`} reloadDocument className={linkClass}>
                      Download (.gz)
                    </Link>
                    <Form method="post" className="inline">
                      <input type="hidden" name="id" value={snapshot.id} />
                      <input type="hidden" name="gzip" value="1" />
                      <input type="hidden" name="redirectTo" value="/admin#shares" />
                      <button type="submit" name="intent" value="share" className={`${linkClass} text-xs`}>
                        Share a link (.gz, {shareHours} h)
                      </button>
                    </Form>
                  </div>
                </li>
              )
            })}
          </ul>
        )}
      </Card>
    </SnapshotPage>
  )
}
