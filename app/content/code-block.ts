/**
 * Code block rules shared by the compiler and the highlight worker: how a fence's meta
 * string is read, and what a block's lines and <pre> carry. Pure functions, no shiki.
 *
 *   ```ts title="app.ts" {1,3-5} showLineNumbers /useState/
 *   ```js src/data.js hidden
 *
 * The second form is the multi-file examples' (Sandpack's, as react.dev writes them): a
 * bare file path first is the block's title, and `hidden` marks a file the example needs
 * but the reader was not meant to read. A page shows such a file collapsed, as plain text:
 * highlighted and open, the hidden files of one long post made 36,000 of its 40,000
 * token elements, a page too heavy to read, and to check.
 *
 * Notations inside the code (`// [!code ++]`, `[!code focus]`, …) and the words to mark
 * (`/useState/`) are shiki's transformers, run in the highlight worker (workers/highlight.ts).
 */
import type { Element, ElementContent } from 'hast'

export interface CodeMeta {
  title?: string
  /** The file is part of an example but not meant to be read: shown collapsed, not highlighted. */
  hidden: boolean
  /** 1-based line numbers to highlight. */
  highlightLines: number[]
  showLineNumbers: boolean
}

/** Lines to highlight are bounded, so `{1-99999999}` cannot make a huge array. */
const MAX_HIGHLIGHT_LINES = 10_000

const TITLE = /(?:^|\s)title=(?:"([^"]*)"|'([^']*)'|(\S+))/
/**
 * A file path as the meta's first word (`src/App.js`, `package.json`): a name with an
 * extension, in folders. Not `/word/` (a word to mark), `{1,3}` or an option. The word is
 * cut to 256 characters before the pattern sees it, so no meta costs more than that.
 */
const FILE_PATH = /^(?:[\w@.-]+\/)*[\w@-][\w@.-]*\.[A-Za-z][A-Za-z0-9]*$/

function leadingFilePath(meta: string): string | undefined {
  const first = /^\s*(\S{1,256})(?:\s|$)/.exec(meta)?.[1]
  return first && FILE_PATH.test(first) ? first : undefined
}

/** The meta without the block's names (a leading file path, a title=): what is left are its options. */
function withoutNames(meta: string, filePath = leadingFilePath(meta)): string {
  return (filePath ? meta.replace(filePath, ' ') : meta).replace(TITLE, ' ')
}

/**
 * The meta as shiki's word highlighter reads it (`/word/`), without the title: a title
 * holding a path (`title="src/app.ts"`, or a bare `src/components/App.js`) would otherwise
 * mark the text between its slashes.
 */
export function metaForWordHighlight(meta: string | null | undefined): string {
  return meta ? withoutNames(meta) : ''
}

export function parseCodeMeta(meta: string | null | undefined): CodeMeta {
  const result: CodeMeta = { highlightLines: [], showLineNumbers: false, hidden: false }
  if (!meta) return result
  const title = TITLE.exec(meta)
  if (title) result.title = title[1] ?? title[2] ?? title[3]
  const filePath = leadingFilePath(meta)
  result.title ??= filePath
  const withoutTitle = withoutNames(meta, filePath)
  result.hidden = /(?:^|\s)hidden(?:\s|$)/.test(withoutTitle)
  result.showLineNumbers = /(?:^|\s)showLineNumbers(?:\s|$|\{)/.test(withoutTitle)
  const ranges = /\{([\d\s,-]+)\}/.exec(withoutTitle)
  if (ranges) {
    const lines = new Set<number>()
    for (const part of ranges[1].split(',')) {
      const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part)
      if (!match) continue
      const from = Number(match[1])
      const to = match[2] ? Number(match[2]) : from
      for (let line = Math.min(from, to); line <= Math.max(from, to) && lines.size < MAX_HIGHLIGHT_LINES; line++) {
        if (line > 0) lines.add(line)
      }
    }
    result.highlightLines = [...lines].sort((a, b) => a - b)
  }
  return result
}

/** Classes for one line: highlighted by meta, added or removed in a diff block. */
export function lineClasses(lineNumber: number, text: string, meta: CodeMeta, lang: string | undefined): string[] {
  const classes = ['line']
  if (meta.highlightLines.includes(lineNumber)) classes.push('highlighted')
  if (lang === 'diff') {
    if (text.startsWith('+') && !text.startsWith('+++')) classes.push('diff', 'add')
    else if (text.startsWith('-') && !text.startsWith('---')) classes.push('diff', 'remove')
  }
  return classes
}

function splitLines(code: string): string[] {
  const lines = code.replace(/\r\n?/g, '\n').split('\n')
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop()
  return lines
}

/** The same frame a highlighted block gets, with the code as escaped plain text. */
export function plainCodeBlock(code: string, lang: string | undefined, meta: CodeMeta): Element {
  const children: ElementContent[] = []
  splitLines(code).forEach((text, index) => {
    if (index > 0) children.push({ type: 'text', value: '\n' })
    children.push({
      type: 'element',
      tagName: 'span',
      properties: { className: lineClasses(index + 1, text, meta, lang) },
      children: text ? [{ type: 'text', value: text }] : [],
    })
  })
  return plainFrame(children, lang, meta)
}

/**
 * A hidden file's frame: the code as one text node, without a span per line. It has no
 * marks to carry, and one long post's hidden files were 20,000 lines.
 */
export function collapsedCodeBlock(code: string, lang: string | undefined): Element {
  return plainFrame([{ type: 'text', value: code }], lang, parseCodeMeta(null))
}

function plainFrame(children: ElementContent[], lang: string | undefined, meta: CodeMeta): Element {
  return {
    type: 'element',
    tagName: 'pre',
    properties: { className: ['shiki', 'plain'], tabIndex: 0, ...preProperties(lang, meta) },
    children: [{ type: 'element', tagName: 'code', properties: {}, children }],
  }
}

/** What every block's <pre> carries besides shiki's own attributes, as hast properties. */
export function preProperties(lang: string | undefined, meta: CodeMeta): Record<string, string> {
  return { ...(meta.showLineNumbers ? { dataLineNumbers: '' } : {}), ...(lang ? { dataLanguage: lang } : {}) }
}
