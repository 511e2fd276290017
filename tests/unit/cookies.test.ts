/**
 * Kiln's one cookie grammar (app/http/cookies.ts) against hostile Cookie headers, and the
 * property the page cache relies on: the theme that keys a page (app/http/page-cache.server.ts
 * themeOf) is the theme the root loader renders with (themeFromCookieHeader), for any header.
 */
import { describe, expect, it } from 'vitest'
import { MAX_COOKIE_HEADER_LENGTH, parseCookies, readCookie, sign, unsign } from '../../app/http/cookies.ts'
import { themeFromCookieHeader } from '../../app/theme/theme-cookie.server.ts'
import { themeOf } from '../../app/http/page-cache.server.ts'
import { parseTxCookie } from '../../app/replication/instance.server.ts'

/** header -> the theme it renders with ('system' when none applies). */
const HOSTILE: [string, string, 'light' | 'dark' | 'system'][] = [
  ['duplicate names: the first wins', 'kiln_theme=dark; kiln_theme=light', 'dark'],
  ['duplicate names the other way', 'kiln_theme=light; kiln_theme=dark', 'light'],
  ['duplicates without spaces', 'kiln_theme=light;kiln_theme=dark', 'light'],
  ['a quoted value', 'kiln_theme="dark"', 'dark'],
  ['an unbalanced quote', 'kiln_theme="dark', 'system'],
  ['a quoted pair', '"kiln_theme=dark"', 'system'],
  ['a percent-encoded value', 'kiln_theme=%64ark', 'dark'],
  ['an encoded ; and = inside a value', 'kiln_theme=x%3B%20kiln_theme%3Ddark', 'system'],
  ['an encoded = in the name', 'kiln_theme%3Ddark', 'system'],
  ['invalid percent-encoding', 'kiln_theme=%E0%A4%A', 'system'],
  ['invalid percent-encoding before a real value', 'a=%zz; kiln_theme=dark', 'dark'],
  ['spaces around name and value', '  kiln_theme  =  dark  ', 'dark'],
  ['tabs around name and value', '\tkiln_theme\t=\tdark\t', 'dark'],
  ['a name in capitals', 'KILN_THEME=dark', 'system'],
  ['a pair without =', 'kiln_theme; kiln_theme=dark', 'dark'],
  ['an empty name', '=light; kiln_theme=dark', 'dark'],
  ['a comma as separator', 'kiln_theme=dark, kiln_theme=light', 'system'],
  ['a value that is not a theme', 'kiln_theme=<script>', 'system'],
  ['"system" spelled out', 'kiln_theme=system', 'system'],
  ['latin-1 bytes', 'kiln_theme=d\u00e4rk', 'system'],
  ['a prototype name first', '__proto__=x; constructor=y; kiln_theme=light', 'light'],
  ['a huge cookie before it', `a=${'x'.repeat(12_000)}; kiln_theme=dark`, 'dark'],
  ['a header over the limit', `a=${'x'.repeat(MAX_COOKIE_HEADER_LENGTH)}; kiln_theme=dark`, 'system'],
  ['empty', '', 'system'],
  ['only separators', ';;; ;', 'system'],
]

describe('one cookie grammar', () => {
  it.each(HOSTILE)('keys the page cache with the theme the page renders with: %s', (_name, header, theme) => {
    expect(themeFromCookieHeader(header)).toBe(theme)
    expect(themeOf(header)).toBe(theme === 'system' ? '' : theme)
  })

  it('reads a cookie among others, and says when there is none', () => {
    expect(readCookie('a=1; kiln_session=xyz; b=2', 'kiln_session')).toBe('xyz')
    expect(readCookie('kiln_sessionx=1', 'kiln_session')).toBeUndefined()
    expect(readCookie(undefined, 'a')).toBeUndefined()
    expect(readCookie(null, 'a')).toBeUndefined()
    expect(readCookie(['a=1', 'b=2'], 'b')).toBe('2')
    expect(readCookie('kiln_session=', 'kiln_session')).toBe('')
  })

  it('treats prototype names as plain names', () => {
    const cookies = parseCookies('__proto__=1; toString=2; hasOwnProperty=3')
    expect(cookies.get('toString')).toBe('2')
    expect(readCookie('a=1', 'toString')).toBeUndefined()
    expect(readCookie('a=1', '__proto__')).toBeUndefined()
  })

  it('reads the txnum cookie with the same grammar', () => {
    expect(parseTxCookie('txnum=12; txnum=13')).toEqual({ kind: 'valid', value: 12 })
    expect(parseTxCookie('txnum="7"')).toEqual({ kind: 'valid', value: 7 })
    expect(parseTxCookie('txnum=%31%32')).toEqual({ kind: 'valid', value: 12 })
    expect(parseTxCookie('txnum=1e3')).toEqual({ kind: 'invalid', raw: '1e3' })
    expect(parseTxCookie('txnum')).toEqual({ kind: 'absent' })
  })

  it('signs values and refuses tampered or foreign signatures', () => {
    const signed = sign('a.b:c', 'secret one')
    expect(unsign(signed, ['secret one'])).toBe('a.b:c')
    expect(unsign(signed, ['another', 'secret one'])).toBe('a.b:c')
    expect(unsign(signed, ['another'])).toBeNull()
    expect(unsign(signed.replace('a.b', 'a.c'), ['secret one'])).toBeNull()
    expect(unsign(`${signed}x`, ['secret one'])).toBeNull()
    expect(unsign('nodot', ['secret one'])).toBeNull()
    expect(unsign('.sig', ['secret one'])).toBeNull()
    expect(unsign(undefined, ['secret one'])).toBeNull()
  })
})
