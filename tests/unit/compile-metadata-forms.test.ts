/**
 * The compiler reads metadata where other engines put it, from the same function as the
 * index: a TOML block is taken off the page, an exported literal stays a module export,
 * the first heading and the file name fill in what the metadata lacks.
 */
import fs from 'node:fs'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { getMDXExport } from 'mdx-bundler/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compileInThisThread } from '../../app/content/compile-mdx.server.ts'
import { tempDir, writeFiles } from '../helpers/server.ts'

let dir: string
beforeAll(() => {
  dir = tempDir('kiln-compile-metadata-')
  writeFiles(dir, {
    'blog/hugo.md': '+++\ntitle = "From TOML"\ndate = 2023-01-15\ntags = ["go"]\n+++\n\nHugo **body**.\n',
    'blog/next.mdx': [
      "import {Note} from './_note.jsx'",
      '',
      "export const metadata = { title: 'From export', date: new Date('2018-08-11'), tags: ['mdx'] }",
      '',
      'Text with <Note />.',
      '',
    ].join('\n'),
    'blog/named.mdx': "export const frontmatter = { title: 'Named frontmatter', date: '2020-02-02' }\n\nText.\n",
    'blog/_note.jsx': 'export function Note() { return <b>noted</b> }\n',
    'blog/2021-08-26-welcome/index.mdx': '# Welcome to the blog\n\nFirst post.\n',
  })
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const compile = (entryPath: string) => compileInThisThread({ contentDir: dir, entryPath, kind: 'post' })
const html = (code: string) => renderToStaticMarkup(createElement(getMDXExport(code).default as never))

describe('compileInThisThread: metadata forms', () => {
  it('takes a TOML block off the page and reads it', async () => {
    const compiled = await compile('blog/hugo.md')
    expect(compiled.frontmatter).toMatchObject({ title: 'From TOML', date: '2023-01-15', tags: ['go'] })
    const page = html(compiled.code)
    expect(page).toContain('<strong>body</strong>')
    expect(page).not.toContain('+++')
    expect(page).not.toContain('title =')
  })

  it('reads an exported literal statically and keeps it a module export', async () => {
    const compiled = await compile('blog/next.mdx')
    expect(compiled.frontmatter).toMatchObject({ title: 'From export', date: '2018-08-11', tags: ['mdx'] })
    const exports = getMDXExport(compiled.code) as unknown as { metadata: { title: string; date: Date } }
    expect(exports.metadata.title).toBe('From export')
    expect(exports.metadata.date).toBeInstanceOf(Date)
    expect(html(compiled.code)).toContain('<b>noted</b>')
  })

  it('compiles a post that exports its own `frontmatter`', async () => {
    const compiled = await compile('blog/named.mdx')
    expect(compiled.frontmatter).toMatchObject({ title: 'Named frontmatter', date: '2020-02-02' })
    const exports = getMDXExport(compiled.code) as unknown as { frontmatter: { title: string } }
    expect(exports.frontmatter.title).toBe('Named frontmatter')
  })

  it('takes the title from the first heading and the date from the folder name', async () => {
    const compiled = await compile('blog/2021-08-26-welcome/index.mdx')
    expect(compiled.frontmatter).toMatchObject({ title: 'Welcome to the blog', date: '2021-08-26' })
    // The page shows the title as its own <h1>: the heading is not shown a second time.
    expect(html(compiled.code)).not.toContain('Welcome to the blog')
    expect(html(compiled.code)).toContain('<p>First post.</p>')
  })

  it('keeps a # heading in the body when the metadata names the title', async () => {
    writeFiles(dir, { 'blog/titled.md': '---\ntitle: Named\ndate: 2020-01-01\n---\n\n# In the body\n' })
    expect(html((await compile('blog/titled.md')).code)).toMatch(/<h1[^>]*>In the body/)
  })
})
