/**
 * View counts resist cheap inflation (docs/security.md, "View counts"), on the real
 * server: a client that drops its cookie is counted once per post per day (a salted
 * daily hash of its address and user agent, of which only the hash is stored); another
 * user agent is another reader; and a burst of beacons from one address is answered 429
 * past the limit, while other addresses are still counted.
 *
 * The client's address is taken from Fly-Client-IP, which the server honours under
 * TRUST_PROXY=1, so each case here comes from an address of its own.
 */
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stopServer } from '../helpers/fixtures.ts'
import { makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'
import { BROWSER, clearOfMidnight, postView, storedViews as storedViewsOf, type Beacon } from '../helpers/views.ts'

const PHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 ' +
  '(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1'
/** The beacon's limit per address and minute (app/view-counts/beacon-limit.server.ts). */
const BEACON_LIMIT = 30

let server: KilnServer
let db: Database.Database

beforeAll(async () => {
  const contentDir = makeContentDir({
    'blog/cookieless.mdx': '---\ntitle: Cookieless\ndate: 2026-01-01\n---\n\nRead me.\n',
    'blog/agents.mdx': '---\ntitle: Agents\ndate: 2026-01-02\n---\n\nRead me.\n',
    'blog/burst.mdx': '---\ntitle: Burst\ndate: 2026-01-03\n---\n\nRead me.\n',
  })
  server = await startServer({ contentDir, env: { TRUST_PROXY: '1' } })
  db = new Database(server.databasePath, { readonly: true })
  await clearOfMidnight()
})

afterAll(async () => {
  db?.close()
  await stopServer(server)
})

const beacon = (slug: string, address: string, options: Omit<Beacon, 'address'> = {}) =>
  postView(server, slug, { ...options, address })
const storedViews = (slug: string) => storedViewsOf(db, slug)

describe('view counts under cheap inflation', () => {
  it('counts 20 cookieless beacons from one client once', async () => {
    const answers = []
    for (let i = 0; i < 20; i++) {
      const response = await beacon('cookieless', '203.0.113.10')
      expect(response.status).toBe(200)
      answers.push(((await response.json()) as { counted: boolean }).counted)
    }
    expect(answers.filter(Boolean)).toHaveLength(1)
    expect(answers[0]).toBe(true)
    expect(storedViews('cookieless')).toBe(1)
  })

  it('stores only a hash of the client: no address, no user agent', () => {
    const rows = db.prepare("SELECT * FROM post_view_clients WHERE slug = 'cookieless'").all() as Record<
      string,
      string
    >[]
    expect(rows).toHaveLength(1)
    expect(Object.keys(rows[0]).sort()).toEqual(['client_hash', 'day', 'slug'])
    expect(rows[0].client_hash).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const everything =
      JSON.stringify(db.prepare('SELECT * FROM post_view_clients').all()) +
      JSON.stringify(db.prepare('SELECT * FROM post_view_visits').all())
    expect(everything).not.toContain('203.0.113')
    expect(everything).not.toContain('Mozilla')
  })

  it('counts another user agent from the same address as another reader, once', async () => {
    expect(await (await beacon('agents', '203.0.113.20')).json()).toMatchObject({ counted: true })
    expect(await (await beacon('agents', '203.0.113.20')).json()).toMatchObject({ counted: false })
    expect(await (await beacon('agents', '203.0.113.20', { agent: PHONE })).json()).toMatchObject({ counted: true })
    expect(await (await beacon('agents', '203.0.113.20', { agent: PHONE })).json()).toMatchObject({ counted: false })
    // And the same agent from another address is another reader too.
    expect(await (await beacon('agents', '198.51.100.20')).json()).toMatchObject({ counted: true })
    expect(storedViews('agents')).toBe(3)
  })

  it('a reader who keeps the cookie is not counted again from another address', async () => {
    const first = await beacon('cookieless', '198.51.100.30', { agent: PHONE })
    const cookie = /kiln_visitor=[0-9a-f-]{36}/.exec(first.headers.get('set-cookie') ?? '')![0]
    expect(await first.json()).toMatchObject({ counted: true })
    expect(await (await beacon('cookieless', '198.51.100.31', { agent: PHONE, cookie })).json()).toMatchObject({
      counted: false,
    })
    expect(storedViews('cookieless')).toBe(2)
  })

  it(
    'answers a burst from one address 429 past the limit, ' + 'counting nothing more; other addresses still count',
    async () => {
      const statuses: number[] = []
      for (let i = 0; i < BEACON_LIMIT + 10; i++) {
        // A fresh user agent each time: without the limit, every one would count.
        const response = await beacon('burst', '203.0.113.99', { agent: `${BROWSER} burst/${i}` })
        statuses.push(response.status)
        if (response.status === 429) {
          expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0)
          expect(response.headers.get('content-type')).toContain('application/json')
        }
        await response.arrayBuffer()
      }
      expect(statuses.slice(0, BEACON_LIMIT).every((status) => status === 200)).toBe(true)
      expect(statuses.slice(BEACON_LIMIT).every((status) => status === 429)).toBe(true)
      expect(storedViews('burst')).toBe(BEACON_LIMIT)
      // Another reader is not caught by that address's limit.
      const other = await beacon('burst', '198.51.100.99')
      expect(other.status).toBe(200)
      expect(await other.json()).toMatchObject({ counted: true })
    },
  )
})
