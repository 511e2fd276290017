/**
 * Authors on the real server: bylines on posts and lists, author pages with their
 * published posts, the authors in RSS, Atom, JSON Feed and JSON-LD, SITE_AUTHOR for a
 * post that names nobody, an id with no file shown as written (and warned of by
 * content:check), and content/authors/ never served as posts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { publishingProblems } from '../../app/content/publishing-check.server.ts'
import { scanContent } from '../../app/content/source.server.ts'
import { get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'
import { stopServer } from '../helpers/fixtures.ts'

const post = (title: string, date: string, extra = '') =>
  `---\ntitle: ${title}\ndate: ${date}\n${extra}---\n\nSome words.\n`

let server: KilnServer
let contentDir: string

beforeAll(async () => {
  contentDir = makeContentDir({
    'authors/ada.mdx':
      '---\nname: Ada Lovelace\navatar: /images/ada.png\nbio: Writes about engines.\n' +
      'links:\n  - label: Website\n    url: https://ada.example\n  - javascript:alert(1)\n---\n\nOptional body.\n',
    'authors/grace.md': '---\nname: Grace Hopper\nbio: Compilers.\n---\n',
    'blog/engines.mdx': post('Engines', '2026-03-01', 'author: ada\n'),
    'blog/compilers.mdx': post('Compilers', '2026-03-02', 'authors: [grace, ada]\n'),
    'blog/nobody.mdx': post('Nobody in particular', '2026-03-03'),
    'blog/ghost.mdx': post('Ghost writer', '2026-03-04', 'author: ghost\n'),
    'blog/ada-draft.mdx': post('Ada draft', '2026-03-05', 'author: ada\ndraft: true\n'),
  })
  server = await startServer({ contentDir, env: { SITE_AUTHOR: 'The Site' } })
})

afterAll(async () => {
  await stopServer(server)
})

const text = async (pathname: string) => {
  const response = await get(server, pathname)
  expect(response.status, pathname).toBe(200)
  return response.text()
}
const byline = (html: string) => /data-testid="byline"[\s\S]*?<\/p>/.exec(html)?.[0] ?? ''
const jsonLd = (html: string) =>
  JSON.parse(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html)![1]) as {
    author: { name: string; url?: string }[] | { name: string; url?: string }
  }
const ldAuthors = (html: string) => [jsonLd(html).author].flat()

describe('authors', () => {
  it('shows bylines linking known authors, and an unknown id as written', async () => {
    const compilers = byline(await text('/blog/compilers'))
    expect(compilers).toMatch(/href="\/authors\/grace"[^>]*>Grace Hopper</)
    expect(compilers).toMatch(/href="\/authors\/ada"[^>]*>Ada Lovelace</)
    const ghost = byline(await text('/blog/ghost'))
    expect(ghost).toContain('ghost')
    expect(ghost).not.toContain('href=')
    expect(await text('/blog/nobody')).not.toContain('data-testid="byline"')
  })

  it('shows bylines in lists', async () => {
    const list = await text('/blog')
    expect(list).toMatch(/href="\/authors\/ada"[^>]*>Ada Lovelace</)
  })

  it('has an author page with bio, safe links and their published posts only', async () => {
    const html = await text('/authors/ada')
    expect(html).toContain('Ada Lovelace')
    expect(html).toContain('Writes about engines.')
    expect(html).toContain('href="https://ada.example/"')
    expect(html).not.toContain('javascript:')
    const posts = [
      ...(/data-testid="post-list"[\s\S]*?<\/ol>/.exec(html)?.[0] ?? '').matchAll(/href="\/blog\/([^"]+)"/g),
    ]
    expect(posts.map((match) => match[1])).toEqual(['compilers', 'engines'])
    expect((await get(server, '/authors/ghost')).status).toBe(404)
    expect((await get(server, '/authors/..%2Fblog')).status).toBe(404)
  })

  it('never serves content/authors/ as posts', async () => {
    expect((await get(server, '/blog/ada')).status).toBe(404)
  })

  it('names the authors in JSON-LD, or SITE_AUTHOR when the post names nobody', async () => {
    const authors = ldAuthors(await text('/blog/compilers'))
    expect(authors.map((person) => person.name)).toEqual(['Grace Hopper', 'Ada Lovelace'])
    expect(authors[0].url).toMatch(/\/authors\/grace$/)
    expect(ldAuthors(await text('/blog/nobody')).map((person) => person.name)).toEqual(['The Site'])
  })

  it('names the authors in RSS, Atom and JSON Feed', async () => {
    const rss = await text('/blog/rss.xml')
    expect(rss).toMatch(
      /<dc:creator><!\[CDATA\[Grace Hopper, Ada Lovelace\]\]><\/dc:creator>|<dc:creator>Grace Hopper, Ada Lovelace<\/dc:creator>/,
    )
    expect(rss).toMatch(/The Site/)
    const atom = await text('/blog/atom.xml')
    expect(atom).toMatch(/<name>Grace Hopper<\/name>/)
    expect(atom).toMatch(/<name>Ada Lovelace<\/name>/)
    const json = JSON.parse(await text('/blog/feed.json')) as {
      items: { url: string; authors: { name: string; url: string }[] }[]
    }
    const compilers = json.items.find((item) => item.url.endsWith('/blog/compilers'))!
    expect(compilers.authors.map((author) => author.name)).toEqual(['Grace Hopper', 'Ada Lovelace'])
    const nobody = json.items.find((item) => item.url.endsWith('/blog/nobody'))!
    expect(nobody.authors.map((author) => author.name)).toEqual(['The Site'])
  })

  it('warns in content:check of an author id with no file, at its line', () => {
    const problems = publishingProblems(contentDir, scanContent(contentDir).entries)
    expect(problems).toContainEqual({
      level: 'warning',
      where: 'blog/ghost.mdx:4',
      message: expect.stringMatching(/author "ghost" has no file authors\/ghost\.mdx/),
    })
  })
})
