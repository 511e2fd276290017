import type { ReactNode } from 'react'

export const CALLOUT_TYPES = ['note', 'tip', 'warning', 'danger'] as const
export type CalloutType = (typeof CALLOUT_TYPES)[number]

const LABELS: Record<CalloutType, string> = { note: 'Note', tip: 'Tip', warning: 'Warning', danger: 'Danger' }

/** One icon per type (24px grid, stroked), so the type shows by shape as well as colour. */
const ICON_PATHS: Record<CalloutType, string> = {
  note: 'M12 8h.01M11 12h1v4h1M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z',
  tip: 'M9 18h6M10 21h4M12 3a6 6 0 0 0-3.5 10.9c.6.5 1 1.2 1 2.1h5c0-.9.4-1.6 1-2.1A6 6 0 0 0 12 3z',
  warning: 'M12 9v4M12 17h.01M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z',
  danger: 'M12 8v4M12 16h.01M7.9 2h8.2L22 7.9v8.2L16.1 22H7.9L2 16.1V7.9z',
}

function calloutType(type: unknown): CalloutType {
  return CALLOUT_TYPES.includes(type as CalloutType) ? (type as CalloutType) : 'note'
}

/**
 * `<Callout type="note|tip|warning|danger" title="…">`: a boxed remark set off from the
 * text. An unknown type is a note. The type is said in words too (visually hidden when a
 * title is given), so it never rests on colour or the icon alone.
 */
export function Callout({ type, title, children }: { type?: string; title?: ReactNode; children?: ReactNode }) {
  const kind = calloutType(type)
  const label = LABELS[kind]
  return (
    <div className={`kiln-callout kiln-callout-${kind}`} data-kit="Callout" data-callout={kind} role="note">
      <p className="kiln-callout-title">
        <svg
          className="kiln-callout-icon"
          viewBox="0 0 24 24"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
          strokeLinecap="round"
          strokeLinejoin="round"
          aria-hidden="true"
          focusable="false"
        >
          <path d={ICON_PATHS[kind]} />
        </svg>
        {title ? (
          <span>
            <span className="sr-only">{label}: </span>
            {title}
          </span>
        ) : (
          <span>{label}</span>
        )}
      </p>
      <div className="kiln-callout-body">{children}</div>
    </div>
  )
}
