/**
 * View counts on the real server: POST /action/view/<slug> counts a read once per
 * visitor per post per UTC day (anonymous kiln_visitor cookie), never a bot's, never an
 * unknown post's or a draft's, and never on a GET.
 */
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stopServer } from '../helpers/fixtures.ts'
import { get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'
import { BROWSER, clearOfMidnight, postView, storedViews as storedViewsOf, type Beacon } from '../helpers/views.ts'

const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'

let server: KilnServer
let db: Database.Database

beforeAll(async () => {
  const contentDir = makeContentDir({
    'blog/counted.mdx': '---\ntitle: Counted\ndate: 2026-01-01\n---\n\nRead me.\n',
    'blog/other.mdx': '---\ntitle: Other\ndate: 2026-01-02\n---\n\nRead me too.\n',
    'blog/unpublished.mdx': '---\ntitle: Unpublished\ndate: 2026-01-03\ndraft: true\n---\n\nNot yet.\n',
  })
  server = await startServer({ contentDir })
  db = new Database(server.databasePath, { readonly: true })
  await clearOfMidnight()
})

afterAll(async () => {
  db?.close()
  await stopServer(server)
})

const view = (slug: string, beacon: Beacon = {}) => postView(server, slug, beacon)
const storedViews = (slug: string) => storedViewsOf(db, slug)
const dedupeRows = (slug: string) =>
  (db.prepare('SELECT COUNT(*) AS n FROM post_view_visits WHERE slug = ?').get(slug) as { n: number }).n

describe('view counts', () => {
  let visitor = ''

  it('counts a first read, answers the count as JSON and gives the visitor an anonymous cookie', async () => {
    const response = await view('counted')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('application/json')
    expect(await response.json()).toEqual({ slug: 'counted', views: 1, counted: true })
    const setCookie = response.headers.get('set-cookie') ?? ''
    const match = /kiln_visitor=([0-9a-f-]{36});/.exec(setCookie)
    expect(match, setCookie).not.toBeNull()
    expect(setCookie).toMatch(/HttpOnly/i)
    expect(setCookie).toMatch(/SameSite=Lax/i)
    expect(setCookie).toMatch(/Max-Age=31536000/)
    visitor = `kiln_visitor=${match![1]}`
    // Stored: a hash, never the id itself.
    const row = db.prepare('SELECT * FROM post_view_visits').get() as Record<string, string>
    expect(JSON.stringify(row)).not.toContain(match![1])
    expect(Object.keys(row).sort()).toEqual(['day', 'slug', 'visitor_hash'])
  })

  it('counts one visitor once per post per day, however often they read it', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await view('counted', { cookie: visitor })
      expect(await response.json()).toEqual({ slug: 'counted', views: 1, counted: false })
      expect(response.headers.get('set-cookie') ?? '').not.toContain('kiln_visitor')
    }
    expect(storedViews('counted')).toBe(1)
    expect(dedupeRows('counted')).toBe(1)
  })

  it('counts the same visitor on another post, and a second visitor on the same post', async () => {
    expect(await (await view('other', { cookie: visitor })).json()).toMatchObject({ views: 1, counted: true })
    // Another visitor is another device: from this test's one address, another user agent.
    expect(
      await (
        await view('counted', {
          cookie: 'kiln_visitor=0f8fad5b-d9cb-469f-a165-70867728950e',
          agent: `${BROWSER} second`,
        })
      ).json(),
    ).toMatchObject({ views: 2, counted: true })
    expect(storedViews('counted')).toBe(2)
  })

  it('does not count bots, which still get the count', async () => {
    const response = await view('counted', { agent: GOOGLEBOT })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ slug: 'counted', views: 2, counted: false })
    expect(response.headers.get('set-cookie') ?? '').not.toContain('kiln_visitor')
    expect(storedViews('counted')).toBe(2)
    expect(dedupeRows('counted')).toBe(2)
  })

  it('answers 404 for an unknown post or a draft, and stores nothing', async () => {
    for (const slug of ['no-such-post', 'unpublished', 'bad%20slug', 'x'.repeat(300)]) {
      const response = await view(slug)
      expect(response.status, slug).toBe(404)
    }
    const rows = db
      .prepare("SELECT COUNT(*) AS n FROM post_view_visits WHERE slug NOT IN ('counted', 'other')")
      .get() as { n: number }
    expect(rows.n).toBe(0)
    expect(db.prepare("SELECT COUNT(*) AS n FROM post_views WHERE slug NOT IN ('counted', 'other')").get()).toEqual({
      n: 0,
    })
  })

  it('never counts on a GET', async () => {
    const response = await get(server, '/action/view/counted', { headers: { 'User-Agent': BROWSER } })
    expect(response.status).toBe(405)
    expect(storedViews('counted')).toBe(2)
  })

  it('shows the count in the post’s page as of the render', async () => {
    const html = await (await get(server, '/blog/counted')).text()
    expect(html).toMatch(/data-testid="view-count"[^>]*>2<!-- --> <!-- -->views/)
  })

  it('prunes dedupe rows older than two days, keeping yesterday’s and today’s', async () => {
    await server.stop()
    const writable = new Database(server.databasePath)
    const day = (offset: number) => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10)
    try {
      const insert = writable.prepare('INSERT INTO post_view_visits (slug, day, visitor_hash) VALUES (?, ?, ?)')
      insert.run('counted', day(1), 'yesterday')
      insert.run('counted', day(2), 'two-days-ago')
      insert.run('counted', day(30), 'a-month-ago')
    } finally {
      writable.close()
    }
    server = await startServer({ contentDir: server.contentDir, databasePath: server.databasePath })
    await view('other')
    const hashes = (
      db.prepare('SELECT visitor_hash FROM post_view_visits WHERE day < ?').all(day(0)) as { visitor_hash: string }[]
    ).map((row) => row.visitor_hash)
    expect(hashes).toEqual(['yesterday'])
    // The totals stay.
    expect(storedViews('counted')).toBe(2)
  })
})
