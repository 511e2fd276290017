/**
 * Write failures are clear (issue 13, point 8): while the real server cannot write its
 * database, sign-in, a view beacon and the refresh webhook answer 503 with Retry-After and
 * a sentence, pages keep being served, and once the fault is gone everything works and no
 * half-written row was left.
 *
 * The faults are made by the kernel, not simulated inside Kiln:
 * - "disk full": `prlimit --fsize=1` on the server's process. The kernel then refuses every
 *   write past the first byte of any file the process writes (EFBIG, or a short write),
 *   which is what a full disk does to SQLite's WAL (SQLITE_IOERR_WRITE / SQLITE_FULL).
 *   It works for any user (same uid) and is lifted with `--fsize=unlimited`.
 * - "read-only file": `chattr +i` on the database and its WAL (root with
 *   CAP_LINUX_IMMUTABLE on ext4; skipped elsewhere). chmod 444 does not bite as root and
 *   a read-only mount needs privileges tests do not have. The -shm file is left alone:
 *   SQLite maps it into memory, and an immutable mapping kills the process with SIGBUS.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sign, signStatusRead } from '../../app/content/webhook-signature.server.ts'
import { createAdmin, postLogin } from '../helpers/auth.ts'
import { get, makeContentDir, startServer, tempDir, type KilnServer } from '../helpers/server.ts'
import { until } from '../helpers/wait.ts'

const SECRET = 'write-failures-secret'
const EMAIL = 'admin@example.com'
const PASSWORD = 'a long enough password'
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'
const post = (title: string, body: string) => `---\ntitle: ${title}\ndate: 2026-03-01\n---\n\n${body}\n`

interface Fault {
  name: string
  available: boolean
  on(server: KilnServer): void
  off(server: KilnServer): void
}

const diskFull: Fault = {
  name: 'disk full (prlimit --fsize on the server process)',
  available: spawnSync('prlimit', ['--version']).status === 0,
  on: (server) => execFileSync('prlimit', ['--pid', String(server.serverPid()), '--fsize=1:']),
  off: (server) => execFileSync('prlimit', ['--pid', String(server.serverPid()), '--fsize=unlimited:']),
}

function canMakeImmutable(): boolean {
  const dir = tempDir('kiln-chattr-')
  const file = path.join(dir, 'probe')
  execFileSync('touch', [file])
  const on = spawnSync('chattr', ['+i', file])
  spawnSync('chattr', ['-i', file])
  return on.status === 0
}

const readOnlyFiles = (server: KilnServer) => [server.databasePath, `${server.databasePath}-wal`]
const readOnly: Fault = {
  name: 'read-only database file (chattr +i)',
  available: canMakeImmutable(),
  on: (server) => execFileSync('chattr', ['+i', ...readOnlyFiles(server)]),
  off: (server) => execFileSync('chattr', ['-i', ...readOnlyFiles(server)]),
}

function webhook(server: KilnServer) {
  return fetch(`${server.url}/action/refresh-content`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': sign(SECRET, '{}') },
    body: '{}',
  })
}

function beacon(server: KilnServer, slug: string, visitor: string) {
  return get(server, `/action/view/${slug}`, {
    method: 'POST',
    headers: { 'User-Agent': BROWSER, Cookie: `kiln_visitor=${visitor}` },
  })
}

async function refreshStatus(server: KilnServer, id: string): Promise<string> {
  const response = await fetch(`${server.url}/action/refresh-content/${id}`, {
    headers: { 'X-Kiln-Signature': signStatusRead(SECRET, `/action/refresh-content/${id}`) },
  })
  return ((await response.json()) as { status: string }).status
}

async function expect503(response: Response, message: RegExp): Promise<string> {
  const body = await response.text()
  expect(response.status, body).toBe(503)
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0)
  expect(body).toMatch(message)
  expect(body).toMatch(/Nothing was changed; try again in \d+ seconds/)
  return body
}

describe.each([diskFull, readOnly])('while the database cannot be written: $name', (fault) => {
  let server: KilnServer
  let contentDir: string
  let pauseDir: string
  const visitor = crypto.randomUUID()

  beforeAll(async () => {
    if (!fault.available) return
    contentDir = makeContentDir({ 'blog/first.mdx': post('First', 'The first post.') })
    pauseDir = tempDir('kiln-writefail-pause-')
    server = await startServer({
      contentDir,
      databasePath: path.join(tempDir('kiln-writefail-'), 'kiln.db'),
      // A scan on every request: reading pages under the fault runs the index check too.
      env: { REFRESH_SECRET: SECRET, CONTENT_SCAN_INTERVAL_MS: '1', KILN_TEST_PAUSE_DIR: pauseDir },
    })
    await createAdmin(server, EMAIL, PASSWORD)
    // Pages compiled and stored before the fault: reading them needs no write.
    for (const pathname of ['/', '/blog', '/blog/first']) expect((await get(server, pathname)).status).toBe(200)
  })
  afterAll(async () => {
    if (server) {
      try {
        fault.off(server)
      } catch {
        // already off
      }
      await server.stop()
    }
  })

  it.skipIf(!fault.available)(
    'answers 503 with Retry-After and a message, keeps serving pages, ' +
      'and works again afterwards with nothing half-written',
    async () => {
      const db = new Database(server.databasePath, { readonly: true })
      try {
        const count = (sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n
        const refreshesBefore = count('SELECT COUNT(*) AS n FROM content_refreshes')

        fault.on(server)
        try {
          // A correct password: no session may come out of a write that failed.
          const signIn = await postLogin(server, { email: EMAIL, password: PASSWORD })
          expect(signIn.headers.get('set-cookie') ?? '').not.toContain('kiln_session=')
          const page = await expect503(signIn, /Could not sign you in: the server’s /)
          expect(page).toContain('role="alert"')
          // A wrong password would record a failure: refused the same way.
          await expect503(
            await postLogin(server, { email: EMAIL, password: 'wrong password!!' }),
            /Could not sign you in/,
          )

          const view = await beacon(server, 'first', visitor)
          const viewBody = await expect503(view, /Could not count this read/)
          expect(view.headers.get('content-type')).toContain('application/json')
          expect(JSON.parse(viewBody)).toHaveProperty('error')

          await expect503(await webhook(server), /Could not queue a refresh/)

          // The site keeps serving what it has, and the healthcheck process is alive.
          for (const pathname of ['/', '/blog', '/blog/first']) {
            const response = await get(server, pathname)
            expect(response.status, pathname).toBe(200)
          }
          expect(await (await get(server, '/blog/first')).text()).toContain('The first post.')
        } finally {
          fault.off(server)
        }

        // Nothing the refused requests tried to write is there.
        expect(count('SELECT COUNT(*) AS n FROM sessions')).toBe(0)
        expect(count('SELECT COUNT(*) AS n FROM login_failures')).toBe(0)
        expect(count('SELECT COUNT(*) AS n FROM post_view_visits')).toBe(0)
        expect(count("SELECT COUNT(*) AS n FROM post_views WHERE slug = 'first'")).toBe(0)
        expect(count('SELECT COUNT(*) AS n FROM content_refreshes')).toBe(refreshesBefore)

        // After the fault: everything works, and each write landed once.
        const signIn = await postLogin(server, { email: EMAIL, password: PASSWORD })
        expect(signIn.status).toBe(302)
        expect(signIn.headers.get('set-cookie')).toContain('kiln_session=')
        const view = await beacon(server, 'first', visitor)
        expect(view.status).toBe(200)
        expect(await view.json()).toMatchObject({ slug: 'first', views: 1, counted: true })
        const queued = await webhook(server)
        expect(queued.status).toBe(202)
        const { id } = (await queued.json()) as { id: string }
        await until(async () => (await refreshStatus(server, id)) === 'done', `refresh ${id}`)

        expect(count('SELECT COUNT(*) AS n FROM sessions')).toBe(1)
        expect(count('SELECT COUNT(*) AS n FROM post_view_visits')).toBe(1)
        expect(count("SELECT views AS n FROM post_views WHERE slug = 'first'")).toBe(1)
        expect(count('SELECT COUNT(*) AS n FROM content_refreshes')).toBe(refreshesBefore + 1)
        expect(count("SELECT COUNT(*) AS n FROM content_refreshes WHERE status IN ('queued', 'running')")).toBe(0)
        expect(server.output()).toMatch(/database write failed \(SQLITE_(IOERR|FULL|READONLY)\w*/)
        expect(server.output()).not.toMatch(/Unhandled|uncaught/i)
      } finally {
        db.close()
      }
    },
    120_000,
  )

  it.skipIf(!fault.available)(
    'a refresh the disk refuses mid-way reports failed with the ' +
      'reason, indexes nothing, and is recorded once writes work',
    async () => {
      // Accepted before the fault, held at its start, released into the fault.
      const gate = path.join(pauseDir, 'pause-refresh-started')
      fs.writeFileSync(gate, '')
      const accepted = await webhook(server)
      expect(accepted.status).toBe(202)
      const { id } = (await accepted.json()) as { id: string }
      await until(async () => fs.existsSync(path.join(pauseDir, 'paused-refresh-started')), 'the refresh to hold')
      fs.writeFileSync(path.join(contentDir, 'blog/second.mdx'), post('Second', 'The second post.'))

      fault.on(server)
      try {
        fs.rmSync(gate)
        await until(async () => (await refreshStatus(server, id)) === 'failed', `refresh ${id} to fail`)
        const response = await fetch(`${server.url}/action/refresh-content/${id}`, {
          headers: { 'X-Kiln-Signature': signStatusRead(SECRET, `/action/refresh-content/${id}`) },
        })
        expect(((await response.json()) as { error: string }).error).toMatch(
          /Could not finish this refresh: the server’s /,
        )
        expect((await get(server, '/blog/second')).status).toBe(404)
        expect(await (await get(server, '/blog/first')).text()).toContain('The first post.')
      } finally {
        fault.off(server)
      }

      const next = await webhook(server)
      expect(next.status).toBe(202)
      const nextId = ((await next.json()) as { id: string }).id
      await until(async () => (await refreshStatus(server, nextId)) === 'done', `refresh ${nextId}`)
      expect(await (await get(server, '/blog/second')).text()).toContain('The second post.')
      const db = new Database(server.databasePath, { readonly: true })
      try {
        const stored = db.prepare('SELECT status, error FROM content_refreshes WHERE id = ?').get(id) as {
          status: string
          error: string
        }
        expect(stored.status).toBe('failed')
        expect(stored.error).toMatch(/Could not finish this refresh/)
        expect(
          (
            db.prepare("SELECT COUNT(*) AS n FROM content_refreshes WHERE status IN ('queued', 'running')").get() as {
              n: number
            }
          ).n,
        ).toBe(0)
      } finally {
        db.close()
      }
    },
    120_000,
  )
})
