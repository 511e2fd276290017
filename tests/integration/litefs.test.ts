/**
 * LiteFS through the contract litefs-js reads, with two real Kiln processes on one machine:
 * each has its own LITEFS_DIR; the primary's has no `.primary` file, the replica's names
 * the primary; `<db>-pos` carries each one's transaction number. The replica's database
 * starts as a copy of the primary's (what replication would have given it).
 */
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdmin } from '../helpers/auth.ts'
import { makeContentDir, startServer, tempDir, type KilnServer } from '../helpers/server.ts'
import { sign, SIGNATURE_HEADER } from '../../app/content/webhook-signature.server.ts'
import { until as waitFor } from '../helpers/wait.ts'

const PRIMARY_NAME = 'kiln-primary-test'
const REFRESH_SECRET = 'litefs-refresh-secret'
const INTERNAL_TOKEN = 'litefs-internal-token'
const post = (title: string, body: string, date = '2026-03-01') =>
  `---\ntitle: ${title}\ndate: ${date}\n---\n\n${body}\n`

const writePos = (dir: string, txid: number) =>
  fs.writeFileSync(path.join(dir, 'kiln.db-pos'), `${txid.toString(16).padStart(16, '0')}/a1b2c3d4e5f60718`)

function count(databasePath: string, sql: string): number {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true })
  try {
    return (db.prepare(sql).get() as { n: number }).n
  } finally {
    db.close()
  }
}

function postWebhook(server: KilnServer, extra: Record<string, string> = {}): Promise<Response> {
  const body = '{}'
  return fetch(`${server.url}/action/refresh-content`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: sign(REFRESH_SECRET, body), ...extra },
    body,
  })
}

function postLogin(server: KilnServer, email: string, password: string): Promise<Response> {
  return fetch(`${server.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url },
    body: new URLSearchParams({ email, password }).toString(),
  })
}

const setCookies = (response: Response) => response.headers.getSetCookie()

describe('LiteFS: a primary and a replica', () => {
  let contentDir: string
  let primaryDir: string
  let replicaDir: string
  let primary: KilnServer
  let replica: KilnServer

  beforeAll(async () => {
    contentDir = makeContentDir({
      'blog/first.mdx': post('First post', 'The first body, in **bold**.', '2026-03-01'),
      'blog/second.mdx': post('Second post', 'The second body.\n\n```js\nconst x = 1\n```', '2026-03-02'),
    })
    primaryDir = tempDir('kiln-litefs-primary-')
    replicaDir = tempDir('kiln-litefs-replica-')
    writePos(primaryDir, 5)
    primary = await startServer({
      contentDir,
      databasePath: path.join(primaryDir, 'kiln.db'),
      env: {
        LITEFS_DIR: primaryDir,
        DATABASE_FILENAME: 'kiln.db',
        REFRESH_SECRET,
        INTERNAL_TOKEN,
        SESSION_SECRET: 'shared-session-secret',
      },
    })
    await createAdmin(primary, 'admin@example.com', 'correct horse battery staple')
    // Replication, by hand: the replica's database is the primary's as of now (indexed,
    // nothing compiled yet), and its position is behind.
    const source = new Database(primary.databasePath, { fileMustExist: true })
    await source.backup(path.join(replicaDir, 'kiln.db'))
    source.close()
    fs.writeFileSync(path.join(replicaDir, '.primary'), `${PRIMARY_NAME}\n`)
    writePos(replicaDir, 3)
    replica = await startServer({
      contentDir,
      databasePath: path.join(replicaDir, 'kiln.db'),
      env: {
        LITEFS_DIR: replicaDir,
        DATABASE_FILENAME: 'kiln.db',
        REFRESH_SECRET,
        INTERNAL_TOKEN,
        SESSION_SECRET: 'shared-session-secret',
        PRIMARY_INTERNAL_URL: primary.url,
      },
    })
  }, 300_000)

  afterAll(async () => {
    await Promise.all([primary?.stop(), replica?.stop()])
  })

  it('the replica answers a sign-in with 409 and fly-replay to the primary, and writes nothing', async () => {
    const sessionsBefore = count(replica.databasePath, 'SELECT COUNT(*) AS n FROM sessions')
    const response = await postLogin(replica, 'admin@example.com', 'correct horse battery staple')
    expect(response.status).toBe(409)
    expect(response.headers.get('fly-replay')).toBe(`instance=${PRIMARY_NAME}`)
    expect(setCookies(response).join('\n')).not.toContain('kiln_session')
    expect(count(replica.databasePath, 'SELECT COUNT(*) AS n FROM sessions')).toBe(sessionsBefore)
    expect(count(replica.databasePath, 'SELECT COUNT(*) AS n FROM login_failures')).toBe(0)
  })

  it('the replica answers the refresh webhook with 409 and fly-replay, and records no refresh', async () => {
    const response = await postWebhook(replica)
    expect(response.status).toBe(409)
    expect(response.headers.get('fly-replay')).toBe(`instance=${PRIMARY_NAME}`)
    expect(count(replica.databasePath, 'SELECT COUNT(*) AS n FROM content_refreshes')).toBe(0)
  })

  it('the primary takes the same writes and sets txnum to its transaction number', async () => {
    const login = await postLogin(primary, 'admin@example.com', 'correct horse battery staple')
    expect(login.status).toBe(302)
    const cookies = setCookies(login).join('\n')
    expect(cookies).toMatch(/kiln_session=/)
    expect(cookies).toMatch(/(^|\n)txnum=5;/)
    expect(count(primary.databasePath, 'SELECT COUNT(*) AS n FROM sessions')).toBe(1)

    writePos(primaryDir, 6)
    const webhook = await postWebhook(primary)
    expect(webhook.status).toBe(202)
    expect(setCookies(webhook).join('\n')).toMatch(/(^|\n)txnum=6;/)
    expect(webhook.headers.get('fly-replay')).toBeNull()
  })

  it('a replica behind the reader waits, then replays; once caught up it serves and clears the cookie', async () => {
    writePos(replicaDir, 3)
    const started = Date.now()
    const behind = await fetch(`${replica.url}/`, { headers: { Cookie: 'txnum=6' }, redirect: 'manual' })
    expect(behind.status).toBe(409)
    expect(behind.headers.get('fly-replay')).toBe(`instance=${PRIMARY_NAME}`)
    // It waited for replication before giving up (the 500 ms is litefs-js's contract).
    expect(Date.now() - started).toBeGreaterThanOrEqual(450)

    // Replication lands while the replica waits: it serves the request itself.
    const waiting = fetch(`${replica.url}/`, { headers: { Cookie: 'txnum=6' }, redirect: 'manual' })
    setTimeout(() => writePos(replicaDir, 6), 150)
    const caughtUp = await waiting
    expect(caughtUp.status).toBe(200)
    expect(await caughtUp.text()).toContain('First post')
    expect(setCookies(caughtUp).join('\n')).toMatch(/txnum=0;.*Expires=Thu, 01 Jan 1970/)
  })

  it('a txnum cookie that is not a number is deleted, never a crash', async () => {
    for (const server of [replica, primary]) {
      const response = await fetch(`${server.url}/`, { headers: { Cookie: 'txnum=banana' } })
      expect(response.status).toBe(200)
      expect(setCookies(response).join('\n')).toMatch(/txnum=0;.*Expires=Thu, 01 Jan 1970/)
    }
  })

  it('a write too large for fly-replay is refused with 413 on the replica', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(
        // /login has no body limit of its own: the replica's rule answers before reading.
        {
          host: '127.0.0.1',
          port: replica.port,
          path: '/login',
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': 2 * 1024 * 1024 },
        },
        (response) => {
          response.resume()
          resolve(response.statusCode ?? 0)
        },
      )
      request.on('error', reject)
      request.write('email=')
    })
    expect(status).toBe(413)
  })

  it('the replica serves a post the primary never compiled from memory, and the primary stores it', async () => {
    expect(count(primary.databasePath, "SELECT COUNT(*) AS n FROM compiled_entries WHERE slug = 'second'")).toBe(0)
    const response = await fetch(`${replica.url}/blog/second`)
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('The second body.')
    expect(html).toContain('data-code-block')
    // The replica's own database is untouched ...
    expect(count(replica.databasePath, 'SELECT COUNT(*) AS n FROM compiled_entries')).toBe(0)
    // ... and the primary was asked, and compiled and stored this version.
    await waitFor(
      () => count(primary.databasePath, "SELECT COUNT(*) AS n FROM compiled_entries WHERE slug = 'second'") === 1,
      'the primary to store the compile',
    )
  })

  it('the primary refuses internal requests that are not signed with INTERNAL_TOKEN', async () => {
    const response = await fetch(`${primary.url}/internal/compile`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Kiln-Internal-Signature': `t=${Date.now()},v1=${'0'.repeat(64)}`,
      },
      body: JSON.stringify({ kind: 'post', slug: 'first' }),
    })
    expect(response.status).toBe(401)
  })

  it('a .primary that is empty leaves the replica unable to write: 503, nothing written', async () => {
    fs.writeFileSync(path.join(replicaDir, '.primary'), '')
    try {
      const response = await postWebhook(replica)
      expect(response.status).toBe(503)
      expect(response.headers.get('fly-replay')).toBeNull()
      expect(count(replica.databasePath, 'SELECT COUNT(*) AS n FROM content_refreshes')).toBe(0)
      expect((await fetch(`${replica.url}/healthcheck`)).status).toBe(200)
    } finally {
      fs.writeFileSync(path.join(replicaDir, '.primary'), PRIMARY_NAME)
    }
  })

  it('a replica whose .primary disappears becomes the primary and starts background work', async () => {
    // A post only the replica's content folder... is the shared folder: the primary sees it
    // too, but only an instance doing background work indexes it into its database.
    fs.writeFileSync(
      path.join(contentDir, 'blog/third.mdx'),
      post('Third post', 'Added after the start.', '2026-03-03'),
    )
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    expect((await fetch(`${replica.url}/blog/third`)).status).toBe(404)
    expect(count(replica.databasePath, "SELECT COUNT(*) AS n FROM content_entries WHERE slug = 'third'")).toBe(0)

    fs.rmSync(path.join(replicaDir, '.primary'))
    await waitFor(
      () => replica.output().includes('this instance is now the primary'),
      'the replica to notice it is the primary',
    )
    await waitFor(
      async () => (await fetch(`${replica.url}/blog/third`)).status === 200,
      'the new primary to index the new post',
    )
    expect(count(replica.databasePath, "SELECT COUNT(*) AS n FROM content_entries WHERE slug = 'third'")).toBe(1)
    const webhook = await postWebhook(replica)
    expect(webhook.status).toBe(202)

    // And back: a lease lost stops the work again.
    fs.writeFileSync(path.join(replicaDir, '.primary'), PRIMARY_NAME)
    await waitFor(() => replica.output().includes('this instance is now a replica'), 'the instance to step down')
    expect((await postWebhook(replica)).status).toBe(409)
  }, 300_000)
})

describe('graceful shutdown', () => {
  /** Sends headers and half a body now; returns a function that sends the rest, and the answer. */
  function slowWebhook(server: KilnServer) {
    const body = Buffer.from(JSON.stringify({ padding: 'x'.repeat(1000) }))
    let finish!: () => void
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/action/refresh-content',
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': body.length,
            [SIGNATURE_HEADER]: sign(REFRESH_SECRET, body),
          },
        },
        (response) => {
          let text = ''
          response.setEncoding('utf8')
          response.on('data', (chunk: string) => (text += chunk))
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }))
        },
      )
      request.on('error', reject)
      request.write(body.subarray(0, 10))
      finish = () => request.end(body.subarray(10))
    })
    return { answer, finish: () => finish() }
  }

  const exitOf = (server: KilnServer) =>
    new Promise<{ code: number | null; at: number }>((resolve) => {
      if (server.process.exitCode !== null) resolve({ code: server.process.exitCode, at: Date.now() })
      server.process.once('exit', (code) => resolve({ code, at: Date.now() }))
    })

  it('SIGTERM lets a slow request finish, then exits 0', async () => {
    const server = await startServer({
      contentDir: makeContentDir({ 'blog/a.mdx': post('A', 'Body.') }),
      env: { REFRESH_SECRET },
    })
    const exited = exitOf(server)
    const slow = slowWebhook(server)
    await new Promise((resolve) => setTimeout(resolve, 300))
    server.process.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 700))
    expect(server.process.exitCode).toBeNull()
    // New connections are refused while it drains.
    await expect(fetch(`${server.url}/healthcheck`)).rejects.toThrow()
    slow.finish()
    const answer = await slow.answer
    expect(answer.status).toBe(202)
    expect((await exited).code).toBe(0)
    expect(server.output()).toMatch(/SIGTERM: no new connections/)
    expect(server.output()).toMatch(/stopped after \d+ ms/)
  }, 300_000)

  it('a request still running after SHUTDOWN_TIMEOUT_MS is cut off and the process still exits 0', async () => {
    const server = await startServer({
      contentDir: makeContentDir({ 'blog/a.mdx': post('A', 'Body.') }),
      env: { REFRESH_SECRET, SHUTDOWN_TIMEOUT_MS: '800' },
    })
    const exited = exitOf(server)
    const slow = slowWebhook(server)
    slow.answer.catch(() => undefined)
    await new Promise((resolve) => setTimeout(resolve, 300))
    const signalled = Date.now()
    server.process.kill('SIGTERM')
    const { code, at } = await exited
    expect(code).toBe(0)
    expect(at - signalled).toBeGreaterThanOrEqual(700)
    expect(server.output()).toMatch(/still running after 800 ms/)
  }, 300_000)

  it('a second signal exits at once', async () => {
    const server = await startServer({
      contentDir: makeContentDir({ 'blog/a.mdx': post('A', 'Body.') }),
      env: { REFRESH_SECRET, SHUTDOWN_TIMEOUT_MS: '60000' },
    })
    const exited = exitOf(server)
    const slow = slowWebhook(server)
    slow.answer.catch(() => undefined)
    await new Promise((resolve) => setTimeout(resolve, 300))
    server.process.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(server.process.exitCode).toBeNull()
    server.process.kill('SIGINT')
    const { code } = await exited
    expect(code).toBe(1)
    expect(server.output()).toMatch(/SIGINT again: exiting now/)
  }, 300_000)
})
