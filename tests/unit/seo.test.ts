/** The pure parts of SEO and sharing: absolute URLs in HTML, meta tags, and the card's title wrapping. */
import { describe, expect, it } from 'vitest'
import { isoDateTime, seoMeta, siteFromMatches, type SiteSeo } from '../../app/seo/meta.ts'
import { socialCardSvg, wrapTitle } from '../../app/seo/social-card.ts'
import { dropInertStyles } from '../../app/seo/feed-html.ts'
import { absolutizeHtml, resolveUrl } from '../../app/seo/urls.ts'

const base = 'https://blog.example.com/blog/my-post'

describe('absolutizeHtml', () => {
  it('resolves root-relative, relative and fragment links and images against the page', () => {
    const html =
      '<p><a href="/blog/other">a</a> <a href="sibling">b</a> <a ' +
      'href="#part">c</a> <img src="/images/x.png" alt=""/></p>'
    expect(absolutizeHtml(html, base)).toBe(
      '<p><a href="https://blog.example.com/blog/other">a</a> <a ' +
        'href="https://blog.example.com/blog/sibling">b</a> <a ' +
        'href="https://blog.example.com/blog/my-post#part">c</a> <img ' +
        'src="https://blog.example.com/images/x.png" alt=""/></p>',
    )
  })

  it('leaves absolute URLs and other schemes alone, and keeps escaping', () => {
    const html =
      '<a href="https://other.example.org/x?a=1&amp;b=2">x</a><a ' +
      'href="mailto:me@example.com">m</a><img src="data:image/png;base64,AAAA"/>'
    expect(absolutizeHtml(html, base)).toBe(html)
  })

  it('rewrites each candidate of a srcset and poster, but not data- attributes', () => {
    expect(absolutizeHtml('<img srcset="/a.png 1x, /b.png 2x" data-src="/c.png"/>', base)).toBe(
      '<img srcset="https://blog.example.com/a.png 1x, https://blog.example.com/b.png 2x" data-src="/c.png"/>',
    )
    expect(absolutizeHtml('<video poster="/p.jpg"></video>', base)).toBe(
      '<video poster="https://blog.example.com/p.jpg"></video>',
    )
  })

  it('does not touch text that merely looks like an attribute', () => {
    const html = '<code>&lt;a href=&quot;/x&quot;&gt;</code>'
    expect(absolutizeHtml(html, base)).toBe(html)
  })
})

describe('resolveUrl', () => {
  it('resolves like a browser and returns the unparsable as written', () => {
    expect(resolveUrl('cover.png', base)).toBe('https://blog.example.com/blog/cover.png')
    expect(resolveUrl('https://cdn.example.com/c.png', base)).toBe('https://cdn.example.com/c.png')
    expect(resolveUrl('http://[bad', base)).toBe('http://[bad')
  })
})

const site: SiteSeo = { title: 'My Blog', description: 'About things.', url: 'https://blog.example.com', author: 'Ada' }
const find = (meta: ReturnType<typeof seoMeta>, key: string) =>
  meta.find((tag) => ('name' in tag && tag.name === key) || ('property' in tag && tag.property === key)) as
    { content?: string } | undefined

describe('seoMeta', () => {
  it('describes a page with the site defaults', () => {
    const meta = seoMeta(site, { title: 'Tags', path: '/tags' })
    expect(meta).toContainEqual({ title: 'Tags' })
    expect(meta).toContainEqual({ tagName: 'link', rel: 'canonical', href: 'https://blog.example.com/tags' })
    expect(find(meta, 'description')?.content).toBe('About things.')
    expect(find(meta, 'og:type')?.content).toBe('website')
    expect(find(meta, 'og:image')?.content).toBe('https://blog.example.com/og.png')
    expect(meta.some((tag) => 'script:ld+json' in tag)).toBe(false)
  })

  it('describes a post as an article with JSON-LD', () => {
    const meta = seoMeta(site, {
      title: 'Hello',
      description: 'Hi.',
      path: '/blog/hello',
      image: 'https://cdn.example.com/h.png',
      article: { published: '2026-01-02', modified: null, tags: ['a', 'b'] },
    })
    expect(find(meta, 'og:type')?.content).toBe('article')
    expect(find(meta, 'article:published_time')?.content).toBe('2026-01-02T00:00:00.000Z')
    expect(find(meta, 'article:modified_time')).toBeUndefined()
    expect(meta.filter((tag) => 'property' in tag && tag.property === 'article:tag')).toHaveLength(2)
    const ld = (meta.find((tag) => 'script:ld+json' in tag) as { 'script:ld+json': Record<string, unknown> })[
      'script:ld+json'
    ]
    expect(ld).toMatchObject({
      '@type': 'BlogPosting',
      headline: 'Hello',
      datePublished: '2026-01-02T00:00:00.000Z',
      dateModified: '2026-01-02T00:00:00.000Z',
      image: 'https://cdn.example.com/h.png',
      keywords: 'a, b',
    })
  })

  it('marks error pages noindex, without a canonical URL', () => {
    const meta = seoMeta(site, { title: 'Page not found', path: '/x', noindex: true })
    expect(meta).toContainEqual({ name: 'robots', content: 'noindex' })
    expect(meta.some((tag) => 'rel' in tag && tag.rel === 'canonical')).toBe(false)
  })

  it('falls back to a title and description without the site', () => {
    expect(seoMeta(null, { title: 'T', description: 'D', path: '/' })).toEqual([
      { title: 'T' },
      { name: 'description', content: 'D' },
    ])
  })

  it('finds the site in the root match', () => {
    expect(
      siteFromMatches([
        { id: 'root', data: { site } },
        { id: 'routes/_index', data: {} },
      ]),
    ).toEqual(site)
    expect(siteFromMatches([{ id: 'routes/_index', data: {} }])).toBeNull()
  })

  it('writes days as full timestamps', () => {
    expect(isoDateTime('2026-03-04')).toBe('2026-03-04T00:00:00.000Z')
    expect(isoDateTime('2026-03-04T10:00:00.000Z')).toBe('2026-03-04T10:00:00.000Z')
  })
})

describe('wrapTitle', () => {
  it('breaks at spaces within the width', () => {
    expect(wrapTitle('one two three four', 9, 3)).toEqual({ lines: ['one two', 'three', 'four'], fits: true })
  })

  it('cuts a word longer than a line', () => {
    expect(wrapTitle('abcdefghijkl xy', 5, 4)).toEqual({ lines: ['abcde', 'fghij', 'kl xy'], fits: true })
  })

  it('ends with an ellipsis when the title does not fit', () => {
    const { lines, fits } = wrapTitle('aaaa bbbb cccc dddd eeee', 4, 2)
    expect(fits).toBe(false)
    expect(lines).toEqual(['aaaa', 'bbb…'])
  })

  it('gives no lines for an empty title', () => {
    expect(wrapTitle('   ', 10, 3)).toEqual({ lines: [], fits: true })
  })
})

describe('socialCardSvg', () => {
  it('is a 1200x630 SVG with the titles escaped', () => {
    const svg = socialCardSvg({
      siteTitle: 'A & B',
      title: 'Why <script> tags & "quotes" matter',
      footer: 'blog.example.com',
    })
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="1200" height="630"/)
    expect(svg).toContain('A &amp; B')
    expect(svg).toContain('&lt;script&gt;')
    expect(svg).not.toContain('<script>')
  })

  it('wraps a long title into at most four lines', () => {
    const svg = socialCardSvg({ siteTitle: 'Kiln', title: 'word '.repeat(80).trim(), footer: 'x' })
    expect(svg.match(/<tspan /g)).toHaveLength(4)
    expect(svg).toContain('…')
  })
})

describe('dropInertStyles', () => {
  it('drops styles that only set custom properties and keeps the rest', () => {
    expect(dropInertStyles('<span style="--shiki-light:#24292e;--shiki-dark:#e1e4e8">x</span>')).toBe('<span>x</span>')
    expect(dropInertStyles('<span style="color:red;--a:1">x</span>')).toBe('<span style="color:red;--a:1">x</span>')
    expect(dropInertStyles('<li style="padding-left:1rem">x</li>')).toBe('<li style="padding-left:1rem">x</li>')
    expect(dropInertStyles('<code>style="--a:1"</code>')).toBe('<code>style="--a:1"</code>')
  })
})
