/**
 * Hydration, as Remix's default entry does it, once the page's posts are in: a post's
 * compiled MDX comes as a module from this site (the Content-Security-Policy allows no
 * eval; see app/content/mdx-component.tsx), and the article names it in
 * `data-mdx-module`. Importing it first lets the post hydrate in the same pass as the page.
 */
import { RemixBrowser } from '@remix-run/react'
import { startTransition, StrictMode } from 'react'
import { hydrateRoot } from 'react-dom/client'
import { loadMdxModule } from './content/mdx-component.tsx'

/**
 * A request Remix aborts on purpose (a second theme choice, say, supersedes the first one's
 * data reload) can still surface as an "unhandled" AbortError: when the abort lands after
 * the response's first line was read, turbo-stream, which decodes Remix's data responses,
 * rejects promises of its own that nothing waits on. An abort is always someone's
 * decision, never a fault, so only that kind of rejection is kept out of the console;
 * every other unhandled rejection is reported as before.
 */
window.addEventListener('unhandledrejection', (event) => {
  const reason: unknown = event.reason
  if (reason instanceof DOMException && reason.name === 'AbortError') event.preventDefault()
})

const modules = [...document.querySelectorAll<HTMLElement>('[data-mdx-module]')].map((element) =>
  loadMdxModule(element.dataset.mdxModule ?? ''),
)

// A module that failed to load shows the route's error boundary once hydrated.
void Promise.allSettled(modules).then(() =>
  startTransition(() => {
    hydrateRoot(
      document,
      <StrictMode>
        <RemixBrowser />
      </StrictMode>,
    )
  }),
)
