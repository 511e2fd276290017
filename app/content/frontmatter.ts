/**
 * Frontmatter rules, as pure functions: what a post must declare and how each field is
 * normalised. Used by the content index (for lists) and by the compiler (for the page).
 */
import matter from 'gray-matter'
import yaml from 'js-yaml'
import { stripUncarriable } from './plain-text.ts'
import { normalizeTag } from './slug.ts'

export interface Frontmatter {
  title: string
  /** ISO date, `YYYY-MM-DD` when the author gave a day, a full ISO timestamp otherwise. */
  date: string | null
  updated: string | null
  description: string | null
  tags: string[]
  draft: boolean
  /** The post's social image (Open Graph, Twitter, feeds) as written: a URL or a path on this site. */
  image: string | null
  /** Every field as written, for components and later features. */
  data: Record<string, unknown>
}

export class FrontmatterError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message)
  }
}

/** Frontmatter is a few fields: a block larger than this is refused before YAML reads it. */
export const MAX_FRONTMATTER_BYTES = 64 * 1024
/**
 * YAML aliases (`*name`) share one value, so a few lines can describe a value of billions
 * of nodes ("billion laughs"): harmless while shared, fatal once copied (JSON, a list of
 * tags, the compiled page). Frontmatter whose value, counted with every alias expanded,
 * holds more nodes than this, or nests deeper, is refused. js-yaml 4 has no alias limit of
 * its own, so the count is taken here, and stops at the limit.
 */
export const MAX_FRONTMATTER_NODES = 10_000
export const MAX_FRONTMATTER_DEPTH = 64

/** The line (1-based, in the YAML text) of the first alias, for an error about aliases. */
function firstAliasLine(text: string): number | undefined {
  const match = /(^|[\s[{,:-])\*[^\s,[\]{}]+/m.exec(text)
  return match ? text.slice(0, match.index + match[1].length).split('\n').length : undefined
}

/** Throws a FrontmatterError when `value`, with every alias expanded, is too large or too deep. */
function checkExpandedSize(value: unknown, text: string): void {
  let nodes = 0
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }]
  while (stack.length > 0) {
    const { value: node, depth } = stack.pop()!
    if (++nodes > MAX_FRONTMATTER_NODES || depth > MAX_FRONTMATTER_DEPTH) {
      const aliasLine = firstAliasLine(text)
      const reason =
        depth > MAX_FRONTMATTER_DEPTH
          ? `nests deeper than ${MAX_FRONTMATTER_DEPTH} levels`
          : `expands to more than ${MAX_FRONTMATTER_NODES} values`
      // The YAML text begins with the newline after the opening "---": its line n is the file's line n.
      throw new FrontmatterError(
        `frontmatter ${reason}${aliasLine ? ' (through YAML aliases)' : ''}: it is refused`,
        aliasLine ?? 1,
      )
    }
    if (node === null || typeof node !== 'object' || node instanceof Date) continue
    const children = Array.isArray(node) ? node : Object.values(node as Record<string, unknown>)
    for (const child of children) stack.push({ value: child, depth: depth + 1 })
  }
}

/** Reads a frontmatter block's YAML, bounded in size and in what its aliases expand to. */
function loadYaml(text: string): object {
  if (Buffer.byteLength(text) > MAX_FRONTMATTER_BYTES) {
    throw new FrontmatterError(`frontmatter is larger than ${MAX_FRONTMATTER_BYTES / 1024} KB: it is refused`, 1)
  }
  const data = (yaml.load(text, { schema: yaml.CORE_SCHEMA }) ?? {}) as object
  checkExpandedSize(data, text)
  return data
}

/**
 * gray-matter options for every frontmatter read, here and in mdx-bundler. YAML's core
 * schema keeps dates as the text the author wrote (the default schema turns 2026-02-30
 * into 2 March without a word), so toIsoDate can check them. Passing any options object
 * also matters: without one gray-matter caches every input it has seen, with no bound.
 */
export const grayMatterOptions = {
  engines: { yaml: loadYaml },
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/

function toIsoDate(value: unknown, field: string): string {
  const invalid = () =>
    new FrontmatterError(`"${field}" is not a valid date: ${JSON.stringify(value)} (write it like 2026-01-31)`)
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalid()
    const iso = value.toISOString()
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso
  }
  if (typeof value !== 'string') throw invalid()
  const text = value.trim()
  const day = DAY.exec(text)
  if (day) {
    // A calendar day, checked field by field so that 2026-02-30 is an error, not March.
    const date = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])))
    if (
      date.getUTCFullYear() !== Number(day[1]) ||
      date.getUTCMonth() !== Number(day[2]) - 1 ||
      date.getUTCDate() !== Number(day[3])
    )
      throw invalid()
    return text
  }
  let date: Date
  if (TIMESTAMP.test(text)) {
    // A time without a zone is taken as UTC, so the day does not depend on the server's zone.
    const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/.test(text)
    date = new Date(hasZone ? text.replace(' ', 'T') : `${text.replace(' ', 'T')}Z`)
  } else {
    // Other spellings blogs use ("January 31, 2026"), read as UTC for the same reason.
    date = new Date(`${text} UTC`)
    if (Number.isNaN(date.getTime())) date = new Date(text)
  }
  if (Number.isNaN(date.getTime())) throw invalid()
  const iso = date.toISOString()
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso
}

function toTags(value: unknown): string[] {
  if (value === undefined || value === null) return []
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : null
  if (!list) throw new FrontmatterError('"tags" must be a list of words')
  const tags = list.map((tag) => normalizeTag(stripUncarriable(String(tag)))).filter((tag) => tag.length > 0)
  return [...new Set(tags)]
}

/** Turns raw frontmatter data into Kiln's fields; throws a FrontmatterError on a rule broken. */
export function normalizeFrontmatter(
  data: Record<string, unknown>,
  { requireDate }: { requireDate: boolean },
): Frontmatter {
  // Text fields lose the characters no page, feed or URL can carry (plain-text.ts): YAML
  // escapes ("\x01", "\uD800") can put them there.
  const clean = (value: unknown) => (typeof value === 'string' ? stripUncarriable(value) : value)
  const title = clean(data.title)
  if (typeof title !== 'string' || title.trim() === '') {
    throw new FrontmatterError('"title" is required and must be text')
  }
  if (requireDate && (data.date === undefined || data.date === null || data.date === '')) {
    throw new FrontmatterError('"date" is required (for example date: 2026-01-31)')
  }
  const description = clean(data.description)
  if (description !== undefined && description !== null && typeof description !== 'string') {
    throw new FrontmatterError('"description" must be text')
  }
  const image = clean(data.image)
  if (image !== undefined && image !== null && (typeof image !== 'string' || /\s/.test(image.trim()))) {
    throw new FrontmatterError('"image" must be a URL or a path, like /images/cover.png')
  }
  return {
    title: title.trim(),
    date: data.date === undefined || data.date === null || data.date === '' ? null : toIsoDate(data.date, 'date'),
    updated:
      data.updated === undefined || data.updated === null || data.updated === ''
        ? null
        : toIsoDate(data.updated, 'updated'),
    description: typeof description === 'string' ? description.trim() : null,
    tags: toTags(data.tags),
    draft: data.draft === true || data.draft === 'true',
    image: typeof image === 'string' && image.trim() !== '' ? image.trim() : null,
    data: JSON.parse(JSON.stringify(data)) as Record<string, unknown>,
  }
}

/** Reads the YAML block at the top of a source file. */
export function parseFrontmatter(source: string, options: { requireDate: boolean }): Frontmatter {
  let data: Record<string, unknown>
  try {
    data = matter(source, grayMatterOptions).data as Record<string, unknown>
  } catch (error) {
    if (error instanceof FrontmatterError) throw error
    const mark = (error as { mark?: { line?: number } }).mark
    // js-yaml counts lines from 0 within the text gray-matter hands it, which begins with
    // the newline after the opening "---": its line 0 is the file's line 1.
    const line = typeof mark?.line === 'number' ? mark.line + 1 : undefined
    throw new FrontmatterError(`frontmatter is not valid YAML: ${(error as Error).message.split('\n')[0]}`, line)
  }
  try {
    return normalizeFrontmatter(data, options)
  } catch (error) {
    // A rule broken by one field ("date" is not a valid date) points at that field's line.
    const field = error instanceof FrontmatterError && error.line === undefined && /^"(\w+)"/.exec(error.message)?.[1]
    const line = field ? fieldLine(source, field) : undefined
    throw line ? new FrontmatterError((error as Error).message, line) : error
  }
}

/** The file's line (1-based) where the frontmatter sets `field` at its top level, if it does. */
function fieldLine(source: string, field: string): number | undefined {
  const lines = source.split('\n')
  for (let index = 1; index < lines.length && !/^(---|\.\.\.)\s*$/.test(lines[index]); index++) {
    if (lines[index].startsWith(`${field}:`) || lines[index].startsWith(`"${field}":`)) return index + 1
  }
  return undefined
}
