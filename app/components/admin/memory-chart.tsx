/**
 * Memory over time as an inline SVG line chart: one polyline per series, y in MB, x in
 * time before now. The SVG scales to its container's width (the viewBox keeps its
 * proportions, so text never stretches).
 */

export interface ChartSeries {
  key: string
  label: string
  /** MB, aligned with the chart's ages. */
  values: number[]
  /** Tailwind stroke classes (light and dark). */
  stroke: string
  dashed?: boolean
}

const WIDTH = 340
const HEIGHT = 200
const PAD = { left: 40, right: 10, top: 18, bottom: 24 }
const PLOT_W = WIDTH - PAD.left - PAD.right
const PLOT_H = HEIGHT - PAD.top - PAD.bottom

/** A round top for the y axis and the step between its ticks (about four of them). */
function niceScale(max: number): { top: number; step: number } {
  const safe = max > 0 ? max : 1
  const rough = safe / 4
  const magnitude = 10 ** Math.floor(Math.log10(rough))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= rough) ?? 10 * magnitude
  return { top: Math.ceil(safe / step) * step, step }
}

function ageLabel(seconds: number): string {
  if (seconds === 0) return 'now'
  if (seconds < 120) return `−${Math.round(seconds)} s`
  if (seconds < 3 * 3600) return `−${Math.round(seconds / 60)} min`
  if (seconds < 3 * 86_400) return `−${Math.round(seconds / 3600)} h`
  return `−${Math.round(seconds / 86_400)} d`
}

export function MemoryChart({
  agesS,
  series,
  testId = 'memory-chart',
}: {
  agesS: number[]
  series: ChartSeries[]
  testId?: string
}) {
  const oldest = Math.max(agesS[0] ?? 0, 10)
  const max = Math.max(0, ...series.flatMap((line) => line.values))
  const { top, step } = niceScale(max * 1.05)
  const x = (age: number) => PAD.left + PLOT_W * (1 - age / oldest)
  const y = (mb: number) => PAD.top + PLOT_H * (1 - mb / top)
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step)
  const xTicks = [oldest, oldest / 2, 0]
  const decimals = step < 1 ? 1 : 0

  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      className="h-auto w-full"
      role="img"
      aria-label={`Memory over the last ${ageLabel(oldest).slice(1)}, in MB`}
      data-testid={testId}
    >
      <title>Memory over time (MB)</title>
      {ticks.map((tick) => (
        <g key={tick}>
          <line
            x1={PAD.left}
            x2={WIDTH - PAD.right}
            y1={y(tick)}
            y2={y(tick)}
            className="stroke-zinc-200 dark:stroke-zinc-800"
            strokeWidth={1}
          />
          <text
            x={PAD.left - 6}
            y={y(tick)}
            dy="0.32em"
            textAnchor="end"
            className="fill-zinc-500 dark:fill-zinc-400"
            fontSize={10}
          >
            {tick.toFixed(decimals)}
          </text>
        </g>
      ))}
      <text
        x={PAD.left - 6}
        y={5}
        dy="0.32em"
        textAnchor="end"
        className="fill-zinc-500 dark:fill-zinc-400"
        fontSize={9}
        fontWeight={600}
      >
        MB
      </text>
      {xTicks.map((age, i) => (
        <text
          key={i}
          x={x(age)}
          y={HEIGHT - 6}
          textAnchor={i === 0 ? 'start' : i === xTicks.length - 1 ? 'end' : 'middle'}
          className="fill-zinc-500 dark:fill-zinc-400"
          fontSize={10}
        >
          {ageLabel(age)}
        </text>
      ))}
      <line
        x1={PAD.left}
        x2={WIDTH - PAD.right}
        y1={y(0)}
        y2={y(0)}
        className="stroke-zinc-400 dark:stroke-zinc-600"
        strokeWidth={1}
      />
      {series.map((line) => (
        <polyline
          key={line.key}
          data-series={line.key}
          points={line.values.map((value, i) => `${x(agesS[i]).toFixed(1)},${y(value).toFixed(1)}`).join(' ')}
          fill="none"
          strokeWidth={1.75}
          strokeLinejoin="round"
          strokeLinecap="round"
          strokeDasharray={line.dashed ? '4 3' : undefined}
          className={line.stroke}
        />
      ))}
    </svg>
  )
}
