/** Pieces the snapshot pages share: the page frame, a back link, an error box, a table that scrolls inside itself. */
import { Link } from '@remix-run/react'
import type { ReactNode } from 'react'

export function SnapshotPage({ title, back, children }: { title: string; back?: ReactNode; children: ReactNode }) {
  return (
    <div className="space-y-5">
      <header className="space-y-1">
        <nav className="text-sm">
          {back ?? (
            <Link to="/admin" className="text-amber-700 underline-offset-2 hover:underline dark:text-amber-400">
              ← Server
            </Link>
          )}
        </nav>
        <h1 className="break-words text-2xl font-bold tracking-tight text-zinc-950 dark:text-white">{title}</h1>
      </header>
      {children}
    </div>
  )
}

export function ErrorBox({ children, testId = 'snapshot-error' }: { children: ReactNode; testId?: string }) {
  return (
    <p
      role="alert"
      data-testid={testId}
      className={[
        'break-words rounded-lg border border-rose-300 bg-rose-50 p-3 text-sm text-rose-900',
        'dark:border-rose-800 dark:bg-rose-950/60 dark:text-rose-200',
      ].join(' ')}
    >
      {children}
    </p>
  )
}

/** A table that never widens the page: on a narrow screen it scrolls sideways inside its own box. */
export function ScrollTable({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="-mx-1 overflow-x-auto px-1" role="region" aria-label={label} tabIndex={0}>
      <table className="w-full min-w-[18rem] text-left text-sm tabular-nums">{children}</table>
    </div>
  )
}

export const th =
  'border-b border-zinc-200 py-1.5 pr-3 text-xs font-medium text-zinc-600 dark:border-zinc-800 dark:text-zinc-400'
export const td =
  'border-b border-zinc-100 py-1.5 pr-3 align-top text-zinc-900 dark:border-zinc-800/60 dark:text-zinc-100'

export const buttonClass = [
  'rounded-lg bg-amber-700 px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-amber-800',
  'focus:outline-none focus-visible:ring-2 focus-visible:ring-amber-500 focus-visible:ring-offset-2',
  'dark:bg-amber-700 dark:hover:bg-amber-600 dark:focus-visible:ring-offset-zinc-900',
].join(' ')

export const linkClass = 'text-amber-700 underline underline-offset-2 hover:text-amber-900 dark:text-amber-400'
