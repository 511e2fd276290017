/** Memory over days (kept across restarts): heap after GC and RSS, and whether a steady rise suggests a leak. */
import type { AdminDashboardData } from './dashboard-data.ts'
import { formatMB } from './format.ts'
import { MemoryChart, type ChartSeries } from './memory-chart.tsx'
import { Badge, Card } from './parts.tsx'

export function MemoryHistoryCard({ days }: { days: AdminDashboardData['memoryDays'] }) {
  const series: ChartSeries[] = [
    {
      key: 'rss',
      label: 'RSS (peak)',
      values: days.seriesMB.rss,
      stroke: 'stroke-amber-600 dark:stroke-amber-400',
    },
    {
      key: 'heapAfterGc',
      label: 'Heap after GC',
      values: days.seriesMB.heapAfterGc,
      stroke: 'stroke-sky-600 dark:stroke-sky-400',
    },
  ]
  const { trend } = days
  return (
    <Card
      title="Memory over days"
      id="memory-days"
      aside={days.since ? `${days.windows} windows of 5 min since ${days.since.slice(0, 10)}` : 'no history yet'}
    >
      <div
        data-testid="leak-trend"
        data-suspected={trend.suspected ? 'true' : 'false'}
        className="mb-3 flex flex-wrap items-start gap-2 text-sm"
      >
        <Badge tone={trend.suspected ? 'bad' : trend.slopeBytesPerHour === null ? 'neutral' : 'good'}>
          {trend.suspected ? 'Leak suspected' : trend.slopeBytesPerHour === null ? 'Collecting' : 'Steady'}
        </Badge>
        <p className="min-w-0 flex-1 break-words text-zinc-700 dark:text-zinc-300">{trend.message}</p>
      </div>
      {days.agesS.length > 1 ? (
        <MemoryChart agesS={days.agesS} series={series} testId="memory-days-chart" />
      ) : (
        <p className="text-sm text-zinc-500 dark:text-zinc-400">
          One point is stored every 5 minutes; the chart appears after the first two.
        </p>
      )}
      <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400">
        {series.map((line) => (
          <li key={line.key} className="flex items-center gap-1.5">
            <svg aria-hidden="true" width="16" height="4" className="shrink-0">
              <line x1="0" x2="16" y1="2" y2="2" strokeWidth="2" className={line.stroke} />
            </svg>
            {line.label}
            {line.values.length > 0 ? `: ${formatMB(line.values[line.values.length - 1] * 1048576)}` : ''}
          </li>
        ))}
      </ul>
    </Card>
  )
}
