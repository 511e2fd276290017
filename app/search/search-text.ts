/**
 * Pure functions behind search: the words of an MDX source, and a reader's query turned
 * into an FTS5 query that cannot fail to parse.
 */

/** What snippet() puts around a match: control characters no post's text contains. */
export const MATCH_START = '\u0001'
export const MATCH_END = '\u0002'

/** The longest query Kiln searches for; longer input is cut here. */
export const MAX_QUERY_LENGTH = 200

/**
 * The readable text of an MDX (or Markdown) source, for the search index: frontmatter,
 * import/export lines, JSX tags, HTML comments, MDX comments and Markdown punctuation go;
 * the words stay, including the words of code blocks (readers search for API names). It
 * is a cheap approximation, not a parse: it only has to feed a tokenizer.
 */
export function extractSearchText(source: string): string {
  const text = source.replace(/^\uFEFF/, '').replace(/^---\r?\n[\s\S]*?\r?\n---[ \t]*(?:\r?\n|$)/, '')
  // Prose runs are cleaned of markup; code is kept as written, markup and all.
  const parts: string[] = []
  let prose: string[] = []
  const flushProse = () => {
    if (prose.length > 0) parts.push(proseWords(prose.join('\n')))
    prose = []
  }
  let fence: string | null = null
  let inEsm = false
  for (const line of text.split(/\r?\n/)) {
    const fenceMatch = /^\s*(`{3,}|~{3,})/.exec(line)
    if (fence) {
      if (fenceMatch && fenceMatch[1][0] === fence[0] && fenceMatch[1].length >= fence.length) fence = null
      else parts.push(line)
      continue
    }
    if (fenceMatch) {
      // The fence's info string (language, title="...") is not prose.
      flushProse()
      fence = fenceMatch[1]
      continue
    }
    // Top-level import/export statements, which may run over several lines until a
    // blank one.
    if (inEsm) {
      if (line.trim() === '') inEsm = false
      continue
    }
    if (/^(import|export)\s/.test(line)) {
      inEsm = !/;\s*$/.test(line) && !/\bfrom\s+['"][^'"]+['"]\s*$/.test(line)
      continue
    }
    prose.push(line)
  }
  flushProse()
  return parts
    .join('\n')
    // The markers search uses to highlight matches never come from content.
    .replaceAll(MATCH_START, ' ')
    .replaceAll(MATCH_END, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim()
}

function proseWords(text: string): string {
  return (
    text
      // Comments: HTML and MDX ({/* ... */}), then other JSX expressions ({props.x}): code, not words.
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/\{\/\*[\s\S]*?\*\/\}/g, ' ')
      .replace(/\{[^{}\n]*\}/g, ' ')
      // Images keep their alt text, links their text; the addresses go.
      .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/^\s*\[[^\]]+\]:\s*\S+.*$/gm, ' ')
      // JSX and HTML tags, with their attributes; their children stay.
      .replace(/<\/?[A-Za-z][\w.:-]*(?:\s+(?:[^<>"'{}]|"[^"]*"|'[^']*'|\{[^{}]*\})*)?\s*\/?>/g, ' ')
      // Bare URLs are not words a reader searches for.
      .replace(/\bhttps?:\/\/\S+/g, ' ')
      // Markdown punctuation: headings, quotes, emphasis, code ticks, tables, rules.
      .replace(/[#>*_~`|\\{}[\]]+/g, ' ')
  )
}

/** A reader's query, trimmed and cut to MAX_QUERY_LENGTH. */
export function normalizeQuery(raw: string | null | undefined): string {
  return (raw ?? '').trim().slice(0, MAX_QUERY_LENGTH).trim()
}

/**
 * An FTS5 MATCH expression for a reader's query, or null when it holds no word at all.
 * Each whitespace-separated term is quoted as an FTS string (internal quotes doubled), so
 * FTS syntax in the input (`"`, `*`, `-`, `NEAR(`, `:`, parentheses) is only ever text;
 * terms are ANDed, and the last is a prefix, so results follow as the reader types.
 */
export function toFtsQuery(raw: string): string | null {
  const terms = normalizeQuery(raw)
    .split(/\s+/)
    // A term with no letter or digit has no token: as a phrase it would match nothing.
    .filter((term) => /[\p{L}\p{N}]/u.test(term))
  if (terms.length === 0) return null
  return terms.map((term, index) => `"${term.replace(/"/g, '""')}"${index === terms.length - 1 ? '*' : ''}`).join(' AND ')
}

/** A piece of a snippet: text, and whether it is a match to highlight. */
export interface SnippetPart {
  text: string
  match: boolean
}


/**
 * Splits FTS5 snippet() or highlight() output (matches between MATCH_START and MATCH_END)
 * into parts. The page renders them as text and <mark> elements, so nothing in a post
 * can become markup in the results.
 */
export function splitSnippet(marked: string): SnippetPart[] {
  const parts: SnippetPart[] = []
  const pattern = new RegExp(`${MATCH_START}([^${MATCH_END}]*)${MATCH_END}`, 'g')
  let last = 0
  for (const match of marked.matchAll(pattern)) {
    if (match.index > last) parts.push({ text: marked.slice(last, match.index), match: false })
    if (match[1]) parts.push({ text: match[1], match: true })
    last = match.index + match[0].length
  }
  if (last < marked.length) parts.push({ text: marked.slice(last), match: false })
  return parts.map((part) => ({ ...part, text: part.text.replaceAll(MATCH_START, '').replaceAll(MATCH_END, '') })).filter((part) => part.text.length > 0)
}
