/** The memory card: the sampler's history as a chart, and the current figures beside it. */
import type { AdminDashboardData } from './dashboard-data.ts'
import { formatMB } from './format.ts'
import { MemoryChart, type ChartSeries } from './memory-chart.tsx'
import { Card } from './parts.tsx'

const SERIES: {
  key: keyof AdminDashboardData['memory']['current']
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

export function MemoryCard({ memory }: { memory: AdminDashboardData['memory'] }) {
  const chartSeries: ChartSeries[] = SERIES.map((line) => ({ ...line, values: memory.seriesMB[line.key] }))
  return (
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
  )
}
