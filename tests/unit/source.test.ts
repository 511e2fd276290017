import fs from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  hashEntry,
  readEntrySource,
  sameStamps,
  scanContent,
  type SourceEntry,
} from '../../app/content/source.server.ts'
import { makeTempDir, type TempDir } from './temp-dir.ts'

let tmp: TempDir

function entry(slug: string, kind: 'post' | 'page' = 'post'): SourceEntry {
  const found = scanContent(tmp.root).entries.find((e) => e.slug === slug && e.kind === kind)
  if (!found) throw new Error(`no ${kind} ${slug}`)
  return found
}

function writeBlog(): void {
  tmp.write('blog/a.mdx', '# A\n')
  tmp.write('blog/b.md', '# B\n')
  tmp.write('blog/c/index.mdx', "import W from './widget.tsx'\n\n<W />\n")
  tmp.write('blog/c/widget.tsx', 'export default function W() { return null }\n')
  tmp.write('blog/c/data/x.json', '{"x": 1}\n')
  tmp.write('blog/_partial.mdx', 'partial\n')
  tmp.write('blog/.hidden.mdx', 'hidden\n')
  tmp.write('blog/no-index/notes.txt', 'no index here\n')
  tmp.write('blog/has space.mdx', 'bad name\n')
  tmp.write('blog/d.mdx', 'file d\n')
  tmp.write('blog/d/index.mdx', 'folder d\n')
  tmp.write('blog/notes.txt', 'not a post\n')
  tmp.write('pages/about.mdx', 'about\n')
  tmp.write('pages/uses/index.md', 'uses\n')
}

beforeEach(() => {
  tmp = makeTempDir('kiln-source-')
})

afterEach(() => {
  tmp.cleanup()
})

describe('scanContent', () => {
  it('gives nothing for an empty content folder', () => {
    expect(scanContent(tmp.root)).toEqual({ entries: [], skipped: [], missingFolders: ['post', 'page'] })
  })

  it('finds one-file posts (.mdx and .md), folder posts and pages', () => {
    writeBlog()
    const { entries } = scanContent(tmp.root)
    const summary = entries.filter((e) => e.slug !== 'd').map((e) => `${e.kind}:${e.slug}:${e.path}`)
    expect(summary.sort()).toEqual(
      [
        'page:about:pages/about.mdx',
        'page:uses:pages/uses/index.md',
        'post:a:blog/a.mdx',
        'post:b:blog/b.md',
        'post:c:blog/c/index.mdx',
      ].sort(),
    )
    const d = entries.filter((e) => e.slug === 'd')
    expect(d).toHaveLength(1)
    expect(['blog/d.mdx', 'blog/d/index.mdx']).toContain(d[0].path)
  })

  it('lists a folder post with its entry file first and every sibling file, nested ones too', () => {
    writeBlog()
    const c = entry('c')
    expect(c.files.map((f) => f[0])).toEqual(['blog/c/index.mdx', 'blog/c/data/x.json', 'blog/c/widget.tsx'])
    for (const [relative, mtimeMs, size] of c.files) {
      const stat = fs.statSync(tmp.abs(relative))
      expect(mtimeMs).toBe(stat.mtimeMs)
      expect(size).toBe(stat.size)
    }
  })

  it('hashes every file of a folder post, "_" names included, but not dot files or node_modules', () => {
    writeBlog()
    tmp.write('blog/c/.DS_Store', 'junk')
    tmp.write('blog/c/_draft-widget.tsx', 'export {}')
    tmp.write('blog/c/node_modules/dep/index.js', 'module.exports = 1')
    expect(entry('c').files.map((f) => f[0])).toEqual([
      'blog/c/index.mdx',
      'blog/c/_draft-widget.tsx',
      'blog/c/data/x.json',
      'blog/c/widget.tsx',
    ])
  })

  it(
    'ignores names starting with "_" or "." and files that are ' + 'not .md or .mdx, without listing them as skipped',
    () => {
      writeBlog()
      const { entries, skipped } = scanContent(tmp.root)
      const slugs = entries.map((e) => e.slug)
      expect(slugs).not.toContain('_partial')
      expect(slugs).not.toContain('.hidden')
      expect(slugs).not.toContain('notes')
      const skippedPaths = skipped.map((s) => s.path)
      expect(skippedPaths).not.toContain('blog/_partial.mdx')
      expect(skippedPaths).not.toContain('blog/.hidden.mdx')
      expect(skippedPaths).not.toContain('blog/notes.txt')
    },
  )

  it('skips a folder without an index file, with a reason', () => {
    writeBlog()
    const { entries, skipped } = scanContent(tmp.root)
    expect(entries.map((e) => e.slug)).not.toContain('no-index')
    expect(skipped).toContainEqual({ path: 'blog/no-index', reason: 'folder has no index.mdx or index.md' })
  })

  it('skips a file whose name is not a valid slug', () => {
    writeBlog()
    const { entries, skipped } = scanContent(tmp.root)
    expect(entries.map((e) => e.slug)).not.toContain('has space')
    const bad = skipped.find((s) => s.path === 'blog/has space.mdx')
    expect(bad?.reason).toMatch(/"has space" is not a valid slug/)
  })

  it('keeps one of two entries with the same slug and skips the other, naming the winner', () => {
    writeBlog()
    const { entries, skipped } = scanContent(tmp.root)
    const ds = entries.filter((e) => e.kind === 'post' && e.slug === 'd')
    expect(ds).toHaveLength(1)
    const clash = skipped.filter((s) => s.path === 'blog/d.mdx' || s.path === 'blog/d')
    expect(clash).toHaveLength(1)
    expect(clash[0].reason).toMatch(/slug "d" is already taken by blog\/d/)
  })

  it('treats a .md and a .mdx with the same name as a clash', () => {
    tmp.write('blog/e.md', 'md')
    tmp.write('blog/e.mdx', 'mdx')
    const { entries, skipped } = scanContent(tmp.root)
    expect(entries.filter((e) => e.slug === 'e')).toHaveLength(1)
    expect(skipped).toHaveLength(1)
    expect(skipped[0].reason).toMatch(/already taken/)
  })

  it('lets a post and a page share a name', () => {
    tmp.write('blog/about.mdx', 'post')
    tmp.write('pages/about.mdx', 'page')
    const { entries, skipped } = scanContent(tmp.root)
    expect(entries.map((e) => `${e.kind}:${e.slug}`).sort()).toEqual(['page:about', 'post:about'])
    expect(skipped).toEqual([])
  })

  it('prefers index.mdx to index.md in a folder post and hashes the other as a sibling', () => {
    tmp.write('blog/f/index.mdx', 'mdx')
    tmp.write('blog/f/index.md', 'md')
    const f = entry('f')
    expect(f.path).toBe('blog/f/index.mdx')
    expect(f.files.map((x) => x[0])).toEqual(['blog/f/index.mdx', 'blog/f/index.md'])
  })

  it('works with only pages', () => {
    tmp.write('pages/now.md', 'now')
    expect(scanContent(tmp.root).entries).toEqual([
      { kind: 'page', slug: 'now', path: 'pages/now.md', files: [expect.any(Array)] },
    ])
  })
})

describe('hashEntry', () => {
  it('is stable when nothing changes, and differs between entries', () => {
    writeBlog()
    const c = entry('c')
    const first = hashEntry(tmp.root, c.files)
    expect(first).toMatch(/^[0-9a-f]{32}$/)
    expect(hashEntry(tmp.root, c.files)).toBe(first)
    expect(hashEntry(tmp.root, entry('c').files)).toBe(first)
    expect(hashEntry(tmp.root, entry('a').files)).not.toBe(first)
  })

  it('does not depend on the order of the stamps', () => {
    writeBlog()
    const c = entry('c')
    expect(hashEntry(tmp.root, [...c.files].reverse())).toBe(hashEntry(tmp.root, c.files))
  })

  it('changes when a sibling file changes its bytes, even at the same size', () => {
    writeBlog()
    const before = hashEntry(tmp.root, entry('c').files)
    const original = tmp.read('blog/c/widget.tsx')
    tmp.write('blog/c/widget.tsx', original.replace('null', 'nill'))
    expect(tmp.read('blog/c/widget.tsx').length).toBe(original.length)
    const after = hashEntry(tmp.root, entry('c').files)
    expect(after).not.toBe(before)
    tmp.write('blog/c/widget.tsx', original)
    expect(hashEntry(tmp.root, entry('c').files)).toBe(before)
  })

  it('changes when a nested data file changes, or a sibling is added', () => {
    writeBlog()
    const before = hashEntry(tmp.root, entry('c').files)
    tmp.write('blog/c/data/x.json', '{"x": 2}\n')
    const afterEdit = hashEntry(tmp.root, entry('c').files)
    expect(afterEdit).not.toBe(before)
    tmp.write('blog/c/extra.css', '.a{}')
    expect(hashEntry(tmp.root, entry('c').files)).not.toBe(afterEdit)
  })

  it('changes when the entry file is renamed with the same bytes', () => {
    tmp.write('blog/g.mdx', 'same bytes')
    const before = hashEntry(tmp.root, entry('g').files)
    fs.renameSync(tmp.abs('blog/g.mdx'), tmp.abs('blog/g.md'))
    expect(hashEntry(tmp.root, entry('g').files)).not.toBe(before)
  })

  it('does not change when only the mtime changes', () => {
    writeBlog()
    const before = hashEntry(tmp.root, entry('a').files)
    const later = new Date(Date.now() + 60_000)
    fs.utimesSync(tmp.abs('blog/a.mdx'), later, later)
    expect(hashEntry(tmp.root, entry('a').files)).toBe(before)
  })

  it('throws when a listed file has vanished', () => {
    writeBlog()
    const c = entry('c')
    tmp.remove('blog/c/widget.tsx')
    expect(() => hashEntry(tmp.root, c.files)).toThrow(/ENOENT/)
  })
})

describe('sameStamps', () => {
  it('is true for two scans of an unchanged entry', () => {
    writeBlog()
    expect(sameStamps(entry('c').files, entry('c').files)).toBe(true)
  })

  it('is false when a file changes size, or its mtime moves', () => {
    writeBlog()
    const before = entry('c').files
    tmp.write('blog/c/widget.tsx', 'export default function W() { return "longer" }\n')
    expect(sameStamps(before, entry('c').files)).toBe(false)

    const now = entry('c').files
    const later = new Date(Date.now() + 120_000)
    fs.utimesSync(tmp.abs('blog/c/data/x.json'), later, later)
    expect(sameStamps(now, entry('c').files)).toBe(false)
  })

  it('is false when a file is added or the names differ', () => {
    writeBlog()
    const before = entry('c').files
    tmp.write('blog/c/more.ts', 'export {}')
    expect(sameStamps(before, entry('c').files)).toBe(false)
    expect(sameStamps([['blog/a.mdx', 1, 2]], [['blog/b.mdx', 1, 2]])).toBe(false)
    expect(sameStamps([['blog/a.mdx', 1, 2]], [['blog/a.mdx', 1, 2]])).toBe(true)
    expect(sameStamps([], [])).toBe(true)
  })
})

describe('readEntrySource', () => {
  it('reads an entry file as text', () => {
    tmp.write('blog/h.mdx', 'héllo\n')
    expect(readEntrySource(tmp.root, 'blog/h.mdx')).toBe('héllo\n')
  })
})
