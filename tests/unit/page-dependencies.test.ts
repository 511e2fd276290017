import { describe, expect, it } from 'vitest'
import { dependencyStamps, stampOf } from '../../app/content/page-dependencies.server.ts'

/** An index row as the page dependencies read it (content_entries plus `published`). */
function row(slug: string, fields: Record<string, unknown> = {}) {
  return {
    kind: 'post',
    slug,
    path: `blog/${slug}.mdx`,
    source_hash: `hash-${slug}`,
    files: '[]',
    title: `Title ${slug}`,
    date: '2026-01-01',
    tags: '["a"]',
    draft: 0,
    word_count: 100,
    frontmatter: '{}',
    frontmatter_error: null,
    indexed_at: '2026-12-01T00:00:00Z',
    published: 1,
    ...fields,
  }
}

describe('dependencyStamps', () => {
  const before = dependencyStamps([row('a'), row('b'), row('c')])

  it('moves one entry and the lists, not the site, for an edit of a body', () => {
    const after = dependencyStamps([
      row('a'),
      row('b', { source_hash: 'hash-b2', word_count: 900, files: '[1]', indexed_at: 'later' }),
      row('c'),
    ])
    expect(after.site).toBe(before.site)
    expect(after.listing).not.toBe(before.listing)
    expect(after.entries.get('post/b')).not.toBe(before.entries.get('post/b'))
    expect(after.entries.get('post/a')).toBe(before.entries.get('post/a'))
    expect(after.entries.get('post/c')).toBe(before.entries.get('post/c'))
  })

  it('moves the site for what every page or a neighbour shows: a title, a new post, a publication', () => {
    expect(dependencyStamps([row('a'), row('b', { title: 'New' }), row('c')]).site).not.toBe(before.site)
    expect(dependencyStamps([row('a'), row('b'), row('c'), row('d')]).site).not.toBe(before.site)
    expect(dependencyStamps([row('a'), row('b', { published: 0 }), row('c')]).site).not.toBe(before.site)
    // Any column added to the index later counts, without a list to keep up to date.
    expect(dependencyStamps([row('a'), row('b', { series: 'x' }), row('c')]).site).not.toBe(before.site)
  })

  it('does not depend on the order the rows are read in', () => {
    const shuffled = dependencyStamps([row('c'), row('a'), row('b')])
    expect(shuffled.site).toBe(before.site)
    expect(shuffled.listing).toBe(before.listing)
  })
})

describe('stampOf', () => {
  const stamps = dependencyStamps([row('a')])
  it('joins the stamps of a page’s dependencies', () => {
    expect(stampOf(stamps, 'site entry:post/a', '7')).toBe(`${stamps.site} ${stamps.entries.get('post/a')}`)
    expect(stampOf(stamps, 'listing', '7')).toBe(stamps.listing)
  })
  it('gives an entry that is not indexed its own stamp, and `*` the content version', () => {
    expect(stampOf(stamps, 'entry:post/gone', '7')).toBe('none')
    expect(stampOf(stamps, '*', '7')).toBe('7')
    expect(stampOf(stamps, '*', '8')).not.toBe(stampOf(stamps, '*', '7'))
  })
})
