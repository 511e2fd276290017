/** The snapshot share links (live ones revocable here) and every download made through them. */
import { Form } from '@remix-run/react'
import type { ShareDownload, SnapshotShare } from '../../diagnostics/snapshot-shares.server.ts'
import { formatAgo, formatBytes } from './format.ts'
import { Badge, Card } from './parts.tsx'

export interface SharesCardData {
  siteUrl: string
  shares: SnapshotShare[]
  shareDownloads: ShareDownload[]
}

function until(iso: string, now: number): string {
  const hours = (Date.parse(iso) - now) / 3600_000
  return hours >= 1 ? `${Math.floor(hours)} h left` : `${Math.max(0, Math.round(hours * 60))} min left`
}

export function SharesCard({ data, now }: { data: SharesCardData; now: number }) {
  return (
    <Card title="Shared snapshots" id="shares">
      <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
        Links that download one kept snapshot without signing in, until they expire or are revoked. Share one from{' '}
        <a href="/admin/snapshots" className="text-amber-700 underline underline-offset-2 dark:text-amber-400">
          Kept snapshots
        </a>
        .
      </p>
      {data.shares.length === 0 ? (
        <p className="text-sm text-zinc-500 dark:text-zinc-400">No links.</p>
      ) : (
        <ul className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800" data-testid="shares">
          {data.shares.map((share) => (
            <li key={share.id} data-share={share.id} data-status={share.status} className="min-w-0 space-y-1.5 py-2.5">
              <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
                <span className="break-all font-medium text-zinc-950 dark:text-white">
                  {share.snapshotId}
                  {share.gzip ? '.gz' : ''}
                </span>
                <Badge tone={share.status === 'active' ? 'good' : share.status === 'expired' ? 'neutral' : 'bad'}>
                  {share.status === 'active' ? until(share.expiresAt, now) : share.status}
                </Badge>
              </div>
              {share.status === 'active' ? (
                <input
                  readOnly
                  aria-label={`Share link for ${share.snapshotId}`}
                  value={data.siteUrl + share.path}
                  data-share-link={share.path}
                  className={[
                    'w-full min-w-0 rounded border border-zinc-300 bg-zinc-50 px-2 py-1 font-mono text-xs',
                    'text-zinc-800 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-200',
                  ].join(' ')}
                />
              ) : null}
              <div
                className={
                  'flex flex-wrap items-center justify-between gap-x-3 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400'
                }
              >
                <span className="break-all">
                  by {share.createdBy} · {formatAgo(share.createdAt, now)} · {share.downloads} download
                  {share.downloads === 1 ? '' : 's'}
                </span>
                {share.status === 'active' ? (
                  <Form method="post" action="/admin/snapshots">
                    <input type="hidden" name="share" value={share.id} />
                    <input type="hidden" name="redirectTo" value="/admin#shares" />
                    <button
                      type="submit"
                      name="intent"
                      value="revoke"
                      className={[
                        'rounded border border-rose-400 px-2 py-1 font-medium text-rose-800 hover:bg-rose-50',
                        'focus:outline-none focus-visible:ring-2 focus-visible:ring-rose-500',
                        'dark:border-rose-700 dark:text-rose-300 dark:hover:bg-rose-950/50',
                      ].join(' ')}
                    >
                      Revoke
                    </button>
                  </Form>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}
      <h3 className="mb-2 mt-5 text-sm font-semibold text-zinc-950 dark:text-white">Downloads through links</h3>
      {data.shareDownloads.length === 0 ? (
        <p className="text-sm text-zinc-500 dark:text-zinc-400">None yet.</p>
      ) : (
        <ul className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800" data-testid="share-downloads">
          {data.shareDownloads.map((download) => (
            <li key={download.id} className="flex min-w-0 flex-wrap items-baseline justify-between gap-x-3 py-2">
              <span className="break-all font-medium text-zinc-950 dark:text-white">
                {download.snapshotId} · <span className="tabular-nums">{formatBytes(download.bytes)}</span>
              </span>
              <Badge tone={download.status === 'complete' ? 'good' : download.status === 'aborted' ? 'warn' : 'bad'}>
                {download.status}
              </Badge>
              <span className="w-full break-all text-xs text-zinc-500 dark:text-zinc-400">
                {download.address} · {formatAgo(download.startedAt, now)} · {download.userAgent || 'no user agent'}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  )
}
