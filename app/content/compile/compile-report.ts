/**
 * The compile's last step. Every plugin in this folder reports a problem the way unified
 * plugins do, `file.message(reason, { place, ruleId, source: 'kiln' })`, and keeps what the
 * page needs on `file.data`. The MDX files of one compile (the entry and any MDX it
 * imports) are handed over by the last rehype plugin; this module turns their messages
 * into the warnings the store keeps and /admin shows, their data into the table of
 * contents, and a passing highlight failure into a provisional compile.
 */
import path from 'node:path'
import type { VFile } from 'vfile'
import type { VFileMessage } from 'vfile-message'
import type { CompileWarning, Heading } from './compiled-entry.ts'
import { HIGHLIGHT_FAILED } from './rehype-code-blocks.ts'
import { MISSING_COMPONENT } from './remark-missing-components.ts'

/** The last rehype plugin: hands each MDX file of the compile over, once its tree is done. */
export function rehypeHandOver(files: VFile[]) {
  return (_tree: unknown, file: VFile) => {
    files.push(file)
  }
}

export interface CompileReport {
  warnings: CompileWarning[]
  headings: Heading[]
  provisional: boolean
}

/**
 * Problems in the text come first, in the order they were found; missing components
 * after them, each name once (at its first use in any file), as they render as one
 * stand-in whatever file uses them.
 */
export function compileReport(files: VFile[], contentDir: string): CompileReport {
  const messages = files.flatMap((file) => file.messages).filter((message) => message.source === 'kiln')
  const where = (message: VFileMessage) => ({
    file: message.file ? path.relative(contentDir, message.file) : undefined,
    line: message.line ?? undefined,
    column: message.column ?? undefined,
  })
  const warnings: CompileWarning[] = messages
    .filter((message) => message.ruleId !== MISSING_COMPONENT)
    .map((message) => ({ message: message.reason, ...where(message) }))
  const missing = new Set<string>()
  for (const message of messages) {
    const component = message.actual
    if (message.ruleId !== MISSING_COMPONENT || !component || missing.has(component)) continue
    missing.add(component)
    warnings.push({ message: message.reason, component, ...where(message) })
  }
  return {
    warnings,
    headings: files.flatMap((file) => file.data.headings ?? []),
    provisional: messages.some((message) => message.ruleId === HIGHLIGHT_FAILED),
  }
}
