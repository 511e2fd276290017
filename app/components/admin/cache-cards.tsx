/**
 * The caches' cards: evaluated MDX components, rendered pages (production only) and
 * resized images on disk. Every cache shows the same four figures in the same places
 * (entries, size against its limit, hits as a share of lookups, one figure of its own),
 * so they share one card.
 */
import type { ComponentProps } from 'react'
import type { AdminDashboardData } from './dashboard-data.ts'
import { formatBytes, formatCount, formatDuration } from './format.ts'
import { Card, Stat, StatGrid } from './parts.tsx'

type StatProps = ComponentProps<typeof Stat>

/** "83% of lookups", or nothing before the first lookup. */
function hitShare(hits: number, misses: number, lookups: string): string | undefined {
  return hits + misses > 0 ? `${Math.round((100 * hits) / (hits + misses))}% of ${lookups}` : undefined
}

/** A cache's card; `stat` names its figures (data-stat) as `<stat>-entries`, `<stat>-bytes` and `<stat>-hits`. */
export function CacheCard({
  title,
  id,
  stat,
  entries,
  size,
  hits,
  own,
}: {
  title: string
  id: string
  stat: string
  entries: Omit<StatProps, 'name'>
  size: { bytes: number; hint: string }
  hits: { hits: number; misses: number; lookups: string; more?: string }
  /** The fourth figure, the cache's own. */
  own: StatProps
}) {
  const share = hitShare(hits.hits, hits.misses, hits.lookups)
  return (
    <Card title={title} id={id}>
      <StatGrid>
        <Stat name={`${stat}-entries`} {...entries} />
        <Stat name={`${stat}-bytes`} label="Size" value={formatBytes(size.bytes)} hint={size.hint} />
        <Stat
          name={`${stat}-hits`}
          label="Hits"
          value={formatCount(hits.hits)}
          hint={share && hits.more ? `${share}, ${hits.more}` : share}
        />
        <Stat {...own} />
      </StatGrid>
    </Card>
  )
}

export function ComponentCacheCard({ cache }: Pick<AdminDashboardData, 'cache'>) {
  return (
    <CacheCard
      title="Component cache"
      id="cache"
      stat="cache"
      entries={{ label: 'Entries', value: `${formatCount(cache.entries)} / ${formatCount(cache.maxEntries)}` }}
      size={{ bytes: cache.bytes, hint: `limit ${formatBytes(cache.maxBytes)}` }}
      hits={{ hits: cache.hits, misses: cache.misses, lookups: 'lookups' }}
      own={{
        name: 'cache-misses',
        label: 'Misses',
        value: formatCount(cache.misses),
        hint:
          `evaluating took ${formatDuration(cache.evaluateMsTotal)}` +
          (cache.expired > 0 ? `; ${formatCount(cache.expired)} let go when idle` : ''),
      }}
    />
  )
}

export function PageCacheCard({ pageCache }: Pick<AdminDashboardData, 'pageCache'>) {
  if (!pageCache) return null
  return (
    <CacheCard
      title="Page cache"
      id="page-cache"
      stat="page-cache"
      entries={{
        label: 'Pages',
        value: formatCount(pageCache.entries),
        hint: `${formatCount(pageCache.evictions)} evicted`,
      }}
      size={{
        bytes: pageCache.bytes,
        hint: pageCache.maxBytes > 0 ? `limit ${formatBytes(pageCache.maxBytes)}` : 'off',
      }}
      hits={{
        hits: pageCache.hits,
        misses: pageCache.misses,
        lookups: 'lookups',
        more: `${formatCount(pageCache.notModified)} 304s`,
      }}
      own={{
        name: 'page-cache-misses',
        label: 'Renders',
        value: formatCount(pageCache.misses),
        hint: `${formatCount(pageCache.bypasses)} bypassed`,
      }}
    />
  )
}
