/**
 * CONTENT_LAYOUT on the real server: CONTENT_DIR pointed at a Jekyll and at a Hugo site as
 * they are (copies of tests/fixtures/engines, no link made) serves their posts at
 * /blog/<slug>, in lists and feeds, and their standalone pages where each engine keeps them
 * (a Jekyll site's about.md, Hugo's content/about.md) at /<name>, while Kiln's own routes
 * keep answering before a page of the same name.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stopServer } from '../helpers/fixtures.ts'
import { get, logText, repoRoot, startServer, tempDir, type KilnServer } from '../helpers/server.ts'

/** A copy of an engine's fixture site, with `extra` files written into it. */
function siteCopy(engine: string, extra: Record<string, string> = {}): string {
  const dir = tempDir(`kiln-${engine}-site-`)
  fs.cpSync(path.join(repoRoot, 'tests', 'fixtures', 'engines', engine), dir, { recursive: true })
  for (const [relative, text] of Object.entries(extra)) {
    fs.mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true })
    fs.writeFileSync(path.join(dir, relative), text)
  }
  return dir
}

let jekyll: KilnServer
let hugo: KilnServer
const sites: string[] = []

beforeAll(async () => {
  sites.push(
    siteCopy('jekyll', {
      'pages/colophon.md': '---\ntitle: Colophon\n---\n\nColophon words.\n',
      'pages/tags.md': '---\ntitle: A page that wants /tags\n---\n\nShadowing words.\n',
    }),
    siteCopy('hugo', {
      'content/posts/plain.md':
        '+++\ntitle = "Plain Hugo post"\ndate = 2023-03-01\nslug = "hugo-plain"\n+++\n\nPlain words.\n',
    }),
  )
  ;[jekyll, hugo] = await Promise.all(sites.map((contentDir) => startServer({ contentDir })))
})

afterAll(async () => {
  await Promise.all([stopServer(jekyll), stopServer(hugo)])
  for (const site of sites) fs.rmSync(site, { recursive: true, force: true })
})

async function page(server: KilnServer, pathname: string) {
  const response = await get(server, pathname)
  return { status: response.status, body: await response.text() }
}

describe('CONTENT_LAYOUT=auto', () => {
  it("serves a Jekyll site's _posts/ at /blog/<slug> without a link, and its pages", async () => {
    const plain = await page(jekyll, '/blog/plain')
    expect(plain.status).toBe(200)
    expect(plain.body).toContain('Nothing but Markdown here.')
    expect((await page(jekyll, '/blog')).body).toContain('href="/blog/plain"')
    expect((await page(jekyll, '/blog/rss.xml')).body).toContain('/blog/plain</link>')
    expect((await page(jekyll, '/colophon')).body).toContain('Colophon words.')
    expect(fs.existsSync(path.join(sites[0], 'blog'))).toBe(false)
  })

  it("serves a Jekyll site's own pages at its top at /<name>, with their titles, and never its README", async () => {
    const about = await page(jekyll, '/about')
    expect(about.status).toBe(200)
    expect(about.body).toContain('<title>About this Jekyll site')
    expect(about.body).toContain('Kiln serves its about page where Jekyll did.')
    const contact = await page(jekyll, '/contact')
    expect(contact.status).toBe(200)
    expect(contact.body).toContain('<em>author</em>')
    for (const pathname of ['/README', '/readme', '/index', '/_config']) {
      expect((await page(jekyll, pathname)).status, pathname).toBe(404)
    }
  })

  it("keeps Kiln's own routes before a page of the same name", async () => {
    const tags = await page(jekyll, '/tags')
    expect(tags.status).toBe(200)
    expect(tags.body).toContain('href="/tags/notes"')
    expect(tags.body).not.toContain('Shadowing words.')
    expect(logText(jekyll)).toContain("pages/tags.md: /tags is Kiln's own address")
  })

  it("serves a Hugo site's content/posts/, files (with their slug) and leaf bundles", async () => {
    const plain = await page(hugo, '/blog/hugo-plain')
    expect(plain.status).toBe(200)
    expect(plain.body).toContain('Plain words.')
    const bundle = await page(hugo, '/blog/bundle')
    expect(bundle.status).toBe(200)
    expect(bundle.body).toContain('A page bundle')
    const list = (await page(hugo, '/blog')).body
    expect(list).toContain('href="/blog/hugo-plain"')
    expect(list).toContain('href="/blog/bundle"')
    // Its shortcode keeps first.md from compiling, but not from being found where it is.
    expect(list).toContain('href="/blog/first"')
  })

  it("serves a Hugo site's content/about.md and a section's _index.md at /<name>, and no README", async () => {
    const about = await page(hugo, '/about')
    expect(about.status).toBe(200)
    expect(about.body).toContain('<title>About this Hugo site')
    expect(about.body).toContain('content/about.md at /about.')
    const docs = await page(hugo, '/docs')
    expect(docs.status).toBe(200)
    expect(docs.body).toContain('<title>Documentation')
    for (const pathname of ['/README', '/docs/install', '/install', '/posts', '/_index']) {
      expect((await page(hugo, pathname)).status, pathname).toBe(404)
    }
  })
})
