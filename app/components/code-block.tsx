import { useEffect, useRef, useState, type ComponentPropsWithoutRef } from 'react'

/**
 * Every code block's <pre>, given to MDX as its `pre` component: the block as compiled
 * (highlighted on the server), plus a copy button once JavaScript is running. The copy
 * takes the code's text: line numbers are CSS counters, so they are never copied.
 */
export function CodeBlockPre(props: ComponentPropsWithoutRef<'pre'>) {
  const ref = useRef<HTMLPreElement>(null)
  const [ready, setReady] = useState(false)
  const [copied, setCopied] = useState(false)
  useEffect(() => setReady(true), [])
  useEffect(() => {
    if (!copied) return
    const timer = setTimeout(() => setCopied(false), 2000)
    return () => clearTimeout(timer)
  }, [copied])

  const copy = async () => {
    const code = ref.current?.querySelector('code') ?? ref.current
    if (!code) return
    try {
      await navigator.clipboard.writeText(code.innerText.replace(/\n$/, ''))
      setCopied(true)
    } catch {
      // The clipboard can be refused (permissions, insecure origin): the code stays selectable.
    }
  }

  return (
    <div className="code-frame group relative">
      <pre ref={ref} {...props} />
      {ready ? (
        <button
          type="button"
          onClick={copy}
          className="code-copy absolute right-2 top-2 rounded-md border border-zinc-300 bg-white/90 px-2 py-1 font-sans text-xs font-medium text-zinc-700 opacity-100 shadow-sm transition-opacity hover:bg-white focus:opacity-100 sm:opacity-0 sm:group-hover:opacity-100 dark:border-zinc-600 dark:bg-zinc-800/90 dark:text-zinc-200"
          aria-label={copied ? 'Copied' : 'Copy code'}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      ) : null}
    </div>
  )
}
