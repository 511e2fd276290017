import fs from 'node:fs'
import { log as logger } from '../../app/logging/logger.server.ts'
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest'
import { openDatabase, type DB } from '../../app/db/connection.server.ts'
import {
  contentIndexSyncCounts,
  countEntries,
  getEntry,
  getIndexVersion,
  listAllEntries,
  listPages,
  listPosts,
  listTags,
  syncContentIndex,
} from '../../app/content/content-index.server.ts'
import type { EntryKey } from '../../app/content/source.server.ts'
import { bumpIndexVersion, forgetIndexFormat } from '../../app/content/kiln-state.server.ts'
import { makeTempDir, post, realMigrationsDir, type TempDir } from './temp-dir.ts'

let tmp: TempDir
let content: string
let db: DB
let log: MockInstance<typeof logger.info>

beforeEach(() => {
  // openDatabase announces the migrations it applied (through the logger); keep the test output quiet.
  log = vi.spyOn(logger, 'info').mockImplementation(() => {})
  tmp = makeTempDir('kiln-index-')
  content = tmp.abs('content')
  fs.mkdirSync(content)
  db = openDatabase(tmp.abs('data/kiln.db'), realMigrationsDir)
})

afterEach(() => {
  db.close()
  tmp.cleanup()
  log.mockRestore()
})

const write = (relative: string, text: string) => tmp.write(`content/${relative}`, text)

const postKey = (slug: string): EntryKey => ({ kind: 'post', slug })
const pageKey = (slug: string): EntryKey => ({ kind: 'page', slug })
/** A sync reports entries in the order the folder lists them: sorted here by kind, then slug. */
const sorted = (keys: EntryKey[]) =>
  [...keys].sort((a, b) => a.kind.localeCompare(b.kind) || a.slug.localeCompare(b.slug))

/** Moves a file's mtime forward so a rewrite is seen even within the same millisecond. */
function bumpMtime(relative: string, seconds = 10): void {
  const file = tmp.abs(`content/${relative}`)
  const next = new Date(fs.statSync(file).mtimeMs + seconds * 1000)
  fs.utimesSync(file, next, next)
}

function writeSample(): void {
  write('blog/first.mdx', post('First post', '2026-01-10', 'The very first words.', ['tags: [React, Testing]']))
  write('blog/second.mdx', post('Second post', '2026-02-20', 'Second words.', ['tags: [react]']))
  write(
    'blog/third/index.mdx',
    post('Third post', '2026-03-05', "import W from './w.tsx'\n\n<W />", ['tags: "CSS, react"']),
  )
  write('blog/third/w.tsx', 'export default function W() { return null }\n')
  write(
    'blog/wip.mdx',
    post('Work in progress', '2026-04-01', 'Draft words.', ['draft: true', 'tags: [react, secret]']),
  )
  write('pages/about.mdx', '---\ntitle: About\n---\n\nAbout this blog.\n')
}

describe('syncContentIndex', () => {
  it('starts from a freshly migrated database', () => {
    expect(log).toHaveBeenCalledWith(expect.stringContaining('applied migrations: 20261125000000_content_store'))
    expect(listAllEntries(db)).toEqual([])
    expect(syncContentIndex(db, content)).toEqual({
      added: [],
      updated: [],
      deleted: [],
      skipped: [],
      invalid: [],
      held: [],
      problem: null,
    })
  })

  it('adds every entry on the first sync', () => {
    writeSample()
    const result = syncContentIndex(db, content)
    expect(sorted(result.added)).toEqual([
      pageKey('about'),
      postKey('first'),
      postKey('second'),
      postKey('third'),
      postKey('wip'),
    ])
    expect(result.updated).toEqual([])
    expect(result.deleted).toEqual([])
    expect(result.invalid).toEqual([])
    const first = getEntry(db, 'post', 'first')
    expect(first).toMatchObject({
      kind: 'post',
      slug: 'first',
      path: 'blog/first.mdx',
      title: 'First post',
      date: '2026-01-10',
      tags: ['react', 'testing'],
      draft: false,
      frontmatterError: null,
      readingMinutes: 1,
    })
    expect(first?.sourceHash).toMatch(/^[0-9a-f]{32}$/)
    expect(first?.wordCount).toBe(4)
    expect(getEntry(db, 'page', 'about')).toMatchObject({ title: 'About', date: null })
    expect(getEntry(db, 'post', 'nope')).toBeNull()
  })

  it('reports nothing changed on a second sync of an unchanged folder', () => {
    writeSample()
    syncContentIndex(db, content)
    const hashes = listAllEntries(db).map((e) => e.sourceHash)
    const again = syncContentIndex(db, content)
    expect(again).toMatchObject({ added: [], updated: [], deleted: [], invalid: [] })
    expect(listAllEntries(db).map((e) => e.sourceHash)).toEqual(hashes)
  })

  it('reports an edited post as updated, with a new source hash and new fields', () => {
    writeSample()
    syncContentIndex(db, content)
    const before = getEntry(db, 'post', 'second')!
    write(
      'blog/second.mdx',
      post('Second post, revised', '2026-02-20', 'Second words, now with several more of them.', [
        'tags: [react, news]',
      ]),
    )
    bumpMtime('blog/second.mdx')
    const result = syncContentIndex(db, content)
    expect(result.updated).toEqual([postKey('second')])
    expect(result.added).toEqual([])
    const after = getEntry(db, 'post', 'second')!
    expect(after.sourceHash).not.toBe(before.sourceHash)
    expect(after.title).toBe('Second post, revised')
    expect(after.tags).toEqual(['react', 'news'])
    expect(after.wordCount).toBeGreaterThan(before.wordCount)
  })

  it('reports a folder post as updated when only a sibling file changes', () => {
    writeSample()
    syncContentIndex(db, content)
    const before = getEntry(db, 'post', 'third')!.sourceHash
    write('blog/third/w.tsx', 'export default function W() { return "changed" }\n')
    bumpMtime('blog/third/w.tsx')
    expect(syncContentIndex(db, content).updated).toEqual([postKey('third')])
    expect(getEntry(db, 'post', 'third')!.sourceHash).not.toBe(before)
  })

  it('does not report a file that was touched but not changed', () => {
    writeSample()
    syncContentIndex(db, content)
    const hash = getEntry(db, 'post', 'first')!.sourceHash
    bumpMtime('blog/first.mdx', 30)
    const result = syncContentIndex(db, content)
    expect(result).toMatchObject({ added: [], updated: [], deleted: [] })
    expect(getEntry(db, 'post', 'first')!.sourceHash).toBe(hash)
    // the new stamps are remembered
    const row = db.prepare("SELECT files FROM content_entries WHERE kind = 'post' AND slug = 'first'").get() as {
      files: string
    }
    const stamps = JSON.parse(row.files) as [string, number, number][]
    expect(stamps[0][1]).toBe(fs.statSync(tmp.abs('content/blog/first.mdx')).mtimeMs)
  })

  it('reports a deleted post and removes it', () => {
    writeSample()
    syncContentIndex(db, content)
    fs.rmSync(tmp.abs('content/blog/second.mdx'))
    fs.rmSync(tmp.abs('content/blog/third'), { recursive: true })
    const result = syncContentIndex(db, content)
    expect(sorted(result.deleted)).toEqual([postKey('second'), postKey('third')])
    expect(getEntry(db, 'post', 'second')).toBeNull()
    expect(listPosts(db).map((e) => e.slug)).toEqual(['first'])
  })

  it('sees a post moved from one file to a folder as updated, not deleted and added', () => {
    write('blog/move.mdx', post('Move', '2026-01-01'))
    syncContentIndex(db, content)
    fs.rmSync(tmp.abs('content/blog/move.mdx'))
    write('blog/move/index.mdx', post('Move', '2026-01-01'))
    const result = syncContentIndex(db, content)
    expect(result.updated).toEqual([postKey('move')])
    expect(result.deleted).toEqual([])
    expect(getEntry(db, 'post', 'move')!.path).toBe('blog/move/index.mdx')
  })

  it('lists invalid frontmatter in invalid, keeps the entry, and leaves it out of listPosts', () => {
    writeSample()
    write('blog/broken.mdx', '---\ndate: 2026-05-01\n---\n\nNo title here.\n')
    write('blog/bad-yaml.mdx', '---\ntitle: Bad\ndate: 2026-05-02\ntags: [a, b\n---\n\nBody\n')
    const result = syncContentIndex(db, content)
    expect(result.added).toEqual(expect.arrayContaining([postKey('broken'), postKey('bad-yaml')]))
    const invalid = Object.fromEntries(result.invalid.map((i) => [i.path, i.error]))
    expect(Object.keys(invalid).sort()).toEqual(['blog/bad-yaml.mdx', 'blog/broken.mdx'])
    expect(invalid['blog/broken.mdx']).toMatch(/"title" is required/)
    expect(invalid['blog/bad-yaml.mdx']).toMatch(/not valid YAML.*\(line \d+\)/)

    const broken = getEntry(db, 'post', 'broken')!
    expect(broken.frontmatterError).toMatch(/title/)
    expect(broken.title).toBe('broken') // falls back to the slug
    expect(listPosts(db).map((e) => e.slug)).not.toContain('broken')
    expect(listPosts(db).map((e) => e.slug)).not.toContain('bad-yaml')
    expect(countEntries(db).invalid).toBe(2)

    // still reported as invalid by a sync that changes nothing
    const again = syncContentIndex(db, content)
    expect(again.invalid.map((i) => i.path).sort()).toEqual(['blog/bad-yaml.mdx', 'blog/broken.mdx'])
    expect(again.updated).toEqual([])

    // fixed: valid again and listed
    write('blog/broken.mdx', post('Fixed now', '2026-05-01', 'No title here, at first.'))
    bumpMtime('blog/broken.mdx')
    const fixed = syncContentIndex(db, content)
    expect(fixed.updated).toEqual([postKey('broken')])
    expect(fixed.invalid.map((i) => i.path)).toEqual(['blog/bad-yaml.mdx'])
    expect(getEntry(db, 'post', 'broken')!.frontmatterError).toBeNull()
    expect(listPosts(db).map((e) => e.slug)).toContain('broken')
  })

  it('treats a missing date as invalid for a post but fine for a page', () => {
    write('blog/undated.mdx', '---\ntitle: Undated\n---\n\nText\n')
    write('pages/undated.mdx', '---\ntitle: Undated page\n---\n\nText\n')
    const result = syncContentIndex(db, content)
    expect(result.invalid).toEqual([{ path: 'blog/undated.mdx', error: expect.stringMatching(/"date" is required/) }])
    expect(listPages(db).map((p) => p.title)).toEqual(['Undated page'])
  })

  it('passes on the scan’s skipped files', () => {
    write('blog/ok.mdx', post('Ok', '2026-01-01'))
    write('blog/not ok.mdx', post('Not ok', '2026-01-01'))
    const result = syncContentIndex(db, content)
    expect(result.added).toEqual([postKey('ok')])
    expect(result.skipped.map((s) => s.path)).toEqual(['blog/not ok.mdx'])
  })
})

describe('listPosts and listTags', () => {
  it('leaves drafts out', () => {
    writeSample()
    syncContentIndex(db, content)
    expect(listPosts(db).map((e) => e.slug)).not.toContain('wip')
    expect(getEntry(db, 'post', 'wip')!.draft).toBe(true)
    expect(countEntries(db)).toEqual({ posts: 3, pages: 1, drafts: 1, invalid: 0 })
  })

  it('orders posts newest first, and pages are not posts', () => {
    writeSample()
    write('blog/older.mdx', post('Older', '2025-12-31'))
    syncContentIndex(db, content)
    expect(listPosts(db).map((e) => e.slug)).toEqual(['third', 'second', 'first', 'older'])
  })

  it('orders posts of the same day by slug', () => {
    write('blog/b-post.mdx', post('B', '2026-01-01'))
    write('blog/a-post.mdx', post('A', '2026-01-01'))
    syncContentIndex(db, content)
    expect(listPosts(db).map((e) => e.slug)).toEqual(['a-post', 'b-post'])
  })

  it('pages with limit and offset', () => {
    writeSample()
    syncContentIndex(db, content)
    expect(listPosts(db, { limit: 2 }).map((e) => e.slug)).toEqual(['third', 'second'])
    expect(listPosts(db, { limit: 2, offset: 2 }).map((e) => e.slug)).toEqual(['first'])
  })

  it('filters by tag', () => {
    writeSample()
    syncContentIndex(db, content)
    expect(listPosts(db, { tag: 'react' }).map((e) => e.slug)).toEqual(['third', 'second', 'first'])
    expect(listPosts(db, { tag: 'css' }).map((e) => e.slug)).toEqual(['third'])
    expect(listPosts(db, { tag: 'testing' }).map((e) => e.slug)).toEqual(['first'])
    // a tag only a draft carries lists nothing
    expect(listPosts(db, { tag: 'secret' })).toEqual([])
    expect(listPosts(db, { tag: 'nope' })).toEqual([])
  })

  it('counts tags of published posts only, most used first', () => {
    writeSample()
    syncContentIndex(db, content)
    expect(listTags(db)).toEqual([
      { tag: 'react', count: 3 },
      { tag: 'css', count: 1 },
      { tag: 'testing', count: 1 },
    ])
  })

  it('lists pages by title', () => {
    writeSample()
    write('pages/colophon.md', '---\ntitle: Colophon\n---\n\nMade with Kiln.\n')
    syncContentIndex(db, content)
    expect(listPages(db).map((p) => p.slug)).toEqual(['about', 'colophon'])
  })
})

describe('getIndexVersion', () => {
  it('increments only when a sync changes the index', () => {
    writeSample()
    const start = getIndexVersion(db)
    syncContentIndex(db, content)
    const afterAdd = getIndexVersion(db)
    expect(afterAdd).toBe(start + 1)

    syncContentIndex(db, content)
    expect(getIndexVersion(db)).toBe(afterAdd)

    bumpMtime('blog/first.mdx')
    syncContentIndex(db, content) // touched, not changed
    expect(getIndexVersion(db)).toBe(afterAdd)

    write('blog/first.mdx', post('First post', '2026-01-10', 'Other words entirely now.'))
    bumpMtime('blog/first.mdx', 20)
    syncContentIndex(db, content)
    const afterEdit = getIndexVersion(db)
    expect(afterEdit).toBe(afterAdd + 1)

    fs.rmSync(tmp.abs('content/blog/second.mdx'))
    syncContentIndex(db, content)
    expect(getIndexVersion(db)).toBe(afterEdit + 1)
  })
})

describe('a `slug:` in the frontmatter', () => {
  const withSlug = (slug: string, title = 'Old name') =>
    post(title, '2023-05-01', 'Words.', slug === '' ? [] : [`slug: ${slug}`])

  function editSlug(relative: string, slug: string, title?: string): void {
    write(relative, withSlug(slug, title))
    bumpMtime(relative)
  }

  it('moves the row to the new address, deletes the old one, and moves its views with it', () => {
    write('blog/2023/old-name.mdx', withSlug(''))
    write('blog/other.mdx', post('Other', '2023-01-01'))
    syncContentIndex(db, content)
    db.prepare("INSERT INTO post_views (slug, views) VALUES ('2023/old-name', 7)").run()
    const other = getEntry(db, 'post', 'other')

    editSlug('blog/2023/old-name.mdx', 'new-name')
    const result = syncContentIndex(db, content)
    expect(result).toMatchObject({ added: [postKey('2023/new-name')], deleted: [postKey('2023/old-name')], held: [] })
    expect(getEntry(db, 'post', '2023/old-name')).toBeNull()
    expect(getEntry(db, 'post', '2023/new-name')).toMatchObject({ path: 'blog/2023/old-name.mdx', title: 'Old name' })
    expect(db.prepare('SELECT slug, views FROM post_views').all()).toEqual([{ slug: '2023/new-name', views: 7 }])
    expect(getEntry(db, 'post', 'other')).toEqual(other)

    // Unchanged since: nothing moves; taken out again, the file name's address comes back.
    expect(syncContentIndex(db, content)).toMatchObject({ added: [], updated: [], deleted: [] })
    editSlug('blog/2023/old-name.mdx', '')
    expect(syncContentIndex(db, content)).toMatchObject({
      added: [postKey('2023/old-name')],
      deleted: [postKey('2023/new-name')],
    })
  })

  it('moves every post of a small blog at once without taking it for a vanished folder', () => {
    write('blog/a.mdx', withSlug(''))
    write('blog/b.mdx', withSlug(''))
    syncContentIndex(db, content)
    editSlug('blog/a.mdx', 'a2')
    editSlug('blog/b.mdx', 'b2')
    const result = syncContentIndex(db, content)
    expect(result.problem).toBeNull()
    expect(sorted(result.deleted)).toEqual([postKey('a'), postKey('b')])
    expect(listAllEntries(db).map((entry) => entry.slug)).toEqual(['a2', 'b2'])
  })

  it('keeps a bad slug at its file name, and an address while the frontmatter is broken', () => {
    write('blog/post.mdx', withSlug('../escape'))
    const bad = syncContentIndex(db, content)
    expect(bad.added).toEqual([postKey('post')])
    expect(bad.invalid).toEqual([
      { path: 'blog/post.mdx', error: expect.stringMatching(/"slug: \.\.\/escape" is not a valid slug.*\(line 4\)$/) },
    ])
    // Unchanged, not read again: the same report, line and all.
    expect(syncContentIndex(db, content).invalid).toEqual(bad.invalid)

    editSlug('blog/post.mdx', 'renamed')
    syncContentIndex(db, content)
    write('blog/post.mdx', '---\ntitle: [unclosed\nslug: renamed\n---\n')
    bumpMtime('blog/post.mdx')
    const broken = syncContentIndex(db, content)
    expect(broken.updated).toEqual([postKey('renamed')])
    expect(getEntry(db, 'post', 'renamed')?.frontmatterError).toMatch(/not valid YAML/)
    expect(getEntry(db, 'post', 'post')).toBeNull()
  })

  it("leaves a file name's address to its file, and takes it once that file is gone", () => {
    write('blog/a.mdx', withSlug('b', 'Wants b'))
    write('blog/b.mdx', withSlug('', 'Is b'))
    const result = syncContentIndex(db, content)
    expect(getEntry(db, 'post', 'b')?.title).toBe('Is b')
    expect(getEntry(db, 'post', 'a')?.title).toBe('Wants b')
    expect(result.invalid[0].error).toMatch(/already taken by blog\/b\.mdx: served at \/blog\/a/)

    fs.rmSync(tmp.abs('content/blog/b.mdx'))
    const freed = syncContentIndex(db, content)
    expect(sorted(freed.deleted)).toEqual([postKey('a')])
    expect(getEntry(db, 'post', 'b')).toMatchObject({ title: 'Wants b', path: 'blog/a.mdx' })
  })

  it('swaps the addresses of two posts', () => {
    write('blog/a.mdx', withSlug('', 'A'))
    write('blog/b.mdx', withSlug('', 'B'))
    syncContentIndex(db, content)
    editSlug('blog/a.mdx', 'b', 'A')
    editSlug('blog/b.mdx', 'a', 'B')
    const result = syncContentIndex(db, content)
    expect(result.deleted).toEqual([])
    expect(getEntry(db, 'post', 'a')?.title).toBe('B')
    expect(getEntry(db, 'post', 'b')?.title).toBe('A')
  })
})

describe('re-scans of an unchanged folder', () => {
  const unchangedSyncs = () => contentIndexSyncCounts().unchanged

  /** Syncs, and says whether the steady-state check answered (the index was not read back). */
  function syncAnsweredSteady(): { steady: boolean; result: ReturnType<typeof syncContentIndex> } {
    const before = unchangedSyncs()
    const result = syncContentIndex(db, content)
    return { steady: unchangedSyncs() === before + 1, result }
  }

  it('skip the index once a sync found nothing to change, and still see every kind of change', () => {
    writeSample()
    write('blog/_shared/note.jsx', 'export const Note = () => null\n')
    write('blog/fourth.mdx', post('Fourth', '2026-05-01', "import { Note } from './_shared/note.jsx'\n\n<Note />"))
    expect(syncAnsweredSteady().steady).toBe(false) // adds everything
    expect(syncAnsweredSteady().steady).toBe(false) // reads it all back, finds nothing to change
    const unchanged = syncAnsweredSteady()
    expect(unchanged.steady).toBe(true)
    expect(unchanged.result).toMatchObject({ added: [], updated: [], deleted: [], problem: null })

    // A file an entry imports, outside the entry's own files.
    write('blog/_shared/note.jsx', 'export const Note = () => "changed"\n')
    bumpMtime('blog/_shared/note.jsx')
    let next = syncAnsweredSteady()
    expect(next).toMatchObject({ steady: false, result: { updated: [postKey('fourth')] } })
    syncContentIndex(db, content)
    expect(syncAnsweredSteady().steady).toBe(true)

    // An entry's own file, a new file, a deleted one.
    write('blog/second.mdx', post('Second post, revised', '2026-02-20', 'New words.'))
    bumpMtime('blog/second.mdx')
    expect(syncAnsweredSteady()).toMatchObject({ steady: false, result: { updated: [postKey('second')] } })
    write('blog/fifth.mdx', post('Fifth', '2026-06-01', 'Words.'))
    expect(syncAnsweredSteady()).toMatchObject({ steady: false, result: { added: [postKey('fifth')] } })
    fs.rmSync(tmp.abs('content/blog/first.mdx'))
    expect(syncAnsweredSteady()).toMatchObject({ steady: false, result: { deleted: [postKey('first')] } })
    syncContentIndex(db, content)
    expect(syncAnsweredSteady().steady).toBe(true)

    // The index moved by another process (a second connection to the same file).
    const other = openDatabase(tmp.abs('data/kiln.db'), realMigrationsDir)
    try {
      other.transaction(() => bumpIndexVersion(other)).immediate()
    } finally {
      other.close()
    }
    expect(syncAnsweredSteady().steady).toBe(false)
    syncContentIndex(db, content)
    expect(syncAnsweredSteady().steady).toBe(true)

    // A format to record (an upgrade): every entry is read again.
    forgetIndexFormat(db)
    next = syncAnsweredSteady()
    expect(next.steady).toBe(false)
    expect(next.result.updated.length).toBeGreaterThan(0)
  })
})
