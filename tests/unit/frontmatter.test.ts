import { describe, expect, it } from 'vitest'
import {
  FrontmatterError,
  normalizeFrontmatter,
  parseFrontmatter,
  readSlugField,
} from '../../app/content/frontmatter.ts'

const POST = { requireDate: true }
const PAGE = { requireDate: false }

function fm(lines: string[], body = 'Body text.'): string {
  return ['---', ...lines, '---', '', body, ''].join('\n')
}

function frontmatterError(run: () => unknown): FrontmatterError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(FrontmatterError)
    return error as FrontmatterError
  }
  throw new Error('expected a FrontmatterError, nothing was thrown')
}

describe('parseFrontmatter: required fields', () => {
  it('reads title and date of a post', () => {
    const result = parseFrontmatter(fm(['title: Hello', 'date: 2026-01-31']), POST)
    expect(result.title).toBe('Hello')
    expect(result.date).toBe('2026-01-31')
    expect(result.updated).toBeNull()
    expect(result.description).toBeNull()
    expect(result.tags).toEqual([])
    expect(result.draft).toBe(false)
  })

  it('trims the title', () => {
    expect(parseFrontmatter(fm(['title: "  Spaced  "', 'date: 2026-01-31']), POST).title).toBe('Spaced')
  })

  it('requires a title', () => {
    const error = frontmatterError(() => parseFrontmatter(fm(['date: 2026-01-31']), POST))
    expect(error.message).toMatch(/"title" is required/)
  })

  it.each([['title: ""'], ['title: "   "'], ['title: 42'], ['title: [a, b]']])('rejects %s as a title', (line) => {
    const error = frontmatterError(() => parseFrontmatter(fm([line, 'date: 2026-01-31']), POST))
    expect(error.message).toMatch(/title/)
  })

  it('rejects a source with no frontmatter at all', () => {
    // No frontmatter and no heading to take the title from (a heading would be the title).
    const error = frontmatterError(() => parseFrontmatter('Just markdown\n', POST))
    expect(error.message).toMatch(/title/)
  })

  it('requires a date for posts', () => {
    const error = frontmatterError(() => parseFrontmatter(fm(['title: Hello']), POST))
    expect(error.message).toMatch(/"date" is required/)
    const empty = frontmatterError(() => parseFrontmatter(fm(['title: Hello', 'date: ""']), POST))
    expect(empty.message).toMatch(/"date" is required/)
  })

  it('does not require a date for pages, and gives null', () => {
    const result = parseFrontmatter(fm(['title: About']), PAGE)
    expect(result.title).toBe('About')
    expect(result.date).toBeNull()
  })

  it('still validates a date a page does give', () => {
    const error = frontmatterError(() => parseFrontmatter(fm(['title: About', 'date: someday']), PAGE))
    expect(error.message).toMatch(/"date" is not a valid date/)
  })
})

describe('parseFrontmatter: dates', () => {
  it('reads a YAML date (unquoted) as a day', () => {
    expect(parseFrontmatter(fm(['title: A', 'date: 2026-01-31']), POST).date).toBe('2026-01-31')
  })

  it('reads a quoted date string as the same day', () => {
    expect(parseFrontmatter(fm(['title: A', 'date: "2026-01-31"']), POST).date).toBe('2026-01-31')
    expect(parseFrontmatter(fm(['title: A', "date: '2026-01-31'"]), POST).date).toBe('2026-01-31')
  })

  it('keeps a timestamp as a full ISO string in UTC', () => {
    expect(parseFrontmatter(fm(['title: A', 'date: 2026-02-01T10:30:00Z']), POST).date).toBe('2026-02-01T10:30:00.000Z')
    expect(parseFrontmatter(fm(['title: A', 'date: 2026-02-01T10:30:00+02:00']), POST).date).toBe(
      '2026-02-01T08:30:00.000Z',
    )
    expect(parseFrontmatter(fm(['title: A', 'date: "2026-02-01T10:30:00Z"']), POST).date).toBe(
      '2026-02-01T10:30:00.000Z',
    )
  })

  it.each(['not a date', '2026-13-01', 'yesterday'])('rejects the invalid date %j', (value) => {
    const error = frontmatterError(() => parseFrontmatter(fm(['title: A', `date: "${value}"`]), POST))
    expect(error.message).toContain('"date" is not a valid date')
    expect(error.message).toContain(value)
  })

  it('rejects a date that is neither text, number nor date', () => {
    const list = frontmatterError(() => parseFrontmatter(fm(['title: A', 'date: [2026, 1, 31]']), POST))
    expect(list.message).toMatch(/"date" is not a valid date/)
    const map = frontmatterError(() => parseFrontmatter(fm(['title: A', 'date: { day: 31 }']), POST))
    expect(map.message).toMatch(/"date" is not a valid date/)
  })

  it('rejects a calendar day that does not exist instead of moving it', () => {
    for (const value of ['2026-02-30', "'2026-02-30'", '2026-13-01', '2025-02-29']) {
      const error = frontmatterError(() => parseFrontmatter(fm(['title: A', `date: ${value}`]), POST))
      expect(error.message, value).toMatch(/"date" is not a valid date/)
    }
    expect(parseFrontmatter(fm(['title: A', 'date: 2024-02-29']), POST).date).toBe('2024-02-29')
  })

  it('rejects a bare number instead of reading it as milliseconds', () => {
    const error = frontmatterError(() => parseFrontmatter(fm(['title: A', 'date: 20260131']), POST))
    expect(error.message).toMatch(/"date" is not a valid date/)
  })

  it('reads other spellings of a day as that day in UTC, whatever the server zone', () => {
    expect(parseFrontmatter(fm(['title: A', 'date: January 31, 2026']), POST).date).toBe('2026-01-31')
  })

  it('reads updated like date, and validates it', () => {
    const result = parseFrontmatter(fm(['title: A', 'date: 2026-01-31', 'updated: 2026-02-14']), POST)
    expect(result.updated).toBe('2026-02-14')
    const error = frontmatterError(() =>
      parseFrontmatter(fm(['title: A', 'date: 2026-01-31', 'updated: "later"']), POST),
    )
    expect(error.message).toMatch(/"updated" is not a valid date/)
  })
})

describe('parseFrontmatter: tags, draft, description, data', () => {
  it('reads tags as a list, normalised and deduplicated in order', () => {
    const result = parseFrontmatter(
      fm(['title: A', 'date: 2026-01-31', 'tags: [React, " Node JS ", react, NODE js]']),
      POST,
    )
    expect(result.tags).toEqual(['react', 'node-js'])
  })

  it('reads tags as a YAML block list', () => {
    const result = parseFrontmatter(fm(['title: A', 'date: 2026-01-31', 'tags:', '  - CSS', '  - Web Perf']), POST)
    expect(result.tags).toEqual(['css', 'web-perf'])
  })

  it('reads tags as a comma-separated string, dropping empty parts', () => {
    const result = parseFrontmatter(fm(['title: A', 'date: 2026-01-31', 'tags: "React, Node JS ,react, ,"']), POST)
    expect(result.tags).toEqual(['react', 'node-js'])
  })

  it('turns numeric tags into text', () => {
    expect(parseFrontmatter(fm(['title: A', 'date: 2026-01-31', 'tags: [2026, Recap]']), POST).tags).toEqual([
      '2026',
      'recap',
    ])
  })

  it('rejects tags that are neither list nor text', () => {
    const error = frontmatterError(() => parseFrontmatter(fm(['title: A', 'date: 2026-01-31', 'tags: { a: 1 }']), POST))
    expect(error.message).toMatch(/"tags" must be a list/)
  })

  it('gives no tags for null tags', () => {
    expect(parseFrontmatter(fm(['title: A', 'date: 2026-01-31', 'tags:']), POST).tags).toEqual([])
  })

  it.each([
    ['draft: true', true],
    ['draft: "true"', true],
    ['draft: false', false],
    ['draft: "no"', false],
    ['draft: 1', false],
  ])('reads %s as draft=%s', (line, expected) => {
    expect(parseFrontmatter(fm(['title: A', 'date: 2026-01-31', line]), POST).draft).toBe(expected)
  })

  it('reads and trims a description; rejects a non-text one', () => {
    expect(parseFrontmatter(fm(['title: A', 'date: 2026-01-31', 'description: "  Short.  "']), POST).description).toBe(
      'Short.',
    )
    const error = frontmatterError(() =>
      parseFrontmatter(fm(['title: A', 'date: 2026-01-31', 'description: [x]']), POST),
    )
    expect(error.message).toMatch(/"description" must be text/)
  })

  it('keeps every field as written in data, as plain JSON', () => {
    const result = parseFrontmatter(
      fm(['title: A', 'date: 2026-01-31', 'hero: ./hero.png', 'series: { name: Intro, part: 2 }']),
      POST,
    )
    expect(result.data).toEqual({
      title: 'A',
      date: '2026-01-31',
      hero: './hero.png',
      series: { name: 'Intro', part: 2 },
    })
  })
})

describe('parseFrontmatter: invalid YAML', () => {
  it('throws a FrontmatterError with a line for an unclosed flow list', () => {
    const source = fm(['title: A', 'date: 2026-01-31', 'tags: [a, b'])
    const error = frontmatterError(() => parseFrontmatter(source, POST))
    expect(error.message).toMatch(/^frontmatter is not valid YAML: /)
    expect(error.message).not.toContain('\n')
    expect(typeof error.line).toBe('number')
    // The list opens on line 4; YAML can only notice it is unclosed at the end of the block.
    expect(error.line).toBeGreaterThanOrEqual(4)
    expect(error.line).toBeLessThanOrEqual(6)
  })

  it('throws a FrontmatterError whose line points into the frontmatter for bad indentation', () => {
    // line 1 "---", line 2 "title: A", line 3 the badly indented key
    const source = fm(['title: A', '  bad: indent', 'date: 2026-01-31'])
    const error = frontmatterError(() => parseFrontmatter(source, POST))
    expect(error.message).toMatch(/not valid YAML/)
    expect(typeof error.line).toBe('number')
    // The culprit is line 3. (At the time of writing Kiln reports 4: see the test report.)
    expect(error.line).toBeGreaterThanOrEqual(3)
    expect(error.line).toBeLessThanOrEqual(4)
  })

  it('gives no line for rule errors, only for YAML errors', () => {
    const error = frontmatterError(() => parseFrontmatter(fm(['date: 2026-01-31']), POST))
    expect(error.line).toBeUndefined()
  })
})

describe('normalizeFrontmatter', () => {
  it('accepts a Date object as YAML gives it', () => {
    const result = normalizeFrontmatter({ title: 'A', date: new Date('2026-01-31T00:00:00Z') }, POST)
    expect(result.date).toBe('2026-01-31')
    expect(result.data.date).toBe('2026-01-31T00:00:00.000Z')
  })

  it('does not share the caller object in data', () => {
    const input = { title: 'A', date: '2026-01-31', nested: { a: 1 } }
    const result = normalizeFrontmatter(input, POST)
    ;(result.data.nested as { a: number }).a = 2
    expect(input.nested.a).toBe(1)
  })
})

describe('parseFrontmatter: image', () => {
  it('reads a social image as written, trimmed, and null when absent', () => {
    expect(parseFrontmatter(fm(['title: A', 'date: 2026-01-31', 'image: " /images/cover.png "']), POST).image).toBe(
      '/images/cover.png',
    )
    expect(
      parseFrontmatter(fm(['title: A', 'date: 2026-01-31', 'image: https://cdn.example.com/c.png']), POST).image,
    ).toBe('https://cdn.example.com/c.png')
    expect(parseFrontmatter(fm(['title: A', 'date: 2026-01-31']), POST).image).toBeNull()
  })

  it.each([['image: [a, b]'], ['image: 42'], ['image: two words.png']])('refuses %s', (line) => {
    expect(
      frontmatterError(() => parseFrontmatter(fm(['title: A', 'date: 2026-01-31', line]), POST)).message,
    ).toContain('"image"')
  })
})

describe('readSlugField', () => {
  it('reads `slug` with its line from YAML, TOML or an exported literal', () => {
    expect(readSlugField('---\ntitle: A\nslug: new-name\n---\n\nBody.\n')).toEqual({ value: 'new-name', line: 3 })
    expect(readSlugField('+++\ntitle = "A"\nslug = "toml-name"\n+++\n\nBody.\n')).toEqual({
      value: 'toml-name',
      line: 3,
    })
    expect(readSlugField("export const metadata = { title: 'A', slug: 'esm-name' }\n\nBody.\n")).toEqual({
      value: 'esm-name',
      line: 1,
    })
  })

  it('reads it even when another field breaks a rule, and gives null when the metadata cannot be read', () => {
    expect(readSlugField('---\nslug: kept\ndate: 2026-02-30\n---\n')).toEqual({ value: 'kept', line: 2 })
    expect(readSlugField('---\nslug: [unclosed\n---\n')).toBeNull()
    expect(readSlugField('No metadata at all.\n')).toEqual({ value: undefined, line: undefined })
  })
})
