/**
 * Error tracking against the real server, with a local HTTP listener standing in for Sentry's
 * host (SENTRY_DSN=http://public@127.0.0.1:<port>/1): a post that throws while rendering is a
 * server error, and its event arrives with the build id as the release and the request's id;
 * a post that fails to compile is the author's problem and is never sent.
 */
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import zlib from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stopServer } from '../helpers/fixtures.ts'
import { get, makeContentDir, repoRoot, startServer, type KilnServer } from '../helpers/server.ts'
import { defined } from '../helpers/wait.ts'

interface SentryEvent {
  release?: string
  environment?: string
  tags?: Record<string, string>
  exception?: { values?: { type?: string; value?: string }[] }
}

/** Every envelope the stand-in received, as text. */
const envelopes: string[] = []
let listener: http.Server
let server: KilnServer

/** The events among the envelopes' items (an envelope is a header line, then header and payload lines per item). */
function events(): SentryEvent[] {
  const found: SentryEvent[] = []
  for (const envelope of envelopes) {
    const lines = envelope.split('\n')
    for (let i = 1; i + 1 < lines.length; i += 2) {
      if ((JSON.parse(lines[i]) as { type?: string }).type === 'event')
        found.push(JSON.parse(lines[i + 1]) as SentryEvent)
    }
  }
  return found
}

const messageOf = (event: SentryEvent) => event.exception?.values?.map((value) => value.value).join(' | ') ?? ''

beforeAll(async () => {
  listener = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      envelopes.push((req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(body) : body).toString('utf8'))
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
  const { port } = listener.address() as AddressInfo
  const post = (title: string, body: string) => `---\ntitle: ${title}\ndate: 2026-01-01\n---\n\n${body}\n`
  const contentDir = makeContentDir({
    'blog/good.mdx': post('Good', 'Fine.'),
    'blog/throws.mdx': post(
      'Throws',
      "export const Boom = () => { throw new Error('boom for the tracker') }\n\n<Boom />",
    ),
    'blog/broken.mdx': post('Broken', 'An unclosed <div and kiln-broken-syntax'),
  })
  server = await startServer({ contentDir, env: { SENTRY_DSN: `http://public@127.0.0.1:${port}/1` } })
})

afterAll(async () => {
  await stopServer(server)
  await new Promise((resolve) => listener?.close(resolve))
})

describe('error tracking', () => {
  it('sends a render failure with the build id and the request id, and never a compile error', async () => {
    const broken = await get(server, '/blog/broken')
    expect(broken.status).toBe(500)
    await broken.arrayBuffer()
    expect(server.output()).toMatch(/compile failed: blog\/broken\.mdx/)

    const throws = await get(server, '/blog/throws')
    expect(throws.status).toBe(500)
    await throws.arrayBuffer()
    const event = await defined(
      () => events().find((candidate) => messageOf(candidate).includes('boom for the tracker')),
      () => `the render failure's event; received: ${envelopes.join('\n---\n').slice(0, 2000)}`,
    )
    const manifest = fs
      .readdirSync(path.join(repoRoot, 'build', 'client', 'assets'))
      .find((name) => /^manifest-/.test(name))
    expect(event.release).toBe(/^manifest-(\w+)\.js$/.exec(manifest!)![1])
    expect(event.environment).toBe('production')
    expect(event.tags?.reqId).toBe(throws.headers.get('x-request-id'))

    // Events go out in order: by the time the render failure's has arrived, a compile error's would have.
    expect((await get(server, '/blog/good')).status).toBe(200)
    expect(events().filter((candidate) => /broken|Unexpected|Could not parse/i.test(messageOf(candidate)))).toEqual([])
  })
})
