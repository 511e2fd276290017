/**
 * The hostile forms of `redirectTo` that a prefix check lets through and a browser follows
 * off the site. Each case also asserts what a browser would do with the answer: the
 * Location, resolved against this site, must stay on this site.
 */
import { describe, expect, it } from 'vitest'
import { safeRedirect } from '../../app/http/safe-redirect.ts'

const SITE = 'https://blog.example'
/** Where a browser lands after a redirect to `location` from a page of this site. */
const landsOn = (location: string) => new URL(location, `${SITE}/login`).origin

const HOSTILE: [string, string][] = [
  ['protocol-relative', '//evil.example/x'],
  ['three slashes', '///evil.example'],
  ['backslash after slash', '/\\evil.example'],
  ['two backslashes', '\\\\evil.example'],
  ['backslash then slash', '\\/evil.example'],
  ['tab inside the slashes', '/\t/evil.example'],
  ['newline inside the slashes', '/\n/evil.example'],
  ['carriage return inside the slashes', '/\r/evil.example'],
  ['leading space', ' //evil.example'],
  ['leading control character', '\x01//evil.example'],
  ['leading NUL and tab', '\0\t//evil.example'],
  ['absolute https', 'https://evil.example/'],
  ['scheme without slashes', 'https:evil.example'],
  ['scheme with backslashes', 'https:\\\\evil.example'],
  ['uppercase scheme', 'HTTPS://evil.example'],
  ['javascript URL', 'javascript:alert(document.domain)'],
  ['javascript with a tab', 'java\tscript:alert(1)'],
  ['data URL', 'data:text/html,<script>alert(1)</script>'],
  ['vbscript URL', 'vbscript:msgbox(1)'],
  ['userinfo on another host', '//blog.example@evil.example/'],
  ['userinfo with backslash', '/\\blog.example@evil.example'],
  ['dot segment to a double slash', '/.//evil.example'],
  ['dot-dot segment to a double slash', '/a/..//evil.example'],
  ['encoded dot segments', '/%2e%2e//evil.example'],
  ['mixed slashes', '/\\/evil.example'],
  ['a look-alike of this site', 'https://blog.example.evil.example/'],
  ['this site with another port', 'https://blog.example:8443/admin'],
  ['this site over http', 'http://blog.example/admin'],
  ['a non-string', ''],
]

describe('safeRedirect', () => {
  it.each(HOSTILE)('keeps a browser on the site for %s', (_name, value) => {
    const result = safeRedirect(value, '/admin', [SITE])
    expect(landsOn(result)).toBe(SITE)
    expect(result.startsWith('/')).toBe(true)
    expect(result.startsWith('//')).toBe(false)
    expect([...result].some((c) => c === '\\' || c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f)).toBe(false)
  })

  it('falls back for every clearly foreign form', () => {
    for (const [, value] of HOSTILE) {
      if (value === '/.//evil.example' || value === '/a/..//evil.example' || value === '/%2e%2e//evil.example') continue
      expect(safeRedirect(value, '/admin', [SITE]), JSON.stringify(value)).toBe('/admin')
    }
  })

  it('keeps percent-encoded slashes as a path on this site, never decoding them into a host', () => {
    expect(safeRedirect('/%2f%2fevil.example', '/', [SITE])).toBe('/%2f%2fevil.example')
    expect(safeRedirect('%2f%2fevil.example', '/', [SITE])).toBe('/%2f%2fevil.example')
    expect(landsOn(safeRedirect('/%5c%5cevil.example', '/', [SITE]))).toBe(SITE)
  })

  it('refuses values that are not strings, empty or very long', () => {
    expect(safeRedirect(undefined, '/admin')).toBe('/admin')
    expect(safeRedirect(null, '/admin')).toBe('/admin')
    expect(safeRedirect(['/x'], '/admin')).toBe('/admin')
    expect(safeRedirect('', '/admin')).toBe('/admin')
    expect(safeRedirect(`/${'a'.repeat(5000)}`, '/admin')).toBe('/admin')
  })

  it('keeps paths on this site, with their query and fragment', () => {
    expect(safeRedirect('/admin')).toBe('/admin')
    expect(safeRedirect('/blog/a-post?x=1#part')).toBe('/blog/a-post?x=1#part')
    expect(safeRedirect('/tags/react?tag=a%20b')).toBe('/tags/react?tag=a%20b')
    expect(safeRedirect('/blog/../admin')).toBe('/admin')
    // The browser's own reading of a tab inside a path: dropped, the path stays here.
    expect(safeRedirect('/ad\tmin')).toBe('/admin')
  })

  it('keeps an absolute URL of this site as its path, and nothing else absolute', () => {
    expect(safeRedirect(`${SITE}/admin?x=1`, '/', [SITE])).toBe('/admin?x=1')
    expect(safeRedirect(`${SITE}/admin`, '/')).toBe('/')
    expect(safeRedirect('https://user:pw@blog.example/admin', '/', [SITE])).toBe('/')
  })
})
