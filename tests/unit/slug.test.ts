import { describe, expect, it } from 'vitest'
import { MAX_SLUG_LENGTH, isValidSlug, isValidTag, normalizeTag } from '../../app/content/slug.ts'

describe('isValidSlug', () => {
  it.each(['hello', 'hello-world', 'hello_world', 'a', '2026-recap', 'v1.2.3', 'a.b', 'a-', 'a_'])(
    'accepts %j',
    (slug) => {
      expect(isValidSlug(slug)).toBe(true)
    },
  )

  it('allows uppercase letters', () => {
    expect(isValidSlug('Hello-World')).toBe(true)
    expect(isValidSlug('README')).toBe(true)
  })

  it.each([
    ['..', 'parent directory'],
    ['.', 'current directory'],
    ['a..b', 'dot-dot inside'],
    ['%2e%2e', 'encoded dots'],
    ['%2E%2E', 'encoded dots, uppercase'],
    ['a/b', 'forward slash'],
    ['a\\b', 'backslash'],
    ['a\0b', 'NUL byte'],
    ['\0', 'only NUL'],
    ['.env', 'leading dot'],
    ['-draft', 'leading hyphen'],
    ['_partial', 'leading underscore'],
    ['trailing.', 'trailing dot'],
    ['has space', 'space'],
    ['café', 'non-ASCII letter'],
    ['日本語', 'CJK'],
    ['a\nb', 'newline'],
    ['', 'empty'],
  ])('rejects %j (%s)', (slug) => {
    expect(isValidSlug(slug)).toBe(false)
  })

  it('accepts 200 characters and rejects 201', () => {
    expect(MAX_SLUG_LENGTH).toBe(200)
    expect(isValidSlug('a'.repeat(200))).toBe(true)
    expect(isValidSlug('a'.repeat(201))).toBe(false)
    expect(isValidSlug(`${'a-'.repeat(99)}ab`)).toBe(true)
  })

  it.each([undefined, null, 42, {}, ['a'], true])('rejects the non-string %j', (value) => {
    expect(isValidSlug(value)).toBe(false)
  })
})

describe('normalizeTag', () => {
  it('lowercases, trims and joins words with hyphens', () => {
    expect(normalizeTag('React')).toBe('react')
    expect(normalizeTag('  Node JS  ')).toBe('node-js')
    expect(normalizeTag('Web\t  Performance')).toBe('web-performance')
    expect(normalizeTag('already-fine')).toBe('already-fine')
  })

  it('turns blank input into an empty string', () => {
    expect(normalizeTag('   ')).toBe('')
  })
})

describe('isValidTag', () => {
  it('follows the slug rule', () => {
    expect(isValidTag('node-js')).toBe(true)
    expect(isValidTag(normalizeTag('Node JS'))).toBe(true)
    expect(isValidTag('..')).toBe(false)
    expect(isValidTag('c++')).toBe(false)
    expect(isValidTag('a/b')).toBe(false)
    expect(isValidTag(7)).toBe(false)
  })
})
