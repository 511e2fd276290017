/**
 * Admin accounts and sessions on the real server: admin:create, sign-in and sign-out,
 * the cookie's attributes, expiry and renewal, the redirect rules, 403 for non-admins,
 * the Origin check and the lockout.
 */
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../app/auth/password.server.ts'
import { createAdmin, postLogin, runAdminCreate, signIn } from '../helpers/auth.ts'
import { get, sampleContentDir, startServer, tempDir, type KilnServer } from '../helpers/server.ts'

const ADMIN = 'admin@example.com'
const PASSWORD = 'correct horse battery'

describe('admin sign-in', () => {
  let server: KilnServer
  let db: Database.Database

  beforeAll(async () => {
    // As behind Fly's proxy: the lockout tests name their client in Fly-Client-IP.
    server = await startServer({
      contentDir: sampleContentDir,
      databasePath: path.join(tempDir('kiln-auth-'), 'kiln.db'),
      env: { TRUST_PROXY: '1' },
    })
    await createAdmin(server, ADMIN, PASSWORD)
    db = new Database(server.databasePath)
  })
  afterAll(async () => {
    db?.close()
    await server?.stop()
  })

  const withCookie = (cookie: string) => ({ headers: { Cookie: cookie } })

  it('admin:create refuses a short password and a bad email, and creates an admin', () => {
    const short = runAdminCreate(server.databasePath, 'short@example.com', 'elevenchars')
    expect(short.status).toBe(1)
    expect(short.stderr).toContain('at least 12 characters')
    const bad = runAdminCreate(server.databasePath, 'not-an-email', 'long enough password')
    expect(bad.status).toBe(1)
    const row = db.prepare('SELECT is_admin, password_hash FROM users WHERE email = ?').get(ADMIN) as {
      is_admin: number
      password_hash: string
    }
    expect(row.is_admin).toBe(1)
    expect(row.password_hash).toMatch(/^scrypt\$/)
    expect(row.password_hash).not.toContain(PASSWORD)
  })

  it('sends an anonymous visitor of /admin to /login with a redirect back', async () => {
    const response = await get(server, '/admin')
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/login?redirectTo=%2Fadmin')
  })

  it('answers an unknown email and a wrong password the same way', async () => {
    const unknown = await postLogin(
      server,
      { email: 'nobody@example.com', password: PASSWORD },
      { 'Fly-Client-IP': '192.0.2.1' },
    )
    const wrong = await postLogin(
      server,
      { email: ADMIN, password: 'wrong password!!' },
      { 'Fly-Client-IP': '192.0.2.2' },
    )
    expect(unknown.status).toBe(401)
    expect(wrong.status).toBe(401)
    const message = (html: string) => /role="alert"[^>]*>([^<]+)</.exec(html)?.[1]
    expect(message(await unknown.text())).toBe('Email or password is incorrect.')
    expect(message(await wrong.text())).toBe('Email or password is incorrect.')
  })

  it(
    'signs in with a session cookie that is httpOnly, ' + 'SameSite=Strict, Secure in production, and lasts 30 days',
    async () => {
      const response = await postLogin(server, { email: ADMIN, password: PASSWORD, redirectTo: '/admin' })
      expect(response.status).toBe(302)
      expect(response.headers.get('location')).toBe('/admin')
      const setCookie = response.headers.get('set-cookie') ?? ''
      expect(setCookie).toMatch(/^kiln_session=/)
      expect(setCookie).toMatch(/HttpOnly/i)
      expect(setCookie).toMatch(/^kiln_session=[^,]*SameSite=Strict/i)
      expect(setCookie).toMatch(/Secure/i)
      expect(setCookie).toMatch(/Max-Age=2592000/)
      const cookie = /kiln_session=[^;]*/.exec(setCookie)![0]
      expect((await get(server, '/admin', withCookie(cookie))).status).toBe(200)
    },
  )

  it('only follows redirects to paths on this site', async () => {
    for (const redirectTo of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const response = await postLogin(server, { email: ADMIN, password: PASSWORD, redirectTo })
      expect(response.headers.get('location'), redirectTo).toBe('/admin')
    }
    const good = await postLogin(server, { email: ADMIN, password: PASSWORD, redirectTo: '/admin?tab=memory' })
    expect(good.headers.get('location')).toBe('/admin?tab=memory')
  })

  it('refuses forms sent without this site as their Origin', async () => {
    expect(
      (await postLogin(server, { email: ADMIN, password: PASSWORD }, { Origin: 'https://evil.example' })).status,
    ).toBe(403)
    const noOrigin = await fetch(`${server.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: ADMIN, password: PASSWORD }).toString(),
    })
    expect(noOrigin.status).toBe(403)
  })

  it('signs out: the session is deleted and the cookie no longer opens /admin', async () => {
    const cookie = await signIn(server, ADMIN, PASSWORD)
    const crossSite = await fetch(`${server.url}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Cookie: cookie, Origin: 'https://evil.example' },
    })
    expect(crossSite.status).toBe(403)
    expect((await get(server, '/admin', withCookie(cookie))).status).toBe(200)
    const out = await fetch(`${server.url}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Cookie: cookie, Origin: server.url },
    })
    expect(out.status).toBe(302)
    expect(out.headers.get('set-cookie')).toMatch(/kiln_session=;/)
    expect((await get(server, '/admin', withCookie(cookie))).status).toBe(302)
  })

  it('expires a session after its time, and renews one in use', async () => {
    const cookie = await signIn(server, ADMIN, PASSWORD)
    const newest = () =>
      db.prepare('SELECT id, expires_at FROM sessions ORDER BY created_at DESC LIMIT 1').get() as {
        id: string
        expires_at: string
      }

    // In use ten days before its end: renewed to 30 days, and the cookie sent again.
    const { id } = newest()
    db.prepare('UPDATE sessions SET expires_at = ? WHERE id = ?').run(
      new Date(Date.now() + 10 * 86_400_000).toISOString(),
      id,
    )
    const renewed = await get(server, '/', withCookie(cookie))
    expect(renewed.headers.get('set-cookie')).toMatch(/^kiln_session=/)
    const after = db.prepare('SELECT expires_at FROM sessions WHERE id = ?').get(id) as { expires_at: string }
    expect(Date.parse(after.expires_at) - Date.now()).toBeGreaterThan(29 * 86_400_000)

    // Past its end: no longer a session, and the row is gone.
    db.prepare('UPDATE sessions SET expires_at = ? WHERE id = ?').run(new Date(Date.now() - 1000).toISOString(), id)
    expect((await get(server, '/admin', withCookie(cookie))).status).toBe(302)
    expect(db.prepare('SELECT 1 FROM sessions WHERE id = ?').get(id)).toBeUndefined()
  })

  it('answers 403 to a signed-in user who is not an admin', async () => {
    db.prepare('INSERT INTO users (email, password_hash, is_admin, created_at) VALUES (?, ?, 0, ?)').run(
      'reader@example.com',
      await hashPassword('a reader password'),
      new Date().toISOString(),
    )
    const cookie = await signIn(server, 'reader@example.com', 'a reader password')
    expect((await get(server, '/admin', withCookie(cookie))).status).toBe(403)
  })

  it('ignores a forged or tampered cookie', async () => {
    const cookie = await signIn(server, ADMIN, PASSWORD)
    const tampered = cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))
    expect((await get(server, '/admin', withCookie(tampered))).status).toBe(302)
    expect((await get(server, '/admin', withCookie('kiln_session=made-up'))).status).toBe(302)
  })

  it('locks an account after 5 failures, even for the right password, with a clear message', async () => {
    await createAdmin(server, 'locked@example.com', PASSWORD)
    for (let i = 0; i < 5; i++) {
      const failure = await postLogin(
        server,
        { email: 'locked@example.com', password: `wrong ${i} password` },
        { 'Fly-Client-IP': `198.51.100.${i}` },
      )
      expect([401, 429]).toContain(failure.status)
    }
    const sixth = await postLogin(
      server,
      { email: 'locked@example.com', password: PASSWORD },
      { 'Fly-Client-IP': '198.51.100.99' },
    )
    expect(sixth.status).toBe(429)
    expect(await sixth.text()).toMatch(/Too many failed sign-ins\. Try again in 1[0-5] minutes\./)
    // Other accounts are not locked.
    expect(
      (await postLogin(server, { email: ADMIN, password: PASSWORD }, { 'Fly-Client-IP': '198.51.100.98' })).status,
    ).toBe(302)
  })

  it('locks an address after 5 failures across accounts', async () => {
    for (let i = 0; i < 5; i++) {
      await postLogin(
        server,
        { email: `guess${i}@example.com`, password: 'not the password' },
        { 'Fly-Client-IP': '203.0.113.7' },
      )
    }
    expect(
      (await postLogin(server, { email: ADMIN, password: PASSWORD }, { 'Fly-Client-IP': '203.0.113.7' })).status,
    ).toBe(429)
    expect(
      (await postLogin(server, { email: ADMIN, password: PASSWORD }, { 'Fly-Client-IP': '203.0.113.8' })).status,
    ).toBe(302)
  })
})
