import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useLoaderData, useRevalidator } from '@remix-run/react'
import { useEffect, useRef } from 'react'
import { BackupCard } from '../components/admin/backup-card.tsx'
import { ComponentCacheCard, PageCacheCard } from '../components/admin/cache-cards.tsx'
import { ContentCard } from '../components/admin/content-card.tsx'
import { DiagnosticsCard } from '../components/admin/diagnostics-card.tsx'
import { ImagesCard } from '../components/admin/images-card.tsx'
import { formatDuration } from '../components/admin/format.ts'
import { MemoryCard } from '../components/admin/memory-card.tsx'
import { MemoryHistoryCard } from '../components/admin/memory-history-card.tsx'
import { PoolCards } from '../components/admin/pool-cards.tsx'
import { PreviewsCard } from '../components/admin/previews-card.tsx'
import { ProcessCard } from '../components/admin/process-card.tsx'
import { SharesCard } from '../components/admin/shares-card.tsx'
import { requireAdmin } from '../auth/session.server.ts'
import { dashboardData } from '../diagnostics/dashboard.server.ts'
import { sharesCardData } from '../diagnostics/snapshot-pages.server.ts'

/** How often the page asks for fresh figures while it is visible: the sampler's interval. */
const REFRESH_MS = 5_000

export const meta: MetaFunction = () => [{ title: 'Admin · server' }, { name: 'robots', content: 'noindex' }]

export const headers: HeadersFunction = () => ({ 'Cache-Control': 'private, no-store' })

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAdmin(request, context)
  const dashboard = await context.timings.timeAsync('dashboard', () => dashboardData())
  return { ...dashboard, sharing: sharesCardData() }
}

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

export default function AdminDashboard() {
  const data = useLoaderData<typeof loader>()
  const refreshing = useAutoRefresh()
  const { process } = data

  return (
    <div className="space-y-5">
      <header className="space-y-1">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h1 className="text-2xl font-bold tracking-tight text-zinc-950 dark:text-white">Server</h1>
          <span className="flex items-center gap-1.5 text-xs text-zinc-500 dark:text-zinc-400" aria-live="polite">
            <span
              aria-hidden="true"
              className={
                `inline-block h-2 w-2 rounded-full ` + `${refreshing ? 'animate-pulse bg-amber-500' : 'bg-emerald-500'}`
              }
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
      <MemoryCard memory={data.memory} />
      <MemoryHistoryCard days={data.memoryDays} />
      <ProcessCard eventLoop={data.eventLoop} process={data.process} />
      <DiagnosticsCard data={data} />
      <SharesCard data={data.sharing} now={data.now} />
      <PoolCards data={data} />
      <ComponentCacheCard cache={data.cache} />
      <PageCacheCard pageCache={data.pageCache} />
      <ImagesCard images={data.images} />
      <ContentCard data={data} />
      <PreviewsCard />
      <BackupCard />
    </div>
  )
}
