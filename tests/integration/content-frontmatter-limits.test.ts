/**
 * Frontmatter that cannot explode and posts that cannot grow without bound, on the real
 * server: a billion-laughs post, a 5 MB frontmatter, a tab-indented broken one and a post
 * over MAX_POST_BYTES sit beside good posts. Start-up is fine, the good posts are served,
 * and each bad one is an error of its own, named by file and line in the log.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'

const MAX_POST_BYTES = 6 * 1024 * 1024
const post = (title: string, body: string, extra = '') =>
  `---\ntitle: ${title}\ndate: 2026-03-01\n${extra}---\n\n${body}\n`

/** Nine levels of nine aliases: 9^9 (387 million) strings once expanded. */
function billionLaughs(): string {
  const lines = [
    '---',
    'title: Laughs',
    'date: 2026-03-01',
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ]
  const names = 'abcdefghi'
  for (let i = 1; i < names.length; i++) {
    const previous = `*${names[i - 1]}`
    lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(previous).join(',')}]`)
  }
  lines.push('tags: *i', '---', '', 'Ha.', '')
  return lines.join('\n')
}

let server: KilnServer
let content: string

const page = async (pathname: string) => {
  const response = await get(server, pathname)
  return { status: response.status, html: await response.text() }
}

beforeAll(async () => {
  content = makeContentDir({
    'blog/good-one.mdx': post('Good one', 'GOOD-ONE-BODY'),
    'blog/good-two.mdx': post('Good two', 'GOOD-TWO-BODY'),
    'blog/laughs.mdx': billionLaughs(),
    'blog/tabs.mdx': '---\ntitle: Tabs\ndate: 2026-03-01\ntags:\n\t- broken\n---\n\nTabbed.\n',
    'pages/about.mdx': '---\ntitle: About\n---\n\nABOUT-BODY\n',
  })
  // 5 MB of frontmatter, under MAX_POST_BYTES so the frontmatter limit is what stops it.
  fs.writeFileSync(
    path.join(content, 'blog', 'huge-frontmatter.mdx'),
    post('Huge', 'Big.', `filler: "${'x'.repeat(5 * 1024 * 1024)}"\n`),
  )
  // Over MAX_POST_BYTES: never read, never compiled, never in search.
  fs.writeFileSync(
    path.join(content, 'blog', 'too-big.mdx'),
    post('Too big', `OVERSIZEWORD ${'y'.repeat(MAX_POST_BYTES)}`),
  )
  server = await startServer({
    contentDir: content,
    env: { MAX_POST_BYTES: String(MAX_POST_BYTES), CONTENT_SCAN_INTERVAL_MS: '1' },
  })
}, 120_000)

afterAll(async () => {
  await server?.stop()
})

describe('bad frontmatter and large posts', () => {
  it('start up and serve the good posts, lists included', async () => {
    for (const [pathname, text] of [
      ['/blog/good-one', 'GOOD-ONE-BODY'],
      ['/blog/good-two', 'GOOD-TWO-BODY'],
      ['/about', 'ABOUT-BODY'],
    ]) {
      const { status, html } = await page(pathname)
      expect(status, pathname).toBe(200)
      expect(html).toContain(text)
    }
    const { html: list } = await page('/blog')
    expect(list).toContain('Good one')
    expect(list).toContain('Good two')
    expect(list).not.toContain('Laughs')
  })

  it('are errors of their own posts, named by file and line', async () => {
    for (const slug of ['laughs', 'tabs', 'huge-frontmatter', 'too-big']) {
      const { status, html } = await page(`/blog/${slug}`)
      expect(status, slug).toBe(500)
      expect(html).toContain('could not be built')
    }
    const log = server.output()
    expect(log).toMatch(/blog\/laughs\.mdx:5: frontmatter expands to more than 10000 values \(through YAML aliases\)/)
    expect(log).toMatch(/blog\/tabs\.mdx:5: frontmatter is not valid YAML/)
    expect(log).toMatch(/blog\/huge-frontmatter\.mdx:1: frontmatter is larger than 64 KB/)
    expect(log).toMatch(
      /blog\/too-big\.mdx: the file is 6\.0 MB, over MAX_POST_BYTES \(6\.0 MB\): it is not read or compiled/,
    )
    // None of them reached the compiler.
    expect(log).not.toMatch(/compil\w+ blog\/(laughs|tabs|huge-frontmatter|too-big)\.mdx/)
  })

  it("never indexes an oversized post's text", async () => {
    const { status, html } = await page('/search?q=OVERSIZEWORD')
    expect(status).toBe(200)
    expect(html).not.toContain('href="/blog/too-big"')
    const good = await page('/search?q=GOOD')
    expect(good.html).toContain('href="/blog/good-one"')
  })

  it('serve a post once its file is fixed', async () => {
    fs.writeFileSync(path.join(content, 'blog', 'too-big.mdx'), post('Too big no more', 'SMALL-NOW'))
    fs.writeFileSync(path.join(content, 'blog', 'laughs.mdx'), post('Laughs no more', 'NO-ALIASES'))
    const deadline = Date.now() + 30_000
    for (;;) {
      const [big, laughs] = await Promise.all([page('/blog/too-big'), page('/blog/laughs')])
      if (big.status === 200 && laughs.status === 200) {
        expect(big.html).toContain('SMALL-NOW')
        expect(laughs.html).toContain('NO-ALIASES')
        break
      }
      if (Date.now() > deadline) throw new Error(`still failing: ${big.status} ${laughs.status}`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  })
})
