import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useContext } from 'react'
import {
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useFetcher,
  useRouteError,
  useRouteLoaderData,
} from '@remix-run/react'
import { SiteFooter, SiteHeader } from './components/site-chrome.tsx'
import { ErrorPage, notFoundSuggestions } from './components/error-page.tsx'
import { usePageLang } from './components/dates.ts'
import { getUser } from './auth/session.server.ts'
import { listPages } from './content/content-index.server.ts'
import { authorNames } from './content/authors.server.ts'
import { getConfig } from './config.server.ts'
import { getDb } from './db/connection.server.ts'
import { seoMeta } from './seo/meta.ts'
import { siteSeo } from './seo/site.server.ts'
import { feedPaths } from './seo/urls.ts'
import stylesheet from './tailwind.css?url'
import { THEME_FETCHER_KEY } from './components/theme-toggle.tsx'
import { InlineScriptMarker } from './components/inline-script-marker.ts'
import { colorSchemeFor, parseThemeChoice } from './theme/theme.ts'
import { readTheme } from './theme/theme.server.ts'

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: stylesheet },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
  { rel: 'alternate', type: 'application/rss+xml', title: 'RSS feed', href: feedPaths.rss },
  { rel: 'alternate', type: 'application/atom+xml', title: 'Atom feed', href: feedPaths.atom },
  { rel: 'alternate', type: 'application/feed+json', title: 'JSON feed', href: feedPaths.json },
]

/**
 * Used for error pages (Remix renders the meta of the routes up to the error boundary) and routes without meta of their
 * own.
 */
export const meta: MetaFunction<typeof loader> = ({ data, error, location }) =>
  seoMeta(data?.site ?? null, {
    title: error
      ? isRouteErrorResponse(error) && error.status === 404
        ? 'Page not found'
        : 'This page could not be shown'
      : (data?.site.title ?? 'Kiln'),
    path: location.pathname,
    noindex: Boolean(error),
  })

export async function loader({ request, context }: LoaderFunctionArgs) {
  // A section's page (slug blog/<section>) belongs to the blog, not to the site's navigation.
  const pages = context.timings.time('db', () => listPages(getDb()).filter((page) => !page.slug.includes('/')))
  // Also renews a session in use (the cookie is sent again at most once a day).
  const user = await getUser(request, context)
  return {
    user: user ? { email: user.email, isAdmin: user.isAdmin } : null,
    site: siteSeo(),
    pages: pages.map((page) => ({ slug: page.slug, title: page.title })),
    // From the kiln_theme cookie: the HTML differs by it (a page cache must key on it).
    theme: readTheme(request),
    // id -> name of every author (content/authors/), for bylines in lists.
    authors: authorNames(getConfig().contentDir),
  }
}

export type RootData = Awaited<ReturnType<typeof loader>>

export function Layout({ children }: { children: React.ReactNode }) {
  const data = useRouteLoaderData<typeof loader>('root')
  // The toggle's choice shows at once, before the server has answered.
  const pendingTheme = parseThemeChoice(useFetcher({ key: THEME_FETCHER_KEY }).formData?.get('theme'))
  const theme = pendingTheme ?? data?.theme ?? 'system'
  // Marks Remix's inline scripts for the Content-Security-Policy's hashes (server only).
  const scriptMarker = useContext(InlineScriptMarker)
  // SITE_LANG, or the post's own `lang`.
  const lang = usePageLang()
  return (
    // "dark" or "light" forces a theme; no class follows the system (tailwind.config.ts).
    <html lang={lang} className={theme === 'system' ? undefined : theme}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content={colorSchemeFor(theme)} />
        <Meta />
        <Links />
      </head>
      <body className="flex min-h-screen flex-col">
        <SiteHeader
          title={data?.site.title ?? 'Kiln'}
          pages={data?.pages ?? []}
          user={data?.user ?? null}
          theme={theme}
        />
        <main className="mx-auto w-full max-w-3xl flex-1 px-4 py-8 sm:px-6 sm:py-12">{children}</main>
        <SiteFooter title={data?.site.title ?? 'Kiln'} />
        <ScrollRestoration nonce={scriptMarker} />
        <Scripts nonce={scriptMarker} />
      </body>
    </html>
  )
}

export default function App() {
  return <Outlet />
}

/** Never shows a stack trace or an error's internals to a reader. */
export function ErrorBoundary() {
  const error = useRouteError()
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <ErrorPage
        status={404}
        title="Page not found"
        message="There is nothing at this address. It may have moved, or never existed."
        suggestions={notFoundSuggestions(error.data)}
      />
    )
  }
  if (isRouteErrorResponse(error)) {
    const message =
      typeof error.data === 'object' && error.data && 'message' in error.data ? String(error.data.message) : undefined
    return (
      <ErrorPage
        status={error.status}
        title={error.status >= 500 ? 'This page could not be shown' : 'Something is not right'}
        message={message}
      />
    )
  }
  return (
    <ErrorPage
      status={500}
      title="Something went wrong"
      message="The server could not show this page. Please try again in a moment."
    />
  )
}
