/**
 * Draining on SIGTERM, against the real server under keep-alive load: an answer that was in
 * flight when the signal came goes out with `Connection: close`, and a request still running
 * at SHUTDOWN_TIMEOUT_MS whose answer has not started gets a 503 with Retry-After instead
 * of a reset connection. The slow request is made deterministic with the highlighter's
 * test-only fault (KILN_TEST_FAULTS=1, a code block in `kiln-test-hang` never returns, so
 * the post's compile waits for HIGHLIGHT_TIMEOUT_MS).
 */
import http from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'
import { until as waitFor } from '../helpers/wait.ts'

const METRICS_TOKEN = 'drain-metrics-token'
const post = (title: string, body: string) => `---\ntitle: ${title}\ndate: 2026-03-01\n---\n\n${body}\n`
const CONTENT = {
  'blog/hello.mdx': post('Hello', 'A quick page.'),
  'blog/hang.mdx': post('Hangs while compiling', '```kiln-test-hang\nloop()\n```\n\nAfter the block.'),
}

const servers: KilnServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()))
})

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

function request(
  server: KilnServer,
  agent: http.Agent,
  pathname: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: pathname, agent, headers }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }))
      response.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/** The slow request is inside the server once the highlighter has a thread busy with its block. */
async function waitForHighlightJob(server: KilnServer): Promise<void> {
  await waitFor(async () => {
    const response = await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })
    return /kiln_worker_pool_threads\{pool="highlight"\} [1-9]/.test(await response.text())
  }, 'the slow request to reach the highlighter')
}

const exitOf = (server: KilnServer) =>
  new Promise<void>((resolve) => {
    if (server.process.exitCode !== null || server.process.signalCode !== null) resolve()
    else server.process.once('exit', () => resolve())
  })

describe('draining on SIGTERM', () => {
  it('answers in flight under keep-alive load carry Connection: close', async () => {
    const server = await startServer({
      contentDir: makeContentDir(CONTENT),
      env: { KILN_TEST_FAULTS: '1', HIGHLIGHT_TIMEOUT_MS: '4000', SHUTDOWN_TIMEOUT_MS: '60000', METRICS_TOKEN },
    })
    servers.push(server)
    const exited = exitOf(server)
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })
    let signalled = false
    let loading = true
    const afterSignal: Answer[] = []
    let beforeSignal = 0
    // Keep-alive load: four clients asking again as soon as they are answered.
    const load = Array.from({ length: 3 }, async () => {
      while (loading) {
        // Sent once the server has begun to stop (it logged the signal): its answer must close.
        const sentAfterSignal = signalled
        try {
          const answer = await request(server, agent, '/blog/hello')
          if (sentAfterSignal) afterSignal.push(answer)
          else beforeSignal++
        } catch {
          // After the signal the listener is closed: a new connection is refused. That ends this client.
          if (signalled) return
        }
      }
    })
    const slow = request(server, agent, '/blog/hang')
    await waitForHighlightJob(server)
    await waitFor(async () => beforeSignal > 0, 'the keep-alive load to be answered')
    server.process.kill('SIGTERM')
    await waitFor(async () => server.output().includes('SIGTERM: no new connections'), 'the server to take the signal')
    signalled = true
    const answer = await slow
    loading = false
    await Promise.all(load)
    agent.destroy()
    // The highlight job timed out: the post is served with its block as plain text.
    expect(answer.status).toBe(200)
    expect(answer.body).toContain('After the block.')
    expect(answer.headers.connection, 'the answer in flight').toBe('close')
    for (const late of afterSignal) expect(late.headers.connection, 'an answer to the keep-alive load').toBe('close')
    await exited
    expect(server.output()).toMatch(/SIGTERM: no new connections/)
  }, 120_000)

  it('a request still running at the deadline, its answer not started, gets 503 with Retry-After', async () => {
    const server = await startServer({
      contentDir: makeContentDir(CONTENT),
      env: { KILN_TEST_FAULTS: '1', HIGHLIGHT_TIMEOUT_MS: '120000', SHUTDOWN_TIMEOUT_MS: '1000', METRICS_TOKEN },
    })
    servers.push(server)
    const exited = exitOf(server)
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const slow = request(server, agent, '/blog/hang')
    await waitForHighlightJob(server)
    server.process.kill('SIGTERM')
    const answer = await slow
    agent.destroy()
    expect(answer.status).toBe(503)
    expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0)
    expect(answer.headers.connection).toBe('close')
    expect(answer.body).toContain('try again')
    const guard = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 30_000).unref())
    expect(await Promise.race([exited.then(() => 'exited' as const), guard])).toBe('exited')
    expect(server.output()).toMatch(/1 answered 503/)
  }, 120_000)
})
