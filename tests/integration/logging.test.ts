/**
 * The server's log on the real server: standard output is JSON lines; every request has an
 * id, echoed in X-Request-Id, and one access line with its route label, status, duration,
 * bytes and the page cache's answer; an id a client makes up is neither echoed nor logged
 * (no trusted proxy here); lines about a post name its file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stopServer } from '../helpers/fixtures.ts'
import { get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'
import { waitForValue } from '../helpers/wait.ts'

let server: KilnServer

beforeAll(async () => {
  const contentDir = makeContentDir({
    'blog/logged.mdx': '---\ntitle: Logged\ndate: 2026-01-01\n---\n\nA post whose compile is logged.\n',
  })
  server = await startServer({ contentDir })
})

afterAll(() => stopServer(server))

interface Line {
  level: string
  time: string
  msg: string
  reqId?: string
  method?: string
  route?: string
  status?: number
  ms?: number
  bytes?: number
  cache?: string
  file?: string
}

/** Every line of standard output, parsed: throws on one that is not a JSON object. */
function logLines(): Line[] {
  return server
    .stdout()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const parsed = JSON.parse(line) as Line
      if (typeof parsed !== 'object' || parsed === null) throw new Error(`not a JSON object: ${line}`)
      return parsed
    })
}

const accessLine = (id: string) => logLines().find((line) => line.reqId === id && line.route !== undefined)

describe('structured logs', () => {
  const answered: { id: string; path: string; status: number; cache: string | null }[] = []

  it('gives every answer an X-Request-Id and writes one access line for it', async () => {
    for (const path of ['/blog/logged', '/blog/logged', '/no-such-page', '/healthcheck']) {
      const response = await get(server, path)
      await response.arrayBuffer()
      const id = response.headers.get('x-request-id')
      expect(id, path).toMatch(/^[0-9a-f-]{36}$/)
      answered.push({ id: id!, path, status: response.status, cache: response.headers.get('x-kiln-cache') })
    }
    expect(new Set(answered.map((answer) => answer.id)).size).toBe(answered.length)
    expect(answered.map((answer) => answer.cache).slice(0, 2)).toEqual(['miss', 'hit'])

    for (const answer of answered) {
      const line = await waitForValue(
        () => accessLine(answer.id),
        (found) => found !== undefined,
        `the access line of ${answer.path}`,
      )
      expect(line).toMatchObject({ level: 'info', status: answer.status, method: 'GET' })
      expect(line!.ms).toBeGreaterThanOrEqual(0)
      expect(line!.bytes).toBeGreaterThan(0)
      if (answer.cache) expect(line!.cache).toBe(answer.cache)
      else expect(line!.cache).toBeUndefined()
    }
    const [post, , missing] = answered.map((answer) => accessLine(answer.id)!)
    expect(post.route).toBe('/blog/:slug')
    expect(missing.route).toBe('other')
    // Every line parses (logLines throws otherwise), and each has a level, a time and a message.
    for (const line of logLines()) {
      expect(typeof line.level).toBe('string')
      expect(Number.isNaN(Date.parse(line.time))).toBe(false)
      expect(typeof line.msg).toBe('string')
    }
  })

  it('names the post in its compile line, with the id of the request that compiled it', () => {
    const compiled = logLines().find((line) => line.msg.startsWith('compiled blog/logged.mdx'))
    expect(compiled?.file).toBe('blog/logged.mdx')
    expect(compiled?.reqId).toBe(answered[0].id)
  })

  it('neither echoes nor logs an id a client made up without a trusted proxy', async () => {
    const forged = 'forged-request-id'
    const response = await get(server, '/blog/logged', { headers: { 'X-Request-Id': forged } })
    await response.arrayBuffer()
    const id = response.headers.get('x-request-id')!
    expect(id).not.toBe(forged)
    await waitForValue(
      () => accessLine(id),
      (found) => found !== undefined,
      'the access line',
    )
    expect(server.stdout()).not.toContain(forged)
  })
})
