/**
 * The render watchdog's thread runs only while posts render, against the real server: none
 * at start, none once RENDER_WATCHDOG_IDLE_MS has passed without a render, and a post that
 * loops in the first render after that is still caught (the render starts a new thread,
 * which finds the main thread stuck), quarantined and the process replaced.
 */
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'
import { until } from '../helpers/wait.ts'

const post = (title: string, body: string, date = '2026-03-01') =>
  `---\ntitle: ${title}\ndate: ${date}\ndescription: About ${title}\n---\n\n${body}\n`
/** The name render-guard.server.ts gives the thread (its OS thread name, in /proc). */
const THREAD = 'kiln-watchdog'

let server: KilnServer
beforeAll(async () => {
  const contentDir = makeContentDir({
    'blog/hello.mdx': post('Hello', 'A well-behaved post.'),
    'blog/loops.mdx': post('Loops', 'export const Loop = () => {\n  while (true) {}\n}\n\n<Loop />', '2026-03-02'),
  })
  server = await startServer({ contentDir, env: { RENDER_TIMEOUT_MS: '1000', RENDER_WATCHDOG_IDLE_MS: '300' } })
}, 120_000)
afterAll(async () => {
  await server?.stop()
})

/** The server process's thread names (the supervisor's child). */
function threadNames(pid: number): string[] {
  return fs.readdirSync(`/proc/${pid}/task`).flatMap((task) => {
    try {
      return [fs.readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim()]
    } catch {
      return [] // the thread ended while we looked
    }
  })
}

describe('the render watchdog thread', () => {
  it('is not there before any render, ends when renders stop, and a new one catches a loop', async () => {
    const first = server.serverPid()
    expect(threadNames(first)).not.toContain(THREAD)
    expect(threadNames(first).length).toBeGreaterThan(1)

    expect((await get(server, '/blog/hello')).status).toBe(200)
    await until(() => !threadNames(first).includes(THREAD), 'the watchdog thread to end after its idle time')

    // The next render starts a thread while the main thread is already stuck in the loop.
    get(server, '/blog/loops', { signal: AbortSignal.timeout(60_000) }).then(
      (response) => response.body?.cancel(),
      () => {},
    )
    await until(
      () => server.output().includes('quarantined until its source changes'),
      'the watchdog to quarantine the post',
    )
    expect(server.output()).toContain('blog/loops.mdx: its component rendered for more than 1000 ms')
    await until(() => server.serverPid() !== first, 'the supervisor to start a new server process')
    await until(async () => {
      try {
        return (await get(server, '/healthcheck', { signal: AbortSignal.timeout(5000) })).status === 200
      } catch {
        return false
      }
    }, 'the new server process to answer')
    expect((await get(server, '/blog/hello')).status).toBe(200)
    expect((await get(server, '/blog/loops')).status).toBe(500)
  }, 240_000)
})
