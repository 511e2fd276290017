/**
 * Frontmatter rules, as pure functions: what a post must declare and how each field is
 * normalised. Used by the content index (for lists) and by the compiler (for the page).
 */
import matter from 'gray-matter'
import { normalizeTag } from './slug.ts'

export interface Frontmatter {
  title: string
  /** ISO date, `YYYY-MM-DD` when the author gave a day, a full ISO timestamp otherwise. */
  date: string | null
  updated: string | null
  description: string | null
  tags: string[]
  draft: boolean
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

function toIsoDate(value: unknown, field: string): string {
  let date: Date
  if (value instanceof Date) date = value
  else if (typeof value === 'string' || typeof value === 'number') date = new Date(value)
  else throw new FrontmatterError(`"${field}" must be a date like 2026-01-31`)
  if (Number.isNaN(date.getTime())) throw new FrontmatterError(`"${field}" is not a valid date: ${JSON.stringify(value)}`)
  const iso = date.toISOString()
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso
}

function toTags(value: unknown): string[] {
  if (value === undefined || value === null) return []
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : null
  if (!list) throw new FrontmatterError('"tags" must be a list of words')
  const tags = list.map((tag) => normalizeTag(String(tag))).filter((tag) => tag.length > 0)
  return [...new Set(tags)]
}

/** Turns raw frontmatter data into Kiln's fields; throws a FrontmatterError on a rule broken. */
export function normalizeFrontmatter(data: Record<string, unknown>, { requireDate }: { requireDate: boolean }): Frontmatter {
  const title = data.title
  if (typeof title !== 'string' || title.trim() === '') {
    throw new FrontmatterError('"title" is required and must be text')
  }
  if (requireDate && (data.date === undefined || data.date === null || data.date === '')) {
    throw new FrontmatterError('"date" is required (for example date: 2026-01-31)')
  }
  const description = data.description
  if (description !== undefined && description !== null && typeof description !== 'string') {
    throw new FrontmatterError('"description" must be text')
  }
  return {
    title: title.trim(),
    date: data.date === undefined || data.date === null || data.date === '' ? null : toIsoDate(data.date, 'date'),
    updated: data.updated === undefined || data.updated === null || data.updated === '' ? null : toIsoDate(data.updated, 'updated'),
    description: typeof description === 'string' ? description.trim() : null,
    tags: toTags(data.tags),
    draft: data.draft === true || data.draft === 'true',
    data: JSON.parse(JSON.stringify(data)) as Record<string, unknown>,
  }
}

/** Reads the YAML block at the top of a source file. */
export function parseFrontmatter(source: string, options: { requireDate: boolean }): Frontmatter {
  let data: Record<string, unknown>
  try {
    // The options object matters: without one gray-matter caches every input string it
    // has ever seen, a cache with no bound.
    data = matter(source, {}).data as Record<string, unknown>
  } catch (error) {
    const mark = (error as { mark?: { line?: number } }).mark
    const line = typeof mark?.line === 'number' ? mark.line + 2 : undefined
    throw new FrontmatterError(`frontmatter is not valid YAML: ${(error as Error).message.split('\n')[0]}`, line)
  }
  return normalizeFrontmatter(data, options)
}
