/**
 * The title of a document that names none in its metadata: its first level-one heading
 * (`# Title`, or `Title` underlined with `===`), as Docusaurus and the mdx-js site take it.
 * Inline markup is reduced to its text (`# The *new* \`useId\`` → "The new useId").
 */
import { linesOutsideFences } from './markdown-lines.ts'

/** Markdown and JSX inline markup reduced to the words a reader sees. */
export function headingText(raw: string): string {
  return raw
    .replace(/\s+#+\s*$/, '') // closing hashes
    .replace(/\s*\{#[^}]*\}\s*$/, '') // a heading id: {#custom-id}
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<\/?[A-Za-z][^>]*>/g, '')
    .replace(/(\*\*|__|\*|_|~~|`)(.+?)\1/g, '$2')
    .replace(/\\([\\`*_{}[\]()#+\-.!])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim()
}

/** The first level-one heading's text, with its line; null when the document has none. */
export function firstHeading(source: string, fromOffset = 0): { title: string; line: number } | null {
  let previous: { line: number; text: string } | null = null
  for (const { line, text } of linesOutsideFences(source, fromOffset)) {
    const atx = /^ {0,3}#(?:[ \t]+(.*))?$/.exec(text)
    if (atx) {
      const title = headingText(atx[1] ?? '')
      if (title) return { title, line }
    }
    if (previous && previous.line === line - 1 && /^ {0,3}=+[ \t]*$/.test(text) && previous.text.trim() !== '') {
      const title = headingText(previous.text)
      if (title && !/^ {0,3}(?:[-*+>]|\d+[.)]|import\s|export\s)/.test(previous.text))
        return { title, line: previous.line }
    }
    previous = { line, text }
  }
  return null
}
