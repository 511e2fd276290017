/**
 * Search on the real server: FTS5 over title, description, tags and body, ranked with
 * title matches first, highlighted snippets that never carry a post's markup, malformed
 * queries answered as pages (never errors), the index following content changes in the
 * sync, and drafts visible only to an admin.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdmin, signIn } from '../helpers/auth.ts'
import { get, makeContentDir, startServer, writeFiles, type KilnServer } from '../helpers/server.ts'

const post = (fields: Record<string, string>, body: string) =>
  `---\n${Object.entries(fields)
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n')}\n---\n\n${body}\n`

const ADMIN = 'search-admin@example.com'
const PASSWORD = 'a long enough password'

let server: KilnServer
let contentDir: string

beforeAll(async () => {
  contentDir = makeContentDir({
    'blog/body-only.mdx': post(
      { title: 'An ordinary title', date: '2026-01-01', description: 'Nothing special here.' },
      "import { Box } from './box.tsx'\n\nThe word quetzalcoatl lives only in this " +
        'body, <b>beside markup</b>.\n\n```js\nconst marmosetCount = 3\n```\n',
    ),
    'blog/ranked-body.mdx': post(
      { title: 'Lots of text', date: '2026-03-01' },
      'pangolin pangolin pangolin pangolin pangolin appears many times in the body.',
    ),
    'blog/ranked-title.mdx': post(
      { title: 'All about the pangolin', date: '2026-02-01' },
      'A post whose body says little.',
    ),
    'blog/tagged.mdx': post(
      { title: 'Tagged post', date: '2026-01-05', tags: '[ocelot]' },
      'Body without the tag word.',
    ),
    'blog/secret-draft.mdx': post(
      { title: 'Unreleased axolotl plans', date: '2026-04-01', draft: 'true' },
      'The axolotl is a draft.',
    ),
    'blog/escaping.mdx': post(
      { title: 'Escaping', date: '2026-01-02' },
      'The capybara writes markup in code:\n\n```html\n' +
        '<script>alert("capybara")</script> <img src=x onerror=alert(1)>\n' +
        '```\n',
    ),
  })
  server = await startServer({ contentDir, env: { CONTENT_SCAN_INTERVAL_MS: '50' } })
  await createAdmin(server, ADMIN, PASSWORD)
})

afterAll(async () => {
  await server?.stop()
})

async function search(query: string, init: RequestInit = {}) {
  const response = await get(server, `/search?q=${encodeURIComponent(query)}`, init)
  return { status: response.status, html: await response.text() }
}

/** Result links in rank order. */
function resultSlugs(html: string): string[] {
  const list = /data-testid="search-results"[\s\S]*?<\/ol>/.exec(html)?.[0] ?? ''
  return [...list.matchAll(/href="\/blog\/([^"]+)"/g)].map((match) => match[1])
}

describe('search', () => {
  it('with no query shows the form, a GET form that works without JavaScript', async () => {
    const { status, html } = await search('')
    expect(status).toBe(200)
    expect(html).toMatch(/<form[^>]*method="get"[^>]*action="\/search"/)
    expect(html).toMatch(/<input[^>]*name="q"/)
    expect(resultSlugs(html)).toEqual([])
  })

  it('is linked from the site header', async () => {
    const html = await (await get(server, '/')).text()
    expect(html).toMatch(/<header[\s\S]*href="\/search"[\s\S]*<\/header>/)
  })

  it('finds a word that appears only in a post’s body, with the match marked in a snippet', async () => {
    const { status, html } = await search('quetzalcoatl')
    expect(status).toBe(200)
    expect(resultSlugs(html)).toEqual(['body-only'])
    expect(html).toContain('<mark')
    expect(html).toMatch(/<mark[^>]*>quetzalcoatl<\/mark>/)
  })

  it('finds words of code, and prefix-matches the last word as the reader types', async () => {
    expect(resultSlugs((await search('marmosetCount')).html)).toEqual(['body-only'])
    expect(resultSlugs((await search('quetzal')).html)).toEqual(['body-only'])
    expect(resultSlugs((await search('lives quetz')).html)).toEqual(['body-only'])
  })

  it('does not index import lines or link their words', async () => {
    expect(resultSlugs((await search('Box')).html)).toEqual([])
  })

  it('searches descriptions and tags', async () => {
    expect(resultSlugs((await search('special')).html)).toEqual(['body-only'])
    expect(resultSlugs((await search('ocelot')).html)).toEqual(['tagged'])
  })

  it('ranks a title match first, even above a body that repeats the word', async () => {
    expect(resultSlugs((await search('pangolin')).html)).toEqual(['ranked-title', 'ranked-body'])
  })

  it('shows a post’s text as text: only Kiln’s own <mark> tags are markup', async () => {
    const { html } = await search('capybara')
    expect(resultSlugs(html)).toEqual(['escaping'])
    const list = /data-testid="search-results"[\s\S]*?<\/ol>/.exec(html)?.[0] ?? ''
    expect(list).toContain('&lt;script&gt;')
    expect(list).not.toContain('<script')
    expect(list).not.toContain('<img')
    expect(list).not.toContain('<b>')
    const tags = [...list.matchAll(/<([a-z0-9]+)[\s>]/g)].map((match) => match[1])
    expect(new Set(tags)).toEqual(new Set(['li', 'h3', 'a', 'mark', 'span', 'p', 'time']))
  })

  it('answers malformed queries with a page, never an error', async () => {
    const queries = [
      '"',
      'foo"',
      '*',
      '-x',
      'NEAR(',
      'a:b',
      '()',
      '"unbalanced',
      'title:x',
      'a OR',
      'AND',
      '^x',
      '{a b}',
      'x'.repeat(300),
      '\u0000',
      '🦫',
    ]
    for (const query of queries) {
      const { status, html } = await search(query)
      expect(status, query).toBe(200)
      expect(html, query).toContain('name="q"')
    }
    expect(server.output()).not.toMatch(/fts5|SqliteError/i)
  })

  it('cuts a query longer than 200 characters', async () => {
    const { html } = await search(`quetzalcoatl ${'y'.repeat(300)}`)
    expect(html).toMatch(new RegExp(`value="quetzalcoatl y{187}"`))
  })

  it('hides drafts from readers and shows them, marked, to an admin', async () => {
    expect(resultSlugs((await search('axolotl')).html)).toEqual([])
    const cookie = await signIn(server, ADMIN, PASSWORD)
    const { html } = await search('axolotl', { headers: { Cookie: cookie } })
    expect(resultSlugs(html)).toEqual(['secret-draft'])
    expect(html).toMatch(/data-testid="search-results"[\s\S]*Draft[\s\S]*<\/ol>/)
  })

  it('follows content changes: added, edited and deleted posts', async () => {
    const until = async (query: string, expected: string[]) => {
      const deadline = Date.now() + 20_000
      for (;;) {
        const slugs = resultSlugs((await search(query)).html)
        if (JSON.stringify(slugs) === JSON.stringify(expected) || Date.now() > deadline) return slugs
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    writeFiles(contentDir, {
      'blog/new-post.mdx': post({ title: 'Fresh', date: '2026-05-01' }, 'A brand new wombat appears.'),
    })
    expect(await until('wombat', ['new-post'])).toEqual(['new-post'])

    writeFiles(contentDir, {
      'blog/new-post.mdx': post({ title: 'Fresh', date: '2026-05-01' }, 'Now it talks about a narwhal instead.'),
    })
    expect(await until('narwhal', ['new-post'])).toEqual(['new-post'])
    expect(resultSlugs((await search('wombat')).html)).toEqual([])

    fs.rmSync(path.join(contentDir, 'blog', 'new-post.mdx'))
    expect(await until('narwhal', [])).toEqual([])

    // The index holds one document per entry, no more.
    const db = new Database(server.databasePath, { readonly: true })
    try {
      const counts = db
        .prepare(
          'SELECT (SELECT COUNT(*) FROM search_documents) AS docs, (SELECT COUNT(*) FROM content_entries) AS entries',
        )
        .get()
      expect(counts).toEqual({ docs: 6, entries: 6 })
    } finally {
      db.close()
    }
  })

  it('indexes, at start-up, entries that were indexed before search existed', async () => {
    // A database from before search: the entries are there, their documents are not.
    const db = new Database(server.databasePath)
    try {
      db.exec('DELETE FROM search_index; DELETE FROM search_documents')
    } finally {
      db.close()
    }
    await server.stop()
    server = await startServer({
      contentDir,
      databasePath: server.databasePath,
      env: { CONTENT_SCAN_INTERVAL_MS: '50' },
    })
    expect(resultSlugs((await search('quetzalcoatl')).html)).toEqual(['body-only'])
  })
})
