/**
 * A post whose component loops or stalls at render, against the real server: the render
 * watchdog quarantines that version and the supervisor replaces the stuck process; the
 * quarantine survives a restart (stop + start, kill -9 + start) on the same database, the
 * feeds answer without it, /admin and the log name it, and an edit brings the post back.
 * SIGTERM while a post loops still ends the process (the supervisor enforces the deadline).
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createAdmin, signIn } from '../helpers/auth.ts'
import { get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'
import { until } from '../helpers/wait.ts'

const post = (title: string, body: string, date = '2026-03-01') =>
  `---\ntitle: ${title}\ndate: ${date}\ndescription: About ${title}\n---\n\n${body}\n`
const LOOPS = post(
  'Loops forever',
  'Before the loop.\n\nexport const Loop = () => {\n  while (true) {}\n}\n\n<Loop />',
  '2026-03-02',
)
const STALLS = post(
  'Stalls ten seconds',
  'export const Stall = () => {\n  const end = Date.now() + 10000\n  while ' +
    '(Date.now() < end) {}\n  return <p>stalled</p>\n}\n\n<Stall />',
  '2026-03-03',
)
const HELLO = post('Hello', 'A well-behaved post with **bold** words.')
const FEEDS = ['/blog/rss.xml', '/blog/atom.xml', '/blog/feed.json']

const servers: KilnServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()))
})

async function start(options: Parameters<typeof startServer>[0]): Promise<KilnServer> {
  const server = await startServer(options)
  servers.push(server)
  return server
}

const count = (text: string, needle: string) => text.split(needle).length - 1

/** A request the stuck process may never answer: its failure is expected, not awaited. */
function fireAndForget(server: KilnServer, pathname: string): void {
  get(server, pathname, { signal: AbortSignal.timeout(60_000) }).then(
    (response) => response.body?.cancel(),
    () => {},
  )
}

/** Waits until the watchdog has replaced the stuck process and the new one is serving. */
async function waitForReplacement(server: KilnServer, listeningBefore: number): Promise<void> {
  await until(
    () => server.output().includes('quarantined until its source changes'),
    'the watchdog to quarantine the post',
  )
  await until(
    () => count(server.output(), 'listening on') > listeningBefore,
    'the supervisor to start a new server process',
  )
}

async function expectQuarantined(server: KilnServer, slug: string): Promise<void> {
  const page = await get(server, `/blog/${slug}`, { signal: AbortSignal.timeout(30_000) })
  expect(page.status).toBe(500)
  expect(await page.text()).toContain('set aside until the author changes it')
}

async function expectFeedsAnswer(server: KilnServer, quarantinedTitle: string): Promise<void> {
  for (const feed of FEEDS) {
    const response = await get(server, feed, { signal: AbortSignal.timeout(30_000) })
    expect(response.status, feed).toBe(200)
    const body = await response.text()
    expect(body, feed).toContain('well-behaved post')
    // The quarantined post is listed by its description, with a link, not rendered.
    expect(body, feed).toContain(`About ${quarantinedTitle}`)
  }
}

describe('a post that loops at render', () => {
  it('is quarantined, the process replaced, and it stays quarantined across restarts until edited', async () => {
    const contentDir = makeContentDir({ 'blog/hello.mdx': HELLO, 'blog/loops.mdx': LOOPS })
    const server = await start({ contentDir, env: { RENDER_TIMEOUT_MS: '1000' } })
    expect((await get(server, '/blog/hello')).status).toBe(200)

    fireAndForget(server, '/blog/loops')
    await waitForReplacement(server, 1)
    expect(server.output()).toContain('blog/loops.mdx: its component rendered for more than 1000 ms')
    // The replacement serves the rest of the site.
    expect((await get(server, '/healthcheck')).status).toBe(200)
    expect((await get(server, '/blog/hello')).status).toBe(200)
    await expectQuarantined(server, 'loops')
    await expectFeedsAnswer(server, 'Loops forever')

    // /admin names it.
    await createAdmin(server, 'admin@example.com', 'a long enough password')
    const cookie = await signIn(server, 'admin@example.com', 'a long enough password')
    const admin = await (await get(server, '/admin', { headers: { Cookie: cookie } })).text()
    expect(admin).toContain('data-testid="render-quarantine"')
    expect(admin).toContain('blog/loops.mdx')

    // stop + start on the same database: still quarantined, named in the log at start-up.
    await server.stop()
    const again = await start({ contentDir, databasePath: server.databasePath, env: { RENDER_TIMEOUT_MS: '1000' } })
    expect(again.output()).toMatch(/blog\/loops\.mdx: quarantined/)
    await expectQuarantined(again, 'loops')
    await expectFeedsAnswer(again, 'Loops forever')
    expect(count(again.output(), 'listening on')).toBe(1)

    // kill -9 of the supervisor: its server child follows (no orphan holds the port), and a
    // new start on the same database still keeps the post out.
    again.process.kill('SIGKILL')
    await until(async () => {
      try {
        await get(again, '/healthcheck', { signal: AbortSignal.timeout(2000) })
        return false
      } catch {
        return true
      }
    }, 'the orphaned server to exit')
    const third = await start({ contentDir, databasePath: server.databasePath, env: { RENDER_TIMEOUT_MS: '1000' } })
    await expectQuarantined(third, 'loops')
    await expectFeedsAnswer(third, 'Loops forever')

    // An edit is a new version: it renders again.
    fs.writeFileSync(
      path.join(contentDir, 'blog', 'loops.mdx'),
      post('Loops forever', 'Fixed: no loop any more.', '2026-03-02'),
    )
    await until(async () => (await get(third, '/blog/loops')).status === 200, 'the edited post to render')
    expect(await (await get(third, '/blog/loops')).text()).toContain('no loop any more')
    const admin3 = await (
      await get(third, '/admin', {
        headers: { Cookie: await signIn(third, 'admin@example.com', 'a long enough password') },
      })
    ).text()
    expect(admin3).not.toContain('data-testid="render-quarantine"')
  }, 300_000)
})

describe('a post that stalls for seconds, reached through a feed first', () => {
  it('is quarantined; the feeds and other pages answer after the replacement', async () => {
    const contentDir = makeContentDir({ 'blog/hello.mdx': HELLO, 'blog/stalls.mdx': STALLS })
    const server = await start({ contentDir, env: { RENDER_TIMEOUT_MS: '1000' } })
    fireAndForget(server, '/blog/rss.xml')
    await waitForReplacement(server, 1)
    expect(server.output()).toContain('blog/stalls.mdx: its component rendered for more than 1000 ms')
    expect((await get(server, '/healthcheck')).status).toBe(200)
    await expectFeedsAnswer(server, 'Stalls ten seconds')
    await expectQuarantined(server, 'stalls')
    expect((await get(server, '/blog/hello')).status).toBe(200)
  }, 300_000)
})

describe('a post that is slow by design', () => {
  it('renders (300 ms is within the limit) and its second request is a page-cache hit', async () => {
    const contentDir = makeContentDir({
      'blog/slow.mdx': post(
        'Slow by design',
        'export const Slow = () => {\n  const end = Date.now() + 300\n  while ' +
          '(Date.now() < end) {}\n  return <p>slow but fine</p>\n}\n\n<Slow />',
      ),
    })
    const server = await start({ contentDir })
    const first = await get(server, '/blog/slow')
    expect(first.status).toBe(200)
    expect(await first.text()).toContain('slow but fine')
    const second = await get(server, '/blog/slow')
    expect(second.status).toBe(200)
    expect(second.headers.get('x-kiln-cache')).toBe('hit')
    expect(server.output()).not.toContain('quarantined')
  }, 120_000)
})

describe('SIGTERM while a post loops', () => {
  it('ends the process although its main thread never comes back', async () => {
    const contentDir = makeContentDir({ 'blog/loops.mdx': LOOPS })
    // The watchdog is kept out of it (a long render limit): the supervisor's deadline ends it.
    const server = await start({ contentDir, env: { RENDER_TIMEOUT_MS: '600000', SHUTDOWN_TIMEOUT_MS: '1000' } })
    fireAndForget(server, '/blog/loops')
    // The post compiled (in a worker) and went on to render; the main thread is stuck once
    // /healthcheck stops answering after that.
    await until(async () => server.output().includes('compiled blog/loops.mdx'), 'the looping post to compile')
    await until(async () => {
      try {
        await get(server, '/healthcheck', { signal: AbortSignal.timeout(3000) })
        return false
      } catch {
        return true
      }
    }, 'the loop to block the server')
    const exited = new Promise<void>((resolve) => server.process.once('exit', () => resolve()))
    server.process.kill('SIGTERM')
    const guard = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 30_000).unref())
    expect(await Promise.race([exited.then(() => 'exited' as const), guard])).toBe('exited')
    expect(server.output(), server.output()).toContain('did not stop within')
  }, 120_000)
})
