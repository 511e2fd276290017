/**
 * The content folder's limits as pure functions and against a real SQLite index: frontmatter
 * bombs and sizes, the imports that make up a post's version, and the vanished-folder guard.
 */
import fs from 'node:fs'
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest'
import { openDatabase, type DB } from '../../app/db/connection.server.ts'
import { getEntry, listAllEntries, syncContentIndex } from '../../app/content/content-index.server.ts'
import { FrontmatterError, parseFrontmatter } from '../../app/content/frontmatter.ts'
import { importSpecifiers } from '../../app/content/source.server.ts'
import { makeTempDir, realMigrationsDir, type TempDir } from './temp-dir.ts'

const post = (title: string, body = 'Body.', extra = '') =>
  `---\ntitle: ${title}\ndate: 2026-03-01\n${extra}---\n\n${body}\n`

function frontmatterError(source: string): FrontmatterError {
  try {
    parseFrontmatter(source, { requireDate: true })
  } catch (error) {
    if (error instanceof FrontmatterError) return error
    throw error
  }
  throw new Error('no error')
}

describe('frontmatter limits', () => {
  it('refuses aliases that expand past the bound, at the line of the first alias', () => {
    const lines = [
      '---',
      'title: Laughs',
      'date: 2026-03-01',
      'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]',
    ]
    for (const [name, previous] of [
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'c'],
      ['e', 'd'],
      ['f', 'e'],
    ]) {
      lines.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`)
    }
    lines.push('---', '', 'Ha.')
    const error = frontmatterError(lines.join('\n'))
    expect(error.message).toMatch(/expands to more than 10000 values \(through YAML aliases\)/)
    expect(error.line).toBe(5)
  })

  it('keeps a few aliases that stay small', () => {
    const fm = parseFrontmatter('---\ntitle: Small\ndate: 2026-03-01\nbase: &base [x, y]\ntags: *base\n---\n', {
      requireDate: true,
    })
    expect(fm.tags).toEqual(['x', 'y'])
  })

  it('refuses frontmatter over 64 KB and nesting past 64 levels, at line 1', () => {
    const big = frontmatterError(post('Big', 'b', `filler: "${'x'.repeat(70 * 1024)}"\n`))
    expect(big.message).toMatch(/larger than 64 KB/)
    expect(big.line).toBe(1)
    const deep = frontmatterError(post('Deep', 'b', `deep: ${'['.repeat(200)}${']'.repeat(200)}\n`))
    // js-yaml stops such nesting itself, or the bound does: either way an error of the post.
    expect(deep.message).toMatch(/nests deeper than 64 levels|nesting exceeded/)
  })
})

describe('importSpecifiers', () => {
  it('finds static, multi-line, re-exported, side-effect, dynamic and required imports', () => {
    const source = [
      "import A from './a.jsx'",
      'import {',
      '  B,',
      '  C,',
      "} from '../_components/bc'",
      "export { D } from './d.ts'",
      "import './side.css'",
      "const E = await import('./e.js')",
      "const F = require('./f.json')",
      "import React from 'react'",
    ].join('\n')
    expect(importSpecifiers(source).sort()).toEqual(
      ['../_components/bc', './a.jsx', './d.ts', './e.js', './f.json', './side.css', 'react'].sort(),
    )
  })

  it('stays linear on text full of the word import', () => {
    const text = 'import '.repeat(100_000) + 'import from '.repeat(100_000)
    const start = performance.now()
    expect(importSpecifiers(text)).toEqual([])
    // A guard against a quadratic pattern, not a timing claim: quadratic here is minutes.
    expect(performance.now() - start).toBeLessThan(20_000)
  })
})

describe('syncContentIndex', () => {
  let tmp: TempDir
  let content: string
  let db: DB
  let log: MockInstance<typeof console.log>
  const write = (relative: string, text: string) => tmp.write(`content/${relative}`, text)
  const bump = (relative: string) => {
    const file = tmp.abs(`content/${relative}`)
    const next = new Date(fs.statSync(file).mtimeMs + 10_000)
    fs.utimesSync(file, next, next)
  }

  beforeEach(() => {
    log = vi.spyOn(console, 'log').mockImplementation(() => {})
    tmp = makeTempDir('kiln-limits-')
    content = tmp.abs('content')
    fs.mkdirSync(content)
    db = openDatabase(tmp.abs('data/kiln.db'), realMigrationsDir)
  })

  afterEach(() => {
    db.close()
    tmp.cleanup()
    log.mockRestore()
  })

  it('counts shared imports, followed through other files, in the version', () => {
    write('blog/_components/note.jsx', "import { label } from './label.js'\nexport const Note = () => label\n")
    write('blog/_components/label.js', "export const label = 'one'\n")
    write('blog/uses.mdx', post('Uses', "import { Note } from './_components/note.jsx'\n\n<Note />"))
    write('blog/plain.mdx', post('Plain'))
    syncContentIndex(db, content)
    const before = { uses: getEntry(db, 'post', 'uses')!.sourceHash, plain: getEntry(db, 'post', 'plain')!.sourceHash }
    write('blog/_components/label.js', "export const label = 'two, longer'\n")
    bump('blog/_components/label.js')
    const result = syncContentIndex(db, content)
    expect(result.updated).toEqual([{ kind: 'post', slug: 'uses' }])
    expect(getEntry(db, 'post', 'uses')!.sourceHash).not.toBe(before.uses)
    expect(getEntry(db, 'post', 'plain')!.sourceHash).toBe(before.plain)
    // Unchanged since: nothing read, nothing updated.
    expect(syncContentIndex(db, content).updated).toEqual([])
  })

  it('records a post over the size limit as its error, without reading it', () => {
    write('blog/big.mdx', post('Big', 'x'.repeat(5000)))
    write('blog/small.mdx', post('Small'))
    const result = syncContentIndex(db, content, { maxPostBytes: 2000 })
    expect(result.invalid).toEqual([{ path: 'blog/big.mdx', error: expect.stringMatching(/over MAX_POST_BYTES/) }])
    expect(getEntry(db, 'post', 'big')!.title).toBe('big')
    expect(getEntry(db, 'post', 'small')!.frontmatterError).toBeNull()
  })

  it(
    'holds deletions when the folder is missing, blog/ is gone or ' + 'most entries vanished; honours confirmed ones',
    () => {
      for (let n = 1; n <= 12; n++) write(`blog/p${n}.mdx`, post(`P${n}`))
      syncContentIndex(db, content)
      expect(listAllEntries(db)).toHaveLength(12)

      fs.renameSync(content, `${content}.away`)
      expect(syncContentIndex(db, content).problem).toMatch(/is missing or unreadable/)
      fs.renameSync(`${content}.away`, content)

      fs.renameSync(`${content}/blog`, `${content}/blog.away`)
      const missing = syncContentIndex(db, content)
      expect(missing.problem).toMatch(/blog\/ is missing/)
      expect(missing.held).toHaveLength(12)
      fs.renameSync(`${content}/blog.away`, `${content}/blog`)

      for (let n = 2; n <= 12; n++) fs.rmSync(`${content}/blog/p${n}.mdx`)
      const most = syncContentIndex(db, content)
      expect(most.problem).toMatch(/holds only 1 of its 12 entries/)
      expect(most.deleted).toEqual([])
      expect(listAllEntries(db)).toHaveLength(12)

      const confirmed = syncContentIndex(db, content, {
        confirmedDeletions: new Set(Array.from({ length: 11 }, (_, i) => `blog/p${i + 2}.mdx`)),
      })
      expect(confirmed.problem).toBeNull()
      expect(confirmed.deleted).toHaveLength(11)
      expect(listAllEntries(db).map((entry) => entry.slug)).toEqual(['p1'])
    },
  )

  it('deletes the one post whose file is gone from a folder that is there', () => {
    for (let n = 1; n <= 12; n++) write(`blog/p${n}.mdx`, post(`P${n}`))
    syncContentIndex(db, content)
    fs.rmSync(`${content}/blog/p3.mdx`)
    const result = syncContentIndex(db, content)
    expect(result.deleted).toEqual([{ kind: 'post', slug: 'p3' }])
    expect(result.problem).toBeNull()
  })
})
