import { describe, expect, test } from 'vitest'
import {
  extractSearchText,
  makeSnippet,
  MATCH_END,
  MATCH_START,
  MAX_QUERY_TOKENS,
  normalizeQuery,
  queryTerms,
  splitSnippet,
  toFtsQuery,
} from '../../app/search/search-text.ts'

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
    for (const word of ['heading', 'bold', 'link label', 'alt words', 'child words', 'zebraCount'])
      expect(text).toContain(word)
    for (const word of [
      'Secret',
      'import',
      'hidden',
      'custom-id',
      'example.com',
      'Chart',
      'attribute',
      'numbers',
      'file.ts',
      '**',
      '##',
    ]) {
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

  test('FTS syntax is only ever a separator', () => {
    expect(toFtsQuery('foo"')).toBe('"foo"*')
    expect(toFtsQuery('-xy NEAR( a:bc')).toBe('"xy" AND "near" AND "a bc"*')
    expect(toFtsQuery('title:hook OR ^start')).toBe('"title hook" AND "or" AND "start"*')
  })

  test('repeated words count once, whatever their case', () => {
    expect(toFtsQuery('the The THE the')).toBe('"the"*')
  })

  test('a query holds at most MAX_QUERY_TOKENS words, none longer than 64 characters', () => {
    const terms = queryTerms(Array.from({ length: 100 }, (_, i) => `w${i}`).join(' '))!
    expect(terms.phrases.flat()).toHaveLength(MAX_QUERY_TOKENS)
    expect(queryTerms('a.'.repeat(100))!.phrases.flat()).toHaveLength(MAX_QUERY_TOKENS)
    expect(queryTerms('x'.repeat(200))!.phrases[0][0]).toHaveLength(64)
  })

  test('a one-letter last word is matched whole, a longer one as a prefix', () => {
    expect(toFtsQuery('a')).toBe('"a"')
    expect(toFtsQuery('ab')).toBe('"ab"*')
  })

  test('a query without a word in it is no query', () => {
    for (const query of ['', '   ', '"', '*', '()', '- : "']) expect(toFtsQuery(query)).toBeNull()
  })

  test('input is cut to 200 characters', () => {
    expect(normalizeQuery('x'.repeat(300))).toHaveLength(200)
  })
})

describe('makeSnippet', () => {
  const mark = (text: string) => `${MATCH_START}${text}${MATCH_END}`

  test('marks whole words, the last as a prefix, whatever their case and accents', () => {
    const terms = queryTerms('cafe reac')!
    expect(makeSnippet('The Café serves Reactive food, not a cafeteria.', terms)).toBe(
      `The ${mark('Café')} serves ${mark('Reactive')} food, not a cafeteria.`,
    )
  })

  test('a long text is cut around the first match', () => {
    const text = `${'lorem '.repeat(100)}needle ${'ipsum '.repeat(100)}`
    const snippet = makeSnippet(text, queryTerms('needle')!)!
    expect(snippet.startsWith('…')).toBe(true)
    expect(snippet.endsWith('…')).toBe(true)
    expect(snippet).toContain(mark('needle'))
    expect(snippet.length).toBeLessThan(300)
  })

  test('null when no word is in the text, or only past what it scans', () => {
    expect(makeSnippet('nothing here', queryTerms('needle')!)).toBeNull()
    expect(makeSnippet(`${'x '.repeat(40_000)}needle`, queryTerms('needle')!)).toBeNull()
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
