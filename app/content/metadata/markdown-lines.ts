/**
 * The lines of an MDX or Markdown file that are its own text, not the inside of a fenced
 * code block: a post about Next.js may show `export const metadata = …` or `# Title` in a
 * code block, and neither is the post's metadata. A plain line scan, linear in the file.
 */

export interface SourceLine {
  /** 1-based line number in the file. */
  line: number
  text: string
  /** Offset of the line's first character in the file. */
  offset: number
}

/** Yields each line outside fenced code blocks (``` and ~~~, as CommonMark opens and closes them). */
export function* linesOutsideFences(source: string, fromOffset = 0): Generator<SourceLine> {
  let fence: string | null = null
  let offset = fromOffset
  let line = source.slice(0, fromOffset).split('\n').length
  while (offset <= source.length) {
    const end = source.indexOf('\n', offset)
    const text = source.slice(offset, end === -1 ? source.length : end).replace(/\r$/, '')
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(text)
    if (fence) {
      if (open && open[1][0] === fence[0] && open[1].length >= fence.length && text.trim() === open[1]) fence = null
    } else if (open) {
      fence = open[1]
    } else {
      yield { line, text, offset }
    }
    if (end === -1) break
    offset = end + 1
    line++
  }
}
