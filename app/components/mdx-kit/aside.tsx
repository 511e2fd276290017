import type { ReactNode } from 'react'

/**
 * `<Aside>`: a remark beside the main thread of the text, set in smaller type with a rule
 * at its side. A `role="note"` block rather than an `<aside>` element: inside the article
 * an `<aside>` would be announced as a page-level landmark, which axe flags.
 */
export function Aside({ title, children }: { title?: ReactNode; children?: ReactNode }) {
  return (
    <div className="kiln-aside" data-kit="Aside" role="note" aria-label={typeof title === 'string' ? title : 'Aside'}>
      {title ? <p className="kiln-aside-title">{title}</p> : null}
      {children}
    </div>
  )
}
