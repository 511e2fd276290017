/**
 * Admin actions cannot be started from another site. A signed-in admin's browser that
 * follows another site's link (or a sibling subdomain's) to a diagnostic gets 403 and
 * nothing runs; the same request from the admin's own pages, or typed, runs. Forms that
 * change state refuse a cross-site Sec-Fetch-Site even with a matching Origin. A cross-site
 * navigation to the dashboard, which arrives without the SameSite=Strict session cookie,
 * gets a page that reloads it from this site.
 */
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdmin } from '../helpers/auth.ts'
import { sampleContentDir, startServer, tempDir, type KilnServer } from '../helpers/server.ts'

const ADMIN = 'same-site@example.com'
const PASSWORD = 'a same-site admin password'

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/** One request on its own connection; the body is read only up to `maxBody` bytes (a snapshot is large). */
function send(
  server: KilnServer,
  method: string,
  pathname: string,
  headers: Record<string, string> = {},
  body?: string,
  maxBody = 64 * 1024,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port: server.port, path: pathname, method, agent: false, headers },
      (response) => {
        let text = ''
        const done = () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text })
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          text += chunk
          if (text.length > maxBody) {
            response.destroy()
            done()
          }
        })
        response.on('end', done)
      },
    )
    request.setTimeout(120_000, () => request.destroy(new Error('no answer within 120 s')))
    request.on('error', reject)
    request.end(body)
  })
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()

describe('admin actions and cross-site requests', () => {
  let server: KilnServer
  let db: Database.Database
  let session: string

  beforeAll(async () => {
    server = await startServer({
      contentDir: sampleContentDir,
      databasePath: path.join(tempDir('kiln-admin-site-'), 'kiln.db'),
    })
    await createAdmin(server, ADMIN, PASSWORD)
    db = new Database(server.databasePath)
    const signIn = await send(
      server,
      'POST',
      '/login',
      { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url, 'Sec-Fetch-Site': 'same-origin' },
      form({ email: ADMIN, password: PASSWORD }),
    )
    expect(signIn.status).toBe(302)
    const line = (signIn.headers['set-cookie'] ?? []).find((l) => l.startsWith('kiln_session='))!
    expect(line).toMatch(/SameSite=Strict/i)
    session = line.split(';')[0]
  }, 120_000)
  afterAll(async () => {
    db?.close()
    await server?.stop()
    if (server) fs.rmSync(path.dirname(server.databasePath), { recursive: true, force: true })
  })

  const downloads = () => (db.prepare('SELECT count(*) AS n FROM diagnostic_downloads').get() as { n: number }).n
  const navigation = (site: string) => ({
    Cookie: session,
    'Sec-Fetch-Site': site,
    'Sec-Fetch-Mode': 'navigate',
    'Sec-Fetch-Dest': 'document',
  })

  it.each([
    '/admin/heapsnapshot',
    '/admin/heapsnapshot?gzip=1',
    '/admin/heapprofile?seconds=1',
    '/admin/cpuprofile?seconds=1',
  ])(
    'refuses %s started by another site or a sibling subdomain with 403, and runs nothing',
    async (pathname) => {
      const before = downloads()
      for (const site of ['cross-site', 'same-site', 'CROSS-SITE']) {
        const answer = await send(server, 'GET', pathname, navigation(site))
        expect(answer.status, site).toBe(403)
        expect(answer.body).toMatch(/only be started from this site/)
        expect(answer.headers['content-disposition']).toBeUndefined()
        // A subresource (an <img> pointing at it) is refused the same way.
        expect(
          (
            await send(server, 'GET', pathname, {
              Cookie: session,
              'Sec-Fetch-Site': site,
              'Sec-Fetch-Mode': 'no-cors',
              'Sec-Fetch-Dest': 'image',
            })
          ).status,
        ).toBe(403)
      }
      // Without a session too: the refusal comes before the sign-in redirect.
      expect(
        (await send(server, 'GET', pathname, { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate' })).status,
      ).toBe(403)
      expect(downloads()).toBe(before)
    },
    60_000,
  )

  it("runs a profile started from the admin's own page, or typed into the address bar", async () => {
    const before = downloads()
    const fromPage = await send(server, 'GET', '/admin/heapprofile?seconds=1', navigation('same-origin'))
    expect(fromPage.status).toBe(200)
    expect(fromPage.headers['content-disposition']).toMatch(/\.heapprofile/)
    const typed = await send(server, 'GET', '/admin/cpuprofile?seconds=1', navigation('none'))
    expect(typed.status).toBe(200)
    expect(JSON.parse(typed.body)).toHaveProperty('nodes')
    // A client that sends no Fetch Metadata (curl, a script) holds the cookie itself: it runs.
    expect((await send(server, 'GET', '/admin/heapprofile?seconds=1', { Cookie: session })).status).toBe(200)
    expect(downloads()).toBe(before + 3)
  }, 120_000)

  it('streams a heap snapshot started from this site', async () => {
    const answer = await send(server, 'GET', '/admin/heapsnapshot', navigation('same-origin'), undefined, 1024)
    expect(answer.status).toBe(200)
    expect(answer.body).toMatch(/^\{"snapshot"/)
  }, 120_000)

  it('refuses state-changing forms that another site started, even with a matching Origin', async () => {
    const post = (pathname: string, site: string, fields: Record<string, string>, cookie = session) =>
      send(
        server,
        'POST',
        pathname,
        {
          Cookie: cookie,
          Origin: server.url,
          'Sec-Fetch-Site': site,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        form(fields),
      )
    for (const site of ['cross-site', 'same-site']) {
      expect((await post('/logout', site, {})).status, `/logout ${site}`).toBe(403)
      expect((await post('/action/theme', site, { theme: 'dark' })).status, `/action/theme ${site}`).toBe(403)
      // Signed out (a signed-in visitor of /login is sent on to /admin whatever the form did).
      const login = await post('/login', site, { email: ADMIN, password: PASSWORD }, '')
      expect(login.status, `/login ${site}`).toBe(403)
      expect(login.headers['set-cookie']).toBeUndefined()
    }
    // The session survived the cross-site sign-out.
    expect((await send(server, 'GET', '/admin', navigation('same-origin'))).status).toBe(200)
    // From this site, the same forms work.
    expect((await post('/action/theme', 'same-origin', { theme: 'dark', redirectTo: '/blog' })).status).toBe(302)
  }, 120_000)

  it(
    'answers a cross-site navigation to the dashboard, which carries no ' +
      'Strict cookie, with a page that reloads it from this site',
    async () => {
      const arrival = await send(server, 'GET', '/admin?from=mail', {
        'Sec-Fetch-Site': 'cross-site',
        'Sec-Fetch-Mode': 'navigate',
        'Sec-Fetch-Dest': 'document',
      })
      expect(arrival.status).toBe(302)
      expect(arrival.headers.location).toBe('/admin/continue?to=%2Fadmin%3Ffrom%3Dmail')
      const bounce = await send(server, 'GET', arrival.headers.location!, {
        'Sec-Fetch-Site': 'cross-site',
        'Sec-Fetch-Mode': 'navigate',
        'Sec-Fetch-Dest': 'document',
      })
      expect(bounce.status).toBe(200)
      expect(bounce.headers['cache-control']).toMatch(/no-store/)
      expect(bounce.body).toContain('<meta http-equiv="refresh" content="0;url=/admin?from=mail">')
      // It reloads only addresses on this site.
      expect((await send(server, 'GET', `/admin/continue?to=${encodeURIComponent('//evil.example/')}`)).body).toContain(
        'url=/admin"',
      )
      // The reload is same-origin: without a session it goes to sign in, as any visit would.
      const reload = await send(server, 'GET', '/admin?from=mail', {
        'Sec-Fetch-Site': 'same-origin',
        'Sec-Fetch-Mode': 'navigate',
      })
      expect(reload.status).toBe(302)
      expect(reload.headers.location).toBe('/login?redirectTo=%2Fadmin%3Ffrom%3Dmail')
    },
  )
})
