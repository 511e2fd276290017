/**
 * The admin's diagnostics downloads on the real server: the heap snapshot (plain and
 * gzip), the heap sampling and CPU profiles, and their guards (sign-in, one at a time,
 * memory headroom, a client that leaves mid-download).
 */
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import zlib from 'node:zlib'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../app/auth/password.server.ts'
import { createAdmin, signIn } from '../helpers/auth.ts'
import { get, sampleContentDir, startServer, tempDir, type KilnServer } from '../helpers/server.ts'
import { defined } from '../helpers/wait.ts'

const ADMIN = 'admin@example.com'
const PASSWORD = 'correct horse battery'
const FILENAME =
  /^attachment; filename="[A-Za-z0-9._-]+-\d{4}-\d\d-\d\d \d\d_\d\d_\d\d\.(heapsnapshot|heapsnapshot\.gz|heapprofile|cpuprofile)"$/

interface DownloadRow {
  id: number
  user_email: string
  kind: string
  duration_ms: number
  bytes: number
  status: string
}

function downloads(server: KilnServer): DownloadRow[] {
  const db = new Database(server.databasePath, { readonly: true, fileMustExist: true })
  try {
    return db
      .prepare('SELECT id, user_email, kind, duration_ms, bytes, status FROM diagnostic_downloads ORDER BY id')
      .all() as DownloadRow[]
  } finally {
    db.close()
  }
}

interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[] }; node_count: number }
  nodes: number[]
}

describe('diagnostics downloads', () => {
  let server: KilnServer
  let cookie: string
  const diagnosticsDir = tempDir('kiln-diagnostics-dir-')
  const admin = (init: RequestInit = {}): RequestInit => ({
    ...init,
    headers: { Cookie: cookie, ...(init.headers as Record<string, string>) },
  })

  beforeAll(async () => {
    server = await startServer({
      contentDir: sampleContentDir,
      databasePath: path.join(tempDir('kiln-diagnostics-'), 'kiln.db'),
      env: { DIAGNOSTICS_DIR: diagnosticsDir },
    })
    await createAdmin(server, ADMIN, PASSWORD)
    cookie = await signIn(server, ADMIN, PASSWORD)
  })
  afterAll(() => server?.stop())

  it('never gives an anonymous visitor a snapshot or a profile: it sends them to sign in', async () => {
    const snapshot = await get(server, '/admin/heapsnapshot')
    expect(snapshot.status).toBe(302)
    expect(snapshot.headers.get('location')).toBe('/login?redirectTo=%2Fadmin%2Fheapsnapshot')
    expect(await snapshot.text()).not.toContain('node_fields')
    const gzip = await get(server, '/admin/heapsnapshot?gzip=1')
    expect(gzip.headers.get('location')).toBe('/login?redirectTo=%2Fadmin%2Fheapsnapshot%3Fgzip%3D1')
    for (const pathname of ['/admin/heapprofile?seconds=1', '/admin/cpuprofile?seconds=1']) {
      const response = await get(server, pathname)
      expect(response.status, pathname).toBe(302)
      expect(response.headers.get('location'), pathname).toBe(`/login?redirectTo=${encodeURIComponent(pathname)}`)
    }
    expect(downloads(server)).toEqual([])
  })

  it('answers 403 to a signed-in user who is not an admin', async () => {
    const db = new Database(server.databasePath)
    db.prepare('INSERT INTO users (email, password_hash, is_admin, created_at) VALUES (?, ?, 0, ?)').run(
      'reader@example.com',
      await hashPassword('a reader password'),
      new Date().toISOString(),
    )
    db.close()
    const readerCookie = await signIn(server, 'reader@example.com', 'a reader password')
    for (const pathname of ['/admin/heapsnapshot', '/admin/heapprofile?seconds=1', '/admin/cpuprofile?seconds=1']) {
      const response = await get(server, pathname, { headers: { Cookie: readerCookie } })
      expect(response.status, pathname).toBe(403)
      expect(await response.text()).not.toContain('node_fields')
    }
  })

  let plainSize = 0

  it('streams a heap snapshot that parses as one, as an attachment that is never cached', async () => {
    const response = await get(server, '/admin/heapsnapshot', admin())
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/octet-stream')
    expect(response.headers.get('content-disposition')).toMatch(FILENAME)
    expect(response.headers.get('content-disposition')).toMatch(/\.heapsnapshot"$/)
    expect(response.headers.get('cache-control')).toBe('private, no-store, no-transform')
    expect(response.headers.get('content-encoding')).toBeNull()
    const text = await response.text()
    plainSize = Buffer.byteLength(text)
    const file = JSON.parse(text) as HeapSnapshotFile
    expect(file.snapshot.meta.node_fields).toEqual(
      expect.arrayContaining(['type', 'name', 'id', 'self_size', 'edge_count']),
    )
    expect(file.nodes.length).toBe(file.snapshot.node_count * file.snapshot.meta.node_fields.length)

    const row = downloads(server).at(-1)!
    expect(row).toMatchObject({ user_email: ADMIN, kind: 'heapsnapshot', status: 'complete', bytes: plainSize })
    expect(row.duration_ms).toBeGreaterThan(0)
    // V8 wrote it to a file in DIAGNOSTICS_DIR (the JSON never in memory), unlinked once open.
    expect(fs.readdirSync(diagnosticsDir)).toEqual([])
    expect(server.output()).not.toContain('streaming it from memory instead')
  })

  it(
    'with ?gzip=1 sends a .gz file (not a Content-Encoding) that ' +
      'gunzips to a heap snapshot, smaller than the plain one',
    async () => {
      const response = await get(
        server,
        '/admin/heapsnapshot?gzip=1',
        admin({ headers: { 'Accept-Encoding': 'gzip' } }),
      )
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('application/gzip')
      expect(response.headers.get('content-disposition')).toMatch(/\.heapsnapshot\.gz"$/)
      expect(response.headers.get('content-encoding')).toBeNull()
      const gz = Buffer.from(await response.arrayBuffer())
      expect(gz.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]))
      const file = JSON.parse(zlib.gunzipSync(gz).toString('utf8')) as HeapSnapshotFile
      expect(file.snapshot.meta.node_fields).toContain('self_size')
      expect(gz.length).toBeLessThan(plainSize / 2)
      console.log(
        `heap snapshot of the idle server: ${(plainSize / 1048576).toFixed(1)} ` +
          `MB plain, ${(gz.length / 1048576).toFixed(1)} MB gzip`,
      )
      expect(downloads(server).at(-1)).toMatchObject({ kind: 'heapsnapshot.gz', status: 'complete', bytes: gz.length })
    },
  )

  it('takes no snapshot for a HEAD request', async () => {
    const before = downloads(server).length
    const response = await get(server, '/admin/heapsnapshot', admin({ method: 'HEAD' }))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-disposition')).toMatch(/\.heapsnapshot"$/)
    expect(response.headers.get('server-timing')).not.toContain('snapshot')
    expect(downloads(server).length).toBe(before)
  })

  it('runs one diagnostic at a time: of two snapshots at once, one gets 409', async () => {
    const [first, second] = await Promise.all([
      get(server, '/admin/heapsnapshot?gzip=1', admin()),
      get(server, '/admin/heapsnapshot?gzip=1', admin()),
    ])
    const statuses = [first.status, second.status].sort()
    expect(statuses).toEqual([200, 409])
    const busy = first.status === 409 ? first : second
    expect(await busy.text()).toMatch(/heap snapshot .* is still running\. Only one diagnostic runs at a time/)
    await (first.status === 200 ? first : second).arrayBuffer()
  })

  it('refuses a snapshot or another profile while a profile runs, and says so in JSON when asked', async () => {
    const started = server.output().split('cpuprofile for admin@example.com: started').length
    const profile = get(server, '/admin/cpuprofile?seconds=3', admin())
    await defined(
      () => (server.output().split('cpuprofile for admin@example.com: started').length > started ? true : undefined),
      'the profile to start',
    )
    const busy = await get(server, '/admin/heapsnapshot', admin({ headers: { Accept: 'application/json' } }))
    expect(busy.status).toBe(409)
    expect(busy.headers.get('retry-after')).toBe('5')
    const body = (await busy.json()) as { error: string; running: { kind: string; userEmail: string } }
    expect(body.error).toMatch(/^A CPU profile started \d+ s ago by admin@example\.com is still running/)
    expect(body.running).toMatchObject({ kind: 'cpuprofile', userEmail: ADMIN })
    const another = await get(server, '/admin/heapprofile?seconds=1', admin())
    expect(another.status).toBe(409)
    await another.arrayBuffer()
    const profiled = await profile
    expect(profiled.status).toBe(200)
    await profiled.arrayBuffer()
    // Once it has ended, the lock is free again.
    const snapshot = await get(server, '/admin/heapsnapshot?gzip=1', admin())
    expect(snapshot.status).toBe(200)
    await snapshot.arrayBuffer()
  })

  /**
   * Starts a download, reads its first chunk, then drops the connection (node:http, so the
   * socket is closed at once: fetch may keep reading a cancelled body to reuse it).
   */
  function leaveAfterFirstChunk(pathname: string): Promise<void> {
    const controller = new AbortController()
    return new Promise((resolve, reject) => {
      const request = http.get(
        `${server.url}${pathname}`,
        { headers: { Cookie: cookie }, signal: controller.signal },
        (response) => {
          if (response.statusCode !== 200) reject(new Error(`download answered ${response.statusCode}`))
          response.once('data', (chunk: Buffer) => {
            expect(chunk.byteLength).toBeGreaterThan(0)
            controller.abort()
            resolve()
          })
        },
      )
      request.on('error', (error) => {
        if (error.name !== 'AbortError') reject(error)
      })
    })
  }

  it('stops the snapshot, logs it as aborted and releases the lock when the client leaves mid-download', async () => {
    const before = downloads(server).length
    await leaveAfterFirstChunk('/admin/heapsnapshot?gzip=1')
    const row = await defined(
      () =>
        downloads(server)
          .slice(before)
          .find((download) => download.status === 'aborted'),
      () =>
        `the aborted download in the log: ` +
        `${JSON.stringify(downloads(server).slice(before))}\n` +
        `${server.output().split('\n').slice(-30).join('\n')}`,
    )
    expect(row).toMatchObject({ user_email: ADMIN, kind: 'heapsnapshot.gz' })
    expect(
      downloads(server)
        .slice(before)
        .filter((download) => download.status === 'complete'),
    ).toEqual([])
    // The lock is free: the next download goes through.
    const next = await get(server, '/admin/heapsnapshot?gzip=1', admin())
    expect(next.status).toBe(200)
    await next.arrayBuffer()
    expect(server.process.exitCode).toBeNull()
  })

  it('stops a plain download too, logs it as aborted and releases the lock when the client leaves', async () => {
    const before = downloads(server).length
    await leaveAfterFirstChunk('/admin/heapsnapshot')
    // The server writes with backpressure (app/http/remix-handler.server.ts), so a client that
    // leaves is seen before the whole body has gone to the socket.
    const row = await defined(() => downloads(server)[before], 'the download in the log')
    expect(row.status).toBe('aborted')
    const next = await defined(async () => {
      const response = await get(server, '/admin/heapprofile?seconds=1', admin())
      await response.arrayBuffer()
      return response.status === 200 ? response : undefined
    }, 'the lock to be released')
    expect(next.status).toBe(200)
    expect(server.process.exitCode).toBeNull()
  })

  it('stops a profile and releases the lock when the client leaves before it ends', async () => {
    const before = downloads(server).length
    const controller = new AbortController()
    const pending = get(server, '/admin/cpuprofile?seconds=30', admin({ signal: controller.signal })).catch(
      (error: Error) => error,
    )
    await new Promise((resolve) => setTimeout(resolve, 500))
    controller.abort()
    expect(await pending).toBeInstanceOf(Error)
    const row = await defined(
      () =>
        downloads(server)
          .slice(before)
          .find((download) => download.status === 'aborted'),
      'the aborted profile in the log',
    )
    expect(row).toMatchObject({ kind: 'cpuprofile', bytes: 0 })
    expect(row.duration_ms).toBeLessThan(25_000) // well short of the 30 s asked for
    const next = await get(server, '/admin/heapprofile?seconds=1', admin())
    expect(next.status).toBe(200)
    await next.arrayBuffer()
  })

  /** Pages requested while a profile runs, so it has something to show. */
  async function someTraffic(ms: number) {
    const until = Date.now() + ms
    while (Date.now() < until) await (await get(server, '/')).text()
  }

  it('downloads a heap sampling profile DevTools can read', async () => {
    const pending = get(server, '/admin/heapprofile?seconds=2', admin())
    await someTraffic(1500)
    const response = await pending
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(response.headers.get('content-disposition')).toMatch(FILENAME)
    expect(response.headers.get('content-disposition')).toMatch(/\.heapprofile"$/)
    expect(response.headers.get('cache-control')).toBe('private, no-store, no-transform')
    const profile = (await response.json()) as {
      head: { callFrame: unknown; children: unknown[] }
      samples: { size: number }[]
    }
    expect(profile.head.callFrame).toBeDefined()
    expect(profile.head.children.length).toBeGreaterThan(0)
    expect(profile.samples.length).toBeGreaterThan(0)
    expect(profile.samples[0].size).toBeGreaterThan(0)
    expect(downloads(server).at(-1)).toMatchObject({ kind: 'heapprofile', status: 'complete' })
  })

  it('downloads a CPU profile DevTools can read', async () => {
    const pending = get(server, '/admin/cpuprofile?seconds=1', admin())
    await someTraffic(700)
    const response = await pending
    expect(response.status).toBe(200)
    expect(response.headers.get('content-disposition')).toMatch(/\.cpuprofile"$/)
    const text = await response.text()
    const profile = JSON.parse(text) as {
      nodes: unknown[]
      startTime: number
      endTime: number
      samples: number[]
      timeDeltas: number[]
    }
    expect(profile.nodes.length).toBeGreaterThan(1)
    expect(profile.endTime - profile.startTime).toBeGreaterThanOrEqual(900_000) // microseconds
    expect(profile.samples.length).toBeGreaterThan(0)
    expect(profile.timeDeltas.length).toBe(profile.samples.length)
    expect(downloads(server).at(-1)).toMatchObject({
      kind: 'cpuprofile',
      status: 'complete',
      bytes: Buffer.byteLength(text),
    })
  })

  it('answers 400 to a duration that is not a whole number of seconds from 1 to 60', async () => {
    for (const kind of ['heapprofile', 'cpuprofile']) {
      for (const seconds of ['0', '61', 'abc', '1.5', '-1', '']) {
        const response = await get(server, `/admin/${kind}?seconds=${seconds}`, admin())
        expect(response.status, `${kind} ${seconds}`).toBe(400)
        expect(await response.text()).toMatch(/seconds/)
      }
      expect((await get(server, `/admin/${kind}`, admin())).status).toBe(400)
    }
  })

  it('keeps serving throughout', async () => {
    expect((await get(server, '/healthcheck')).status).toBe(200)
    expect(server.process.exitCode).toBeNull()
    expect(server.output()).not.toMatch(/(heapsnapshot|heapsnapshot\.gz|heapprofile|cpuprofile) for .*: failed/)
  })
})

describe('a heap snapshot when DIAGNOSTICS_DIR cannot be written', () => {
  let server: KilnServer
  let cookie: string

  beforeAll(async () => {
    // A folder inside a plain file: every write there fails (ENOTDIR), as on a read-only disk.
    const blocker = path.join(tempDir('kiln-diagnostics-blocked-'), 'not-a-folder')
    fs.writeFileSync(blocker, 'a file')
    server = await startServer({
      contentDir: sampleContentDir,
      env: { DIAGNOSTICS_DIR: path.join(blocker, 'diagnostics') },
    })
    await createAdmin(server, ADMIN, PASSWORD)
    cookie = await signIn(server, ADMIN, PASSWORD)
  })
  afterAll(() => server?.stop())

  it('is streamed from memory instead, whole, and the reason is logged', async () => {
    const response = await get(server, '/admin/heapsnapshot', { headers: { Cookie: cookie } })
    expect(response.status).toBe(200)
    const file = JSON.parse(await response.text()) as HeapSnapshotFile
    expect(file.nodes.length).toBe(file.snapshot.node_count * file.snapshot.meta.node_fields.length)
    expect(server.output()).toMatch(/could not be written to .*not-a-folder.*ENOTDIR.*streaming it from memory instead/)
    expect(downloads(server).at(-1)).toMatchObject({ kind: 'heapsnapshot', status: 'complete' })
  })

  it('cannot be kept: the admin is told why, the lock is released and the server keeps serving', async () => {
    const take = () =>
      get(server, '/admin/snapshots', {
        method: 'POST',
        headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url },
        body: 'intent=take',
      })
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await take()
      expect(response.status).toBe(500)
      expect(await response.text()).toMatch(/The heap snapshot could not be written to .*not-a-folder.*ENOTDIR/)
    }
    expect((await get(server, '/healthcheck')).status).toBe(200)
  })
})

describe('a heap snapshot without the memory for it', () => {
  let server: KilnServer
  let cookie: string

  beforeAll(async () => {
    server = await startServer({ contentDir: sampleContentDir, env: { DIAGNOSTICS_HEADROOM_BYTES: '1000' } })
    await createAdmin(server, ADMIN, PASSWORD)
    cookie = await signIn(server, ADMIN, PASSWORD)
  })
  afterAll(() => server?.stop())

  it('is refused with 503 and a message that says how much is needed and how much is free', async () => {
    const response = await get(server, '/admin/heapsnapshot', { headers: { Cookie: cookie } })
    expect(response.status).toBe(503)
    expect(response.headers.get('content-disposition')).toBeNull()
    const message = await response.text()
    expect(message).toMatch(
      /^Not enough memory for a heap snapshot: it needs about [\d.]+ MB \(\d+ bytes, for [\d.]+ MB of heap in use\), but only 1000 bytes is free/,
    )

    const json = await get(server, '/admin/heapsnapshot?gzip=1', {
      headers: { Cookie: cookie, Accept: 'application/json' },
    })
    expect(json.status).toBe(503)
    const body = (await json.json()) as { error: string; neededBytes: number; availableBytes: number; source: string }
    expect(body.availableBytes).toBe(1000)
    expect(body.source).toBe('override')
    expect(body.neededBytes).toBeGreaterThan(1000)
    expect(body.error).toContain(`${body.neededBytes} bytes`)
    expect(body.error).toContain('1000 bytes')

    // Refusing released the lock, logged no download, and the lighter profile still runs.
    expect((await get(server, '/admin/heapprofile?seconds=1', { headers: { Cookie: cookie } })).status).toBe(200)
    expect(downloads(server).map((download) => download.kind)).toEqual(['heapprofile'])
    expect(server.process.exitCode).toBeNull()
  })
})
