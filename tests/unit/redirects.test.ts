/**
 * Redirect rules on plain data: parsing content/redirects, aliases, wildcards and
 * placeholders, collisions, loops and chains, and hostile paths that must stay cheap and
 * never produce a Location that leaves the site.
 */
import { describe, expect, it } from 'vitest'
import {
  aliasPaths,
  buildRedirectTable,
  MAX_REDIRECT_HOPS,
  MAX_REDIRECT_RULES,
  parseRedirects,
  resolveRedirect,
} from '../../app/content/redirects.server.ts'

function table(
  text: string,
  aliases: { target: string; aliases: unknown; file?: string }[] = [],
  existing: string[] = [],
) {
  const { rules, problems } = parseRedirects(text)
  return buildRedirectTable(
    rules,
    aliases.map((alias) => ({ file: 'blog/x.mdx', ...alias })),
    existing,
    problems,
  )
}

const location = (t: ReturnType<typeof table>, path: string) => {
  const answer = resolveRedirect(t, path)
  return answer?.kind === 'redirect' ? `${answer.status} ${answer.location}` : (answer?.kind ?? null)
}

describe('parseRedirects', () => {
  it('reads rules with statuses, comments and blank lines; reports bad lines with their line', () => {
    const { rules, problems } = parseRedirects(
      [
        '# moved posts',
        '/old /blog/new',
        '/temp /blog/new 302   # for now',
        '',
        '/perm /blog/new 308',
        '/bad /blog/new 307',
        'no-slash /blog/new',
        '/a/*/b /x',
        '/one',
        '/ext https://example.com/:splat',
        '/evil //evil.example',
        '/uncaptured /blog/:name',
      ].join('\n'),
    )
    expect(rules.map((rule) => [rule.from, rule.to, rule.status, rule.line])).toEqual([
      ['/old', '/blog/new', 301, 2],
      ['/temp', '/blog/new', 302, 3],
      ['/perm', '/blog/new', 308, 5],
      ['/ext', 'https://example.com/:splat', 301, 10],
    ])
    expect(problems.map((problem) => problem.line)).toEqual([6, 7, 8, 9, 11, 12])
    expect(problems[0].message).toMatch(/301, 302 or 308/)
  })

  it('bounds line length and the number of rules', () => {
    const long = `/x /${'a'.repeat(2000)}`
    expect(parseRedirects(long).problems[0].message).toMatch(/longer than/)
    const many = Array.from({ length: MAX_REDIRECT_RULES + 10 }, (_, i) => `/r${i} /blog/p`).join('\n')
    const parsed = parseRedirects(many)
    expect(parsed.rules).toHaveLength(MAX_REDIRECT_RULES)
    expect(parsed.problems).toHaveLength(1)
  })
})

describe('resolveRedirect', () => {
  it('answers exact rules and aliases (a bare slug is /blog/<slug>)', () => {
    expect(aliasPaths(['old-slug', '/old/path', 3, ''])).toEqual(['/blog/old-slug', '/old/path'])
    const t = table('/feed /blog/rss.xml 302', [{ target: '/blog/new', aliases: ['old-slug', '/2019/old'] }])
    expect(location(t, '/blog/old-slug')).toBe('301 /blog/new')
    expect(location(t, '/blog/old-slug/')).toBe('301 /blog/new')
    expect(location(t, '/2019/old')).toBe('301 /blog/new')
    expect(location(t, '/feed')).toBe('302 /blog/rss.xml')
    expect(location(t, '/blog/other')).toBeNull()
  })

  it('matches * and :splat (zero or more segments) and :name placeholders', () => {
    const t = table(
      [
        '/posts/* /blog/:splat',
        '/old/:year/:slug /blog/:slug 308',
        '/docs/:splat https://docs.example.com/:splat',
      ].join('\n'),
    )
    expect(location(t, '/posts/hello')).toBe('301 /blog/hello')
    expect(location(t, '/posts/a/b')).toBe('301 /blog/a/b')
    expect(location(t, '/old/2019/my-post')).toBe('308 /blog/my-post')
    expect(location(t, '/old/2019')).toBeNull()
    expect(location(t, '/docs/intro/setup')).toBe('301 https://docs.example.com/intro/setup')
    // An encoded slash stays one segment, re-encoded.
    expect(location(t, '/posts/a%2Fb')).toBe('301 /blog/a%2Fb')
  })

  it('never produces a Location that leaves the site, whatever the capture holds', () => {
    const t = table(['/go/* /:splat', '/ext/* https://docs.example.com/:splat'].join('\n'))
    // Empty segments are dropped: the capture cannot start with a slash.
    expect(location(t, '/go//evil.example')).toBe('301 /evil.example')
    expect(location(t, '/go/%2F%2Fevil.example')).toBe('301 /%2F%2Fevil.example')
    expect(location(t, '/go/%5Cevil.example')).toBe('301 /%5Cevil.example')
    const ext = resolveRedirect(t, '/ext/@evil.example')
    expect(ext?.kind === 'redirect' && new URL(ext.location).host).toBe('docs.example.com')
  })

  it('never shadows an existing entry: such a rule or alias is reported and dropped', () => {
    const t = table('/blog/live /blog/other', [{ target: '/blog/new', aliases: ['live'] }], ['/blog/live', '/blog/new'])
    expect(location(t, '/blog/live')).toBeNull()
    expect(t.problems.map((problem) => problem.message)).toEqual([
      expect.stringMatching(/collides with an existing post/),
      expect.stringMatching(/collides with an existing post/),
    ])
  })

  it('reports an alias claimed twice, keeping the first', () => {
    const t = table('', [
      { target: '/blog/a', aliases: ['old'], file: 'blog/a.mdx' },
      { target: '/blog/b', aliases: ['old'], file: 'blog/b.mdx' },
    ])
    expect(location(t, '/blog/old')).toBe('301 /blog/a')
    expect(t.problems).toEqual([
      expect.objectContaining({ file: 'blog/b.mdx', message: expect.stringMatching(/already/) }),
    ])
  })

  it('follows a chain to its end, and refuses loops and chains longer than the limit', () => {
    const chained = table(['/a /b', '/b /c 302', '/c /blog/post'].join('\n'), [], ['/blog/post'])
    expect(location(chained, '/a')).toBe('301 /blog/post')
    expect(chained.problems).toEqual([])

    const loop = table(['/a /b', '/b /a'].join('\n'))
    expect(location(loop, '/a')).toBe('loop')
    expect(loop.problems.map((problem) => problem.line)).toEqual([1, 2])

    const selfLoop = table('/x/* /x/:splat')
    expect(location(selfLoop, '/x/y')).toBe('loop')

    const hops = Array.from({ length: MAX_REDIRECT_HOPS + 1 }, (_, i) => `/h${i} /h${i + 1}`).join('\n')
    const long = table(hops)
    expect(location(long, '/h0')).toBe('too-long')
    expect(long.problems[0]).toMatchObject({ line: 1, message: expect.stringMatching(/chain of more than 5/) })
  })

  it('stays cheap on hostile paths: very long, many segments, bad encodings', () => {
    const rules = Array.from({ length: 500 }, (_, i) => `/p${i}/:a/* /blog/:a`).join('\n')
    const t = table(rules)
    const hostile = [`/${'a'.repeat(100_000)}`, `/${'p1/'.repeat(5000)}`, '/p1/%E0%A4%A/x', `/p499/${'x/'.repeat(30)}`]
    // Over the bounds: no match at all (no work); within them: one rule's segments.
    expect(hostile.map((path) => location(t, path))).toEqual([null, null, null, '301 /blog/x'])
  })
})
