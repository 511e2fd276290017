import { Fragment, type ReactNode } from 'react'

/**
 * `<Kbd>K</Kbd>` is a key; `<Kbd>Ctrl+Shift+P</Kbd>` a combination, each key drawn on its
 * own inside one `<kbd>`, as HTML nests them for keys pressed together.
 */
export function Kbd({ children }: { children?: ReactNode }) {
  if (typeof children === 'string' && /\S\+\S/.test(children)) {
    const keys = children.split('+')
    return (
      <kbd className="kiln-kbd-combo" data-kit="Kbd">
        {keys.map((key, index) => (
          <Fragment key={index}>
            {index > 0 ? <span className="kiln-kbd-plus">+</span> : null}
            <kbd className="kiln-kbd">{key.trim()}</kbd>
          </Fragment>
        ))}
      </kbd>
    )
  }
  return (
    <kbd className="kiln-kbd" data-kit="Kbd">
      {children}
    </kbd>
  )
}
