/** A kept heap snapshot's summary, laid out for a phone: category totals, constructors, largest objects, duplicates. */
import { Link } from '@remix-run/react'
import type { ClassRow, HeapSummary } from '../../diagnostics/heap-summary.ts'
import type { KeptSnapshot } from '../../diagnostics/snapshot-store.server.ts'
import { formatBytes, formatCount } from './format.ts'
import { Card, Stat, StatGrid } from './parts.tsx'
import { ErrorBox, ScrollTable, SnapshotPage, linkClass, td, th } from './snapshot-parts.tsx'

export interface SummaryPage {
  id: string
  error: string | null
  summary: Omit<HeapSummary, 'classes'> | null
  snapshot: KeptSnapshot | null
}

const CATEGORIES: { key: keyof HeapSummary['totals']; label: string }[] = [
  { key: 'code', label: 'Code' },
  { key: 'strings', label: 'Strings' },
  { key: 'jsArrays', label: 'JS arrays' },
  { key: 'typedArrays', label: 'Typed arrays' },
  { key: 'system', label: 'System objects' },
  { key: 'other', label: 'Other' },
]

function ClassTable({ rows, label, testId }: { rows: ClassRow[]; label: string; testId: string }) {
  return (
    <ScrollTable label={label}>
      <thead>
        <tr>
          <th className={th}>Constructor</th>
          <th className={`${th} text-right`}>Count</th>
          <th className={`${th} text-right`}>Self size</th>
        </tr>
      </thead>
      <tbody data-testid={testId}>
        {rows.map((row) => (
          <tr key={row.name}>
            <td className={`${td} max-w-[12rem] break-words`}>{row.name}</td>
            <td className={`${td} text-right`}>{formatCount(row.count)}</td>
            <td className={`${td} whitespace-nowrap text-right`}>{formatBytes(row.selfSize)}</td>
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  )
}

export function SnapshotSummaryView({ page }: { page: SummaryPage }) {
  const { summary, snapshot } = page
  return (
    <SnapshotPage
      title={`Snapshot ${page.id}`}
      back={
        <Link to="/admin/snapshots" className={linkClass}>
          ← Kept snapshots
        </Link>
      }
    >
      {page.error ? <ErrorBox>{page.error}</ErrorBox> : null}
      {snapshot ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Taken <time dateTime={snapshot.takenAt}>{snapshot.takenAt.replace('T', ' ').replace('Z', ' UTC')}</time>
          {' · '}
          {formatBytes(snapshot.bytes)} ·{' '}
          <Link to={`/admin/snapshots/${snapshot.id}/download?gzip=1`} reloadDocument className={linkClass}>
            Download (.gz)
          </Link>
        </p>
      ) : null}
      {summary ? (
        <>
          <Card title="By category" id="categories" aside={`${formatCount(summary.nodeCount)} objects`}>
            <StatGrid>
              <Stat label="Total" value={formatBytes(summary.totals.total)} name="total" />
              {CATEGORIES.map((category) => (
                <Stat
                  key={category.key}
                  label={category.label}
                  name={`category-${category.key}`}
                  value={formatBytes(summary.totals[category.key])}
                  hint={`${((summary.totals[category.key] / Math.max(1, summary.totals.total)) * 100).toFixed(1)} %`}
                />
              ))}
            </StatGrid>
          </Card>
          <Card title="Largest constructors by size" id="by-size" aside={`of ${formatCount(summary.classCount)}`}>
            <ClassTable rows={summary.bySize} label="Largest constructors by self size" testId="by-size" />
          </Card>
          <Card title="Most numerous constructors" id="by-count">
            <ClassTable rows={summary.byCount} label="Constructors by count" testId="by-count" />
          </Card>
          <Card title="Largest objects" id="largest">
            <ul className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800" data-testid="largest">
              {summary.largest.map((object) => (
                <li key={object.id} className="min-w-0 space-y-1 py-2">
                  <div className="flex flex-wrap items-baseline justify-between gap-x-3">
                    <span className="break-all font-medium text-zinc-950 dark:text-white">
                      {object.className}{' '}
                      <span className="font-normal text-zinc-500 dark:text-zinc-400">@{object.id}</span>
                    </span>
                    <span className="tabular-nums">{formatBytes(object.selfSize)}</span>
                  </div>
                  {object.name && object.name !== object.className ? (
                    <p className="break-all font-mono text-xs text-zinc-600 dark:text-zinc-400">{object.name}</p>
                  ) : null}
                  {object.retainers.length > 0 ? (
                    <p className="break-all text-xs text-zinc-600 dark:text-zinc-400">
                      Held by {object.retainers.join(' ← ')}
                    </p>
                  ) : null}
                </li>
              ))}
            </ul>
          </Card>
          <Card title="Duplicated strings" id="duplicates">
            <StatGrid>
              <Stat
                label="Texts held more than once"
                value={formatCount(summary.duplicateStrings.texts)}
                name="dup-texts"
              />
              <Stat label="Extra copies" value={formatCount(summary.duplicateStrings.extraCopies)} name="dup-copies" />
              <Stat
                label="Bytes in extra copies"
                value={formatBytes(summary.duplicateStrings.wastedBytes)}
                name="dup-bytes"
              />
            </StatGrid>
            {summary.duplicateStrings.top.length > 0 ? (
              <ul className="mt-3 divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
                {summary.duplicateStrings.top.map((duplicate, i) => (
                  <li key={i} className="flex min-w-0 flex-wrap justify-between gap-x-3 py-1.5">
                    <span className="min-w-0 break-all font-mono text-xs">{JSON.stringify(duplicate.preview)}</span>
                    <span className="whitespace-nowrap text-xs tabular-nums text-zinc-600 dark:text-zinc-400">
                      ×{formatCount(duplicate.copies)} · {formatBytes(duplicate.wastedBytes)}
                    </span>
                  </li>
                ))}
              </ul>
            ) : null}
          </Card>
        </>
      ) : null}
    </SnapshotPage>
  )
}
