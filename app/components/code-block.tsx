import { useEffect, useRef, useState } from 'react'

/**
 * Every fenced code block of a post. The compiler stored the block's <pre> as HTML
 * (highlighted by shiki, or escaped plain text), so the page inserts it whole: one
 * element per block instead of one per token, which keeps both the compiled code and
 * the render small. The copy button appears once JavaScript runs; it copies the code's
 * text, and line numbers are CSS counters, so they are never copied.
 *
 * A `collapsed` block is a file an example needs but hides (```js src/data.js hidden,
 * app/content/code-block.ts): it is a closed <details> named after the file, its code
 * one click away and never in the way of the ones the author shows.
 */
export function KilnCodeBlock({
  html,
  lang,
  title,
  collapsed,
}: {
  html: string
  lang?: string
  title?: string
  collapsed?: boolean
}) {
  const ref = useRef<HTMLDivElement>(null)
  const [ready, setReady] = useState(false)
  const [copied, setCopied] = useState(false)
  useEffect(() => setReady(true), [])
  useEffect(() => {
    if (!copied) return
    const timer = setTimeout(() => setCopied(false), 2000)
    return () => clearTimeout(timer)
  }, [copied])

  const copy = async () => {
    const code = ref.current?.querySelector('code')
    if (!code) return
    try {
      await navigator.clipboard.writeText(code.innerText.replace(/\n$/, ''))
      setCopied(true)
    } catch {
      // The clipboard can be refused (permissions, insecure origin): the code stays selectable.
    }
  }

  const frame = (
    <div className="code-frame group relative">
      <div ref={ref} dangerouslySetInnerHTML={{ __html: html }} />
      {ready ? (
        <button
          type="button"
          onClick={copy}
          className={[
            'code-copy absolute right-2 top-2 rounded-md border border-zinc-300 bg-white/90',
            'px-2 py-1 font-sans text-xs font-medium text-zinc-700 shadow-sm',
            'transition-opacity hover:bg-white focus:opacity-100 sm:opacity-0',
            'sm:group-hover:opacity-100 dark:border-zinc-600 dark:bg-zinc-800/90',
            'dark:text-zinc-200',
          ].join(' ')}
          aria-label={copied ? 'Copied' : 'Copy code'}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      ) : null}
    </div>
  )

  if (collapsed) {
    return (
      <details className="code-block code-block-collapsed" data-code-block="" data-language={lang}>
        <summary className="code-title">
          {title ?? 'Code'} <span className="code-collapsed-note">(a supporting file of the example)</span>
        </summary>
        {frame}
      </details>
    )
  }
  return (
    <figure className="code-block" data-code-block="" data-language={lang}>
      {title ? <figcaption className="code-title">{title}</figcaption> : null}
      {frame}
    </figure>
  )
}
