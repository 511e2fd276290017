/**
 * The content card: counts, the last refresh, and every post that needs an author's eye
 * (folder problems, refused writes, interrupted refreshes, compile errors, quarantined
 * renders, warnings).
 */
import type { AdminDashboardData } from './dashboard-data.ts'
import { formatAgo, formatCount } from './format.ts'
import { Card, Stat, StatGrid } from './parts.tsx'

const INTERRUPTED_CLASS = 'font-medium text-amber-800 dark:text-amber-300'

const plural = (count: number, noun: string) => `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`

export function ContentCard({ data }: { data: Pick<AdminDashboardData, 'content' | 'now'> }) {
  const { content } = data
  return (
    <Card title="Content" id="content">
      <StatGrid>
        <Stat
          name="content-posts"
          label="Posts"
          value={formatCount(content.counts.posts)}
          hint={`${plural(content.counts.pages, 'page')}, ${plural(content.counts.drafts, 'draft')}`}
        />
        <Stat
          name="content-refresh"
          label="Last refresh"
          value={
            content.lastRefresh
              ? formatAgo(content.lastRefresh.finishedAt ?? content.lastRefresh.requestedAt, data.now)
              : 'none yet'
          }
          hint={
            content.lastRefresh
              ? `${content.lastRefresh.status}, ` +
                `${content.lastRefresh.trigger}` +
                `${content.lastRefresh.commit ? ` @ ${content.lastRefresh.commit.slice(0, 7)}` : ''}` +
                `; ${content.lastRefresh.changed} changed`
              : undefined
          }
        />
        <Stat
          name="content-errors"
          label="With errors"
          value={formatCount(content.failureCount + content.counts.invalid)}
          hint={`${content.counts.invalid} with invalid frontmatter`}
        />
        <Stat name="content-warnings" label="With warnings" value={formatCount(content.warningCount)} />
        <Stat
          name="content-provisional"
          label="Provisional"
          value={formatCount(content.provisionalCount)}
          hint="compiled again later"
        />
        <Stat
          name="content-background-compiles"
          label="Background compiles"
          value={
            content.catchUp.state === 'idle'
              ? 'none needed'
              : `${formatCount(content.catchUp.compiled + content.catchUp.failed + content.catchUp.skipped)} / ` +
                formatCount(content.catchUp.total)
          }
          hint={
            content.catchUp.state === 'running'
              ? `${content.catchUp.reason === 'compiler' ? 'new compiler' : 'empty store'}, ` +
                `${content.catchUp.current ? `now ${content.catchUp.current}` : 'waiting for readers’ compiles'}`
              : content.catchUp.state === 'idle'
                ? undefined
                : `${content.catchUp.state}, ${formatCount(content.catchUp.failed)} failed`
          }
        />
        <Stat
          name="content-unstored"
          label="Kept unstored"
          value={formatCount(content.unstored.entries)}
          hint={
            `${formatCount(content.unstored.hits)} hits, ` +
            `${formatCount(content.unstored.saveFailures)} refused writes`
          }
        />
      </StatGrid>
      {content.problem ? (
        <p
          role="alert"
          data-testid="content-problem"
          className={[
            'mt-3 break-words rounded-md bg-rose-50 px-3 py-2 text-sm',
            'text-rose-800 dark:bg-rose-950/50 dark:text-rose-200',
          ].join(' ')}
        >
          Content folder problem since {formatAgo(content.problem.since, data.now)}: {content.problem.message}
        </p>
      ) : null}
      {content.unstored.failingSince ? (
        <p
          className={[
            'mt-3 break-words rounded-md bg-rose-50 px-3 py-2 text-sm',
            'text-rose-800 dark:bg-rose-950/50 dark:text-rose-200',
          ].join(' ')}
          data-testid="compile-store-failing"
        >
          Compiles cannot be stored since {content.unstored.failingSince}: {content.unstored.lastError}. They are kept
          in memory meanwhile.
        </p>
      ) : null}
      {content.lastRefresh?.error ? (
        <p
          className={[
            'mt-3 break-words rounded-md bg-rose-50 px-3 py-2 text-sm',
            'text-rose-800 dark:bg-rose-950/50 dark:text-rose-200',
          ].join(' ')}
        >
          {content.lastRefresh.error}
        </p>
      ) : null}
      {content.interruptedRefreshes.length > 0 ? (
        <>
          <h3 className="mb-1 mt-4 text-sm font-semibold text-zinc-950 dark:text-white">Interrupted refreshes</h3>
          <ul className="space-y-1 text-sm" data-testid="interrupted-refreshes">
            {content.interruptedRefreshes.map((refresh) => (
              <li key={refresh.id} className="min-w-0 break-words">
                <span className={INTERRUPTED_CLASS}>interrupted</span> {refresh.trigger} refresh{' '}
                {refresh.id.slice(0, 8)}{' '}
                <span className="text-xs text-zinc-500 dark:text-zinc-400">
                  {formatAgo(refresh.interruptedAt, data.now)}
                </span>
                {refresh.error ? (
                  <span className="block text-xs text-zinc-600 dark:text-zinc-400">{refresh.error}</span>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {content.failures.length > 0 ? (
        <>
          <h3 className="mb-1 mt-4 text-sm font-semibold text-zinc-950 dark:text-white">Compile errors</h3>
          <ul className="space-y-2 text-sm" data-testid="compile-failures">
            {content.failures.map((failure) => (
              <li key={`${failure.kind}:${failure.slug}`} className="min-w-0">
                <span className="font-medium text-rose-700 dark:text-rose-300">
                  {failure.kind}/{failure.slug}
                </span>{' '}
                <span className="text-xs text-zinc-500 dark:text-zinc-400">
                  {formatAgo(failure.failedAt, data.now)}
                </span>
                <p className="break-words font-mono text-xs text-zinc-600 dark:text-zinc-400">
                  {failure.where ? `${failure.where}: ` : ''}
                  {failure.message}
                </p>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {content.quarantined.length > 0 ? (
        <>
          <h3 className="mb-1 mt-4 text-sm font-semibold text-zinc-950 dark:text-white">
            Quarantined (blocked the server at render; back when edited)
          </h3>
          <ul className="space-y-2 text-sm" data-testid="render-quarantine">
            {content.quarantined.map((entry) => (
              <li key={`${entry.kind}:${entry.slug}`} className="min-w-0">
                <span className="font-medium text-rose-700 dark:text-rose-300">
                  {entry.path ?? `${entry.kind}/${entry.slug}`}
                </span>{' '}
                <span className="text-xs text-zinc-500 dark:text-zinc-400">
                  {formatAgo(entry.quarantinedAt, data.now)}
                </span>
                <p className="break-words text-xs text-zinc-600 dark:text-zinc-400">{entry.reason}</p>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {content.warnings.length > 0 ? (
        <>
          <h3 className="mb-1 mt-4 text-sm font-semibold text-zinc-950 dark:text-white">Warnings</h3>
          <ul className="space-y-2 text-sm" data-testid="compile-warnings">
            {content.warnings.map((entry) => (
              <li key={`${entry.kind}:${entry.slug}`} className="min-w-0">
                <span className="font-medium text-amber-700 dark:text-amber-300">
                  {entry.kind}/{entry.slug}
                </span>{' '}
                <span className="text-xs text-zinc-500 dark:text-zinc-400">{plural(entry.count, 'warning')}</span>
                <p className="break-words text-xs text-zinc-600 dark:text-zinc-400">{entry.first}</p>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Card>
  )
}
