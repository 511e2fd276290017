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
  return (
    parts
      .join('\n')
      // The markers search uses to highlight matches never come from content.
      .replaceAll(MATCH_START, ' ')
      .replaceAll(MATCH_END, ' ')
      .replace(/[ \t]+/g, ' ')
      .replace(/\s*\n\s*/g, '\n')
      .trim()
  )
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
 * Bounds on the FTS work one query may ask for. A query's cost in FTS5 grows with its
 * phrases times their occurrences in the matching rows (bm25, and above all snippet(),
 * walk every occurrence): on a 223-post blog, "the" 50 times took 22 s of main thread and
 * ten common words 5 s, while any real query holds a few distinct words. Repeats go,
 * words past MAX_QUERY_TOKENS go, and no word is longer than MAX_TOKEN_LENGTH.
 */
export const MAX_QUERY_TOKENS = 6
export const MAX_TOKEN_LENGTH = 64
/** A last word shorter than this is matched whole, not as a prefix: "a"* is most of the index. */
export const MIN_PREFIX_LENGTH = 2

export interface QueryTerms {
  /** Phrases of lowercase tokens (a term like `use-effect` is the phrase "use effect"), distinct. */
  phrases: string[][]
  /** Whether the last token of the last phrase is a prefix (results follow typing). */
  prefix: boolean
}

/**
 * The words of a reader's query, as FTS5's unicode61 tokenizer would split them (runs of
 * letters, digits and marks), lowercased, deduplicated and bounded (see MAX_QUERY_TOKENS).
 * Everything else in the input, FTS syntax included, is a separator. null when no word.
 */
export function queryTerms(raw: string): QueryTerms | null {
  const phrases: string[][] = []
  const seen = new Set<string>()
  let tokens = 0
  for (const term of normalizeQuery(raw).split(/\s+/)) {
    if (tokens >= MAX_QUERY_TOKENS) break
    const words = (term.toLowerCase().match(/[\p{L}\p{N}\p{M}]+/gu) ?? [])
      .map((word) => word.slice(0, MAX_TOKEN_LENGTH))
      .slice(0, MAX_QUERY_TOKENS - tokens)
    if (words.length === 0) continue
    const key = words.join(' ')
    if (seen.has(key)) continue
    seen.add(key)
    phrases.push(words)
    tokens += words.length
  }
  if (phrases.length === 0) return null
  const last = phrases[phrases.length - 1]
  return { phrases, prefix: last[last.length - 1].length >= MIN_PREFIX_LENGTH }
}

/**
 * An FTS5 MATCH expression for a reader's query, or null when it holds no word at all.
 * Each term is an FTS string of its tokens (queryTerms), so FTS syntax in the input (`"`,
 * `*`, `-`, `NEAR(`, `:`, parentheses) is never syntax; terms are ANDed, and the last is a
 * prefix, so results follow as the reader types.
 */
export function toFtsQuery(raw: string): string | null {
  const terms = queryTerms(raw)
  if (!terms) return null
  return ftsMatch(terms)
}

export function ftsMatch({ phrases, prefix }: QueryTerms): string {
  return phrases
    .map((words, index) => `"${words.join(' ')}"${prefix && index === phrases.length - 1 ? '*' : ''}`)
    .join(' AND ')
}

/** How much of a text makeSnippet looks through for a match: its work is bounded by this, not by the post. */
export const SNIPPET_SCAN_CHARS = 64 * 1024
/** Characters of context shown before the first match, and the snippet's length. */
const SNIPPET_LEAD_CHARS = 60
const SNIPPET_CHARS = 220

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * The matcher for a query's words in text: case-insensitive and, like the index
 * (remove_diacritics), blind to accents in text written in NFD (each letter may be
 * followed by combining marks). A word matches whole tokens only; the prefix, as a prefix.
 */
function wordPattern({ phrases, prefix }: QueryTerms): RegExp {
  const words = new Map<string, boolean>()
  phrases.forEach((phrase, p) =>
    phrase.forEach((word, w) => {
      const base = word.normalize('NFD').replace(/\p{M}/gu, '')
      if (!base) return
      const isPrefix = prefix && p === phrases.length - 1 && w === phrase.length - 1
      words.set(base, (words.get(base) ?? false) || isPrefix)
    }),
  )
  // Longest first, so "reactive" is not cut at "react".
  const alternatives = [...words]
    .sort(([a], [b]) => b.length - a.length)
    .map(([word, isPrefix]) => {
      const letters = `${[...word].map((char) => `${escapeRegExp(char)}\\p{M}*`).join('')}`
      // A word of a script without spaces is found anywhere in a run of letters, as search_trigram finds it.
      if (hasNoSpaceScript(word)) return letters
      return (
        `(?<![\\p{L}\\p{N}\\p{M}])${letters}` + `${isPrefix ? '[\\p{L}\\p{N}\\p{M}]*' : '(?![\\p{L}\\p{N}\\p{M}])'}`
      )
    })
  return new RegExp(`(?:${alternatives.join('|')})`, 'giu')
}

/**
 * A passage of `text` around the first of the query's words, with every one of them in
 * it marked (MATCH_START/MATCH_END, as snippet() would), or null when none is in the
 * first SNIPPET_SCAN_CHARS. Done here rather than with FTS5's snippet(), whose cost grows
 * with the square of a row's matches: this one costs at most one scan of a bounded
 * prefix of the text, whatever the query.
 */
export function makeSnippet(text: string, terms: QueryTerms): string | null {
  if (!text) return null
  const scanned = text.slice(0, SNIPPET_SCAN_CHARS).normalize('NFD')
  const pattern = wordPattern(terms)
  const first = pattern.exec(scanned)
  if (!first) return null
  let start = Math.max(0, first.index - SNIPPET_LEAD_CHARS)
  // Start and end on a space, so no word is cut in half.
  if (start > 0) start = scanned.indexOf(' ', start) + 1 || first.index
  if (start > first.index) start = first.index
  let end = Math.min(scanned.length, start + SNIPPET_CHARS)
  if (end < scanned.length) end = Math.max(first.index + first[0].length, scanned.lastIndexOf(' ', end))
  const passage = scanned.slice(start, end)
  const marked = passage.replace(pattern, (match) => `${MATCH_START}${match}${MATCH_END}`)
  return `${start > 0 ? '…' : ''}${marked.normalize('NFC')}${end < text.length ? '…' : ''}`
}

/**
 * Letters of scripts written without spaces between words (Chinese, Japanese, Thai, Lao,
 * Khmer, Myanmar) and Hangul, whose words carry particles: unicode61 keeps a run of them
 * as one token, so they are searched by substring (search_trigram) instead.
 */
export const NO_SPACE_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u

export function hasNoSpaceScript(text: string): boolean {
  return NO_SPACE_SCRIPT.test(text)
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
  return parts
    .map((part) => ({ ...part, text: part.text.replaceAll(MATCH_START, '').replaceAll(MATCH_END, '') }))
    .filter((part) => part.text.length > 0)
}
