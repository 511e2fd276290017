import { describe, expect, test } from 'vitest'
import { stripUncarriable } from '../../app/content/plain-text.ts'

describe('stripUncarriable', () => {
  test('drops C0 controls but tab, newline and CR, U+FFFE/U+FFFF and lone surrogates', () => {
    expect(stripUncarriable('a\u0000b\u0001c\u0008d\u000Be\u000Cf\u001Fg\uFFFEh\uFFFFi')).toBe('abcdefghi')
    expect(stripUncarriable('tab\there\nnew\rline')).toBe('tab\there\nnew\rline')
    expect(stripUncarriable('lone \uD800 high, lone \uDC00 low, reversed \uDC00\uD800.')).toBe(
      'lone  high, lone  low, reversed .',
    )
  })

  test('keeps markup characters, quotes, accents and astral characters as they are', () => {
    const text = `<b>&amp; "q" 'a' ]]> é 😀 \u{1F600}`
    expect(stripUncarriable(text)).toBe(text)
  })
})
