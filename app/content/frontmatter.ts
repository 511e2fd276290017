/**
 * Frontmatter rules, as pure functions: where an entry's metadata is read from, what a post
 * must declare and how each field is normalised. Used by the content index (for lists), by
 * the compiler (for the page) and by content:check, so all three read one answer.
 *
 * Metadata is taken where the common blog engines keep it (readEntryMetadata):
 *   - YAML frontmatter between `---` lines (Jekyll, Astro, Docusaurus, most MDX blogs);
 *   - TOML frontmatter between `+++` lines (Hugo), metadata/toml.ts;
 *   - an exported object literal, `export const metadata = {…}` (Next.js, mdx-js),
 *     read from the syntax tree without running the post, metadata/esm-export.ts.
 * Frontmatter wins over an export when a file has both (with a warning). A title missing
 * from all of them is the first `#` heading (metadata/first-heading.ts), a date missing
 * from all of them the date in the file name (metadata/file-name-date.ts).
 */
import matter from 'gray-matter'
import yaml from 'js-yaml'
import { readExportedMetadata } from './metadata/esm-export.ts'
import { dateFromEntryPath } from './metadata/file-name-date.ts'
import { firstHeading } from './metadata/first-heading.ts'
import { checkBlockSize, checkExpandedSize, FrontmatterError } from './metadata/limits.ts'
import { loadToml, readTomlFrontmatter } from './metadata/toml.ts'
import { stripUncarriable } from './plain-text.ts'
import { normalizeTag } from './slug.ts'

export {
  FrontmatterError,
  MAX_FRONTMATTER_BYTES,
  MAX_FRONTMATTER_DEPTH,
  MAX_FRONTMATTER_NODES,
} from './metadata/limits.ts'

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

/** Reads a frontmatter block's YAML, bounded in size and in what its aliases expand to. */
export function loadYaml(text: string): object {
  checkBlockSize(text)
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

/** The same for a file that opens with TOML's `+++` (the compiler picks per file: startsWithTomlFence). */
export const tomlGrayMatterOptions = {
  delimiters: '+++',
  language: 'toml',
  engines: { toml: loadToml, yaml: loadYaml },
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

function toTags(value: unknown, field = 'tags'): string[] {
  if (value === undefined || value === null) return []
  // Jekyll writes several categories as words apart (`categories: jekyll update`).
  const split = (text: string) => (field === 'categories' && !text.includes(',') ? text.split(/\s+/) : text.split(','))
  const list = Array.isArray(value) ? value : typeof value === 'string' ? split(value) : null
  if (!list) throw new FrontmatterError(`"${field}" must be a list of words`)
  const tags = list.map((tag) => normalizeTag(stripUncarriable(String(tag)))).filter((tag) => tag.length > 0)
  return [...new Set(tags)]
}

const isBlank = (value: unknown) => value === undefined || value === null || value === ''

/**
 * Other engines' names for Kiln's fields (Astro's `pubDate` and `updatedDate`, Hugo's
 * `publishDate`, `lastmod` and `summary`, Jekyll's `excerpt`, ...), tried in this order
 * when Kiln's own name is absent, so a blog's frontmatter works as its engine wrote it.
 * A field of Kiln's own with another engine's name for it gets one line here.
 */
export const FIELD_SYNONYMS = {
  date: ['pubDate', 'publishDate', 'created'],
  updated: ['updatedDate', 'lastmod', 'modified'],
  description: ['summary', 'excerpt'],
} as const satisfies Record<string, readonly string[]>

/** A field's value and the name it was written under (Kiln's or a synonym), for errors. */
function pickField(data: Record<string, unknown>, field: keyof typeof FIELD_SYNONYMS): { value: unknown; as: string } {
  if (!isBlank(data[field])) return { value: data[field], as: field }
  for (const synonym of FIELD_SYNONYMS[field]) {
    if (Object.hasOwn(data, synonym) && !isBlank(data[synonym])) return { value: data[synonym], as: synonym }
  }
  return { value: data[field], as: field }
}

const isTrue = (value: unknown) => value === true || value === 'true'
const isFalse = (value: unknown) => value === false || value === 'false'

/** A draft by Kiln's `draft: true`, by `hidden: true`, or by Jekyll's and Eleventy's `published: false`. */
function isDraft(data: Record<string, unknown>): boolean {
  return isTrue(data.draft) || isTrue(data.hidden) || isFalse(data.published)
}

/** Fields taken from elsewhere than the metadata when it lacks them: the first heading, the file name. */
export interface DerivedFields {
  title?: string
  date?: string
}

/** Turns raw frontmatter data into Kiln's fields; throws a FrontmatterError on a rule broken. */
export function normalizeFrontmatter(
  data: Record<string, unknown>,
  { requireDate, derived = {} }: { requireDate: boolean; derived?: DerivedFields },
): Frontmatter {
  // Text fields lose the characters no page, feed or URL can carry (plain-text.ts): YAML
  // escapes ("\x01", "\uD800") can put them there.
  const clean = (value: unknown) => (typeof value === 'string' ? stripUncarriable(value) : value)
  const title = isBlank(data.title) && derived.title !== undefined ? derived.title : clean(data.title)
  if (typeof title !== 'string' || title.trim() === '') {
    throw new FrontmatterError('"title" is required and must be text (or start the document with a "# Title" heading)')
  }
  const date = pickField(data, 'date')
  if (isBlank(date.value) && derived.date !== undefined) date.value = derived.date
  if (requireDate && isBlank(date.value)) {
    throw new FrontmatterError('"date" is required (for example date: 2026-01-31)')
  }
  const updated = pickField(data, 'updated')
  const described = pickField(data, 'description')
  const description = clean(described.value)
  if (description !== undefined && description !== null && typeof description !== 'string') {
    throw new FrontmatterError(`"${described.as}" must be text`)
  }
  const image = clean(data.image)
  if (image !== undefined && image !== null && (typeof image !== 'string' || /\s/.test(image.trim()))) {
    throw new FrontmatterError('"image" must be a URL or a path, like /images/cover.png')
  }
  return {
    title: title.trim(),
    date: isBlank(date.value) ? null : toIsoDate(date.value, date.as),
    updated: isBlank(updated.value) ? null : toIsoDate(updated.value, updated.as),
    description: typeof description === 'string' ? description.trim() : null,
    tags: [...new Set([...toTags(data.tags), ...toTags(data.categories, 'categories')])],
    draft: isDraft(data),
    image: typeof image === 'string' && image.trim() !== '' ? image.trim() : null,
    data: JSON.parse(JSON.stringify(data)) as Record<string, unknown>,
  }
}

export interface MetadataOptions {
  requireDate: boolean
  /** The entry file, relative to the content folder: a date in its name is the date when none is given. */
  entryPath?: string
}

/** Where an entry's metadata came from. */
export type MetadataForm = 'yaml' | 'toml' | 'export' | 'none'

export interface MetadataWarning {
  message: string
  line?: number
}

export interface EntryMetadata {
  frontmatter: Frontmatter
  form: MetadataForm
  /** The title is the document's first `#` heading (the page then shows it once, not twice). */
  titleFromHeading: boolean
  /** What content:check tells the author: read, but maybe not as they meant. */
  warnings: MetadataWarning[]
}

/** The frontmatter block (YAML or TOML) and where the body after it begins. */
function readFrontmatterBlock(source: string): {
  data: Record<string, unknown>
  form: MetadataForm
  bodyOffset: number
} {
  const toml = readTomlFrontmatter(source)
  if (toml) return { data: toml.data, form: 'toml', bodyOffset: source.length - toml.body.length }
  let parsed: matter.GrayMatterFile<string>
  try {
    parsed = matter(source, grayMatterOptions)
  } catch (error) {
    if (error instanceof FrontmatterError) throw error
    const mark = (error as { mark?: { line?: number } }).mark
    // js-yaml counts lines from 0 within the text gray-matter hands it, which begins with
    // the newline after the opening "---": its line 0 is the file's line 1.
    const line = typeof mark?.line === 'number' ? mark.line + 1 : undefined
    throw new FrontmatterError(`frontmatter is not valid YAML: ${(error as Error).message.split('\n')[0]}`, line)
  }
  const data = (parsed.data ?? {}) as Record<string, unknown>
  // gray-matter's content is the text after the block: a suffix of the source.
  const bodyOffset = source.length - parsed.content.length
  return { data, form: bodyOffset > 0 ? 'yaml' : 'none', bodyOffset }
}

/**
 * Reads an entry's metadata from wherever its engine put it (see the module's header) and
 * normalises it. Throws a FrontmatterError, with the file's line where known, on a rule broken.
 */
export function readEntryMetadata(source: string, options: MetadataOptions): EntryMetadata {
  const warnings: MetadataWarning[] = []
  const block = readFrontmatterBlock(source)
  let { data, form } = block
  const hasFrontmatter = Object.keys(data).length > 0
  if (hasFrontmatter) {
    // Frontmatter wins; an export beside it is only worth a warning, even a broken one.
    try {
      const exported = readExportedMetadata(source, block.bodyOffset)
      if (exported) {
        warnings.push({
          message: `both frontmatter and "export const ${exported.name}" give metadata: the frontmatter is used`,
          line: exported.line,
        })
      }
    } catch (error) {
      if (!(error instanceof FrontmatterError)) throw error
      warnings.push({ message: `${error.message} (ignored: the frontmatter is used)`, line: error.line })
    }
  } else {
    const exported = readExportedMetadata(source, block.bodyOffset)
    if (exported) {
      data = exported.data
      form = 'export'
    }
  }
  const derived: DerivedFields = {}
  if (isBlank(data.title)) {
    const heading = firstHeading(source, block.bodyOffset)
    if (heading) derived.title = heading.title
  }
  if (options.entryPath) derived.date = dateFromEntryPath(options.entryPath) ?? undefined
  let frontmatter: Frontmatter
  try {
    frontmatter = normalizeFrontmatter(data, { ...options, derived })
  } catch (error) {
    // A rule broken by one field ("date" is not a valid date) points at that field's line.
    const field = error instanceof FrontmatterError && error.line === undefined && /^"(\w+)"/.exec(error.message)?.[1]
    const line = field && form === 'yaml' ? fieldLine(source, field) : undefined
    throw line ? new FrontmatterError((error as Error).message, line) : error
  }
  return { frontmatter, form, titleFromHeading: derived.title !== undefined, warnings }
}

/** The file's line (1-based) where the YAML (or TOML) frontmatter sets `field` at its top level, if it does. */
function fieldLine(source: string, field: string): number | undefined {
  const lines = source.split('\n')
  const setsField = new RegExp(`^"?${field}"?\\s*[:=]`)
  for (let index = 1; index < lines.length && !/^(---|\.\.\.|\+\+\+)\s*$/.test(lines[index]); index++) {
    if (setsField.test(lines[index])) return index + 1
  }
  return undefined
}

/**
 * The `slug` an entry's metadata gives, as written, and its line: read from the same place
 * readEntryMetadata reads the rest (frontmatter, else an exported literal), even when
 * another field breaks a rule, so a post keeps its address while its author fixes a typo in
 * its date. Null when the metadata cannot be read at all.
 */
export function readSlugField(source: string): { value: unknown; line?: number } | null {
  // Most entries give no slug: they are not parsed a second time for it (the index parses each once more).
  if (!source.includes('slug')) return { value: undefined }
  try {
    const block = readFrontmatterBlock(source)
    if (Object.keys(block.data).length > 0) {
      return { value: block.data.slug, line: block.form === 'none' ? undefined : fieldLine(source, 'slug') }
    }
    const exported = readExportedMetadata(source, block.bodyOffset)
    return { value: exported?.data.slug, line: exported?.line }
  } catch {
    return null
  }
}

/** Reads the metadata at the top of a source file (see readEntryMetadata). */
export function parseFrontmatter(source: string, options: MetadataOptions): Frontmatter {
  return readEntryMetadata(source, options).frontmatter
}
