import type { ReactNode } from 'react'
import { embedTarget, type EmbedProvider } from './embed-url.ts'
import { KitError } from './kit-error.tsx'

const MARKS: Record<EmbedProvider, string> = {
  x: '𝕏',
  mastodon: 'M',
  codepen: 'CP',
  codesandbox: 'CSB',
  link: '↗',
}

/**
 * `<Embed url="…">` for a post on X or Twitter, a Mastodon toot, a CodePen or a
 * CodeSandbox: a static card with a link. No third-party script or frame is loaded, so a
 * reader's visit is not reported to those services and the page stays fast; the
 * author may quote what the embed says as the children (`<Embed url="…">The text</Embed>`),
 * which stays readable when the service is gone. Any other http(s) URL is a plain link card.
 */
export function Embed({ url, title, children }: { url?: string; title?: ReactNode; children?: ReactNode }) {
  const target = embedTarget(url)
  if ('error' in target) return <KitError component="Embed" message={target.error} />
  return (
    <figure className="kiln-embed not-prose" data-kit="Embed" data-embed={target.provider}>
      <div className="kiln-embed-head">
        <span className="kiln-embed-mark" aria-hidden="true">
          {MARKS[target.provider]}
        </span>
        <span className="kiln-embed-label">
          <span className="kiln-embed-title">{title ?? target.label}</span>
          <span className="kiln-embed-service">{target.service}</span>
        </span>
      </div>
      {children ? (
        <blockquote className="kiln-embed-quote" cite={target.href}>
          {children}
        </blockquote>
      ) : null}
      <figcaption className="kiln-embed-link">
        <a href={target.href} rel="noopener noreferrer">
          {target.provider === 'link' ? `Open ${target.host}` : `Open on ${target.service}`}
          <span className="sr-only">: {typeof title === 'string' ? title : target.label}</span>
        </a>
      </figcaption>
    </figure>
  )
}
