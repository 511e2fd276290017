import * as React from 'react'

type ButtonProps = React.ButtonHTMLAttributes<HTMLButtonElement> & {
  /** `primary` for the main action, `quiet` for secondary ones. */
  variant?: 'primary' | 'quiet'
}

/**
 * A plain button with Kiln's sample styling hooks. It is imported by
 * `counter.tsx`, not by the post, to show that sibling files can import
 * each other.
 */
export function Button({
  variant = 'primary',
  type = 'button',
  className,
  ...rest
}: ButtonProps) {
  const classes = ['kiln-button', `kiln-button--${variant}`, className]
    .filter(Boolean)
    .join(' ')
  return <button type={type} className={classes} {...rest} />
}
