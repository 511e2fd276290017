/**
 * planSync on plain data: scanned entries with their digests against indexed rows, no
 * folder and no database. What the plan decides here, applySync writes as it is
 * (content-index.test.ts and content-limits.test.ts run both against real files).
 */
import { describe, expect, it } from 'vitest'
import {
  INDEX_FORMAT,
  planSync,
  reportOf,
  type DigestedEntry,
  type DigestedScan,
  type IndexedRow,
  type IndexSnapshot,
  type PlanOptions,
} from '../../app/content/content-index-plan.ts'
import type { EntryKind } from '../../app/content/source.server.ts'

const folderOf = (kind: EntryKind) => (kind === 'post' ? 'blog' : 'pages')
const source = (title: string, extra = '') =>
  `---\ntitle: ${title}\ndate: 2026-03-01\n${extra}---\n\nSome words here.\n`

/** A scanned entry read now: its text and a digest of it. */
function scanned(slug: string, digest: string, overrides: Partial<DigestedEntry> = {}): DigestedEntry {
  const kind = overrides.kind ?? 'post'
  const path = `${folderOf(kind)}/${slug}.mdx`
  const text = overrides.source === undefined ? source(slug) : overrides.source
  return { kind, slug, path, files: [[path, 1000, 100]], digest, source: text, size: 100, ...overrides }
}

/** The row of an entry indexed at `digest`, with the stamps `scanned` gives it. */
function row(slug: string, digest: string, overrides: Partial<IndexedRow> = {}): IndexedRow {
  const kind = overrides.kind ?? 'post'
  const path = `${folderOf(kind)}/${slug}.mdx`
  return {
    kind,
    slug,
    path,
    sourceHash: digest,
    files: [[path, 1000, 100]],
    frontmatterError: null,
    title: slug,
    description: null,
    tags: [],
    ...overrides,
  }
}

function scanOf(entries: DigestedEntry[], more: Partial<DigestedScan> = {}): DigestedScan {
  return { entries, skipped: [], unreadable: [], ...more }
}

/** An index whose search documents are up to date with its rows. */
function indexOf(rows: IndexedRow[], more: Partial<IndexSnapshot> = {}): IndexSnapshot {
  return {
    rows,
    searchHashes: new Map(rows.map((r) => [`${r.kind}:${r.slug}`, r.sourceHash])),
    format: INDEX_FORMAT,
    ...more,
  }
}

const options: PlanOptions = { contentDir: '/blog-content', maxPostBytes: 1000, confirmedDeletions: new Set() }

/** n posts p1..pn, indexed and scanned unchanged: the starting point of the guard's cases. */
function blogOf(n: number) {
  const slugs = Array.from({ length: n }, (_, i) => `p${i + 1}`)
  return { rows: slugs.map((slug) => row(slug, `h-${slug}`)), scanned: slugs.map((slug) => scanned(slug, `h-${slug}`)) }
}

describe('planSync', () => {
  it('plans nothing for an empty folder and an empty index', () => {
    const plan = planSync(scanOf([]), indexOf([]), options)
    expect(reportOf(plan)).toEqual({
      added: [],
      updated: [],
      deleted: [],
      skipped: [],
      invalid: [],
      held: [],
      problem: null,
    })
    expect(plan).toMatchObject({ refused: false, writes: [], restamps: [], searchDocuments: [], recordFormat: null })
  })

  it('adds new entries with their frontmatter read, and a search document each', () => {
    const plan = planSync(
      scanOf([
        scanned('first', 'h1', { source: source('First', 'tags: [React]\ndescription: One\n') }),
        scanned('about', 'h2', { kind: 'page', source: '---\ntitle: About\n---\n\nAbout words.\n' }),
      ]),
      indexOf([]),
      options,
    )
    expect(plan.added).toEqual([
      { kind: 'post', slug: 'first' },
      { kind: 'page', slug: 'about' },
    ])
    expect(plan.writes[0]).toMatchObject({
      kind: 'post',
      slug: 'first',
      path: 'blog/first.mdx',
      sourceHash: 'h1',
      title: 'First',
      date: '2026-03-01',
      description: 'One',
      tags: ['react'],
      draft: false,
      wordCount: 3,
      frontmatterError: null,
    })
    expect(plan.writes[1]).toMatchObject({ kind: 'page', title: 'About', date: null, frontmatterError: null })
    expect(plan.searchDocuments.map((doc) => [doc.slug, doc.sourceHash, doc.title, doc.body.trim()])).toEqual([
      ['first', 'h1', 'First', 'Some words here.'],
      ['about', 'h2', 'About', 'About words.'],
    ])
  })

  it('leaves an entry alone when its digest and its stamps are the row’s', () => {
    const plan = planSync(scanOf([scanned('same', 'h1', { source: null })]), indexOf([row('same', 'h1')]), options)
    expect(plan).toMatchObject({ added: [], updated: [], deleted: [], writes: [], restamps: [], searchDocuments: [] })
  })

  it('restamps an entry touched but unchanged, without reporting it', () => {
    const touched = scanned('touched', 'h1', { files: [['blog/touched.mdx', 2000, 100]] })
    const plan = planSync(scanOf([touched]), indexOf([row('touched', 'h1')]), options)
    expect(plan.restamps).toEqual([{ kind: 'post', slug: 'touched', files: [['blog/touched.mdx', 2000, 100]] }])
    expect(plan).toMatchObject({ added: [], updated: [], writes: [], searchDocuments: [] })
  })

  it('updates an entry whose digest moved, or whose file moved with the same digest', () => {
    const moved = scanned('moved', 'h2', { path: 'blog/moved/index.mdx', files: [['blog/moved/index.mdx', 1, 100]] })
    const plan = planSync(
      scanOf([scanned('edited', 'h1-new', { source: source('Edited again') }), moved]),
      indexOf([row('edited', 'h1'), row('moved', 'h2')]),
      options,
    )
    expect(plan.updated).toEqual([
      { kind: 'post', slug: 'edited' },
      { kind: 'post', slug: 'moved' },
    ])
    expect(plan.writes.map((write) => [write.slug, write.sourceHash, write.path, write.title])).toEqual([
      ['edited', 'h1-new', 'blog/edited.mdx', 'Edited again'],
      ['moved', 'h2', 'blog/moved/index.mdx', 'moved'],
    ])
    expect(plan.deleted).toEqual([])
  })

  it('records bad frontmatter as the entry’s error, and reports it again while it lasts', () => {
    const broken = scanned('broken', 'h1', { source: '---\ndate: 2026-03-01\n---\n\nNo title.\n' })
    const yaml = scanned('yaml', 'h2', { source: '---\ntitle: Y\ndate: 2026-03-01\ntags: [a\n---\n' })
    const undated = scanned('undated', 'h3', { source: '---\ntitle: Undated\n---\n' })
    const plan = planSync(scanOf([broken, yaml, undated]), indexOf([]), options)
    expect(plan.added).toHaveLength(3)
    expect(plan.invalid).toEqual([
      { path: 'blog/broken.mdx', error: expect.stringMatching(/"title" is required/) },
      { path: 'blog/yaml.mdx', error: expect.stringMatching(/not valid YAML.*\(line \d+\)$/) },
      { path: 'blog/undated.mdx', error: expect.stringMatching(/"date" is required/) },
    ])
    expect(plan.writes[0]).toMatchObject({ title: null, frontmatterError: expect.stringMatching(/title/) })

    const again = planSync(
      scanOf([scanned('broken', 'h1', { source: null })]),
      indexOf([row('broken', 'h1', { frontmatterError: '"title" is required' })]),
      options,
    )
    expect(again.invalid).toEqual([{ path: 'blog/broken.mdx', error: '"title" is required' }])
    expect(again.updated).toEqual([])
  })

  it('records a file over maxPostBytes as its error without reading its frontmatter', () => {
    const big = scanned('big', 'stamp-hash', { source: null, size: 5 * 1024 * 1024 })
    const plan = planSync(scanOf([big]), indexOf([]), { ...options, maxPostBytes: 2 * 1024 * 1024 })
    expect(plan.invalid).toEqual([
      {
        path: 'blog/big.mdx',
        error: 'the file is 5.0 MB, over MAX_POST_BYTES (2.0 MB): it is not read or compiled',
      },
    ])
    expect(plan.writes[0]).toMatchObject({ title: null, wordCount: 0, frontmatter: {} })
    expect(plan.searchDocuments[0]).toMatchObject({ title: 'big', body: '' })
  })

  it('deletes an entry gone from the scan, and keeps one seen but unreadable', () => {
    const plan = planSync(
      scanOf([scanned('kept', 'h1', { source: null })], { unreadable: [{ kind: 'post', slug: 'locked' }] }),
      indexOf([row('kept', 'h1'), row('gone', 'h2'), row('locked', 'h3')]),
      options,
    )
    expect(plan.deleted).toEqual([{ kind: 'post', slug: 'gone' }])
    expect(plan.problem).toBeNull()
  })

  it('passes on the skipped files', () => {
    const skipped = [{ path: 'blog/not ok.mdx', reason: 'not a valid slug' }]
    expect(planSync(scanOf([], { skipped }), indexOf([]), options).skipped).toEqual(skipped)
  })

  it('refuses the whole sync when the folder is unavailable', () => {
    const plan = planSync(
      scanOf([], { unavailable: 'the content folder /blog-content is missing or unreadable (ENOENT)' }),
      indexOf([row('a', 'h1'), row('b', 'h2')]),
      options,
    )
    expect(plan.refused).toBe(true)
    expect(plan.problem).toBe(
      'the content folder /blog-content is missing or unreadable ' +
        '(ENOENT): the index and compiled posts are kept as they were',
    )
    expect(plan).toMatchObject({ deleted: [], held: [], writes: [], searchDocuments: [], recordFormat: null })
  })

  describe('the vanished-folder guard', () => {
    it('holds every entry of a kind whose folder is missing', () => {
      const blog = blogOf(3)
      const about = row('about', 'h-about', { kind: 'page' })
      const plan = planSync(
        scanOf([scanned('about', 'h-about', { kind: 'page', source: null })], { missingFolders: ['post'] }),
        indexOf([...blog.rows, about]),
        options,
      )
      expect(plan.deleted).toEqual([])
      expect(plan.held).toEqual(blog.rows.map(({ kind, slug }) => ({ kind, slug })))
      expect(plan.problem).toBe(
        'blog/ is missing from /blog-content: 3 kept as they were (a folder that ' +
          'vanished is not a deletion; delete through git, or fewer at a time)',
      )
    })

    it('holds a small blog that lost all of two or more entries, not one that lost some', () => {
      const two = blogOf(2)
      expect(planSync(scanOf([]), indexOf(two.rows), options)).toMatchObject({
        deleted: [],
        held: [
          { kind: 'post', slug: 'p1' },
          { kind: 'post', slug: 'p2' },
        ],
        problem: expect.stringMatching(/^blog\/ holds none of its 2 entries: 2 kept/),
      })
      const three = blogOf(3)
      expect(planSync(scanOf(three.scanned.slice(0, 1)), indexOf(three.rows), options)).toMatchObject({
        deleted: [
          { kind: 'post', slug: 'p2' },
          { kind: 'post', slug: 'p3' },
        ],
        held: [],
        problem: null,
      })
      const one = blogOf(1)
      expect(planSync(scanOf([]), indexOf(one.rows), options)).toMatchObject({
        deleted: [{ kind: 'post', slug: 'p1' }],
        problem: null,
      })
    })

    it('holds a large blog that lost more than half of its entries, not one that lost half', () => {
      const blog = blogOf(12)
      const most = planSync(scanOf(blog.scanned.slice(0, 5)), indexOf(blog.rows), options)
      expect(most.deleted).toEqual([])
      expect(most.held).toHaveLength(7)
      expect(most.problem).toMatch(/^blog\/ holds only 5 of its 12 entries: 7 kept as they were/)
      const half = planSync(scanOf(blog.scanned.slice(0, 6)), indexOf(blog.rows), options)
      expect(half.deleted).toHaveLength(6)
      expect(half.problem).toBeNull()
    })

    it('counts an unreadable entry as found', () => {
      const blog = blogOf(12)
      const unreadable = blog.rows.slice(5, 6).map(({ kind, slug }) => ({ kind, slug }))
      const plan = planSync(scanOf(blog.scanned.slice(0, 5), { unreadable }), indexOf(blog.rows), options)
      expect(plan.deleted).toHaveLength(6)
      expect(plan.problem).toBeNull()
    })

    it('honours deletions git confirmed, and holds only the rest', () => {
      const blog = blogOf(12)
      const confirmedDeletions = new Set(['blog/p2.mdx', 'blog/p3.mdx'])
      const plan = planSync(scanOf(blog.scanned.slice(0, 1)), indexOf(blog.rows), { ...options, confirmedDeletions })
      expect(plan.deleted).toEqual([
        { kind: 'post', slug: 'p2' },
        { kind: 'post', slug: 'p3' },
      ])
      expect(plan.held).toHaveLength(9)
      expect(plan.problem).toMatch(/holds only 1 of its 12 entries: 9 kept/)

      const all = new Set(blog.rows.slice(1).map((r) => r.path))
      const confirmed = planSync(scanOf(blog.scanned.slice(0, 1)), indexOf(blog.rows), {
        ...options,
        confirmedDeletions: all,
      })
      expect(confirmed.deleted).toHaveLength(11)
      expect(confirmed.problem).toBeNull()
    })

    it('guards each kind on its own: a vanished pages/ does not hold a deletion in blog/', () => {
      const blog = blogOf(3)
      const pages = [row('about', 'ha', { kind: 'page' }), row('colophon', 'hc', { kind: 'page' })]
      const plan = planSync(scanOf(blog.scanned.slice(0, 2)), indexOf([...blog.rows, ...pages]), options)
      expect(plan.deleted).toEqual([{ kind: 'post', slug: 'p3' }])
      expect(plan.held).toEqual([
        { kind: 'page', slug: 'about' },
        { kind: 'page', slug: 'colophon' },
      ])
      expect(plan.problem).toMatch(/^pages\/ holds none of its 2 entries/)
    })
  })

  describe('search documents of unchanged entries', () => {
    it('remakes a missing or stale one from the row and the text read', () => {
      const stale = row('stale', 'h1', { title: 'Stale', description: 'D', tags: ['x'] })
      const plan = planSync(
        scanOf([scanned('stale', 'h1')]),
        indexOf([stale], { searchHashes: new Map([['post:stale', 'h0']]) }),
        options,
      )
      expect(plan.searchDocuments).toEqual([
        {
          kind: 'post',
          slug: 'stale',
          sourceHash: 'h1',
          title: 'Stale',
          description: 'D',
          tags: ['x'],
          body: expect.stringContaining('Some words here.'),
        },
      ])
      expect(plan).toMatchObject({ writes: [], updated: [] })
    })

    it(
      'waits for the next sync when the text could not be read, and ' + 'makes an empty one for a file over the limit',
      () => {
        const missing = new Map<string, string>()
        const unread = planSync(
          scanOf([scanned('a', 'h1', { source: null })]),
          indexOf([row('a', 'h1')], { searchHashes: missing }),
          options,
        )
        expect(unread.searchDocuments).toEqual([])
        const big = planSync(
          scanOf([scanned('a', 'h1', { source: null, size: 5000 })]),
          indexOf([row('a', 'h1')], { searchHashes: missing }),
          options,
        )
        expect(big.searchDocuments).toMatchObject([{ slug: 'a', body: '' }])
      },
    )
  })

  it('records the index format when the rows were written in another', () => {
    const plan = planSync(scanOf([]), indexOf([], { format: null }), options)
    expect(plan.recordFormat).toBe(INDEX_FORMAT)
    expect(planSync(scanOf([]), indexOf([]), options).recordFormat).toBeNull()
  })
})
