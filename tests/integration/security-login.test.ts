/**
 * The sign-in lockout, attacked: concurrent bursts, spoofed client addresses, failures aimed
 * at the admin's account, a new password, and what the sessions table keeps. Every case
 * runs against the real server and its SQLite file; passwords are verified by real scrypt.
 */
import crypto from 'node:crypto'
import http from 'node:http'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdmin } from '../helpers/auth.ts'
import { stopServer } from '../helpers/fixtures.ts'
import { get, sampleContentDir, startServer, type KilnServer } from '../helpers/server.ts'

const PASSWORD = 'the right password here'
const TOKEN = 'metrics-token-for-lockout'

interface Answer {
  status: number
  setCookies: string[]
}

/**
 * Posts the sign-in form as a browser on this site would, each on a connection of its own:
 * sign-ins wait for scrypt, and a kept-alive socket can be closed by the server's idle
 * timer just as the next request goes out on it.
 */
function postLogin(
  server: KilnServer,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const body = new URLSearchParams(fields).toString()
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        path: '/login',
        method: 'POST',
        agent: false,
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
          Origin: server.url,
          ...headers,
        },
      },
      (response) => {
        response.resume()
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, setCookies: response.headers['set-cookie'] ?? [] }),
        )
      },
    )
    request.setTimeout(60_000, () => request.destroy(new Error('no answer within 60 s')))
    request.on('error', reject)
    request.end(body)
  })
}

/** kiln_session=… and kiln_device=… from a sign-in's answer. */
function cookiesOf(response: Answer): { session: string | null; device: string | null } {
  const pick = (name: string) =>
    response.setCookies.map((line) => line.split(';')[0]).find((pair) => pair.startsWith(`${name}=`)) ?? null
  return { session: pick('kiln_session'), device: pick('kiln_device') }
}

async function metric(server: KilnServer, name: string): Promise<number> {
  const text = await (await get(server, '/metrics', { headers: { Authorization: `Bearer ${TOKEN}` } })).text()
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  if (!line) throw new Error(`no ${name} in /metrics`)
  return Number(line.split(' ')[1])
}

describe('the lockout behind a trusted proxy (TRUST_PROXY=1)', () => {
  let server: KilnServer
  let db: Database.Database

  beforeAll(async () => {
    server = await startServer({ contentDir: sampleContentDir, env: { TRUST_PROXY: '1', METRICS_TOKEN: TOKEN } })
    db = new Database(server.databasePath)
  })
  afterAll(async () => {
    db?.close()
    await stopServer(server)
  })

  it('verifies at most 5 passwords of a burst of 50 concurrent guesses, and refuses the right one after', async () => {
    await createAdmin(server, 'burst@example.com', PASSWORD)
    const before = await metric(server, 'kiln_password_verifications_total')
    // Each guess from its own address: only the account's count can stop them.
    const burst = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        postLogin(
          server,
          { email: 'burst@example.com', password: `wrong guess ${i}` },
          { 'Fly-Client-IP': `198.51.100.${i + 1}` },
        ),
      ),
    )
    const statuses = burst.map((r) => r.status)
    const verified = (await metric(server, 'kiln_password_verifications_total')) - before
    expect(verified).toBeLessThanOrEqual(5)
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5)
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(45)
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true)
    const right = await postLogin(
      server,
      { email: 'burst@example.com', password: PASSWORD },
      { 'Fly-Client-IP': '198.51.100.200' },
    )
    expect(right.status).toBe(429)
    expect((await metric(server, 'kiln_password_verifications_total')) - before).toBe(verified)
  }, 120_000)

  it('refuses the right password sent inside a burst once the limit is reached', async () => {
    await createAdmin(server, 'burst2@example.com', PASSWORD)
    const wrong = Array.from({ length: 30 }, (_, i) =>
      postLogin(
        server,
        { email: 'burst2@example.com', password: `wrong ${i} guess` },
        { 'Fly-Client-IP': `192.0.2.${i + 1}` },
      ),
    )
    // The right password goes out once the server has counted the limit: while the wrong
    // ones are still being verified or refused.
    for (;;) {
      const counted = db
        .prepare("SELECT count(*) AS n FROM login_failures WHERE email = 'burst2@example.com'")
        .get() as { n: number }
      if (counted.n >= 5) break
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const right = await postLogin(
      server,
      { email: 'burst2@example.com', password: PASSWORD },
      { 'Fly-Client-IP': '192.0.2.250' },
    )
    expect(right.status).toBe(429)
    await Promise.all(wrong)
  }, 120_000)

  it(
    'takes the client from the right-most X-Forwarded-For hop, ' + 'never from what the client wrote to its left',
    async () => {
      for (let i = 0; i < 5; i++) {
        // The left part changes every time, as an attacker would make it: the proxy's hop does not.
        const failure = await postLogin(
          server,
          { email: `xff${i}@example.com`, password: 'not it at all' },
          { 'X-Forwarded-For': `10.0.0.${i}, 203.0.113.50` },
        )
        // The fifth failure is the one that locks.
        expect(failure.status).toBe(i < 4 ? 401 : 429)
      }
      const sixth = await postLogin(
        server,
        { email: 'xff-other@example.com', password: 'not it at all' },
        { 'X-Forwarded-For': '10.9.9.9, 203.0.113.50' },
      )
      expect(sixth.status).toBe(429)
      // Another client (another right-most hop) is not locked, whatever it claims to its left.
      const other = await postLogin(
        server,
        { email: 'xff-other@example.com', password: 'not it at all' },
        { 'X-Forwarded-For': '203.0.113.50, 203.0.113.51' },
      )
      expect(other.status).toBe(401)
    },
    120_000,
  )

  it('never locks the admin out of a device that signed in before, while unknown devices stay locked', async () => {
    await createAdmin(server, 'owner@example.com', PASSWORD)
    const first = await postLogin(
      server,
      { email: 'owner@example.com', password: PASSWORD },
      { 'Fly-Client-IP': '198.18.0.1' },
    )
    expect(first.status).toBe(302)
    const { device } = cookiesOf(first)
    expect(device).toMatch(/^kiln_device=/)
    expect(first.setCookies.find((l) => l.startsWith('kiln_device='))).toMatch(/HttpOnly; .*SameSite=Strict/i)

    // An attacker fails 12 times on the admin's account, from many addresses and from the admin's own.
    for (let i = 0; i < 12; i++) {
      await postLogin(
        server,
        { email: 'owner@example.com', password: `attacker ${i} guess` },
        { 'Fly-Client-IP': i % 2 ? '198.18.0.1' : `198.19.0.${i}` },
      )
    }
    // Unknown devices: locked, even with the right password, even from a fresh address.
    expect(
      (await postLogin(server, { email: 'owner@example.com', password: PASSWORD }, { 'Fly-Client-IP': '198.20.0.1' }))
        .status,
    ).toBe(429)
    // The admin's phone, from the address the attacker also used: in.
    const back = await postLogin(
      server,
      { email: 'owner@example.com', password: PASSWORD },
      { 'Fly-Client-IP': '198.18.0.1', Cookie: device! },
    )
    expect(back.status).toBe(302)
    expect(cookiesOf(back).session).toMatch(/^kiln_session=/)

    // A device cookie is for its own account only.
    await createAdmin(server, 'second@example.com', PASSWORD)
    for (let i = 0; i < 5; i++)
      await postLogin(
        server,
        { email: 'second@example.com', password: `wrong ${i} here` },
        { 'Fly-Client-IP': `198.21.0.${i}` },
      )
    expect(
      (
        await postLogin(
          server,
          { email: 'second@example.com', password: PASSWORD },
          { 'Fly-Client-IP': '198.21.1.1', Cookie: device! },
        )
      ).status,
    ).toBe(429)

    // A forged or tampered device cookie is an unknown device.
    const tampered = device!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))
    expect(
      (
        await postLogin(
          server,
          { email: 'owner@example.com', password: PASSWORD },
          { 'Fly-Client-IP': '198.20.0.2', Cookie: tampered },
        )
      ).status,
    ).toBe(429)
  }, 180_000)

  it('gives a known device its own small limit: after 5 failures it is throttled like any other', async () => {
    await createAdmin(server, 'thief@example.com', PASSWORD)
    const first = await postLogin(
      server,
      { email: 'thief@example.com', password: PASSWORD },
      { 'Fly-Client-IP': '198.22.0.1' },
    )
    const { device } = cookiesOf(first)
    // Someone with the device cookie but not the password: five guesses, then the device
    // is no longer trusted, and those guesses were not counted against the account.
    for (let i = 0; i < 5; i++) {
      const guess = await postLogin(
        server,
        { email: 'thief@example.com', password: `stolen ${i} cookie` },
        { 'Fly-Client-IP': `198.22.1.${i}`, Cookie: device! },
      )
      expect(guess.status).toBe(i < 4 ? 401 : 429)
    }
    expect(
      (
        await postLogin(
          server,
          { email: 'thief@example.com', password: 'stolen 5 cookie' },
          { 'Fly-Client-IP': '198.22.2.1', Cookie: device! },
        )
      ).status,
    ).toBe(401)
    // An unknown device with the right password is not locked out by the device's failures.
    expect(
      (await postLogin(server, { email: 'thief@example.com', password: PASSWORD }, { 'Fly-Client-IP': '198.22.3.1' }))
        .status,
    ).toBe(302)
  }, 180_000)

  it('keeps only a hash of each session id, and a new password from admin:create ends every session', async () => {
    await createAdmin(server, 'rotate@example.com', PASSWORD)
    const phone = cookiesOf(
      await postLogin(server, { email: 'rotate@example.com', password: PASSWORD }, { 'Fly-Client-IP': '198.23.0.1' }),
    ).session!
    const laptop = cookiesOf(
      await postLogin(server, { email: 'rotate@example.com', password: PASSWORD }, { 'Fly-Client-IP': '198.23.0.2' }),
    ).session!
    for (const cookie of [phone, laptop])
      expect((await get(server, '/admin', { headers: { Cookie: cookie } })).status).toBe(200)

    const token = decodeURIComponent(phone.slice('kiln_session='.length)).replace(/\.[^.]+$/, '')
    const ids = (
      db
        .prepare("SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'rotate@example.com'")
        .all() as { id: string }[]
    ).map((r) => r.id)
    expect(ids).toHaveLength(2)
    expect(ids).not.toContain(token)
    expect(ids).toContain(crypto.createHash('sha256').update(token).digest('hex'))
    expect(JSON.stringify(db.prepare('SELECT * FROM sessions').all())).not.toContain(token)

    // The real script, without blocking this process (it throws unless the script exits 0).
    await createAdmin(server, 'rotate@example.com', 'a brand new password')
    for (const cookie of [phone, laptop])
      expect((await get(server, '/admin', { headers: { Cookie: cookie } })).status).toBe(302)
    expect(
      db
        .prepare(
          "SELECT count(*) AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'rotate@example.com'",
        )
        .get(),
    ).toEqual({ n: 0 })
  }, 180_000)

  it('verifies a hash made with a lower scrypt cost, and redoes it at N=2^17 on that sign-in', async () => {
    const salt = crypto.randomBytes(16)
    const old = crypto.scryptSync('an older stored password', salt, 64, { N: 2 ** 14, r: 8, p: 1 })
    const stored = ['scrypt', 2 ** 14, 8, 1, salt.toString('base64'), old.toString('base64')].join('$')
    db.prepare('INSERT INTO users (email, password_hash, is_admin, created_at) VALUES (?, ?, 1, ?)').run(
      'legacy@example.com',
      stored,
      new Date().toISOString(),
    )
    expect(
      (
        await postLogin(
          server,
          { email: 'legacy@example.com', password: 'an older stored password' },
          { 'Fly-Client-IP': '198.24.0.1' },
        )
      ).status,
    ).toBe(302)
    const upgraded = (
      db.prepare("SELECT password_hash FROM users WHERE email = 'legacy@example.com'").get() as {
        password_hash: string
      }
    ).password_hash
    expect(upgraded).toMatch(/^scrypt\$131072\$8\$1\$/)
    // And the new hash opens the account too.
    expect(
      (
        await postLogin(
          server,
          { email: 'legacy@example.com', password: 'an older stored password' },
          { 'Fly-Client-IP': '198.24.0.2' },
        )
      ).status,
    ).toBe(302)
  }, 120_000)
})

describe('the lockout without a trusted proxy (TRUST_PROXY unset, not on Fly)', () => {
  let server: KilnServer

  beforeAll(async () => {
    server = await startServer({ contentDir: sampleContentDir, env: { TRUST_PROXY: '', FLY_APP_NAME: '' } })
  })
  afterAll(() => stopServer(server))

  it('ignores Fly-Client-IP and X-Forwarded-For: spoofed addresses share the socket address and its lock', async () => {
    for (let i = 0; i < 5; i++) {
      const failure = await postLogin(
        server,
        { email: `spoof${i}@example.com`, password: 'not it at all' },
        { 'Fly-Client-IP': `198.51.100.${i}`, 'X-Forwarded-For': `203.0.113.${i}` },
      )
      expect(failure.status).toBe(i < 4 ? 401 : 429)
    }
    const sixth = await postLogin(
      server,
      { email: 'spoof9@example.com', password: 'not it at all' },
      { 'Fly-Client-IP': '198.51.100.77', 'X-Forwarded-For': '203.0.113.77' },
    )
    expect(sixth.status).toBe(429)
  }, 120_000)
})
