/**
 * Private answers stay private: every answer to a signed-in request (documents, data
 * requests, search, admin, diagnostics, feeds, static files, errors, actions), and the
 * answer that signs a reader in, is `Cache-Control: private, no-store`, against the real
 * server. Anonymous pages keep their shared-cache headers.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdmin, postLogin, signIn } from '../helpers/auth.ts'
import { get, repoRoot, sampleContentDir, startServer, tempDir, type KilnServer } from '../helpers/server.ts'

const ADMIN = 'private-answers@example.com'
const PASSWORD = 'a long enough admin password'
const PRIVATE = 'private, no-store'

let server: KilnServer
let cookie: string
const asset =
  `/assets/` +
  `${fs.readdirSync(path.join(repoRoot, 'build', 'client', 'assets')).find((name) => name.endsWith('.js'))}`

beforeAll(async () => {
  server = await startServer({
    contentDir: sampleContentDir,
    databasePath: path.join(tempDir('kiln-db-'), 'kiln.db'),
    env: { SESSION_COOKIE_SECURE: '0' },
  })
  await createAdmin(server, ADMIN, PASSWORD)
  cookie = await signIn(server, ADMIN, PASSWORD)
})

afterAll(async () => {
  await server?.stop()
  if (server) fs.rmSync(path.dirname(server.databasePath), { recursive: true, force: true })
})

const READS = [
  '/',
  '/blog',
  '/blog?tag=kiln',
  '/blog/code-highlighting',
  '/tags',
  '/tags/kiln',
  '/about',
  '/search?q=kiln',
  '/search.data?q=kiln',
  '/_root.data',
  '/blog/code-highlighting.data',
  '/blog.data',
  '/admin',
  '/admin.data',
  '/login',
  '/blog/rss.xml',
  '/blog/atom.xml',
  '/blog/feed.json',
  '/sitemap.xml',
  '/robots.txt',
  '/og.png',
  '/blog/code-highlighting/og.png',
  '/favicon.svg',
  asset,
  '/no-such-page',
  '/blog/no-such-post.data',
  '/healthcheck',
  '/action/theme',
]

describe('signed-in answers', () => {
  it('every read, in every encoding, also as HEAD, is private, no-store', async () => {
    // Anonymous first, so the shared pages are in the page cache: the signed-in answer must not be its copy.
    for (const pathname of READS) await (await get(server, pathname)).arrayBuffer()
    for (const pathname of READS) {
      for (const encoding of ['br', 'gzip', 'identity']) {
        const response = await get(server, pathname, { headers: { Cookie: cookie, 'Accept-Encoding': encoding } })
        expect(response.headers.get('cache-control'), `${pathname} (${encoding}) ${response.status}`).toBe(PRIVATE)
        expect(response.headers.get('x-kiln-cache'), pathname).not.toBe('hit')
        await response.arrayBuffer()
      }
      const head = await get(server, pathname, { method: 'HEAD', headers: { Cookie: cookie } })
      expect(head.headers.get('cache-control'), `HEAD ${pathname}`).toBe(PRIVATE)
    }
  })

  it("the admin is really signed in (the answers above are the admin's)", async () => {
    const admin = await get(server, '/admin', { headers: { Cookie: cookie } })
    expect(admin.status).toBe(200)
    expect(await admin.text()).toContain(ADMIN)
  })

  it('diagnostics downloads: profiles and a heap snapshot (which keep no-transform)', async () => {
    for (const pathname of ['/admin/cpuprofile?seconds=1', '/admin/heapprofile?seconds=1']) {
      const response = await get(server, pathname, { headers: { Cookie: cookie } })
      expect(response.status, pathname).toBe(200)
      expect(response.headers.get('cache-control'), pathname).toBe(`${PRIVATE}, no-transform`)
      await response.arrayBuffer()
    }
    const snapshot = await get(server, '/admin/heapsnapshot', { headers: { Cookie: cookie } })
    expect(snapshot.status).toBe(200)
    expect(snapshot.headers.get('cache-control')).toBe(`${PRIVATE}, no-transform`)
    await snapshot.body?.cancel()
  })

  it('actions: theme, view beacon, a cross-site refusal, sign-in and sign-out', async () => {
    const form = (body: string, extra: Record<string, string> = {}) => ({
      method: 'POST',
      headers: { Cookie: cookie, Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded', ...extra },
      body,
    })
    const theme = await get(server, '/action/theme', form('theme=dark&redirectTo=/blog'))
    expect(theme.status).toBe(302)
    expect(theme.headers.get('cache-control')).toBe(PRIVATE)
    const view = await get(server, '/action/view/code-highlighting', form(''))
    expect(view.status).toBeLessThan(300)
    expect(view.headers.get('cache-control')).toBe(PRIVATE)
    const crossSite = await get(server, '/action/theme', form('theme=dark', { Origin: 'https://evil.example' }))
    expect(crossSite.status).toBe(403)
    expect(crossSite.headers.get('cache-control')).toBe(PRIVATE)

    // The answer that signs a reader in carries the new session: private too, though the request had none.
    const login = await postLogin(server, { email: ADMIN, password: PASSWORD })
    expect(login.status).toBe(302)
    expect(login.headers.get('set-cookie')).toContain('kiln_session=')
    expect(login.headers.get('cache-control')).toBe(PRIVATE)
    const other = /kiln_session=[^;]*/.exec(login.headers.get('set-cookie') ?? '')![0]
    const logout = await get(server, '/logout', { method: 'POST', headers: { Cookie: other, Origin: server.url } })
    expect(logout.status).toBe(302)
    expect(logout.headers.get('cache-control')).toBe(PRIVATE)
  })

  it('a session cookie in any shape of Cookie header makes the answer private', async () => {
    for (const header of [
      'kiln_session',
      'kiln_session=',
      ' kiln_session = x',
      'a=1;kiln_session=x;',
      'kiln_theme=dark; kiln_session="x"',
      'kiln_session=x; kiln_session=y',
      `${cookie}; kiln_theme=light`,
      `kiln_theme=light;;; ${cookie}`,
    ]) {
      const response = await get(server, '/blog/code-highlighting', { headers: { Cookie: header } })
      expect(response.headers.get('cache-control'), header).toBe(PRIVATE)
      expect(response.headers.get('x-kiln-cache'), header).not.toBe('hit')
      await response.arrayBuffer()
    }
  })
})

describe('anonymous answers', () => {
  it('shared pages keep their shared-cache headers (the rule is about who asks)', async () => {
    for (const pathname of ['/', '/blog/code-highlighting', '/blog/rss.xml', '/tags']) {
      const response = await get(server, pathname, { headers: { Cookie: 'kiln_theme=dark; kiln_visitor=abc' } })
      expect(response.headers.get('cache-control'), pathname).toMatch(/^public, /)
      await response.arrayBuffer()
    }
  })
})
