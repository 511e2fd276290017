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
