import { describe, expect, it } from 'vitest'
import {
  FrontmatterError,
  MAX_FRONTMATTER_BYTES,
  parseFrontmatter,
  readEntryMetadata,
} from '../../app/content/frontmatter.ts'
import { readExportedMetadata } from '../../app/content/metadata/esm-export.ts'
import { firstHeading } from '../../app/content/metadata/first-heading.ts'
import { splitDatePrefix } from '../../app/content/metadata/file-name-date.ts'

const POST = { requireDate: true }
const PAGE = { requireDate: false }

function metadataError(run: () => unknown): FrontmatterError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(FrontmatterError)
    return error as FrontmatterError
  }
  throw new Error('expected a FrontmatterError, nothing was thrown')
}

describe('TOML frontmatter (+++)', () => {
  it('reads Hugo frontmatter with a bare date and a datetime', () => {
    const source = [
      '+++',
      'title = "Hugo post"',
      'date = 2023-01-15',
      'lastmod = 2023-02-01T10:00:00+02:00',
      'tags = ["go", "Static Sites"]',
      'draft = false',
      '+++',
      '',
      'Body.',
    ].join('\n')
    const result = readEntryMetadata(source, POST)
    expect(result.form).toBe('toml')
    expect(result.frontmatter.title).toBe('Hugo post')
    expect(result.frontmatter.date).toBe('2023-01-15')
    expect(result.frontmatter.tags).toEqual(['go', 'static-sites'])
    expect(result.frontmatter.data.lastmod).toBe('2023-02-01T10:00:00.000+02:00')
  })

  it('names the file line of a TOML error', () => {
    const error = metadataError(() => parseFrontmatter('+++\ntitle = "x"\ndate = \n+++\n', POST))
    expect(error.message).toMatch(/not valid TOML/)
    expect(error.line).toBe(3)
  })

  it('refuses a block that is never closed, and one over the size limit', () => {
    expect(metadataError(() => parseFrontmatter('+++\ntitle = "x"\n', POST)).message).toMatch(/never closed/)
    const big = `+++\ntitle = "x"\ndate = 2023-01-01\npad = "${'a'.repeat(MAX_FRONTMATTER_BYTES)}"\n+++\n`
    expect(metadataError(() => parseFrontmatter(big, POST)).message).toMatch(/larger than 64 KB/)
  })

  it('refuses a table nested past the depth limit', () => {
    const deep = `+++\ntitle = "x"\ndate = 2023-01-01\nv = ${'['.repeat(100)}${']'.repeat(100)}\n+++\n`
    expect(() => parseFrontmatter(deep, POST)).toThrow(FrontmatterError)
  })
})

describe('an exported object literal', () => {
  const mdx = (literal: string, before = '') =>
    `${before}import {Note} from './note.jsx'\n\nexport const metadata = ${literal}\n\n# Heading\n\nText <Note />\n`

  it('reads strings, template literals, lists and new Date with a literal', () => {
    const source = mdx(`{
  title: 'Using MDX',
  date: new Date('2018-08-11'),
  description: \`A guide\`,
  tags: ['mdx', "docs"],
  authors: [{ name: 'Ada', twitter: null }],
  draft: false,
  order: -1,
}`)
    const result = readEntryMetadata(source, POST)
    expect(result.form).toBe('export')
    expect(result.frontmatter).toMatchObject({
      title: 'Using MDX',
      date: '2018-08-11',
      description: 'A guide',
      tags: ['mdx', 'docs'],
      draft: false,
    })
    expect(result.frontmatter.data.authors).toEqual([{ name: 'Ada', twitter: null }])
    expect(result.frontmatter.data.order).toBe(-1)
  })

  it.each(['meta', 'frontmatter', 'info'])('reads export const %s', (name) => {
    const source = `export const ${name} = {title: 'T', date: '2020-01-02'}\n\nText\n`
    expect(parseFrontmatter(source, POST)).toMatchObject({ title: 'T', date: '2020-01-02' })
  })

  it.each([
    ['build()', /function call at line 3/],
    ["{ title: 'x', date: today }", /the name "today" at line 3/],
    ['{ title: `a ${b}` }', /template literal with/],
    ["{ ...base, title: 'x' }", /spread/],
    ["{ title: 'x', date: new Date() }", /new/],
    ["{ title: 'x', [key]: 1 }", /computed key/],
  ])('refuses %s with its line', (literal, message) => {
    const error = metadataError(() => parseFrontmatter(mdx(literal), POST))
    expect(error.message).toMatch(message)
    expect(error.line).toBe(3)
  })

  it('names the line inside a multi-line literal', () => {
    const error = metadataError(() => parseFrontmatter(mdx("{\n  title: 'x',\n  date: getDate(),\n}"), POST))
    expect(error.line).toBe(5)
  })

  it('reports a literal that does not parse at its line', () => {
    const error = metadataError(() => parseFrontmatter(mdx("{ title: 'x',, }"), POST))
    expect(error.message).toMatch(/does not parse/)
    expect(error.line).toBe(3)
  })

  it('ignores an export shown in a code block', () => {
    const source = '# Next.js metadata\n\n```js\nexport const metadata = build()\n```\n'
    expect(readExportedMetadata(source)).toBeNull()
    expect(parseFrontmatter(source, PAGE).title).toBe('Next.js metadata')
  })

  it('refuses a literal larger than the frontmatter limit, within a bounded slice', () => {
    const literal = `{ title: 'x', pad: '${'a'.repeat(MAX_FRONTMATTER_BYTES + 10)}' }`
    expect(metadataError(() => parseFrontmatter(mdx(literal), POST)).message).toMatch(/larger than 64 KB/)
  })

  it('keeps __proto__ as a plain key, never as a prototype', () => {
    const data = readExportedMetadata("export const metadata = { title: 'x', __proto__: { polluted: true } }\n")!.data
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('lets frontmatter win over an export, with a warning naming the export line', () => {
    const source = "---\ntitle: From YAML\ndate: 2021-01-01\n---\n\nexport const metadata = { title: 'From export' }\n"
    const result = readEntryMetadata(source, POST)
    expect(result.form).toBe('yaml')
    expect(result.frontmatter.title).toBe('From YAML')
    expect(result.warnings).toEqual([{ message: expect.stringMatching(/frontmatter is used/), line: 6 }])
  })

  it('only warns about a broken export when frontmatter is there', () => {
    const source = '---\ntitle: From YAML\ndate: 2021-01-01\n---\n\nexport const metadata = build()\n'
    const result = readEntryMetadata(source, POST)
    expect(result.frontmatter.title).toBe('From YAML')
    expect(result.warnings[0]).toMatchObject({ message: expect.stringMatching(/function call/), line: 6 })
  })
})

describe('the first heading as the title', () => {
  it('takes the first # heading when no title is given', () => {
    const result = parseFrontmatter(
      '---\ndate: 2022-03-04\n---\n\nIntro.\n\n# The *new* `useId`\n\n## Not this\n',
      POST,
    )
    expect(result.title).toBe('The new useId')
  })

  it('prefers a title in the metadata', () => {
    expect(parseFrontmatter('---\ntitle: Given\ndate: 2022-03-04\n---\n\n# Heading\n', POST).title).toBe('Given')
  })

  it('reads a setext heading and skips headings in code blocks', () => {
    expect(firstHeading('```md\n# Not me\n```\n\nReal title\n==========\n')).toEqual({ title: 'Real title', line: 5 })
    expect(firstHeading('## Only level two\n')).toBeNull()
    expect(firstHeading('# Title {#custom-id}\n')?.title).toBe('Title')
    expect(firstHeading('# [Linked](https://example.com) title #\n')?.title).toBe('Linked title')
  })

  it('still requires a title when there is no heading either', () => {
    expect(metadataError(() => parseFrontmatter('Just text.\n', PAGE)).message).toMatch(/"title" is required/)
  })
})

describe('the date in the file name', () => {
  it('splits a date prefix and refuses an impossible date', () => {
    expect(splitDatePrefix('2023-01-15-my-post')).toEqual({ date: '2023-01-15', rest: 'my-post' })
    expect(splitDatePrefix('2023-02-30-oops')).toEqual({ invalid: '2023-02-30', rest: 'oops' })
    expect(splitDatePrefix('2023-recap')).toBeNull()
  })

  it('gives the date when the metadata has none, from a file or a folder name', () => {
    const source = '---\ntitle: Jekyll post\n---\n\nText\n'
    expect(parseFrontmatter(source, { ...POST, entryPath: 'blog/2023-01-15-my-post.md' }).date).toBe('2023-01-15')
    expect(parseFrontmatter(source, { ...POST, entryPath: 'blog/2021-08-26-welcome/index.mdx' }).date).toBe(
      '2021-08-26',
    )
    const dated = '---\ntitle: Jekyll post\ndate: 2024-05-05\n---\n'
    expect(parseFrontmatter(dated, { ...POST, entryPath: 'blog/2023-01-15-my-post.md' }).date).toBe('2024-05-05')
    expect(() => parseFrontmatter(source, { ...POST, entryPath: 'blog/my-post.md' })).toThrow(/"date" is required/)
  })
})

describe('other engines’ field names', () => {
  const yaml = (lines: string[]) => ['---', 'title: T', ...lines, '---', ''].join('\n')

  it.each(['pubDate', 'publishDate', 'created'])('reads %s as the date', (name) => {
    expect(parseFrontmatter(yaml([`${name}: 2022-06-01`]), POST).date).toBe('2022-06-01')
  })

  it.each(['updatedDate', 'lastmod', 'modified'])('reads %s as updated', (name) => {
    expect(parseFrontmatter(yaml(['date: 2022-06-01', `${name}: 2022-07-01`]), POST).updated).toBe('2022-07-01')
  })

  it.each(['summary', 'excerpt'])('reads %s as the description', (name) => {
    expect(parseFrontmatter(yaml([`${name}: In short.`]), PAGE).description).toBe('In short.')
  })

  it("prefers Kiln's own name over a synonym", () => {
    const result = parseFrontmatter(
      yaml(['date: 2022-01-01', 'pubDate: 2021-01-01', 'description: Own', 'summary: No']),
      POST,
    )
    expect(result).toMatchObject({ date: '2022-01-01', description: 'Own' })
  })

  it('names the field as written in an error', () => {
    expect(() => parseFrontmatter(yaml(['pubDate: 2022-02-30']), POST)).toThrow(/"pubDate" is not a valid date/)
    expect(() => parseFrontmatter(yaml(['summary: [a]']), PAGE)).toThrow(/"summary" must be text/)
  })

  it('joins categories to tags, Jekyll’s words-apart form included', () => {
    expect(parseFrontmatter(yaml(['tags: [react, mdx]', 'categories: [React, Guides]']), PAGE).tags).toEqual([
      'react',
      'mdx',
      'guides',
    ])
    expect(parseFrontmatter(yaml(['categories: jekyll update']), PAGE).tags).toEqual(['jekyll', 'update'])
  })

  it.each([
    ['hidden: true', true],
    ['published: false', true],
    ['published: true', false],
    ['hidden: false', false],
  ])('%s makes a draft: %s', (line, draft) => {
    expect(parseFrontmatter(yaml([line]), PAGE).draft).toBe(draft)
  })

  it('reads the names in TOML and exported metadata too', () => {
    const toml = '+++\ntitle = "Hugo"\npublishDate = 2020-05-05\nsummary = "S"\ncategories = ["Go"]\n+++\n'
    expect(parseFrontmatter(toml, POST)).toMatchObject({ date: '2020-05-05', description: 'S', tags: ['go'] })
    const esm = "export const meta = { title: 'Astro', pubDate: new Date('2021-03-03'), hidden: true }\n"
    expect(parseFrontmatter(esm, POST)).toMatchObject({ date: '2021-03-03', draft: true })
  })
})
