import { describe, expect, it } from 'vitest'
import { assignAddresses } from '../../app/content/entry-addresses.ts'
import { slugFromField, type SlugChoice } from '../../app/content/slug.ts'

describe('slugFromField', () => {
  it.each([
    // [slug field, file-name slug, expected slug]
    ['new-name', 'old-name', 'new-name'],
    ['new-name', '2023/old-name', '2023/new-name'],
    ['part/two', '2023/old-name', '2023/part/two'],
    ['/new-name', '2023/old-name', 'new-name'],
    ['/blog/2024/new-name', '2023/old-name', '2024/new-name'],
    ['/blog/new-name/', 'old-name', 'new-name'],
    ['/blogging', 'old-name', 'blogging'],
    ['  spaced  ', 'old-name', 'spaced'],
    [2024, 'old-name', '2024'],
  ])('a post with slug %j in the place of %j is at %j', (field, fileSlug, expected) => {
    expect(slugFromField(field, fileSlug, 'post')).toEqual({ slug: expected })
  })

  it.each([undefined, null, '', '   '])('gives nothing for %j', (field) => {
    expect(slugFromField(field, 'old-name', 'post')).toBeNull()
  })

  it.each([
    ['../etc/passwd', /"\.\." \(letters/],
    ['a b', /"a b"/],
    ['.hidden', /"\.hidden"/],
    ['a//b', /""/],
    ['%2e%2e', /"%2e%2e"/],
    ['/', /the \/blog list itself/],
    ['/blog', /the \/blog list itself/],
    ['a/b/c/d/e/f', /more than 6 parts/],
    [['a'], /must be text/],
    [true, /must be text/],
    [-1, /must be text/],
  ])('refuses %j, with why', (field, why) => {
    const choice = slugFromField(field, '2023/old-name', 'post')
    expect(choice && 'error' in choice && choice.error).toMatch(why)
  })

  it('gives a page one name at the root, and a section page none', () => {
    expect(slugFromField('about-me', 'about', 'page')).toEqual({ slug: 'about-me' })
    expect(slugFromField('/about-me', 'about', 'page')).toEqual({ slug: 'about-me' })
    expect(slugFromField('a/b', 'about', 'page')).toMatchObject({ error: expect.stringMatching(/one name/) })
    expect(slugFromField('x', 'blog/2023', 'page')).toMatchObject({ error: expect.stringMatching(/section's page/) })
  })
})

interface Claim {
  kind: 'post' | 'page'
  slug: string
  path: string
  wanted?: SlugChoice
}
const claim = (path: string, slug: string, wanted?: SlugChoice, kind: 'post' | 'page' = 'post'): Claim => ({
  kind,
  slug,
  path,
  wanted,
})
const assign = (claims: Claim[]) => {
  const result = assignAddresses(claims, (entry) => ({
    choice: entry.wanted ?? null,
    line: entry.wanted ? 3 : undefined,
  }))
  return { ...result, slugs: result.entries.map(({ entry, slug }) => `${entry.path} -> ${slug}`) }
}

describe('assignAddresses', () => {
  it('gives each entry its slug field, else its file name, in the order given', () => {
    const result = assign([
      claim('blog/a.mdx', 'a'),
      claim('blog/2023/old-name.mdx', '2023/old-name', { slug: '2023/new-name' }),
      claim('blog/c.mdx', 'c', { slug: 'c' }),
    ])
    expect(result.slugs).toEqual(['blog/a.mdx -> a', 'blog/2023/old-name.mdx -> 2023/new-name', 'blog/c.mdx -> c'])
    expect(result.skipped).toEqual([])
    expect(result.problems).toEqual([])
  })

  it('keeps a bad slug field at its file name, with an error on its line', () => {
    const result = assign([claim('blog/a.mdx', 'a', { error: '"slug: ../x" is not a valid slug' })])
    expect(result.slugs).toEqual(['blog/a.mdx -> a'])
    expect(result.problems).toEqual([
      { path: 'blog/a.mdx', line: 3, error: '"slug: ../x" is not a valid slug: served at /blog/a' },
    ])
  })

  it("lets a file name's claim win over a slug field's, which stays at its own file name", () => {
    const result = assign([claim('blog/a.mdx', 'a', { slug: 'b' }), claim('blog/b.mdx', 'b')])
    expect(result.slugs).toEqual(['blog/a.mdx -> a', 'blog/b.mdx -> b'])
    expect(result.problems).toEqual([
      {
        path: 'blog/a.mdx',
        line: 3,
        error: '"slug: b" maps to /blog/b, already taken by blog/b.mdx: served at /blog/a; change one',
      },
    ])
  })

  it('lets a slug field free a file name that two files share', () => {
    const result = assign([claim('blog/2023-01-15-a.mdx', 'a', { slug: 'a-2023' }), claim('blog/a.mdx', 'a')])
    expect(result.slugs).toEqual(['blog/2023-01-15-a.mdx -> a-2023', 'blog/a.mdx -> a'])
    expect(result.skipped).toEqual([])
  })

  it('skips, naming both files, what has no address left', () => {
    const result = assign([
      claim('blog/2023-01-15-a.mdx', 'a'),
      claim('blog/a.mdx', 'a'),
      claim('blog/x.mdx', 'x', { slug: 'z' }),
      claim('blog/y.mdx', 'y', { slug: 'z' }),
    ])
    expect(result.slugs).toEqual(['blog/2023-01-15-a.mdx -> a', 'blog/x.mdx -> z', 'blog/y.mdx -> y'])
    expect(result.skipped).toEqual([
      {
        path: 'blog/a.mdx',
        reason: 'slug "a" is already taken by blog/2023-01-15-a.mdx: both map to /blog/a; rename one',
        error: true,
      },
    ])
    expect(result.problems[0].error).toMatch(/"slug: z" maps to \/blog\/z, already taken by blog\/x\.mdx/)
  })

  it('swaps two addresses', () => {
    const result = assign([claim('blog/a.mdx', 'a', { slug: 'b' }), claim('blog/b.mdx', 'b', { slug: 'a' })])
    expect(result.slugs).toEqual(['blog/a.mdx -> b', 'blog/b.mdx -> a'])
  })
})
