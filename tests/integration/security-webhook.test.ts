/**
 * The content webhook against the real server: a replayed delivery starts no second
 * refresh (remembered in SQLite for a day, across a restart, bounded), and a refresh's
 * status read is signed with a timestamp over its path, not over the empty body.
 */
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sign, signStatusRead } from '../../app/content/webhook-signature.server.ts'
import {
  postWebhook,
  readRefreshStatus,
  refreshFinished,
  runContentRefresh,
  type Delivery,
} from '../helpers/refresh.ts'
import { copyDir, sampleContentDir, startServer, tempDir, type KilnServer } from '../helpers/server.ts'

const SECRET = 'webhook-test-secret'
const DAY_MS = 24 * 60 * 60 * 1000

function deliver(server: KilnServer, deliveryId: string | null, delivery: Omit<Delivery, 'deliveryId'> = {}) {
  return postWebhook(server, SECRET, { ...delivery, deliveryId })
}

function readStatus(server: KilnServer, id: string, headers?: Record<string, string>) {
  return readRefreshStatus(server, SECRET, id, headers)
}

async function waitUntilFinished(server: KilnServer, id: string): Promise<void> {
  const { status } = await refreshFinished(server, SECRET, id)
  expect(['done', 'failed']).toContain(status)
}

describe('the content webhook', () => {
  let server: KilnServer
  const contentDir = tempDir('kiln-webhook-content-')
  const databasePath = path.join(tempDir('kiln-webhook-db-'), 'kiln.db')
  const start = () => startServer({ contentDir, databasePath, env: { REFRESH_SECRET: SECRET } })
  /** Reads (and, for set-up, writes) the server's own database file beside it. */
  const withDb = <T>(work: (db: Database.Database) => T): T => {
    const db = new Database(databasePath)
    db.pragma('busy_timeout = 5000')
    try {
      return work(db)
    } finally {
      db.close()
    }
  }
  const refreshCount = () =>
    withDb((db) => (db.prepare('SELECT COUNT(*) AS n FROM content_refreshes').get() as { n: number }).n)

  beforeAll(async () => {
    copyDir(sampleContentDir, contentDir)
    server = await start()
  })
  afterAll(() => server?.stop())

  it('answers a replayed delivery with the first refresh and starts no second one, also after a restart', async () => {
    const first = await deliver(server, 'delivery-1')
    expect(first.status).toBe(202)
    const { id } = (await first.json()) as { id: string }
    await waitUntilFinished(server, id)
    const refreshes = refreshCount()

    const again = await deliver(server, 'delivery-1')
    expect(again.status).toBe(200)
    const replay = (await again.json()) as { id: string; status: string; replayed: boolean; note: string }
    expect(replay).toMatchObject({ id, status: 'done', replayed: true })
    expect(replay.note).toMatch(/delivery delivery-1 was already received at .*no second refresh/)
    expect(refreshCount()).toBe(refreshes)

    await server.stop()
    server = await start()
    const afterRestart = await deliver(server, 'delivery-1')
    expect(afterRestart.status).toBe(200)
    expect(((await afterRestart.json()) as { id: string }).id).toBe(id)
    // Start-up may record its own refresh; the replay adds none.
    const afterStart = refreshCount()
    await deliver(server, 'delivery-1')
    expect(refreshCount()).toBe(afterStart)

    // Another delivery, and a request without an id (a CI's), each ask for a refresh.
    const other = await deliver(server, 'delivery-2')
    expect(other.status).toBe(202)
    await waitUntilFinished(server, ((await other.json()) as { id: string }).id)
    expect((await deliver(server, null)).status).toBe(202)
  })

  it('remembers only signed deliveries, refuses an unusable id, and forgets deliveries older than a day', async () => {
    // A wrong signature is refused and its id not remembered: the real delivery still counts.
    expect((await deliver(server, 'delivery-3', { signature: sign('wrong', '{}') })).status).toBe(401)
    expect((await deliver(server, 'delivery-3')).status).toBe(202)
    expect((await deliver(server, 'x'.repeat(129))).status).toBe(400)
    expect((await deliver(server, 'two words')).status).toBe(400)

    withDb((db) =>
      db
        .prepare('INSERT INTO webhook_deliveries (delivery_id, refresh_id, received_at) VALUES (?, ?, ?)')
        .run('old-delivery', 'old-refresh', Date.now() - DAY_MS - 60_000),
    )
    const old = await deliver(server, 'old-delivery')
    expect(old.status).toBe(202)
    expect(((await old.json()) as { id: string }).id).not.toBe('old-refresh')
  })

  it('keeps at most 10,000 deliveries and none older than a day', async () => {
    const now = Date.now()
    withDb((db) => {
      const insert = db.prepare(
        'INSERT INTO webhook_deliveries (delivery_id, refresh_id, received_at) VALUES (?, ?, ?)',
      )
      db.transaction(() => {
        for (let i = 0; i < 10_100; i++) insert.run(`bulk-${i}`, 'bulk', now - 60_000 - i)
        insert.run('stale', 'stale', now - 2 * DAY_MS)
      })()
    })
    expect((await deliver(server, 'delivery-bound')).status).toBe(202)
    const { n, oldest } = withDb(
      (db) =>
        db.prepare('SELECT COUNT(*) AS n, MIN(received_at) AS oldest FROM webhook_deliveries').get() as {
          n: number
          oldest: number
        },
    )
    expect(n).toBe(10_000)
    expect(oldest).toBeGreaterThan(now - DAY_MS)
    // The newest are the ones kept: the delivery just made is remembered.
    expect((await deliver(server, 'delivery-bound')).status).toBe(200)
  })

  it(
    'reads a refresh status only with a fresh signature of that path; ' +
      'the old empty-body signature is refused with a note',
    async () => {
      const response = await deliver(server, 'delivery-status')
      const { id } = (await response.json()) as { id: string }
      expect((await readStatus(server, id)).status).toBe(200)

      const old = await readStatus(server, id, { 'X-Hub-Signature-256': sign(SECRET, '') })
      expect(old.status).toBe(401)
      expect(((await old.json()) as { error: string }).error).toMatch(
        /no longer accepted.*X-Kiln-Signature: t=<unix milliseconds>,v1=/,
      )

      const pathOf = `/action/refresh-content/${id}`
      const cases: [string, Record<string, string>][] = [
        ['none', {}],
        ['another refresh', { 'X-Kiln-Signature': signStatusRead(SECRET, '/action/refresh-content/another-id') }],
        ['wrong secret', { 'X-Kiln-Signature': signStatusRead('wrong', pathOf) }],
        ['six minutes old', { 'X-Kiln-Signature': signStatusRead(SECRET, pathOf, Date.now() - 6 * 60_000) }],
        ['six minutes ahead', { 'X-Kiln-Signature': signStatusRead(SECRET, pathOf, Date.now() + 6 * 60_000) }],
        ['garbage', { 'X-Kiln-Signature': 't=1,v1=zz' }],
      ]
      for (const [what, header] of cases) {
        const refused = await readStatus(server, id, header)
        expect(refused.status, what).toBe(401)
        expect(((await refused.json()) as { error: string }).error, what).toMatch(
          /missing, expired or wrong X-Kiln-Signature/,
        )
      }
    },
  )

  it('npm run content:refresh signs its status reads the new way', async () => {
    const run = await runContentRefresh(server, SECRET)
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/done/)
  })
})
