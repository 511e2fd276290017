import { useState, type ReactNode } from 'react'

/**
 * A site-wide component: every post can write <Spoiler label="…">…</Spoiler> without an
 * import, because this file is in content/components/. The text stays hidden until the
 * reader presses the button (React state, so it needs the page's JavaScript).
 */
export default function Spoiler({ label = 'Show the answer', children }: { label?: string; children?: ReactNode }) {
  const [shown, setShown] = useState(false)
  return (
    <div data-spoiler="">
      <button
        type="button"
        aria-expanded={shown}
        onClick={() => setShown(!shown)}
        className="rounded-md border border-zinc-300 px-2 py-1 text-sm font-medium dark:border-zinc-600"
      >
        {shown ? 'Hide' : label}
      </button>
      {shown ? <div data-spoiler-text="">{children}</div> : null}
    </div>
  )
}
