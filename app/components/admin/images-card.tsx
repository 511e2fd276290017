/** The resized images kept on disk (app/images/): their size against IMAGE_CACHE_MAX_BYTES, hits, copies made. */
import type { AdminDashboardData } from './dashboard-data.ts'
import { formatBytes, formatCount } from './format.ts'
import { Card, Stat, StatGrid } from './parts.tsx'

export function ImagesCard({ images }: Pick<AdminDashboardData, 'images'>) {
  return (
    <Card title="Images" id="images">
      <StatGrid>
        <Stat name="image-cache-entries" label="Copies on disk" value={formatCount(images.entries)} />
        <Stat
          name="image-cache-bytes"
          label="Size"
          value={formatBytes(images.bytes)}
          hint={`limit ${formatBytes(images.maxBytes)}, ${formatCount(images.evictions)} removed`}
        />
        <Stat
          name="image-cache-hits"
          label="Hits"
          value={formatCount(images.hits)}
          hint={
            images.hits + images.misses > 0
              ? `${Math.round((100 * images.hits) / (images.hits + images.misses))}% of requests`
              : undefined
          }
        />
        <Stat
          name="image-resizes"
          label="Copies made"
          value={formatCount(images.resizes)}
          hint={`${formatCount(images.failures)} failed, ${formatCount(images.refused)} refused (queue full)`}
        />
      </StatGrid>
    </Card>
  )
}
