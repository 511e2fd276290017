import { describe, expect, it } from 'vitest'
import { countWords, readingMinutes } from '../../app/content/reading-time.ts'

describe('countWords', () => {
  it('counts plain words', () => {
    expect(countWords('Hello world, this is Kiln.')).toBe(5)
    expect(countWords('')).toBe(0)
  })

  it('keeps contractions, hyphenated words and numbers as one word each', () => {
    expect(countWords("it's don’t state-of-the-art 42 café")).toBe(5)
  })

  it('ignores the frontmatter block', () => {
    const source = '---\ntitle: Many words in a title here\ndate: 2026-01-31\ntags: [a, b, c]\n---\nTwo words'
    expect(countWords(source)).toBe(2)
  })

  it('ignores frontmatter with Windows line endings', () => {
    expect(countWords('---\r\ntitle: x y z\r\n---\r\nhello world')).toBe(2)
  })

  it('only strips frontmatter at the very top', () => {
    // a thematic break pair later in the text is prose, not frontmatter
    expect(countWords('intro\n---\nmiddle words\n---\nend')).toBe(4)
  })

  it('ignores import and export lines', () => {
    const source = [
      "import Chart from './chart.tsx'",
      "import { a, b, c } from 'somewhere'",
      'export const meta = { author: "someone" }',
      '',
      'Three real words',
    ].join('\n')
    expect(countWords(source)).toBe(3)
  })

  it('ignores JSX and HTML tags and their attributes but counts their children', () => {
    expect(countWords('<Note type="warning" title="Lots of words here">inside text</Note>')).toBe(2)
    expect(countWords('<img src="a.png" alt="many words in alt" /> caption')).toBe(1)
    expect(countWords('Some <strong>bold</strong> words')).toBe(3)
  })

  it('ignores MDX comments', () => {
    expect(countWords('Visible {/* lots of hidden words in a comment */} text')).toBe(2)
  })

  it('counts code blocks for less than their words', () => {
    const line = 'const value = computeSomething(input, other)'
    const lines = Array.from({ length: 20 }, () => line)
    const asProse = countWords(lines.join('\n'))
    const asCode = countWords(['```ts', ...lines, '```'].join('\n'))
    expect(asProse).toBeGreaterThanOrEqual(100)
    expect(asCode).toBeGreaterThan(0)
    expect(asCode).toBeLessThanOrEqual(11)
  })

  it('counts prose around a code block', () => {
    const source = 'Before the code.\n\n```js\nlet a = 1\n```\n\nAfter the code.'
    const withoutCode = countWords('Before the code.\n\nAfter the code.')
    expect(withoutCode).toBe(6)
    expect(countWords(source)).toBeGreaterThan(withoutCode)
    expect(countWords(source)).toBeLessThanOrEqual(withoutCode + 2)
  })
})

describe('readingMinutes', () => {
  it('is at least one minute', () => {
    expect(readingMinutes(0)).toBe(1)
    expect(readingMinutes(1)).toBe(1)
    expect(readingMinutes(50)).toBe(1)
  })

  it('grows with the word count at about 230 words a minute', () => {
    expect(readingMinutes(230)).toBe(1)
    expect(readingMinutes(460)).toBe(2)
    expect(readingMinutes(2300)).toBe(10)
    expect(readingMinutes(4600)).toBeGreaterThan(readingMinutes(2300))
  })
})

describe('text without spaces', () => {
  it('counts Chinese and Japanese characters at a CJK reading speed (about 460 a minute)', () => {
    const chinese = '搜索引擎支持中文'.repeat(500) // 4,000 characters
    expect(countWords(chinese)).toBe(2000)
    expect(readingMinutes(countWords(chinese))).toBe(9)
    expect(countWords('日本語のテキスト')).toBe(4)
  })

  it('counts words and CJK characters of mixed text each their way', () => {
    expect(countWords('React 的 useEffect 钩子')).toBe(2 + 2)
  })

  it('counts Thai letters as words of five', () => {
    expect(countWords('ภาษาไทยไม่มีช่องว่าง')).toBe(Math.ceil('ภาษาไทยไม่มีช่องว่าง'.match(/\p{Script=Thai}/gu)!.length / 5))
  })
})
