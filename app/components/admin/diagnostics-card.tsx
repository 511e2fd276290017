/** The diagnostics card: heap snapshot and profile downloads, and the log of past ones. */
import { Form, Link } from '@remix-run/react'
import type { AdminDashboardData } from './dashboard-data.ts'
import { formatAgo, formatBytes, formatDuration } from './format.ts'
import { Badge, Card } from './parts.tsx'

export function DiagnosticsCard({ data }: { data: Pick<AdminDashboardData, 'downloads' | 'now'> }) {
  return (
    <Card title="Diagnostics" id="diagnostics">
      <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
        Downloads open in Chrome DevTools (Memory and Performance tabs). A heap snapshot needs several times the heap's
        size in memory, outside the heap; the server refuses one, and says why, when there is not enough room. The links
        are plain navigations, so a refusal shows as a page.
      </p>
      <Link
        to="/admin/heapsnapshot?gzip=1"
        reloadDocument
        data-download="heapsnapshot-gzip"
        className={[
          'block rounded-lg bg-amber-700 px-4 py-3 text-center text-sm font-medium text-white',
          'shadow-sm hover:bg-amber-800 focus:outline-none focus-visible:ring-2',
          'focus-visible:ring-amber-500 focus-visible:ring-offset-2',
          'dark:focus-visible:ring-offset-zinc-900',
        ].join(' ')}
      >
        Download heap snapshot <span className="font-normal">(.gz)</span>
      </Link>
      <div className="mt-2 grid grid-cols-3 gap-2 text-sm font-medium">
        {[
          { to: '/admin/heapsnapshot', label: 'Snapshot', note: 'uncompressed', id: 'heapsnapshot' },
          { to: '/admin/heapprofile?seconds=10', label: 'Heap profile', note: '10 s', id: 'heapprofile' },
          { to: '/admin/cpuprofile?seconds=10', label: 'CPU profile', note: '10 s', id: 'cpuprofile' },
        ].map((tool) => (
          <Link
            key={tool.id}
            to={tool.to}
            reloadDocument
            data-download={tool.id}
            className={[
              'min-w-0 rounded-lg border border-zinc-300 px-1 py-2 text-center text-zinc-800',
              'hover:border-amber-500 hover:text-amber-700 focus:outline-none focus-visible:ring-2',
              'focus-visible:ring-amber-500 dark:border-zinc-700 dark:text-zinc-200',
              'dark:hover:text-amber-400',
            ].join(' ')}
          >
            {tool.label}
            <span className="block text-xs font-normal text-zinc-500 dark:text-zinc-400">{tool.note}</span>
          </Link>
        ))}
      </div>
      <div className="mt-4 flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
        <Form method="post" action="/admin/snapshots">
          <button
            type="submit"
            name="intent"
            value="take"
            data-action="keep-snapshot"
            className={[
              'rounded-lg border border-amber-600 px-3 py-2 font-medium text-amber-800 hover:bg-amber-50',
              'focus:outline-none focus-visible:ring-2 focus-visible:ring-amber-500',
              'dark:border-amber-500 dark:text-amber-300 dark:hover:bg-amber-950/40',
            ].join(' ')}
          >
            Take and keep a snapshot
          </button>
        </Form>
        <Link
          to="/admin/snapshots"
          className="text-amber-700 underline underline-offset-2 hover:text-amber-900 dark:text-amber-400"
        >
          Kept snapshots: summaries and comparisons
        </Link>
      </div>
      <h3 className="mb-2 mt-5 text-sm font-semibold text-zinc-950 dark:text-white">Past downloads</h3>
      {data.downloads.length === 0 ? (
        <p className="text-sm text-zinc-500 dark:text-zinc-400">None yet.</p>
      ) : (
        <ul className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800" data-testid="downloads">
          {data.downloads.map((download) => (
            <li
              key={download.id}
              className="flex min-w-0 flex-wrap items-baseline justify-between gap-x-3 gap-y-0.5 py-2"
            >
              <span className="font-medium text-zinc-950 dark:text-white">
                {download.kind} · <span className="tabular-nums">{formatBytes(download.bytes)}</span>
              </span>
              <Badge tone={download.status === 'complete' ? 'good' : download.status === 'aborted' ? 'warn' : 'bad'}>
                {download.status}
              </Badge>
              <span className="w-full break-all text-xs text-zinc-500 dark:text-zinc-400">
                {download.userEmail} ·{' '}
                <time dateTime={download.startedAt} title={download.startedAt}>
                  {formatAgo(download.startedAt, data.now)}
                </time>{' '}
                · took {formatDuration(download.durationMs)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  )
}
