/**
 * The layouts other engines use, as the scan finds them: date-prefixed names, posts in
 * nested sections of blog/, a section's own `_index.md`, and the errors an author must fix
 * (two files with one address, an impossible date), each naming the file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import { hashEntry, importedFiles, scanContent } from '../../app/content/source.server.ts'
import { isValidSlugPath, MAX_SLUG_SEGMENTS, slugFromParams } from '../../app/content/slug.ts'
import { makeTempDir, type TempDir } from './temp-dir.ts'

let tmp: TempDir
beforeEach(() => {
  tmp = makeTempDir('kiln-layouts-')
})
afterEach(() => tmp.cleanup())

const summary = () =>
  scanContent(tmp.root)
    .entries.map((entry) => `${entry.kind}:${entry.slug}:${entry.path}`)
    .sort()

describe('scanContent: layouts of other engines', () => {
  it('drops a date prefix from a file or folder name', () => {
    tmp.write('blog/2023-01-15-my-post.md', 'x')
    tmp.write('blog/2021-08-26-welcome/index.mdx', 'x')
    tmp.write('blog/2021-08-26-welcome/cover.png', 'png')
    expect(summary()).toEqual([
      'post:my-post:blog/2023-01-15-my-post.md',
      'post:welcome:blog/2021-08-26-welcome/index.mdx',
    ])
  })

  it('refuses an impossible date in a name as an error naming the file, and serves the rest', () => {
    tmp.write('blog/2023-02-30-oops.md', 'x')
    tmp.write('blog/fine.md', 'x')
    const scan = scanContent(tmp.root)
    expect(scan.entries.map((entry) => entry.slug)).toEqual(['fine'])
    expect(scan.skipped).toEqual([
      {
        path: 'blog/2023-02-30-oops.md',
        reason: expect.stringMatching(/"2023-02-30" .* not a real date/),
        error: true,
      },
    ])
  })

  it('finds posts in nested sections, with slugs that keep the path, folder posts too', () => {
    tmp.write('blog/2023/my-post.mdx', 'x')
    tmp.write('blog/2023/2023-03-01-dated.md', 'x')
    tmp.write('blog/docs/intro.mdx', 'x')
    tmp.write('blog/docs/guides/setup/index.mdx', 'x')
    tmp.write('blog/docs/guides/setup/demo.tsx', 'x')
    tmp.write('blog/docs/_components/note.jsx', 'x')
    tmp.write('blog/docs/_draft.mdx', 'x')
    expect(summary()).toEqual([
      'post:2023/dated:blog/2023/2023-03-01-dated.md',
      'post:2023/my-post:blog/2023/my-post.mdx',
      'post:docs/guides/setup:blog/docs/guides/setup/index.mdx',
      'post:docs/intro:blog/docs/intro.mdx',
    ])
    const setup = scanContent(tmp.root).entries.find((entry) => entry.slug === 'docs/guides/setup')!
    expect(setup.files.map((file) => file[0])).toEqual([
      'blog/docs/guides/setup/index.mdx',
      'blog/docs/guides/setup/demo.tsx',
    ])
  })

  it("makes a section's _index.md its page at the section's address, and ignores blog/_index.md", () => {
    tmp.write('blog/_index.md', 'x')
    tmp.write('blog/docs/_index.md', 'x')
    tmp.write('blog/docs/intro.md', 'x')
    const scan = scanContent(tmp.root)
    expect(summary()).toEqual(['page:blog/docs:blog/docs/_index.md', 'post:docs/intro:blog/docs/intro.md'])
    expect(scan.skipped).toEqual([{ path: 'blog/_index.md', reason: expect.stringMatching(/\/blog list/) }])
  })

  it('names both files when two map to one address, and serves the first by path', () => {
    tmp.write('blog/2023-01-15-hello.md', 'dated')
    tmp.write('blog/hello.mdx', 'undated')
    tmp.write('blog/docs.md', 'a post at /blog/docs')
    tmp.write('blog/docs/_index.md', 'the section page at /blog/docs')
    tmp.write('blog/docs/a.md', 'x')
    const scan = scanContent(tmp.root)
    expect(scan.entries.map((entry) => entry.path).sort()).toEqual([
      'blog/2023-01-15-hello.md',
      'blog/docs/_index.md',
      'blog/docs/a.md',
    ])
    expect(scan.skipped).toEqual([
      {
        path: 'blog/docs.md',
        reason: 'slug "docs" is already taken by blog/docs/_index.md: both map to /blog/docs; rename one',
        error: true,
      },
      {
        path: 'blog/hello.mdx',
        reason: 'slug "hello" is already taken by blog/2023-01-15-hello.md: both map to /blog/hello; rename one',
        error: true,
      },
    ])
  })

  it(`reads sections at most ${MAX_SLUG_SEGMENTS} deep`, () => {
    tmp.write('blog/a/b/c/d/e/ok.md', 'x')
    tmp.write('blog/a/b/c/d/e/f/too-deep.md', 'x')
    const scan = scanContent(tmp.root)
    expect(scan.entries.map((entry) => entry.slug)).toEqual(['a/b/c/d/e/ok'])
    expect(scan.skipped).toContainEqual({ path: 'blog/a/b/c/d/e/f', reason: expect.stringMatching(/deeper than 6/) })
  })
})

describe('a nested post importing from a _ folder elsewhere in the content folder', () => {
  it('counts the shared file in its version, which moves when the file changes', () => {
    tmp.write('_components/note.jsx', 'export const Note = () => "one"\n')
    tmp.write('blog/2023/deep/post.mdx', "import {Note} from '../../../_components/note.jsx'\n\n<Note />\n")
    const post = scanContent(tmp.root).entries.find((entry) => entry.slug === '2023/deep/post')!
    const source = fs.readFileSync(tmp.abs(post.path), 'utf8')
    const imported = importedFiles(tmp.root, post.path, source, 1024 * 1024)
    expect(imported.map((file) => file[0])).toEqual(['_components/note.jsx'])
    const before = hashEntry(tmp.root, [...post.files, ...imported])
    tmp.write('_components/note.jsx', 'export const Note = () => "two"\n')
    expect(hashEntry(tmp.root, [...post.files, ...imported])).not.toBe(before)
  })
})

describe('slug paths', () => {
  it('accepts valid segments joined by "/" and nothing else', () => {
    for (const good of ['a', '2023/my-post', 'docs/guides/setup', 'a/b/c/d/e/f'])
      expect(isValidSlugPath(good)).toBe(true)
    for (const bad of ['a/b/c/d/e/f/g', 'a//b', '/a', 'a/', 'a/../b', 'a/.env', 'a\\b', 'a/%2e%2e', '', 'a/b c', 7]) {
      expect(isValidSlugPath(bad)).toBe(false)
    }
    expect(isValidSlugPath(Array(5).fill('a'.repeat(170)).join('/'))).toBe(false)
  })

  it("joins a nested post route's parameters in order", () => {
    expect(slugFromParams({ s1: '2023', s2: 'my-post' })).toBe('2023/my-post')
    expect(slugFromParams({ o1: 'x' }, 'o')).toBe('x')
    expect(slugFromParams({})).toBe('')
  })
})
