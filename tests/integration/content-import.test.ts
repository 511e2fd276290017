/**
 * A blog written for other engines, served as it is: a real server pointed at
 * tests/fixtures/engines/mixed (Jekyll's dated names and categories, Hugo's TOML and
 * section page, Astro's pubDate, Next.js's exported metadata, a Docusaurus folder post
 * titled by its heading, react.dev posts in date folders). Every document is at the
 * address its author expects, with its title and date; the section page is no post.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  copyDir,
  get,
  logText,
  repoRoot,
  startServer,
  tempDir,
  writeFiles,
  type KilnServer,
} from '../helpers/server.ts'

const FIXTURE = `${repoRoot}/tests/fixtures/engines/mixed`

/** [address, title, date as the page's <time dateTime>] */
const POSTS: [string, string, string][] = [
  ['/blog/jekyll-style', 'Welcome to Jekyll!', '2019-04-01'],
  ['/blog/hugo/toml-post', 'A post in TOML', '2022-11-05T09:30:00.000Z'],
  ['/blog/astro-first-post', 'My First Blog Post', '2022-07-08'],
  ['/blog/next/using-mdx', 'Using MDX with Next.js', '2018-08-11'],
  ['/blog/welcome', 'Welcome to Docusaurus', '2021-08-26'],
  ['/blog/docs/getting-started', 'Getting started', '2021-05-01'],
  [
    '/blog/2020/12/21/data-fetching-with-react-server-components',
    'Introducing Zero-Bundle-Size React Server Components',
    '2020-12-21',
  ],
  [
    '/blog/2026/02/24/the-react-foundation',
    'The React Foundation: A New Home for React Hosted by the Linux Foundation',
    '2026-02-24',
  ],
]

const h1 = (html: string) =>
  /<h1[^>]*>([\s\S]*?)<\/h1>/
    .exec(html)?.[1]
    .replace(/<[^>]+>/g, '')
    .trim()
const decode = (text: string | undefined) => text?.replace(/&#x27;/g, "'").replace(/&amp;/g, '&')

let server: KilnServer
beforeAll(async () => {
  const contentDir = tempDir('kiln-import-')
  copyDir(FIXTURE, contentDir)
  // Bad input beside the good: each is an error of its own file, and the rest is served.
  writeFiles(contentDir, {
    'blog/bad-export.mdx': 'export const metadata = build()\n\nText.\n',
    'blog/2023-02-30-bad-date.md': '---\ntitle: Bad date\n---\n\nText.\n',
    'blog/2019-04-02-jekyll-style.md': '---\ntitle: Same address\n---\n\nText.\n',
  })
  server = await startServer({ contentDir })
}, 300_000)
afterAll(() => server?.stop())

describe('a blog written for other engines', () => {
  it.each(POSTS)('serves %s with its title and date', async (address, title, date) => {
    const response = await get(server, address)
    const html = await response.text()
    expect(response.status, server.output()).toBe(200)
    expect(decode(h1(html))).toBe(title)
    expect(html).toContain(`<time dateTime="${date}"`)
    // A title taken from the first heading is shown once: one <h1> on every page.
    expect(html.match(/<h1[\s>]/g)).toHaveLength(1)
  })

  it('lists every post, newest first, without the section page or the hidden post', async () => {
    const html = await (await get(server, '/blog')).text()
    const linked = [...html.matchAll(/href="(\/blog\/[^"#?]+)"/g)].map((match) => match[1])
    for (const [address] of POSTS) expect(linked).toContain(address)
    expect(linked).not.toContain('/blog/hugo')
    expect(linked).not.toContain('/blog/hugo/hidden-post')
    const order = POSTS.map(([address]) => linked.indexOf(address))
    expect(linked.indexOf('/blog/2026/02/24/the-react-foundation')).toBe(Math.min(...order))
  })

  it("serves a Hugo section's _index page at the section's address, outside the navigation", async () => {
    const response = await get(server, '/blog/hugo')
    const html = await response.text()
    expect(response.status).toBe(200)
    expect(h1(html)).toBe('Notes from Hugo')
    expect(html).not.toMatch(/<nav[\s\S]*href="\/blog\/hugo"[\s\S]*<\/nav>/)
    expect((await get(server, '/blog/hugo/hidden-post')).status).toBe(404)
  })

  it('renders a component shared from a _ folder, and keeps dates out of addresses', async () => {
    const html = await (await get(server, '/blog/next/using-mdx')).text()
    expect(html).toContain('<aside class="note">This note is a component shared by the whole content folder.</aside>')
    expect((await get(server, '/blog/2019-04-01-jekyll-style')).status).toBe(404)
  })

  it('serves a nested post’s social image, module and view beacon at nested addresses', async () => {
    const address = '/blog/2020/12/21/data-fetching-with-react-server-components'
    const image = await get(server, `${address}/og.png`)
    expect(image.status).toBe(200)
    expect(image.headers.get('content-type')).toBe('image/png')
    const html = await (await get(server, address)).text()
    const moduleUrl = /data-mdx-module="([^"]+)"/.exec(html)?.[1]
    expect(moduleUrl).toMatch(/^\/mdx\/post\/2020\/12\/21\/data-fetching-with-react-server-components\/[\w-]+\.js$/)
    expect((await get(server, moduleUrl!)).status).toBe(200)
    const beacon = await get(server, `/action/view/2020/12/21/data-fetching-with-react-server-components`, {
      method: 'POST',
    })
    expect(beacon.status).toBeLessThan(300)
  })

  it('keeps a nested post in the page cache at its own address only', async () => {
    const address = '/blog/hugo/toml-post'
    await get(server, address)
    expect((await get(server, address)).headers.get('x-kiln-cache')).toBe('hit')
    expect((await get(server, `${address}/`)).headers.get('x-kiln-cache')).not.toBe('hit')
  })

  it('names each bad file in the log, with its line, and serves the rest', async () => {
    const log = logText(server)
    expect(log).toMatch(/^blog\/bad-export\.mdx:1: the exported metadata is not a plain literal: a function call/m)
    expect(log).toMatch(/^skipped blog\/2023-02-30-bad-date\.md: "2023-02-30" .* not a real date/m)
    expect(log).toMatch(
      /skipped blog\/2019-04-02-jekyll-style\.md: slug "jekyll-style" is already taken by blog\/2019-04-01-jekyll-style\.md/,
    )
    expect((await get(server, '/blog/bad-export')).status).toBe(500)
    expect((await get(server, '/blog/bad-date')).status).toBe(404)
  })

  it('answers 404 for nested addresses that are no slug', async () => {
    for (const address of [
      '/blog/hugo/..%2f..%2fpages',
      '/blog/a/b/c/d/e/f/g',
      '/blog/hugo/_index',
      '/blog/_components/note.jsx',
    ]) {
      expect((await get(server, address)).status, address).toBe(404)
    }
  })
})
