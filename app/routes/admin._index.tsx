import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData, useRevalidator } from '@remix-run/react'
import { useEffect, useRef } from 'react'
import { MemoryChart, type ChartSeries } from '../components/admin/memory-chart.tsx'
import { Badge, Card, Stat, StatGrid } from '../components/admin/parts.tsx'
import { formatAgo, formatBytes, formatCount, formatDuration, formatMB } from '../components/admin/format.ts'
import { requireAdmin } from '../auth/session.server.ts'
import { dashboardData, type DashboardData } from '../diagnostics/dashboard.server.ts'

/** How often the page asks for fresh figures while it is visible: the sampler's interval. */
const REFRESH_MS = 5_000

export const meta: MetaFunction = () => [{ title: 'Admin · server' }, { name: 'robots', content: 'noindex' }]

export const headers: HeadersFunction = () => ({ 'Cache-Control': 'private, no-store' })

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAdmin(request, context)
  return context.timings.timeAsync('dashboard', () => dashboardData())
}

const SERIES: {
  key: keyof DashboardData['memory']['current']
  label: string
  stroke: string
  swatch: string
  dashed?: boolean
}[] = [
  {
    key: 'rss',
    label: 'RSS',
    stroke: 'stroke-amber-600 dark:stroke-amber-400',
    swatch: 'bg-amber-600 dark:bg-amber-400',
  },
  {
    key: 'heapTotal',
    label: 'Heap total',
    stroke: 'stroke-indigo-400 dark:stroke-indigo-300',
    swatch: 'bg-indigo-400 dark:bg-indigo-300',
    dashed: true,
  },
  {
    key: 'heapUsed',
    label: 'Heap used',
    stroke: 'stroke-sky-600 dark:stroke-sky-400',
    swatch: 'bg-sky-600 dark:bg-sky-400',
  },
  {
    key: 'external',
    label: 'External',
    stroke: 'stroke-emerald-600 dark:stroke-emerald-400',
    swatch: 'bg-emerald-600 dark:bg-emerald-400',
  },
  {
    key: 'arrayBuffers',
    label: 'Array buffers',
    stroke: 'stroke-rose-500 dark:stroke-rose-400',
    swatch: 'bg-rose-500 dark:bg-rose-400',
  },
]

/** Revalidates every REFRESH_MS while the page is visible, and at once when it becomes visible again. */
function useAutoRefresh() {
  const revalidator = useRevalidator()
  const busy = useRef(false)
  useEffect(() => {
    busy.current = revalidator.state !== 'idle'
  }, [revalidator.state])
  const { revalidate } = revalidator
  useEffect(() => {
    const refresh = () => {
      if (document.visibilityState === 'visible' && !busy.current) revalidate()
    }
    const timer = setInterval(refresh, REFRESH_MS)
    document.addEventListener('visibilitychange', refresh)
    return () => {
      clearInterval(timer)
      document.removeEventListener('visibilitychange', refresh)
    }
  }, [revalidate])
  return revalidator.state !== 'idle'
}

const plural = (count: number, noun: string) => `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`

const delay = (ms: number | null) => (ms === null ? '—' : formatDuration(ms))

export default function AdminDashboard() {
  const data = useLoaderData<typeof loader>()
  const refreshing = useAutoRefresh()
  const { memory, eventLoop, process, content, cache, pageCache } = data
  const chartSeries: ChartSeries[] = SERIES.map((line) => ({ ...line, values: memory.seriesMB[line.key] }))

  return (
    <div className="space-y-5">
      <header className="space-y-1">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h1 className="text-2xl font-bold tracking-tight text-zinc-950 dark:text-white">Server</h1>
          <span className="flex items-center gap-1.5 text-xs text-zinc-500 dark:text-zinc-400" aria-live="polite">
            <span
              aria-hidden="true"
              className={`inline-block h-2 w-2 rounded-full ${refreshing ? 'animate-pulse bg-amber-500' : 'bg-emerald-500'}`}
            />
            Live, every {REFRESH_MS / 1000} s
          </span>
        </div>
        <p className="break-words text-sm text-zinc-600 dark:text-zinc-400">
          <span data-stat="instance">
            {process.instance.litefs ? process.instance.role : 'primary (single instance)'}
          </span>{' '}
          · {process.instance.hostname} · up {formatDuration(process.uptimeS * 1000)}
        </p>
      </header>

      <Card
        title="Memory"
        id="memory"
        aside={`${memory.samples} of ${memory.capacity} samples, every ${memory.intervalMs / 1000} s`}
      >
        <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_11rem]">
          <MemoryChart agesS={memory.agesS} series={chartSeries} />
          <dl className="grid grid-cols-2 gap-x-4 gap-y-2 self-start sm:grid-cols-1">
            {SERIES.map((line) => (
              <div key={line.key} className="min-w-0">
                <dt className="flex items-center gap-1.5 text-xs font-medium text-zinc-600 dark:text-zinc-400">
                  <span
                    aria-hidden="true"
                    className={`inline-block h-0.5 w-4 rounded ${line.swatch} ${line.dashed ? 'opacity-60' : ''}`}
                  />
                  {line.label}
                </dt>
                <dd
                  data-stat={`memory-${line.key}`}
                  className="text-lg font-semibold tabular-nums text-zinc-950 dark:text-white"
                >
                  {formatMB(memory.current[line.key])}
                </dd>
              </div>
            ))}
            <div className="min-w-0">
              <dt className="text-xs font-medium text-zinc-600 dark:text-zinc-400">Heap limit</dt>
              <dd className="text-lg font-semibold tabular-nums text-zinc-500 dark:text-zinc-400">
                {formatMB(memory.heapLimit)}
              </dd>
            </div>
          </dl>
        </div>
      </Card>

      <Card title="Process" id="process">
        <StatGrid>
          <Stat
            name="event-loop-p50"
            label="Event-loop delay p50"
            value={delay(eventLoop.p50Ms)}
            hint={`last ${formatDuration(eventLoop.windowMs)}`}
          />
          <Stat
            name="event-loop-p99"
            label="Event-loop delay p99"
            value={delay(eventLoop.p99Ms)}
            hint={`worst in the hour: ${delay(eventLoop.p99MaxMs)}`}
          />
          <Stat
            name="uptime"
            label="Uptime"
            value={formatDuration(process.uptimeS * 1000)}
            hint={`pid ${process.pid}`}
          />
          <Stat
            name="instance-role"
            label="Instance"
            value={process.instance.role}
            hint={process.instance.litefs ? `primary: ${process.instance.primary}` : 'single instance (no LiteFS)'}
          />
          {process.instance.role === 'replica' || process.replicaCompiles.entries > 0 ? (
            <Stat
              name="replica-compiles"
              label="Compiled in memory"
              value={`${process.replicaCompiles.entries} / ${process.replicaCompiles.maxEntries}`}
              hint={`replica: ${process.replicaCompiles.localCompiles} compiled here, ${process.replicaCompiles.askedPrimary} asked of the primary, ${process.replicaCompiles.primaryUnreachable} unanswered`}
            />
          ) : null}
          <Stat name="node-version" label="Node" value={process.node} />
          <Stat name="kiln-version" label="Kiln" value={process.kiln} />
        </StatGrid>
      </Card>

      <Card title="Diagnostics" id="diagnostics">
        <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
          Downloads open in Chrome DevTools (Memory and Performance tabs). A heap snapshot needs several times the
          heap's size in memory, outside the heap; the server refuses one, and says why, when there is not enough room.
          The links are plain navigations, so a refusal shows as a page.
        </p>
        <Link
          to="/admin/heapsnapshot?gzip=1"
          reloadDocument
          data-download="heapsnapshot-gzip"
          className="block rounded-lg bg-amber-600 px-4 py-3 text-center text-sm font-medium text-white shadow-sm hover:bg-amber-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-amber-500 focus-visible:ring-offset-2 dark:focus-visible:ring-offset-zinc-900"
        >
          Download heap snapshot <span className="font-normal opacity-90">(.gz)</span>
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
              className="min-w-0 rounded-lg border border-zinc-300 px-1 py-2 text-center text-zinc-800 hover:border-amber-500 hover:text-amber-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-amber-500 dark:border-zinc-700 dark:text-zinc-200 dark:hover:text-amber-400"
            >
              {tool.label}
              <span className="block text-xs font-normal text-zinc-500 dark:text-zinc-400">{tool.note}</span>
            </Link>
          ))}
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

      <div className="grid gap-5 sm:grid-cols-2">
        {data.pools.map((pool) => (
          <Card
            key={pool.name}
            title={`${pool.name[0].toUpperCase()}${pool.name.slice(1)} pool`}
            id={`pool-${pool.name}`}
            aside={`idle after ${formatDuration(pool.idleMs)}`}
          >
            <StatGrid>
              <Stat
                name={`pool-${pool.name}-threads`}
                label="Threads alive"
                value={`${pool.threads} / ${pool.maxThreads}`}
              />
              <Stat
                name={`pool-${pool.name}-jobs`}
                label="Jobs run"
                value={formatCount(pool.jobs)}
                hint={pool.queued > 0 ? `${pool.queued} waiting` : undefined}
              />
              <Stat name={`pool-${pool.name}-failures`} label="Failures" value={formatCount(pool.failures)} />
              <Stat
                name={`pool-${pool.name}-last`}
                label="Last job"
                value={pool.lastJobAt ? formatAgo(pool.lastJobAt, data.now) : 'none yet'}
                hint={pool.lastJobMs !== null ? `took ${formatDuration(pool.lastJobMs)}` : undefined}
              />
            </StatGrid>
          </Card>
        ))}
      </div>

      <Card title="Component cache" id="cache">
        <StatGrid>
          <Stat
            name="cache-entries"
            label="Entries"
            value={`${formatCount(cache.entries)} / ${formatCount(cache.maxEntries)}`}
          />
          <Stat
            name="cache-bytes"
            label="Size"
            value={formatBytes(cache.bytes)}
            hint={`limit ${formatBytes(cache.maxBytes)}`}
          />
          <Stat
            name="cache-hits"
            label="Hits"
            value={formatCount(cache.hits)}
            hint={
              cache.hits + cache.misses > 0
                ? `${Math.round((100 * cache.hits) / (cache.hits + cache.misses))}% of lookups`
                : undefined
            }
          />
          <Stat
            name="cache-misses"
            label="Misses"
            value={formatCount(cache.misses)}
            hint={`evaluating took ${formatDuration(cache.evaluateMsTotal)}`}
          />
        </StatGrid>
      </Card>

      {pageCache && (
        <Card title="Page cache" id="page-cache">
          <StatGrid>
            <Stat
              name="page-cache-entries"
              label="Pages"
              value={formatCount(pageCache.entries)}
              hint={`${formatCount(pageCache.evictions)} evicted`}
            />
            <Stat
              name="page-cache-bytes"
              label="Size"
              value={formatBytes(pageCache.bytes)}
              hint={pageCache.maxBytes > 0 ? `limit ${formatBytes(pageCache.maxBytes)}` : 'off'}
            />
            <Stat
              name="page-cache-hits"
              label="Hits"
              value={formatCount(pageCache.hits)}
              hint={
                pageCache.hits + pageCache.misses > 0
                  ? `${Math.round((100 * pageCache.hits) / (pageCache.hits + pageCache.misses))}% of lookups, ${formatCount(pageCache.notModified)} 304s`
                  : undefined
              }
            />
            <Stat
              name="page-cache-misses"
              label="Renders"
              value={formatCount(pageCache.misses)}
              hint={`${formatCount(pageCache.bypasses)} bypassed`}
            />
          </StatGrid>
        </Card>
      )}

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
                ? `${content.lastRefresh.status}, ${content.lastRefresh.trigger}${content.lastRefresh.commit ? ` @ ${content.lastRefresh.commit.slice(0, 7)}` : ''}; ${content.lastRefresh.changed} changed`
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
            name="content-unstored"
            label="Kept unstored"
            value={formatCount(content.unstored.entries)}
            hint={`${formatCount(content.unstored.hits)} hits, ${formatCount(content.unstored.saveFailures)} refused writes`}
          />
        </StatGrid>
        {content.problem ? (
          <p
            role="alert"
            data-testid="content-problem"
            className="mt-3 break-words rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800 dark:bg-rose-950/50 dark:text-rose-200"
          >
            Content folder problem since {formatAgo(content.problem.since, data.now)}: {content.problem.message}
          </p>
        ) : null}
        {content.unstored.failingSince ? (
          <p
            className="mt-3 break-words rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800 dark:bg-rose-950/50 dark:text-rose-200"
            data-testid="compile-store-failing"
          >
            Compiles cannot be stored since {content.unstored.failingSince}: {content.unstored.lastError}. They are kept
            in memory meanwhile.
          </p>
        ) : null}
        {content.lastRefresh?.error ? (
          <p className="mt-3 break-words rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800 dark:bg-rose-950/50 dark:text-rose-200">
            {content.lastRefresh.error}
          </p>
        ) : null}
        {content.interruptedRefreshes.length > 0 ? (
          <>
            <h3 className="mb-1 mt-4 text-sm font-semibold text-zinc-950 dark:text-white">Interrupted refreshes</h3>
            <ul className="space-y-1 text-sm" data-testid="interrupted-refreshes">
              {content.interruptedRefreshes.map((refresh) => (
                <li key={refresh.id} className="min-w-0 break-words">
                  <span className="font-medium text-amber-800 dark:text-amber-300">interrupted</span> {refresh.trigger}{' '}
                  refresh {refresh.id.slice(0, 8)}{' '}
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
    </div>
  )
}
