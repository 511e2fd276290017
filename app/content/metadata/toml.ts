/**
 * TOML frontmatter, Hugo's default: a block between `+++` lines at the top of the file.
 * Read with smol-toml (small, no dependencies, TOML 1.0), within the same bounds as YAML.
 * TOML's dates arrive as TomlDate: a local date keeps the day the author wrote.
 */
import { parse, TomlDate, TomlError } from 'smol-toml'
import { checkBlockSize, checkExpandedSize, FrontmatterError } from './limits.ts'

/** `+++` on the first line, the TOML, `+++` on a line of its own. */
const TOML_BLOCK = /^\uFEFF?\+\+\+[ \t]*\r?\n([\s\S]*?)\r?\n\+\+\+[ \t]*(?:\r?\n|$)/

/** True when the file opens with a TOML block's fence (`+++`). */
export function startsWithTomlFence(source: string): boolean {
  return /^\uFEFF?\+\+\+[ \t]*\r?\n/.test(source)
}

/** Dates as the author wrote them (a day stays a day), everything else as it is. */
function plainDates(value: unknown): unknown {
  if (value instanceof TomlDate) return value.isDate() ? value.toISOString().slice(0, 10) : value.toISOString()
  if (Array.isArray(value)) return value.map(plainDates)
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, plainDates(child)]))
  }
  return value
}

/**
 * Parses TOML text (the block's inside): bounded in size and nesting. Lines in errors are
 * the file's: the text begins on the file's line 2.
 */
export function loadToml(text: string): Record<string, unknown> {
  checkBlockSize(text)
  let data: Record<string, unknown>
  try {
    data = parse(text, { maxDepth: 64, unsafeKeyBehaviour: 'drop' }) as Record<string, unknown>
  } catch (error) {
    if (error instanceof TomlError) {
      throw new FrontmatterError(`frontmatter is not valid TOML: ${error.message.split('\n')[0]}`, error.line + 1)
    }
    throw error
  }
  checkExpandedSize(data, '')
  return plainDates(data) as Record<string, unknown>
}

/** The TOML block at the top of `source`, or null when it does not open with one. */
export function readTomlFrontmatter(source: string): { data: Record<string, unknown>; body: string } | null {
  if (!startsWithTomlFence(source)) return null
  // Only the first MAX bytes (and a little more) are searched for the closing fence.
  const match = TOML_BLOCK.exec(source.slice(0, 80 * 1024))
  if (!match) {
    if (source.length > 80 * 1024) checkBlockSize(source.slice(0, 80 * 1024))
    throw new FrontmatterError('frontmatter opened with "+++" is never closed with a "+++" line', 1)
  }
  return { data: loadToml(match[1]), body: source.slice(match[0].length) }
}
