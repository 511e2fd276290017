import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { syncContentIndex } from '../../app/content/content-index.server.ts'
import { openDatabase } from '../../app/db/connection.server.ts'
import { log } from '../../app/logging/logger.server.ts'
import { contentLayout } from '../../app/content/content-layout.server.ts'
import { KILN_ROUTE_NAMES } from '../../app/content/slug.ts'
import { scanContent, scanFiles } from '../../app/content/source.server.ts'
import { makeTempDir, realMigrationsDir, type TempDir } from './temp-dir.ts'

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
    expect(contentLayout(fixture('mixed'), 'jekyll').folders).toEqual({
      post: '_posts',
      page: 'pages',
      loosePages: { folder: '', skip: ['_posts', 'pages'], postsName: '_posts' },
    })
    expect(contentLayout(fixture('jekyll'), 'kiln').folders).toEqual({ post: 'blog', page: 'pages' })
  })

  it("gives another engine's posts their addresses under /blog, with the file paths the server reads", () => {
    const hugo = contentLayout(fixture('hugo'), 'auto')
    const { entries } = scanContent(fixture('hugo'), hugo.folders)
    expect(entries.map(({ kind, slug, path }) => `${kind} ${slug} ${path}`)).toEqual([
      'post bundle content/posts/bundle/index.md',
      'post first content/posts/first.md',
      'page about content/about.md',
      'page docs content/docs/_index.md',
    ])
    expect(fs.existsSync(path.join(fixture('hugo'), 'blog'))).toBe(false)
  })
})

describe("another engine's standalone pages", () => {
  const pages = (scan: ReturnType<typeof scanContent>) =>
    scan.entries.filter((entry) => entry.kind === 'page').map(({ slug, path }) => `${slug} ${path}`)

  it("serves a Jekyll site's pages at its top, file or folder, and says why README and index are not", () => {
    const scan = scanContent(fixture('jekyll'), contentLayout(fixture('jekyll'), 'auto').folders)
    expect(pages(scan)).toEqual(['about about.md', 'contact contact/index.markdown'])
    expect(scan.skipped).toEqual(
      expect.arrayContaining([
        { path: 'index.md', reason: "it is the site's home page: Kiln's / is the list of posts" },
        { path: 'README.md', reason: "README.md is the repository's, not a page of the site" },
      ]),
    )
    // The engine's folder of pages is there: no pages/ is no sign of a vanished folder.
    expect(scanFiles(fixture('jekyll'), contentLayout(fixture('jekyll'), 'auto').folders).missingFolders).toBe(
      undefined,
    )
  })

  it("serves a Hugo site's content/about.md and a section's _index.md, one level deep", () => {
    const scan = scanContent(fixture('hugo'), contentLayout(fixture('hugo'), 'auto').folders)
    expect(pages(scan)).toEqual(['about content/about.md', 'docs content/docs/_index.md'])
    expect(scan.skipped).toEqual(
      expect.arrayContaining([
        { path: 'content/_index.md', reason: "it is the site's home page: Kiln's / is the list of posts" },
        { path: 'content/README.md', reason: "README.md is the repository's, not a page of the site" },
        {
          path: 'content/docs',
          reason: 'only its _index.md is served, at /docs: pages are read one level deep',
        },
      ]),
    )
    expect(scan.entries.map((entry) => entry.path)).not.toContain('content/docs/install.md')
  })

  it('takes only Markdown pages of the site, never a repository file, output, dependency or Kiln route', () => {
    tmp = makeTempDir('kiln-layout-')
    tmp.write('_config.yml', 'title: Site\n')
    tmp.write('_posts/2020-01-01-post.md', '---\ntitle: Post\n---\n')
    const page = (title: string) => `---\ntitle: ${title}\n---\n`
    for (const file of [
      'about.md',
      'now.mdx',
      'uses.markdown',
      'team/index.md',
      'LICENSE.md',
      'CHANGELOG.md',
      'CONTRIBUTING.md',
      'CODE_OF_CONDUCT.md',
      '404.md',
      'Tags.md',
      'feed/index.md',
      'bad name.md',
      'notes.txt',
      'talks.html',
      '_drafts/secret.md',
      '_site/about/index.md',
      '.github/index.md',
      'node_modules/pkg/index.md',
      'dist/index.md',
      'public/index.md',
      'build/index.md',
      'vendor/index.md',
      'assets/deep/index.md',
      'search/index.md',
      'colophon.md',
      'pages/colophon.md',
    ])
      tmp.write(file, page(file))
    const scan = scanContent(tmp.abs('.'), contentLayout(tmp.abs('.'), 'auto').folders)
    expect(pages(scan)).toEqual([
      'colophon pages/colophon.md',
      'about about.md',
      'feed feed/index.md',
      'now now.mdx',
      'team team/index.md',
      'uses uses.markdown',
    ])
    const repository = (name: string) => ({ path: name, reason: `${name} is the repository's, not a page of the site` })
    expect(scan.skipped).toEqual([
      repository('404.md'),
      repository('CHANGELOG.md'),
      repository('CODE_OF_CONDUCT.md'),
      repository('CONTRIBUTING.md'),
      repository('LICENSE.md'),
      { path: 'Tags.md', reason: "/Tags is Kiln's own address: give the page another name", error: true },
      { path: 'bad name.md', reason: '"bad name" is not a valid slug (letters, digits, ".", "-", "_")' },
      { path: 'search', reason: "/search is Kiln's own address: give the page another name", error: true },
      {
        path: 'colophon.md',
        reason: 'slug "colophon" is already taken by pages/colophon.md: both map to /colophon; rename one',
        error: true,
      },
    ])
  })

  it("never takes the posts' folder's own address, and reads Astro's and Docusaurus's src/pages", () => {
    tmp = makeTempDir('kiln-layout-')
    tmp.write('hugo/hugo.toml', 'title = "Site"\n')
    tmp.write('hugo/content/posts/one.md', '---\ntitle: One\ndate: 2020-01-01\n---\n')
    tmp.write('hugo/content/posts.md', '---\ntitle: Posts\n---\n')
    tmp.write('hugo/content/posts/_index.md', '---\ntitle: Posts\n---\n')
    const hugo = scanContent(tmp.abs('hugo'), contentLayout(tmp.abs('hugo'), 'auto').folders)
    expect(pages(hugo)).toEqual([])
    expect(hugo.skipped).toContainEqual({
      path: 'content/posts.md',
      reason: "/posts is the posts' section (posts/), served at /blog",
    })

    for (const engine of ['astro', 'docusaurus']) {
      tmp.write(`${engine}/${engine}.config.mjs`, 'export default {}\n')
      tmp.write(`${engine}/src/pages/about.mdx`, '# About\n')
      tmp.write(`${engine}/src/pages/index.astro`, '---\n---\n')
      tmp.write(`${engine}/src/pages/index.md`, '# Home\n')
      const scan = scanContent(tmp.abs(engine), contentLayout(tmp.abs(engine), 'auto').folders)
      expect(pages(scan), engine).toEqual(['about src/pages/about.mdx'])
      expect(scan.skipped, engine).toEqual([
        { path: 'src/pages/index.md', reason: "it is the site's home page: Kiln's / is the list of posts" },
      ])
    }
  })

  it('indexes them in a real database, and deletes one whose file is gone though the site has no pages/', () => {
    // openDatabase announces the migrations it applied: keep the test output quiet.
    const quiet = vi.spyOn(log, 'info').mockImplementation(() => {})
    tmp = makeTempDir('kiln-layout-')
    tmp.write('site/_config.yml', 'title: Site\n')
    tmp.write('site/_posts/2020-01-01-post.md', '---\ntitle: Post\n---\n\nWords.\n')
    tmp.write('site/about.md', '---\ntitle: About\n---\n\nAbout words.\n')
    tmp.write('site/uses/index.md', '---\ntitle: Uses\n---\n\nTools.\n')
    const db = openDatabase(tmp.abs('data/kiln.db'), realMigrationsDir)
    try {
      const first = syncContentIndex(db, tmp.abs('site'), { layout: 'auto' })
      expect(first.added).toEqual(
        expect.arrayContaining([
          { kind: 'page', slug: 'about' },
          { kind: 'page', slug: 'uses' },
          { kind: 'post', slug: 'post' },
        ]),
      )
      const row = db.prepare(`SELECT path, title FROM content_entries WHERE kind = 'page' AND slug = 'about'`).get()
      expect(row).toEqual({ path: 'about.md', title: 'About' })
      fs.rmSync(tmp.abs('site/about.md'))
      expect(syncContentIndex(db, tmp.abs('site'), { layout: 'auto' })).toMatchObject({
        deleted: [{ kind: 'page', slug: 'about' }],
        held: [],
      })
    } finally {
      db.close()
      quiet.mockRestore()
    }
  })

  it("keeps Kiln's own layout as it is: Markdown beside blog/ and pages/ is no page", () => {
    tmp = makeTempDir('kiln-layout-')
    tmp.write('blog/post.md', '---\ntitle: Post\ndate: 2026-01-01\n---\n')
    tmp.write('about.md', '---\ntitle: About\n---\n')
    tmp.write('README.md', '# Notes\n')
    const layout = contentLayout(tmp.abs('.'), 'auto')
    expect(layout.folders).toEqual({ post: 'blog', page: 'pages' })
    const scan = scanContent(tmp.abs('.'), layout.folders)
    expect(scan.entries.map(({ kind, slug }) => `${kind} ${slug}`)).toEqual(['post post'])
    expect(scan.skipped).toEqual([])
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
