/** The two caches' cards: evaluated MDX components, and rendered pages (production only). */
import type { AdminDashboardData } from './dashboard-data.ts'
import { formatBytes, formatCount, formatDuration } from './format.ts'
import { Card, Stat, StatGrid } from './parts.tsx'

export function ComponentCacheCard({ cache }: Pick<AdminDashboardData, 'cache'>) {
  return (
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
  )
}

export function PageCacheCard({ pageCache }: Pick<AdminDashboardData, 'pageCache'>) {
  if (!pageCache) return null
  return (
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
              ? `${Math.round((100 * pageCache.hits) / (pageCache.hits + pageCache.misses))}` +
                `% of lookups, ${formatCount(pageCache.notModified)} 304s`
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
  )
}
