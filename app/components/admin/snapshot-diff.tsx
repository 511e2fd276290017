/** What grew between two kept snapshots, by constructor, largest growth first. */
import { Link } from '@remix-run/react'
import type { HeapDiff } from '../../diagnostics/heap-summary.ts'
import { formatBytes, formatCount } from './format.ts'
import { Card } from './parts.tsx'
import { ErrorBox, ScrollTable, SnapshotPage, linkClass, td, th } from './snapshot-parts.tsx'

export interface DiffPage {
  beforeId: string
  afterId: string
  error: string | null
  diff: HeapDiff | null
}

const signed = (value: number, format: (n: number) => string) =>
  value > 0 ? `+${format(value)}` : value < 0 ? `−${format(-value)}` : '0'

export function SnapshotDiffView({ page }: { page: DiffPage }) {
  const { diff } = page
  return (
    <SnapshotPage
      title="What grew"
      back={
        <Link to="/admin/snapshots" className={linkClass}>
          ← Kept snapshots
        </Link>
      }
    >
      <p className="break-words text-sm text-zinc-600 dark:text-zinc-400">
        From{' '}
        <Link to={`/admin/snapshots/${page.beforeId}`} className={linkClass}>
          {page.beforeId}
        </Link>{' '}
        to{' '}
        <Link to={`/admin/snapshots/${page.afterId}`} className={linkClass}>
          {page.afterId}
        </Link>
        {diff ? (
          <>
            : the heap went from {formatBytes(diff.totalBefore)} to {formatBytes(diff.totalAfter)} (
            {signed(diff.totalAfter - diff.totalBefore, formatBytes)}).
          </>
        ) : null}
      </p>
      {page.error ? <ErrorBox>{page.error}</ErrorBox> : null}
      {diff ? (
        <Card title="Grew, largest first" id="grew" aside={`${formatCount(diff.grewCount)} constructors grew`}>
          {diff.grew.length === 0 ? (
            <p className="text-sm text-zinc-500 dark:text-zinc-400">Nothing grew.</p>
          ) : (
            <ScrollTable label="Constructors that grew">
              <thead>
                <tr>
                  <th className={th}>Constructor</th>
                  <th className={`${th} text-right`}>Count</th>
                  <th className={`${th} text-right`}>Bytes</th>
                </tr>
              </thead>
              <tbody data-testid="grew">
                {diff.grew.map((row) => (
                  <tr key={row.name} data-constructor={row.name}>
                    <td className={`${td} max-w-[12rem] break-words`}>{row.name}</td>
                    <td className={`${td} whitespace-nowrap text-right`}>
                      {signed(row.countDelta, formatCount)}
                      <span className="block text-xs text-zinc-500 dark:text-zinc-400">
                        {formatCount(row.countAfter)}
                      </span>
                    </td>
                    <td className={`${td} whitespace-nowrap text-right`}>
                      {signed(row.bytesDelta, formatBytes)}
                      <span className="block text-xs text-zinc-500 dark:text-zinc-400">
                        {formatBytes(row.bytesAfter)}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </ScrollTable>
          )}
        </Card>
      ) : null}
    </SnapshotPage>
  )
}
