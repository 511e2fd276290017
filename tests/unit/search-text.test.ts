import { describe, expect, test } from 'vitest'
import { extractSearchText, MATCH_END, MATCH_START, normalizeQuery, splitSnippet, toFtsQuery } from '../../app/search/search-text.ts'

describe('extractSearchText', () => {
  test('keeps prose and code words, drops frontmatter, imports, JSX tags, link addresses and markup', () => {
    const source = [
      '---',
      'title: Secret frontmatter title',
      '---',
      "import { Chart } from './chart.tsx'",
      'export const meta = {',
      '  hidden: true,',
      '}',
      '',
      '## A heading {/*custom-id*/}',
      '',
      'Some **bold** text with a [link label](https://example.com/address) and ![alt words](pic.png).',
      '',
      '<Chart data={numbers} label="attribute">child words</Chart>',
      '',
      '```ts title="file.ts"',
      'const zebraCount = 3',
      '```',
    ].join('\n')
    const text = extractSearchText(source)
    for (const word of ['heading', 'bold', 'link label', 'alt words', 'child words', 'zebraCount']) expect(text).toContain(word)
    for (const word of ['Secret', 'import', 'hidden', 'custom-id', 'example.com', 'Chart', 'attribute', 'numbers', 'file.ts', '**', '##']) {
      expect(text).not.toContain(word)
    }
  })

  test('never lets the snippet markers through', () => {
    expect(extractSearchText(`a${MATCH_START}b${MATCH_END}c`)).toBe('a b c')
  })
})

describe('toFtsQuery', () => {
  test('quotes every term, ANDs them and makes the last a prefix', () => {
    expect(toFtsQuery('hello world')).toBe('"hello" AND "world"*')
  })

  test('FTS syntax is only ever text', () => {
    expect(toFtsQuery('foo"')).toBe('"foo"""*')
    expect(toFtsQuery('-x NEAR( a:b')).toBe('"-x" AND "NEAR(" AND "a:b"*')
  })

  test('a query without a word in it is no query', () => {
    for (const query of ['', '   ', '"', '*', '()', '- : "']) expect(toFtsQuery(query)).toBeNull()
  })

  test('input is cut to 200 characters', () => {
    expect(normalizeQuery('x'.repeat(300))).toHaveLength(200)
  })
})

describe('splitSnippet', () => {
  test('marks matches and keeps the rest as text', () => {
    expect(splitSnippet(`…the ${MATCH_START}zebra${MATCH_END} <b>runs</b>`)).toEqual([
      { text: '…the ', match: false },
      { text: 'zebra', match: true },
      { text: ' <b>runs</b>', match: false },
    ])
  })
})
