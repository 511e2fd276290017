import type { ReactNode } from 'react'

export function Card({
  title,
  id,
  children,
  aside,
}: {
  title: string
  id: string
  children: ReactNode
  aside?: ReactNode
}) {
  return (
    <section
      aria-labelledby={`${id}-title`}
      data-section={id}
      className={[
        'min-w-0 rounded-xl border border-zinc-200 bg-white p-4',
        'shadow-sm dark:border-zinc-800 dark:bg-zinc-900/60',
      ].join(' ')}
    >
      <div className="mb-3 flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
        <h2 id={`${id}-title`} className="text-base font-semibold text-zinc-950 dark:text-white">
          {title}
        </h2>
        {aside ? <div className="text-xs text-zinc-500 dark:text-zinc-400">{aside}</div> : null}
      </div>
      {children}
    </section>
  )
}

/** A labelled figure; `name` lands in data-stat so tests and scripts can find it. */
export function Stat({
  label,
  value,
  hint,
  name,
}: {
  label: string
  value: ReactNode
  hint?: ReactNode
  name?: string
}) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd
        data-stat={name}
        className="mt-0.5 break-words text-lg font-semibold tabular-nums text-zinc-950 dark:text-white"
      >
        {value}
      </dd>
      {hint ? <dd className="break-words text-xs text-zinc-500 dark:text-zinc-400">{hint}</dd> : null}
    </div>
  )
}

export function StatGrid({ children }: { children: ReactNode }) {
  return <dl className="grid grid-cols-2 gap-x-4 gap-y-3">{children}</dl>
}

const tones = {
  good:
    'bg-emerald-50 text-emerald-800 ring-emerald-600/20 ' +
    'dark:bg-emerald-950/60 dark:text-emerald-300 ' +
    'dark:ring-emerald-400/20',
  warn: 'bg-amber-50 text-amber-800 ring-amber-600/20 dark:bg-amber-950/60 dark:text-amber-300 dark:ring-amber-400/20',
  bad: 'bg-rose-50 text-rose-800 ring-rose-600/20 dark:bg-rose-950/60 dark:text-rose-300 dark:ring-rose-400/20',
  neutral: 'bg-zinc-100 text-zinc-700 ring-zinc-500/20 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-400/20',
}

export function Badge({ tone, children }: { tone: keyof typeof tones; children: ReactNode }) {
  return (
    <span
      className={
        `inline-flex items-center rounded-full px-2 py-0.5 text-xs ` + `font-medium ring-1 ring-inset ${tones[tone]}`
      }
    >
      {children}
    </span>
  )
}
