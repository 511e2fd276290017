import { Form, Link, NavLink } from '@remix-run/react'
import type { ThemeChoice } from '../theme/theme.ts'
import { ThemeToggle } from './theme-toggle.tsx'

const navLink = ({ isActive }: { isActive: boolean }) =>
  `rounded px-2 py-1 transition-colors hover:text-amber-700 dark:hover:text-amber-400 ` +
  `${isActive ? 'text-zinc-950 dark:text-white' : 'text-zinc-600 dark:text-zinc-400'}`

export function SiteHeader({
  title,
  pages,
  user,
  theme,
}: {
  title: string
  pages: { slug: string; title: string }[]
  user: { email: string; isAdmin: boolean } | null
  theme: ThemeChoice
}) {
  return (
    <header
      className={[
        'sticky top-0 z-10 border-b border-zinc-200/80 bg-white/90',
        'backdrop-blur dark:border-zinc-800/80 dark:bg-zinc-950/90',
      ].join(' ')}
    >
      <nav
        aria-label="Main"
        className="mx-auto flex max-w-3xl flex-wrap items-center justify-between gap-x-4 gap-y-1 px-4 py-3 sm:px-6"
      >
        <Link to="/" className="flex items-center gap-2 text-lg font-bold tracking-tight text-zinc-950 dark:text-white">
          <span aria-hidden="true" className="inline-block h-3 w-3 rotate-45 rounded-sm bg-amber-600" />
          {title}
        </Link>
        <div className="-mx-2 flex flex-wrap items-center gap-1 text-sm font-medium">
          <NavLink to="/blog" className={navLink}>
            Blog
          </NavLink>
          <NavLink to="/tags" className={navLink}>
            Tags
          </NavLink>
          <NavLink to="/search" className={navLink}>
            Search
          </NavLink>
          {pages.map((page) => (
            <NavLink key={page.slug} to={`/${page.slug}`} className={navLink}>
              {page.title}
            </NavLink>
          ))}
          {user?.isAdmin ? (
            <NavLink to="/admin" className={navLink}>
              Admin
            </NavLink>
          ) : null}
          {user ? (
            <Form method="post" action="/logout">
              <button
                type="submit"
                className={[
                  'rounded px-2 py-1 text-zinc-600 hover:text-amber-700',
                  'dark:text-zinc-400 dark:hover:text-amber-400',
                ].join(' ')}
              >
                Sign out
              </button>
            </Form>
          ) : null}
          <ThemeToggle theme={theme} />
        </div>
      </nav>
    </header>
  )
}

export function SiteFooter({ title }: { title: string }) {
  return (
    <footer
      className={[
        'border-t border-zinc-200 py-6 text-center text-sm',
        'text-zinc-600 dark:border-zinc-800 dark:text-zinc-400',
      ].join(' ')}
    >
      {title} · served by Kiln
    </footer>
  )
}
