/** The resized images kept on disk (app/images/): their size against IMAGE_CACHE_MAX_BYTES, hits, copies made. */
import type { AdminDashboardData } from './dashboard-data.ts'
import { CacheCard } from './cache-cards.tsx'
import { formatBytes, formatCount } from './format.ts'

export function ImagesCard({ images }: Pick<AdminDashboardData, 'images'>) {
  return (
    <CacheCard
      title="Images"
      id="images"
      stat="image-cache"
      entries={{ label: 'Copies on disk', value: formatCount(images.entries) }}
      size={{
        bytes: images.bytes,
        hint: `limit ${formatBytes(images.maxBytes)}, ${formatCount(images.evictions)} removed`,
      }}
      hits={{ hits: images.hits, misses: images.misses, lookups: 'requests' }}
      own={{
        name: 'image-resizes',
        label: 'Copies made',
        value: formatCount(images.resizes),
        hint: `${formatCount(images.failures)} failed, ${formatCount(images.refused)} refused (queue full)`,
      }}
    />
  )
}
