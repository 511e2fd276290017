import * as React from 'react'
import { Button } from './button.tsx'

/**
 * A small counter for the "Interactive components" sample post.
 *
 * It renders the same markup on the server and in the browser: the initial
 * count comes only from props, and nothing touches `window` or `document`
 * at import time or while rendering.
 */
export function Counter({ start = 0 }: { start?: number }) {
  const [count, setCount] = React.useState(start)

  return (
    <div className="kiln-counter">
      <p>
        Count: <output aria-live="polite">{count}</output>
      </p>
      <Button onClick={() => setCount((current) => current + 1)}>
        Add one
      </Button>
      <Button
        variant="quiet"
        onClick={() => setCount(start)}
        disabled={count === start}
      >
        Reset
      </Button>
    </div>
  )
}
