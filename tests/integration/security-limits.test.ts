/**
 * Limits at the HTTP door (server/request-limits.ts), attacked over raw sockets against the
 * real server: huge and chunked bodies on routes that read them and routes that never do,
 * trickled headers and bodies, and a client that stops reading its answer.
 */
import fs from 'node:fs'
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sign } from '../../app/content/webhook-signature.server.ts'
import { copyDir, get, sampleContentDir, startServer, tempDir, writeFiles, type KilnServer } from '../helpers/server.ts'

const SECRET = 'limits-test-secret'
const KB = 1024
const MB = 1024 * 1024

/** A raw connection that records everything the server sends and when it closes. */
function connect(server: KilnServer) {
  const socket = net.connect(server.port, '127.0.0.1')
  let received = ''
  let receivedBytes = 0
  const waiters: (() => void)[] = []
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1')
    receivedBytes += chunk.length
    for (const wake of waiters.splice(0)) wake()
  })
  // A reset after the server's answer is part of the attack's outcome, not a test failure.
  socket.on('error', () => {})
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  return {
    socket,
    closed,
    received: () => received,
    receivedBytes: () => receivedBytes,
    /** Resolves once the server has sent a status line. */
    async status(): Promise<number> {
      for (;;) {
        const match = /^HTTP\/1\.1 (\d{3})/.exec(received)
        if (match) return Number(match[1])
        if (socket.destroyed) throw new Error(`closed without an answer; got ${JSON.stringify(received.slice(0, 200))}`)
        await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), closed])
      }
    },
  }
}

/**
 * Writes `total` bytes (in `chunk`-sized pieces, as HTTP chunks when `chunked`) until done, the server answers, or the
 * socket closes.
 */
async function sendBody(
  connection: ReturnType<typeof connect>,
  total: number,
  { chunk = 64 * KB, chunked = false } = {},
): Promise<number> {
  const piece = Buffer.alloc(chunk, 0x61)
  let sent = 0
  while (sent < total && !connection.socket.destroyed && connection.received() === '') {
    const size = Math.min(chunk, total - sent)
    const data = size === chunk ? piece : piece.subarray(0, size)
    const more = connection.socket.write(
      chunked ? Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), data, Buffer.from('\r\n')]) : data,
    )
    sent += size
    if (!more)
      await Promise.race([new Promise((resolve) => connection.socket.once('drain', resolve)), connection.closed])
  }
  if (sent >= total && chunked && !connection.socket.destroyed) connection.socket.write('0\r\n\r\n')
  return sent
}

function rssBytes(server: KilnServer): number {
  const status = fs.readFileSync(`/proc/${server.process.pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * KB
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('request bodies', () => {
  let server: KilnServer
  beforeAll(async () => {
    server = await startServer({ contentDir: sampleContentDir, env: { REFRESH_SECRET: SECRET } })
  })
  afterAll(() => server?.stop())

  it(
    'answers a 150 MB body with Content-Length 413 before reading it, on a route that ' +
      'never reads bodies and on the webhook; RSS does not grow by the body',
    async () => {
      await get(server, '/')
      const before = rssBytes(server)
      for (const target of ['/blog/welcome-to-kiln', '/action/refresh-content']) {
        const connection = connect(server)
        const total = 150 * MB
        connection.socket.write(
          `POST ${target} HTTP/1.1\r\nHost: localhost\r\nContent-Type: ` +
            `application/octet-stream\r\nContent-Length: ${total}\r\n\r\n`,
        )
        const sent = await sendBody(connection, total, { chunk: 256 * KB })
        expect(await connection.status()).toBe(413)
        // The answer came while most of the body was still unsent.
        expect(sent).toBeLessThan(total)
        expect(connection.received()).toMatch(/connection: close/i)
        expect(connection.received()).toContain('Request body too large')
        await connection.closed
      }
      expect(rssBytes(server) - before).toBeLessThan(40 * MB)
      expect((await get(server, '/')).status).toBe(200)
    },
  )

  it(
    'tells a client that sends Expect: 100-continue 413 before it ' +
      'sends a byte, and 100 Continue when its body fits',
    async () => {
      const large = connect(server)
      large.socket.write(
        `POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${10 * MB}\r\nExpect: 100-continue\r\n\r\n`,
      )
      expect(await large.status()).toBe(413)
      expect(large.received()).not.toContain('100 Continue')
      await large.closed
      const fits = connect(server)
      fits.socket.write(
        `POST /action/theme HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nOrigin: ${server.url}\r\nContent-Type: ` +
          `application/x-www-form-urlencoded\r\nContent-Length: 10\r\nExpect: 100-continue\r\nConnection: close\r\n` +
          `\r\n`,
      )
      expect(await fits.status()).toBe(100)
      fits.socket.write('theme=dark')
      await fits.closed
      expect(fits.received()).toMatch(/HTTP\/1\.1 30\d[\s\S]*kiln_theme=dark/)
    },
  )

  it(
    'cuts a chunked body without Content-Length at the limit: 2 MB to ' +
      'the webhook (1 MB), to a page and as a GET (64 KB)',
    async () => {
      for (const [method, target] of [
        ['POST', '/action/refresh-content'],
        ['POST', '/'],
        ['GET', '/blog'],
      ]) {
        const connection = connect(server)
        connection.socket.write(`${method} ${target} HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n`)
        await sendBody(connection, 2 * MB, { chunk: 16 * KB, chunked: true })
        expect(await connection.status(), `${method} ${target}`).toBe(413)
        await connection.closed
      }
      // A body under the limit of a route that ignores it is read and dropped: the page answers.
      const small = connect(server)
      small.socket.write(
        `GET /blog HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
      )
      await sendBody(small, 8 * KB, { chunk: 4 * KB, chunked: true })
      expect(await small.status()).toBe(200)
    },
  )

  it(
    'hands a body under the limit to the route byte for byte: a ' + 'signed 600 KB webhook, also chunked, is accepted',
    async () => {
      const body = JSON.stringify({ padding: 'x'.repeat(600 * KB) })
      const response = await fetch(`${server.url}/action/refresh-content`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': sign(SECRET, body) },
        body,
      })
      expect(response.status).toBe(202)
      const chunked = connect(server)
      chunked.socket.write(
        `POST /action/refresh-content HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: ` +
          `chunked\r\nX-Hub-Signature-256: ${sign(SECRET, body)}\r\nConnection: close\r\n\r\n`,
      )
      const bytes = Buffer.from(body)
      for (let at = 0; at < bytes.length; at += 50 * KB) {
        const part = bytes.subarray(at, at + 50 * KB)
        chunked.socket.write(`${part.length.toString(16)}\r\n`)
        chunked.socket.write(part)
        chunked.socket.write('\r\n')
      }
      chunked.socket.write('0\r\n\r\n')
      expect(await chunked.status()).toBe(202)
      // A form under 64 KB still works: the theme action answers as before.
      const form = await fetch(`${server.url}/action/theme`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url },
        body: 'theme=dark&redirectTo=%2Fblog',
      })
      expect(form.status).toBeLessThan(400)
      expect(form.headers.get('set-cookie')).toContain('kiln_theme=dark')
    },
  )
})

describe('time limits', () => {
  let server: KilnServer
  beforeAll(async () => {
    server = await startServer({
      contentDir: sampleContentDir,
      env: { REQUEST_HEADERS_TIMEOUT_MS: '1500', REQUEST_TIMEOUT_MS: '3000' },
    })
  })
  afterAll(() => server?.stop())

  it('keeps the defaults within 30 s for a trickled request and a deliberate minute for a stalled reader', async () => {
    const { getConfig } = await import('../../app/config.server.ts')
    for (const name of ['REQUEST_HEADERS_TIMEOUT_MS', 'REQUEST_TIMEOUT_MS', 'RESPONSE_IDLE_TIMEOUT_MS'])
      expect(process.env[name]).toBeUndefined()
    const config = getConfig()
    expect(config.requestHeadersTimeoutMs + config.connectionsCheckIntervalMs).toBeLessThanOrEqual(30_000)
    expect(config.requestTimeoutMs + config.connectionsCheckIntervalMs).toBeLessThanOrEqual(30_000)
    expect(config.responseIdleTimeoutMs).toBe(60_000)
    expect(config.requestBodyMaxBytes).toBe(64 * KB)
    expect(config.webhookBodyMaxBytes).toBe(MB)
  })

  it('closes a connection whose headers trickle in one line at a time, and keeps serving meanwhile', async () => {
    const connection = connect(server)
    connection.socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n')
    let lines = 0
    const trickle = setInterval(() => {
      if (!connection.socket.destroyed) connection.socket.write(`X-Slow-${lines++}: a\r\n`)
    }, 200)
    try {
      expect((await get(server, '/')).status).toBe(200)
      await connection.closed
    } finally {
      clearInterval(trickle)
    }
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408/)
  })

  it('closes a connection whose body trickles in a byte at a time', async () => {
    const connection = connect(server)
    connection.socket.write(
      'POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: ' +
        'application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n',
    )
    let sent = 0
    const trickle = setInterval(() => {
      if (!connection.socket.destroyed && sent < 1000) connection.socket.write('a', () => sent++)
    }, 100)
    try {
      expect((await get(server, '/blog')).status).toBe(200)
      await connection.closed
    } finally {
      clearInterval(trickle)
    }
    expect(sent).toBeLessThan(1000)
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408/)
  })
})

describe('a client that stops reading', () => {
  let server: KilnServer
  beforeAll(async () => {
    // Its own server with the default arrival timeouts: the pipelined burst below keeps the
    // main thread busy for a moment, which the short timeouts above are not about.
    // A long plain post: its page (about 2 MB) is more than the buffers of both ends hold.
    const contentDir = tempDir('kiln-limits-content-')
    copyDir(sampleContentDir, contentDir)
    const paragraph = 'A long and plain paragraph of prose, written to make a page larger than socket buffers. '.repeat(
      10,
    )
    writeFiles(contentDir, {
      'blog/long-read.md': `---\ntitle: A long read\ndate: 2026-01-01\n---\n\n${`${paragraph}\n\n`.repeat(1200)}`,
    })
    server = await startServer({ contentDir, env: { RESPONSE_IDLE_TIMEOUT_MS: '1500' } })
  })
  afterAll(() => server?.stop())

  it(
    'cuts a connection that pipelines hundreds of requests at ' + 'once, before their answers pile up in memory',
    async () => {
      expect((await get(server, '/blog/rss.xml')).status).toBe(200)
      const before = rssBytes(server)
      const connection = connect(server)
      connection.socket.pause()
      connection.socket.write('GET /blog/rss.xml HTTP/1.1\r\nHost: localhost\r\n\r\n'.repeat(400))
      connection.socket.resume()
      await connection.closed
      expect(connection.received().split('HTTP/1.1 200').length - 1).toBeLessThanOrEqual(32)
      // Measured without the limit: 86 MB, held until the idle cut.
      expect(rssBytes(server) - before).toBeLessThan(30 * MB)
      expect((await get(server, '/')).status).toBe(200)
    },
    120_000,
  )

  it('is cut after the idle time, while others are served', async () => {
    const page = await get(server, '/blog/long-read')
    expect(page.status).toBe(200)
    expect((await page.arrayBuffer()).byteLength).toBeGreaterThan(MB)
    const connection = connect(server)
    // Never read: the answers to pipelined requests fill both sides' buffers and stall.
    connection.socket.pause()
    const requests = 8
    connection.socket.write('GET /blog/long-read HTTP/1.1\r\nHost: localhost\r\n\r\n'.repeat(requests))
    const deadline = Date.now() + 100_000
    while (!server.output().includes('stopped reading its answer')) {
      if (Date.now() > deadline) throw new Error(`the stalled reader was not cut:\n${server.output()}`)
      expect((await get(server, '/')).status).toBe(200)
      await sleep(200)
    }
    // Reading now drains what was already in flight, then the end: far fewer answers than asked for.
    connection.socket.resume()
    await connection.closed
    const answers = connection.received().split('HTTP/1.1 200').length - 1
    expect(answers).toBeGreaterThan(0)
    expect(answers).toBeLessThan(requests)
    expect((await get(server, '/')).status).toBe(200)
  }, 120_000)
})
