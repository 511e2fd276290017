import { useFetcher, useLocation } from '@remix-run/react'
import { useEffect, useState } from 'react'
import { THEME_CHOICES, type ThemeChoice } from '../theme/theme.ts'

/** Shared with the root layout, which shows a pending choice before the server answers. */
export const THEME_FETCHER_KEY = 'theme'

const LABELS: Record<ThemeChoice, { icon: string; label: string }> = {
  system: { icon: '◐', label: 'System theme' },
  light: { icon: '☀', label: 'Light theme' },
  dark: { icon: '☾', label: 'Dark theme' },
}

/**
 * System / light / dark. A real form posting to /action/theme, so it works without
 * JavaScript (the server sets the cookie and redirects back); once hydrated it posts
 * through a fetcher instead, and the page changes in place.
 */
export function ThemeToggle({ theme }: { theme: ThemeChoice }) {
  const fetcher = useFetcher({ key: THEME_FETCHER_KEY })
  const location = useLocation()
  const [hydrated, setHydrated] = useState(false)
  useEffect(() => setHydrated(true), [])
  return (
    <fetcher.Form
      method="post"
      action="/action/theme"
      className="ml-1 flex items-center rounded-md border border-zinc-300 p-0.5 dark:border-zinc-700"
    >
      <input type="hidden" name="redirectTo" value={location.pathname + location.search + location.hash} />
      {hydrated ? <input type="hidden" name="enhanced" value="1" /> : null}
      {THEME_CHOICES.map((choice) => (
        // No type attribute: a button in a form submits by default, and leaving it out
        // keeps page scripts and tests that look for a page's own
        // `form button[type="submit"]` from finding the header's toggle too.
        <button
          key={choice}
          name="theme"
          value={choice}
          aria-pressed={theme === choice}
          title={LABELS[choice].label}
          data-theme-choice={choice}
          className={
            'rounded px-1.5 py-0.5 leading-none ' +
            (theme === choice
              ? 'bg-zinc-200 text-zinc-950 dark:bg-zinc-700 dark:text-white'
              : 'text-zinc-600 hover:text-amber-700 dark:text-zinc-400 dark:hover:text-amber-400')
          }
        >
          <span aria-hidden="true">{LABELS[choice].icon}</span>
          <span className="sr-only">{LABELS[choice].label}</span>
        </button>
      ))}
    </fetcher.Form>
  )
}
