import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { contentLayout } from '../../app/content/content-layout.server.ts'
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
