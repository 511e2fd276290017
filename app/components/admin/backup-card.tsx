/**
 * The backups card: the newest backup to download, the schedule, and what is kept. It loads
 * its own figures from /admin/backup?status=1 (a directory listing, not part of the
 * dashboard's every-5-s refresh), so the dashboard's loader stays as it is.
 */
import { Link, useFetcher } from '@remix-run/react'
import { useEffect } from 'react'
import { formatAgo, formatBytes } from './format.ts'
import { Badge, Card, Stat, StatGrid } from './parts.tsx'

/** The JSON of /admin/backup?status=1 (app/db/backup.server.ts's backupStatus). */
interface BackupStatus {
  dir: string
  intervalHours: number
  keep: number
  primary: boolean
  backups: { name: string; bytes: number; createdAt: string }[]
  made: number
  failed: number
  lastError: string | null
}

export function BackupCard() {
  const fetcher = useFetcher<BackupStatus>()
  const { load } = fetcher
  useEffect(() => {
    load('/admin/backup?status=1')
  }, [load])
  const status = fetcher.data
  const newest = status?.backups[0]
  return (
    <Card title="Backups" id="backups">
      {!status ? (
        <p className="text-sm text-zinc-500 dark:text-zinc-400">Loading…</p>
      ) : (
        <>
          <StatGrid>
            <Stat
              name="backup-newest"
              label="Newest"
              value={newest ? formatAgo(newest.createdAt, Date.now()) : 'none yet'}
              hint={newest ? `${newest.name}, ${formatBytes(newest.bytes)}` : undefined}
            />
            <Stat
              name="backup-schedule"
              label="Schedule"
              value={status.intervalHours === 0 ? 'off' : `every ${status.intervalHours} h`}
              hint={`${status.backups.length} of ${status.keep} kept in ${status.dir}`}
            />
          </StatGrid>
          {status.failed > 0 ? (
            <p className="mt-3 break-words text-sm">
              <Badge tone="bad">{status.failed} failed</Badge> {status.lastError}
            </p>
          ) : null}
          {!status.primary ? (
            <p className="mt-3 text-sm text-zinc-600 dark:text-zinc-400">
              This instance is a replica: the primary makes the backups.
            </p>
          ) : null}
          {newest ? (
            <Link
              to="/admin/backup"
              reloadDocument
              data-download="backup"
              className={[
                'mt-3 block rounded-lg border border-zinc-300 px-4 py-2 text-center text-sm font-medium',
                'text-zinc-800 hover:border-amber-500 hover:text-amber-700 focus:outline-none',
                'focus-visible:ring-2 focus-visible:ring-amber-500 dark:border-zinc-700 dark:text-zinc-200',
                'dark:hover:text-amber-400',
              ].join(' ')}
            >
              Download the newest backup
            </Link>
          ) : null}
        </>
      )}
    </Card>
  )
}
