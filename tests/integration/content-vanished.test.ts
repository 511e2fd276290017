/**
 * A vanished content folder is an error, not a deletion, on the real server: the folder
 * renamed away, its blog/ folder renamed away, and most of its posts moved out leave the
 * index and the stored compiles as they were; pages keep being served, the problem is
 * logged and shown on /admin, and putting the folder back recompiles nothing that did not
 * change. A post deleted from a folder that is otherwise there is still deleted.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdmin, signIn } from '../helpers/auth.ts'
import { sign } from '../../app/content/webhook-signature.server.ts'
import { get, makeContentDir, startServer, tempDir, type KilnServer } from '../helpers/server.ts'
import { until } from '../helpers/wait.ts'
import { git, makeContentRepo } from '../../other/lib/git.ts'

const ADMIN = 'vanished-admin@example.com'
const PASSWORD = 'a long enough password'
const POSTS = 12
const post = (n: number, body = `BODY-${n}-ORIGINAL`) =>
  `---\ntitle: Post number ${n}\ndate: 2026-03-${String(n).padStart(2, '0')}\n---\n\n${body}\n`

let server: KilnServer
let content: string
let cookie: string

const page = async (pathname: string, headers: Record<string, string> = {}) => {
  const response = await get(server, pathname, { headers })
  return { status: response.status, html: await response.text() }
}

/** The stored compiles, by slug: [source hash, compiled at]. */
function compiledRows(): Record<string, string> {
  const db = new Database(server.databasePath, { readonly: true })
  try {
    const rows = db
      .prepare("SELECT slug, source_hash, compiled_at FROM compiled_entries WHERE kind = 'post' ORDER BY slug")
      .all() as { slug: string; source_hash: string; compiled_at: string }[]
    return Object.fromEntries(rows.map((row) => [row.slug, `${row.source_hash}@${row.compiled_at}`]))
  } finally {
    db.close()
  }
}

const compileCount = () => (server.output().match(/compiled blog\//g) ?? []).length

async function expectEveryPostServed(): Promise<void> {
  for (let n = 1; n <= POSTS; n++) {
    if (n === 12) continue // deleted by the last test
    const { status, html } = await page(`/blog/p${n}`)
    expect(status, `p${n}`).toBe(200)
    expect(html).toContain(`BODY-${n}-`)
  }
  const { html } = await page('/blog')
  expect(html).toContain('Post number 1<')
}

/** Asks for pages until a sync has run with the folder as it is now; returns /admin's HTML. */
async function adminShowsProblem(pattern: RegExp): Promise<string> {
  let html = ''
  await until(async () => {
    await page('/')
    // React separates text parts with <!-- -->: read the text as a reader would.
    html = (await page('/admin', { Cookie: cookie })).html.replace(/<!-- -->/g, '')
    return pattern.test(html)
  }, `/admin to show ${pattern}`)
  return html
}

async function adminShowsNoProblem(): Promise<void> {
  await until(async () => {
    await page('/')
    return !(await page('/admin', { Cookie: cookie })).html.includes('data-testid="content-problem"')
  }, '/admin to show no problem')
}

beforeAll(async () => {
  const files: Record<string, string> = { 'pages/about.mdx': '---\ntitle: About\n---\n\nABOUT-BODY\n' }
  for (let n = 1; n <= POSTS; n++) files[`blog/p${n}.mdx`] = post(n)
  content = makeContentDir(files)
  server = await startServer({ contentDir: content, env: { CONTENT_SCAN_INTERVAL_MS: '1' } })
  await createAdmin(server, ADMIN, PASSWORD)
  cookie = await signIn(server, ADMIN, PASSWORD)
  for (let n = 1; n <= POSTS; n++) expect((await page(`/blog/p${n}`)).status).toBe(200)
  expect((await page('/about')).status).toBe(200)
}, 120_000)

afterAll(async () => {
  await server?.stop()
})

describe('a vanished content folder', () => {
  it('keeps serving everything while CONTENT_DIR is gone, and says so on /admin and in the log', async () => {
    const before = compiledRows()
    expect(Object.keys(before)).toHaveLength(POSTS)
    const compiles = compileCount()
    fs.renameSync(content, `${content}.away`)
    try {
      const admin = await adminShowsProblem(
        /Content folder problem since [^<]*: the content folder \S+ is missing or unreadable/,
      )
      expect(admin).toContain(content)
      expect(server.output()).toContain(
        `content folder problem: the content folder ${content} is missing or unreadable`,
      )
      await expectEveryPostServed()
      expect((await page('/about')).html).toContain('ABOUT-BODY')
      // Edited while away: the edit is served once the folder is back.
      fs.writeFileSync(path.join(`${content}.away`, 'blog', 'p2.mdx'), post(2, 'BODY-2-EDITED-WHILE-AWAY'))
    } finally {
      fs.renameSync(`${content}.away`, content)
    }
    await adminShowsNoProblem()
    await until(async () => (await page('/blog/p2')).html.includes('BODY-2-EDITED-WHILE-AWAY'), 'the edited post')
    await expectEveryPostServed()
    const after = compiledRows()
    for (const [slug, row] of Object.entries(before)) {
      if (slug === 'p2') expect(after[slug]).not.toBe(row)
      else expect(after[slug], slug).toBe(row)
    }
    // The edited post, and nothing else, was compiled again.
    expect(compileCount()).toBe(compiles + 1)
    expect(server.output()).toContain('content folder problem resolved')
  })

  it('keeps everything while blog/ alone is gone', async () => {
    const before = compiledRows()
    const compiles = compileCount()
    fs.renameSync(path.join(content, 'blog'), path.join(content, 'blog.renamed'))
    try {
      await adminShowsProblem(/blog\/ is missing from/)
      await expectEveryPostServed()
    } finally {
      fs.renameSync(path.join(content, 'blog.renamed'), path.join(content, 'blog'))
    }
    await adminShowsNoProblem()
    await expectEveryPostServed()
    expect(compiledRows()).toEqual(before)
    expect(compileCount()).toBe(compiles)
  })

  it('keeps everything while a scan finds almost nothing where there was a blog', async () => {
    const before = compiledRows()
    const compiles = compileCount()
    const aside = tempDir('kiln-aside-')
    const moved = [3, 4, 5, 6, 7, 8, 9, 10, 11].map((n) => `p${n}.mdx`)
    for (const name of moved) fs.renameSync(path.join(content, 'blog', name), path.join(aside, name))
    try {
      await adminShowsProblem(/blog\/ holds only 3 of its 12 entries: 9 kept as they were/)
      await expectEveryPostServed()
    } finally {
      for (const name of moved) fs.renameSync(path.join(aside, name), path.join(content, 'blog', name))
    }
    await adminShowsNoProblem()
    await expectEveryPostServed()
    expect(compiledRows()).toEqual(before)
    expect(compileCount()).toBe(compiles)
  })

  it(
    'starts up while CONTENT_DIR is gone and keeps serving the ' + 'stored posts, then catches up when it is back',
    async () => {
      const before = compiledRows()
      await server.stop()
      fs.renameSync(content, `${content}.away`)
      try {
        server = await startServer({
          contentDir: content,
          databasePath: server.databasePath,
          env: { CONTENT_SCAN_INTERVAL_MS: '1' },
        })
        cookie = await signIn(server, ADMIN, PASSWORD)
        await adminShowsProblem(/the content folder \S+ is missing or unreadable/)
        await expectEveryPostServed()
      } finally {
        fs.renameSync(`${content}.away`, content)
      }
      await adminShowsNoProblem()
      await expectEveryPostServed()
      expect(compiledRows()).toEqual(before)
      expect(compileCount()).toBe(0)
    },
  )

  it('still deletes a post whose own file is deleted from a folder that is there', async () => {
    fs.rmSync(path.join(content, 'blog', 'p12.mdx'))
    await until(async () => (await page('/blog/p12')).status === 404, 'the deleted post to be gone')
    expect((await page('/blog')).html).not.toContain('Post number 12<')
    expect(compiledRows()).not.toHaveProperty('p12')
    await expectEveryPostServed()
  })
})

describe('a mass deletion through git', () => {
  const SECRET = 'vanished-refresh-secret'
  let gitServer: KilnServer
  let work: string

  const refresh = async () => {
    const body = '{}'
    const response = await fetch(`${gitServer.url}/action/refresh-content`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Hub-Signature-256': sign(SECRET, body),
        'X-GitHub-Delivery': crypto.randomUUID(),
      },
      body,
    })
    expect(response.status).toBe(202)
  }

  beforeAll(async () => {
    const root = tempDir('kiln-vanish-git-')
    const repo = makeContentRepo(root)
    const remote = repo.remote
    work = repo.work
    for (let n = 1; n <= POSTS; n++) repo.write(`content/blog/p${n}.mdx`, post(n))
    repo.push('twelve posts')
    gitServer = await startServer({
      contentDir: '/nonexistent-ignored-with-git',
      databasePath: path.join(root, 'data', 'kiln.db'),
      env: { CONTENT_GIT_URL: `file://${remote}`, REFRESH_SECRET: SECRET, CONTENT_SCAN_INTERVAL_MS: '0' },
    })
    await until(async () => (await get(gitServer, '/blog/p1')).status === 200, 'the clone to be served', 60_000)
  }, 120_000)

  afterAll(async () => {
    await gitServer?.stop()
  })

  it('is honoured: the files deleted in the commits are deleted, however many', async () => {
    for (let n = 2; n <= POSTS; n++) git(work, 'rm', '-q', `content/blog/p${n}.mdx`)
    git(work, 'commit', '-q', '-m', 'keep only the first post')
    git(work, 'push', '-q', 'origin', 'main')
    await refresh()
    await until(async () => (await get(gitServer, '/blog/p2')).status === 404, 'the deleted posts to be gone')
    for (let n = 2; n <= POSTS; n++) expect((await get(gitServer, `/blog/p${n}`)).status, `p${n}`).toBe(404)
    expect((await get(gitServer, '/blog/p1')).status).toBe(200)
    expect(gitServer.output()).not.toContain('content folder problem')
  })
})
