/**
 * Kept heap snapshots on the real server: taking one keeps it in DIAGNOSTICS_DIR (the
 * newest DIAGNOSTICS_KEEP), its summary is computed once by a worker and cached, files that
 * are not snapshots get a clear page, and the comparison of two snapshots taken around load
 * names the constructor a deliberate leak (KILN_TEST_LEAK=1) allocates, first.
 */
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdmin, signIn } from '../helpers/auth.ts'
import { stopServer } from '../helpers/fixtures.ts'
import { get, sampleContentDir, startServer, tempDir, type KilnServer } from '../helpers/server.ts'

const ADMIN = 'snapshots-admin@example.com'
const PASSWORD = 'a snapshots admin password'
const KEEP = 3
const ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/

describe('kept heap snapshots', () => {
  let server: KilnServer
  let cookie: string
  let dir: string

  beforeAll(async () => {
    dir = path.join(tempDir('kiln-snapshots-'), 'kept')
    server = await startServer({
      contentDir: sampleContentDir,
      env: {
        DIAGNOSTICS_DIR: dir,
        DIAGNOSTICS_KEEP: String(KEEP),
        KILN_TEST_LEAK: '1',
        // Room for a snapshot of the test server, not for summarizing a file of gigabytes (see below).
        DIAGNOSTICS_HEADROOM_BYTES: String(1024 * 1024 * 1024),
      },
    })
    await createAdmin(server, ADMIN, PASSWORD)
    cookie = await signIn(server, ADMIN, PASSWORD)
  })
  afterAll(() => stopServer(server))

  const admin = (init: RequestInit = {}): RequestInit => ({
    ...init,
    headers: { Cookie: cookie, ...(init.headers as Record<string, string>) },
  })
  const take = () =>
    get(
      server,
      '/admin/snapshots',
      admin({
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url },
        body: 'intent=take',
      }),
    )
  /** Takes a kept snapshot and returns its id. */
  async function takeKept(): Promise<string> {
    const response = await take()
    const body = await response.text()
    expect(response.status, body.slice(0, 500)).toBe(303)
    const id = /^\/admin\/snapshots\/(.+)$/.exec(response.headers.get('location') ?? '')?.[1] ?? ''
    expect(id).toMatch(ID)
    return id
  }
  const keptFiles = () =>
    fs
      .readdirSync(dir)
      .filter((name) => name.endsWith('.heapsnapshot'))
      .sort()

  let first = ''

  it('keeps a snapshot on disk, lists it, and downloads it whole', async () => {
    first = await takeKept()
    expect(keptFiles()).toEqual([`${first}.heapsnapshot`])
    expect(fs.existsSync(path.join(dir, 'snapshot.partial'))).toBe(false)

    const list = await get(server, '/admin/snapshots', admin())
    expect(list.status).toBe(200)
    expect(await list.text()).toContain(`data-snapshot="${first}"`)

    const download = await get(server, `/admin/snapshots/${first}/download?gzip=1`, admin())
    expect(download.status).toBe(200)
    expect(download.headers.get('content-disposition')).toContain(`kiln-${first}.heapsnapshot.gz`)
    const text = zlib.gunzipSync(Buffer.from(await download.arrayBuffer())).toString('utf8')
    expect(text).toBe(fs.readFileSync(path.join(dir, `${first}.heapsnapshot`), 'utf8'))
    expect((JSON.parse(text) as { snapshot: { node_count: number } }).snapshot.node_count).toBeGreaterThan(1000)
  })

  it('refuses visitors and cross-site posts, and names no file outside the folder', async () => {
    const anonymous = await get(server, `/admin/snapshots/${first}`)
    expect(anonymous.status).toBe(302)
    expect(anonymous.headers.get('location')).toMatch(/^\/login\?redirectTo=/)
    expect((await get(server, `/admin/snapshots/${first}/download`)).status).toBe(302)
    const crossSite = await get(
      server,
      '/admin/snapshots',
      admin({
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example' },
        body: 'intent=take',
      }),
    )
    expect(crossSite.status).toBe(403)
    for (const id of ['..%2F..%2Fetc%2Fpasswd', 'nope', `${first}x`]) {
      expect((await get(server, `/admin/snapshots/${id}`, admin())).status, id).toBe(404)
      expect((await get(server, `/admin/snapshots/${id}/download`, admin())).status, id).toBe(404)
    }
    expect(keptFiles()).toHaveLength(1)
  })

  it('summarizes a kept snapshot in a worker once, and caches the summary beside it', async () => {
    const response = await get(server, `/admin/snapshots/${first}`, admin())
    const html = await response.text()
    expect(response.status, html.slice(0, 300)).toBe(200)
    for (const heading of ['By category', 'Largest constructors by size', 'Largest objects', 'Duplicated strings'])
      expect(html).toContain(heading)
    for (const category of ['code', 'strings', 'jsArrays', 'typedArrays', 'system', 'other'])
      expect(html).toContain(`data-stat="category-${category}"`)
    const cache = path.join(dir, `${first}.summary.json`)
    const summary = JSON.parse(fs.readFileSync(cache, 'utf8')) as {
      totals: { total: number; code: number; strings: number }
      bySize: { name: string }[]
      byCount: { name: string }[]
      largest: { retainers: string[] }[]
    }
    expect(summary.totals.strings).toBeGreaterThan(0)
    expect(summary.totals.code).toBeGreaterThan(0)
    expect(summary.bySize).toHaveLength(30)
    expect(summary.byCount).toHaveLength(30)
    expect(summary.largest.some((object) => object.retainers.length > 0)).toBe(true)
    expect(fs.statSync(cache).size).toBeLessThan(512 * 1024)
    expect(server.output()).toMatch(new RegExp(`summarized snapshot ${first}`))

    const mtime = fs.statSync(cache).mtimeMs
    const again = await get(server, `/admin/snapshots/${first}`, admin())
    expect(again.status).toBe(200)
    await again.text()
    expect(fs.statSync(cache).mtimeMs).toBe(mtime)
    expect(server.output().split(`summarized snapshot ${first}`).length).toBe(2)
  })

  it('shows a clear error for a file that is not a snapshot, or is cut short, and keeps serving', async () => {
    const garbage = '20200101T000000Z-000001'
    fs.writeFileSync(path.join(dir, `${garbage}.heapsnapshot`), '{"hello": "world"}')
    const notSnapshot = await get(server, `/admin/snapshots/${garbage}`, admin())
    expect(notSnapshot.status).toBe(422)
    expect(await notSnapshot.text()).toContain('This file is not a heap snapshot')

    const truncated = '20200101T000000Z-000002'
    const whole = fs.readFileSync(path.join(dir, `${first}.heapsnapshot`))
    fs.writeFileSync(path.join(dir, `${truncated}.heapsnapshot`), whole.subarray(0, Math.floor(whole.length * 0.6)))
    const cut = await get(server, `/admin/snapshots/${truncated}`, admin())
    expect(cut.status).toBe(422)
    expect(await cut.text()).toMatch(/the snapshot is truncated/)

    // Summarizing a file needs about twice its size: a (sparse) 2 GB file is refused before it is read.
    const huge = '20200101T000000Z-000003'
    const hugeFile = path.join(dir, `${huge}.heapsnapshot`)
    fs.writeFileSync(hugeFile, '')
    fs.truncateSync(hugeFile, 2 ** 31)
    const refused = await get(server, `/admin/snapshots/${huge}`, admin())
    expect(refused.status).toBe(503)
    expect(await refused.text()).toMatch(/Not enough memory to summarize this snapshot: it needs about [\d.]+ GB/)

    for (const id of [garbage, truncated, huge]) {
      expect(fs.existsSync(path.join(dir, `${id}.summary.json`))).toBe(false)
      fs.rmSync(path.join(dir, `${id}.heapsnapshot`))
    }
    expect((await get(server, '/healthcheck')).status).toBe(200)
    expect(server.process.exitCode).toBeNull()
  })

  it('takes one snapshot at a time: of two at once, one gets 409', async () => {
    const [a, b] = await Promise.all([take(), take()])
    expect([a.status, b.status].sort()).toEqual([303, 409])
    const busy = a.status === 409 ? a : b
    expect(await busy.text()).toMatch(/is still running\. Only one diagnostic runs at a time/)
    await (a.status === 409 ? b : a).text()
  })

  it('keeps only the newest DIAGNOSTICS_KEEP, removing the oldest with its summary', async () => {
    while (keptFiles().length < KEEP) await takeKept()
    expect(keptFiles()).toContain(`${first}.heapsnapshot`)
    await takeKept()
    expect(keptFiles()).toHaveLength(KEEP)
    expect(keptFiles()).not.toContain(`${first}.heapsnapshot`)
    expect(fs.existsSync(path.join(dir, `${first}.summary.json`))).toBe(false)
  })

  it('on a full disk removes the partial file and says so, and the next snapshot works', async () => {
    const before = keptFiles()
    // Writes to /dev/full fail with ENOSPC: the kernel's own "disk full".
    fs.symlinkSync('/dev/full', path.join(dir, 'snapshot.partial'))
    const response = await take()
    expect(response.status).toBe(507)
    expect(await response.text()).toMatch(/The disk is full: the heap snapshot could not be kept/)
    expect(fs.existsSync(path.join(dir, 'snapshot.partial'))).toBe(false)
    expect(fs.lstatSync(dir).isDirectory()).toBe(true)
    expect(keptFiles()).toEqual(before)
    await takeKept()
    expect(server.process.exitCode).toBeNull()
  })

  const post = (fields: Record<string, string>) =>
    get(
      server,
      '/admin/snapshots',
      admin({
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url },
        body: new URLSearchParams(fields).toString(),
      }),
    )
  /** Shares kept snapshot `id` and returns the link's path, as the dashboard shows it. */
  async function share(id: string): Promise<{ path: string; shareId: string }> {
    const response = await post({ intent: 'share', id, gzip: '1', redirectTo: '/admin#shares' })
    expect(response.status, await response.text()).toBe(303)
    expect(response.headers.get('location')).toBe('/admin#shares')
    const dashboard = await (await get(server, '/admin', admin())).text()
    const links = [...dashboard.matchAll(/data-share="(\d+)" data-status="active"[^]*?data-share-link="([^"]+)"/g)]
    const [, shareId, path] = links[0]
    expect(path).toMatch(/^\/diagnostics\/shared\/\d+\.[A-Za-z0-9_-]{43}$/)
    return { path, shareId }
  }
  const shareDownloads = () => {
    const db = new Database(server.databasePath, { readonly: true, fileMustExist: true })
    try {
      return db.prepare('SELECT share_id, snapshot_id, bytes, status FROM snapshot_share_downloads ORDER BY id').all()
    } finally {
      db.close()
    }
  }

  it('shares a kept snapshot through a link that downloads without signing in, logged on /admin', async () => {
    const [latest] = keptFiles().reverse()
    const id = latest.replace(/\.heapsnapshot$/, '')
    const link = await share(id)
    const head = await get(server, link.path, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(shareDownloads()).toEqual([])

    const response = await get(server, link.path)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/gzip')
    expect(response.headers.get('cache-control')).toContain('no-store')
    const text = zlib.gunzipSync(Buffer.from(await response.arrayBuffer())).toString('utf8')
    expect(text).toBe(fs.readFileSync(path.join(dir, latest), 'utf8'))
    const logged = await (async () => {
      for (let i = 0; i < 100 && shareDownloads().length === 0; i++) await new Promise((r) => setTimeout(r, 50))
      return shareDownloads()
    })()
    expect(logged).toEqual([
      { share_id: Number(link.shareId), snapshot_id: id, bytes: expect.any(Number), status: 'complete' },
    ])
    const dashboard = await (await get(server, '/admin', admin())).text()
    expect(dashboard).toContain('data-testid="share-downloads"')
    const downloadsList = dashboard.slice(dashboard.indexOf('data-testid="share-downloads"'))
    expect(downloadsList).toContain(id)
    expect(downloadsList).toContain('complete')

    // A forged token, however close to a real one: 404.
    const last = link.path.at(-1) === 'A' ? 'B' : 'A'
    for (const forged of [
      link.path.slice(0, -1) + last,
      link.path.replace(/\/(\d+)\./, (_, n: string) => `/${Number(n) + 1}.`),
      '/diagnostics/shared/1.' + 'A'.repeat(43),
      '/diagnostics/shared/..%2F..%2Fkiln.db',
    ]) {
      const answer = await get(server, forged)
      expect(answer.status, forged).toBe(404)
      await answer.text()
    }
  })

  it('stops a shared link when it is revoked, and when it expires', async () => {
    const [latest] = keptFiles().reverse()
    const id = latest.replace(/\.heapsnapshot$/, '')
    const revoked = await share(id)
    const revoke = await post({ intent: 'revoke', share: revoked.shareId, redirectTo: '/admin#shares' })
    expect(revoke.status).toBe(303)
    expect((await get(server, revoked.path)).status).toBe(404)
    expect(await (await get(server, '/admin', admin())).text()).toContain(
      `data-share="${revoked.shareId}" data-status="revoked"`,
    )

    const expiring = await share(id)
    expect((await get(server, expiring.path, { method: 'HEAD' })).status).toBe(200)
    // The clock cannot be moved in the server: its row is, to a minute ago.
    const db = new Database(server.databasePath)
    db.prepare('UPDATE snapshot_shares SET expires_at = ? WHERE id = ?').run(
      new Date(Date.now() - 60_000).toISOString(),
      Number(expiring.shareId),
    )
    db.close()
    expect((await get(server, expiring.path)).status).toBe(404)
    expect(await (await get(server, '/admin', admin())).text()).toContain(
      `data-share="${expiring.shareId}" data-status="expired"`,
    )
  })

  it('compares two snapshots taken around load: the leaking constructor grew most', async () => {
    // Warm up first, so the code and caches the load creates are in both snapshots.
    for (let i = 0; i < 50; i++) await (await get(server, '/robots.txt')).text()
    const before = await takeKept()
    for (let i = 0; i < 400; i++) await (await get(server, '/robots.txt')).text()
    const after = await takeKept()
    const response = await get(server, `/admin/snapshots/${before}/diff/${after}`, admin())
    const html = await response.text()
    expect(response.status, html.slice(0, 300)).toBe(200)
    const rows = [...html.matchAll(/data-constructor="([^"]+)"/g)].map((match) => match[1])
    expect(rows[0]).toBe('KilnTestLeak')
    const summary = (id: string) =>
      JSON.parse(fs.readFileSync(path.join(dir, `${id}.summary.json`), 'utf8')) as {
        classes: { name: string; count: number }[]
      }
    const count = (id: string) => summary(id).classes.find((row) => row.name === 'KilnTestLeak')?.count ?? 0
    expect(count(after) - count(before)).toBeGreaterThanOrEqual(400 * 64)

    const same = await get(server, `/admin/snapshots/${before}/diff/${before}`, admin())
    expect(same.status).toBe(400)
    const missing = await get(server, `/admin/snapshots/${before}/diff/20200101T000000Z-0000ff`, admin())
    expect(missing.status).toBe(404)
  })
})
