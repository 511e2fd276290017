/**
 * Degraded is never final (DESIGN.md, decision 10), on the real server:
 * - a compile in which a highlight job failed for a passing reason is served, stored as
 *   provisional, kept out of the page cache, and compiled again in the background once
 *   COMPILE_RETRY_MS has passed; the final compile replaces it;
 * - a compile the database refuses to store (a trigger that RAISEs on insert into
 *   compiled_entries stands in for a full disk) is kept in memory and served from there,
 *   not compiled again per request; the refusal is logged once and shown on /admin, and
 *   the compile is stored when writes work again.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdmin, signIn } from '../helpers/auth.ts'
import { get, makeContentDir, startServer, tempDir, timingNames, type KilnServer } from '../helpers/server.ts'

const post = (title: string, body: string) => `---\ntitle: ${title}\ndate: 2026-01-01\n---\n\n${body}\n`
const count = (text: string, needle: string) => text.split(needle).length - 1

let server: KilnServer
let flag: string

function withDb<T>(run: (db: Database.Database) => T): T {
  const db = new Database(server.databasePath, { fileMustExist: true })
  db.pragma('busy_timeout = 10000')
  try {
    return run(db)
  } finally {
    db.close()
  }
}

beforeAll(async () => {
  flag = path.join(tempDir('kiln-flag-'), 'highlight-fails')
  fs.writeFileSync(flag, '')
  server = await startServer({
    contentDir: makeContentDir({
      'blog/flaky.mdx': post(
        'Flaky',
        'Some code:\n\n```ts\n// kiln-test-fail-while-flagged\nconst answer: number = 42\n```',
      ),
      'blog/unstored.mdx': post('Unstored', 'A post compiled while the database refuses writes.'),
      'blog/unstored-too.mdx': post('Unstored too', 'Another one.'),
    }),
    // A generous highlight timeout: only the flagged fault makes a compile provisional here.
    env: { KILN_TEST_FAULTS: '1', KILN_TEST_FAULT_FILE: flag, COMPILE_RETRY_MS: '1000', HIGHLIGHT_TIMEOUT_MS: '60000' },
  })
}, 120_000)

afterAll(async () => {
  if (process.env.KILN_DEBUG_OUTPUT) console.log(server?.output())
  await server?.stop()
})

const provisionalOf = (slug: string) =>
  withDb(
    (db) =>
      db.prepare('SELECT provisional FROM compiled_entries WHERE slug = ?').get(slug) as
        { provisional: number } | undefined,
  )

describe('a compile whose highlighting failed for now', () => {
  it('is served, stored as provisional and kept out of the page cache', async () => {
    const first = await get(server, '/blog/flaky')
    expect(first.status).toBe(200)
    const html = await first.text()
    expect(html).toContain('const answer')
    expect(html).not.toContain('--shiki-light')
    expect(server.output()).toMatch(/compiled blog\/flaky\.mdx .*provisional/)
    expect(provisionalOf('flaky')).toEqual({ provisional: 1 })
    const second = await get(server, '/blog/flaky')
    expect(second.status).toBe(200)
    expect(second.headers.get('x-kiln-cache')).not.toBe('hit')
  }, 120_000)

  it('is compiled again in the background once the cause has passed, and replaced', async () => {
    fs.rmSync(flag)
    // Past COMPILE_RETRY_MS, a request serves the provisional page and starts the
    // recompile in the background; readers keep coming while it runs.
    const deadline = Date.now() + 90_000
    while (provisionalOf('flaky')?.provisional !== 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1200))
      expect((await get(server, '/blog/flaky')).status).toBe(200)
    }
    expect(provisionalOf('flaky')).toEqual({ provisional: 0 })
    const html = await (await get(server, '/blog/flaky')).text()
    expect(html).toContain('--shiki-light')
    // Final now: the page cache keeps it.
    const again = await get(server, '/blog/flaky')
    expect(again.headers.get('x-kiln-cache')).toBe('hit')
  }, 120_000)
})

/** A request the page cache never answers, so it reaches the post's loader. */
const PAST_THE_PAGE_CACHE = { Cookie: 'kiln_session=not-a-session' }

describe('a compile the database refuses to store', () => {
  it('is kept in memory, not compiled again per request, logged once and shown on /admin', async () => {
    withDb((db) =>
      db.exec(
        'CREATE TRIGGER kiln_test_refuse BEFORE INSERT ON compiled_entries BEGIN ' +
          "SELECT RAISE(ABORT, 'database or disk is full (test trigger)'); END",
      ),
    )
    for (const slug of ['unstored', 'unstored-too']) {
      const first = await get(server, `/blog/${slug}`)
      expect(first.status).toBe(200)
      expect(timingNames(first)).toContain('compile')
    }
    // Past the page cache (a session cookie, however bogus, is never answered from it), the
    // next readers reach the loader and get the kept compile.
    for (let i = 0; i < 3; i++) {
      const response = await get(server, '/blog/unstored', { headers: PAST_THE_PAGE_CACHE })
      expect(response.status).toBe(200)
      expect(timingNames(response)).not.toContain('compile')
      expect(await response.text()).toContain('A post compiled while the database refuses writes.')
    }
    expect(count(server.output(), 'compiled blog/unstored.mdx')).toBe(1)
    expect(count(server.output(), 'could not store a compile')).toBe(1)
    expect(server.output()).toContain('database or disk is full (test trigger)')

    await createAdmin(server, 'admin@example.com', 'correct horse battery staple')
    // A kept-alive connection the server just closed can fail one request: sign in again then.
    const cookie = await signIn(server, 'admin@example.com', 'correct horse battery staple').catch(() =>
      signIn(server, 'admin@example.com', 'correct horse battery staple'),
    )
    const admin = await (await get(server, '/admin', { headers: { Cookie: cookie } })).text()
    expect(admin).toContain('data-testid="compile-store-failing"')
    expect(admin).toContain('database or disk is full (test trigger)')
  }, 120_000)

  it('is stored once the database takes writes again', async () => {
    withDb((db) => db.exec('DROP TRIGGER kiln_test_refuse'))
    await new Promise((resolve) => setTimeout(resolve, 1200))
    expect((await get(server, '/blog/unstored', { headers: PAST_THE_PAGE_CACHE })).status).toBe(200)
    expect(
      withDb((db) => db.prepare("SELECT COUNT(*) AS n FROM compiled_entries WHERE slug = 'unstored'").get()),
    ).toEqual({ n: 1 })
    expect(server.output()).toContain('compiles are stored again')
    expect(count(server.output(), 'compiled blog/unstored.mdx')).toBe(1)
  }, 60_000)
})
