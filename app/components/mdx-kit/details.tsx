import type { ReactNode } from 'react'

/**
 * `<Details summary="…" open>`: a section the reader opens. The browser's own
 * `<details>`: it opens and closes with the keyboard and without JavaScript, and
 * find-in-page reaches its hidden text.
 */
export function Details({ summary, open, children }: { summary?: ReactNode; open?: boolean; children?: ReactNode }) {
  return (
    <details className="kiln-details" data-kit="Details" open={open}>
      <summary className="kiln-details-summary">{summary ?? 'Details'}</summary>
      <div className="kiln-details-body">{children}</div>
    </details>
  )
}
