import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { contentLayout } from '../../app/content/content-layout.server.ts'
import { KILN_ROUTE_NAMES } from '../../app/content/slug.ts'
import { scanContent } from '../../app/content/source.server.ts'
import { makeTempDir, type TempDir } from './temp-dir.ts'

const fixture = (engine: string) => path.join(import.meta.dirname, '..', 'fixtures', 'engines', engine)

let tmp: TempDir | undefined
afterEach(() => tmp?.cleanup())

describe('contentLayout', () => {
  it.each([
    ['jekyll', 'jekyll', { post: '_posts', page: 'pages' }],
    ['hugo', 'hugo', { post: 'content/posts', page: 'content/pages' }],
    ['astro', 'astro', { post: 'src/content/blog', page: 'src/content/pages' }],
    ['next', 'next', { post: 'posts', page: 'pages' }],
    ['docusaurus', 'docusaurus', { post: 'blog', page: 'pages' }],
    ['mixed', 'kiln', { post: 'blog', page: 'pages' }],
  ])('auto reads the %s site as %s, from %j', (site, engine, folders) => {
    expect(contentLayout(fixture(site), 'auto')).toMatchObject({ engine, folders })
  })

  it("keeps Kiln's own layout when blog/ is there and the engine's posts folder is not", () => {
    tmp = makeTempDir('kiln-layout-')
    tmp.write('config.toml', 'title = "not a Hugo site"\n')
    tmp.write('blog/post.mdx', '---\ntitle: Post\ndate: 2026-01-01\n---\n')
    expect(contentLayout(tmp.abs('.'), 'auto')).toMatchObject({
      engine: 'kiln',
      folders: { post: 'blog', page: 'pages' },
    })
  })

  it('reads the folders a setting names, whatever the files say', () => {
    expect(contentLayout(fixture('mixed'), 'jekyll').folders).toEqual({ post: '_posts', page: 'pages' })
    expect(contentLayout(fixture('jekyll'), 'kiln').folders).toEqual({ post: 'blog', page: 'pages' })
  })

  it("gives another engine's posts their addresses under /blog, with the file paths the server reads", () => {
    const hugo = contentLayout(fixture('hugo'), 'auto')
    const { entries } = scanContent(fixture('hugo'), hugo.folders)
    expect(entries.map(({ kind, slug, path }) => `${kind} ${slug} ${path}`)).toEqual([
      'post bundle content/posts/bundle/index.md',
      'post first content/posts/first.md',
    ])
    expect(fs.existsSync(path.join(fixture('hugo'), 'blog'))).toBe(false)
  })
})

describe("Kiln's own addresses", () => {
  it('names the first segment of every fixed route in app/routes', () => {
    const routes = fs.readdirSync(path.join(import.meta.dirname, '..', '..', 'app', 'routes'))
    const fixed = routes
      .map((file) => file.replace(/\.tsx?$/, '').replaceAll('[.]', '\0'))
      .filter((name) => !name.startsWith('$') && !name.startsWith('_index'))
      .map((name) => name.split('.')[0].replace(/_$/, '').replaceAll('\0', '.'))
    expect([...KILN_ROUTE_NAMES].sort()).toEqual([...new Set(fixed)].sort())
  })

  it('never gives a page one of them, by file name or by slug, and says why', () => {
    tmp = makeTempDir('kiln-layout-')
    tmp.write('pages/Tags.md', '---\ntitle: Tags\n---\n')
    tmp.write('pages/admin/index.md', '---\ntitle: Admin\n---\n')
    tmp.write('pages/about.md', '---\ntitle: About\nslug: search\n---\n')
    const scan = scanContent(tmp.abs('.'))
    expect(scan.entries.map(({ kind, slug }) => `${kind} ${slug}`)).toEqual(['page about'])
    expect(scan.skipped).toEqual([
      { path: 'pages/Tags.md', reason: "/Tags is Kiln's own address: give the page another name", error: true },
      { path: 'pages/admin', reason: "/admin is Kiln's own address: give the page another name", error: true },
      {
        path: 'pages/about.md',
        reason: expect.stringMatching(/"slug: search": \/search is Kiln's own address.*: served at \/about$/),
        error: true,
        line: 3,
      },
    ])
  })
})
