/**
 * Crashes are recovered at start-up (issue 13, point 5), with a real bare git remote and
 * the real server: a refresh cut short by kill -9 is reported `interrupted` and caught up
 * at the next start; a clone left with a stale lock, a deleted HEAD, missing objects or
 * half-made is repaired or cloned again, and the content is served.
 *
 * The kill lands at a known step: KILN_TEST_PAUSE_DIR holds the refresh at a named
 * point (app/content/pause-points.server.ts) until the test has killed the server.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect } from 'vitest'
import { createAdmin, signIn } from '../helpers/auth.ts'
import { stopServer, test as base } from '../helpers/fixtures.ts'
import { postWebhook, refreshFinished, refreshStatus, startGitServer, type RefreshStatus } from '../helpers/refresh.ts'
import { get, tempDir, type KilnServer } from '../helpers/server.ts'
import { until } from '../helpers/wait.ts'
import { git, makeContentRepo, type ContentRepo } from '../../other/lib/git.ts'

const SECRET = 'crash-recovery-secret'
const post = (title: string, body: string) => `---\ntitle: ${title}\ndate: 2026-03-01\n---\n\n${body}\n`

/**
 * A content repository and the one server that follows it through every kill and restart of
 * this file: each test goes on from the state the one before left (a crash, then its repair),
 * so all share it, as a file-scoped fixture.
 */
interface CrashRig {
  repo: ContentRepo
  /** The server's clone of the repository. */
  clone: string
  /** KILN_TEST_PAUSE_DIR: a refresh waits at step S while pause-S is there, and writes paused-S. */
  pauseDir: string
  /** The server running now. */
  server: KilnServer
  /** Starts the server again on the same data (after a kill). */
  restart(): Promise<void>
  kill9(): Promise<void>
  text(pathname: string): Promise<string>
  /** Sends the signed webhook; returns the refresh's id. */
  webhook(): Promise<string>
  status(id: string): Promise<RefreshStatus>
  finished(id: string): Promise<RefreshStatus>
  /** Sends the webhook; the refresh it starts finishes `done` at commit `head`. */
  refreshTo(head: string): Promise<void>
  /** Kills the server with kill -9 while a webhook refresh is held at `step`; returns the refresh's id. */
  killDuringRefresh(step: string): Promise<string>
  /** After a restart: the killed refresh reads `interrupted` and names the catch-up refresh, which finishes. */
  expectCaughtUp(killed: string, head: string): Promise<void>
}

const test = base.extend<{ rig: CrashRig }>({
  rig: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, provide) => {
      const root = tempDir('kiln-crash-')
      const repo = makeContentRepo(root)
      const dataDir = path.join(root, 'data')
      const pauseDir = path.join(root, 'pause')
      fs.mkdirSync(pauseDir)
      repo.write('content/blog/alpha.mdx', post('Alpha', 'Alpha version one.'))
      repo.write('content/pages/about.mdx', '---\ntitle: About\n---\n\nAbout us.\n')
      repo.push('first content')
      const start = () => startGitServer(repo.url, dataDir, SECRET, { KILN_TEST_PAUSE_DIR: pauseDir })
      const rig: CrashRig = {
        repo,
        clone: path.join(dataDir, 'content-repo'),
        pauseDir,
        server: await start(),
        async restart() {
          rig.server = await start()
        },
        kill9: () => rig.server.kill9(),
        text: async (pathname) => (await get(rig.server, pathname)).text(),
        async webhook() {
          const response = await postWebhook(rig.server, SECRET)
          expect(response.status).toBe(202)
          return ((await response.json()) as { id: string }).id
        },
        status: (id) => refreshStatus(rig.server, SECRET, id),
        finished: (id) => refreshFinished(rig.server, SECRET, id),
        async refreshTo(head) {
          const result = await rig.finished(await rig.webhook())
          expect(result.status, result.error).toBe('done')
          expect(result.commit).toBe(head)
        },
        async killDuringRefresh(step) {
          const gate = path.join(pauseDir, `pause-${step}`)
          fs.writeFileSync(gate, '')
          const id = await rig.webhook()
          await until(() => fs.existsSync(path.join(pauseDir, `paused-${step}`)), `the refresh to reach ${step}`)
          await rig.kill9()
          fs.rmSync(gate)
          fs.rmSync(path.join(pauseDir, `paused-${step}`), { force: true })
          return id
        },
        async expectCaughtUp(killed, head) {
          const record = await rig.status(killed)
          expect(record.status).toBe('interrupted')
          expect(record.interruptedAt).toBeTruthy()
          const catchUp = /refresh ([0-9a-f-]{36}) caught up/.exec(record.error ?? '')?.[1]
          expect(catchUp, record.error).toBeTruthy()
          const result = await rig.finished(catchUp!)
          expect(result.status).toBe('done')
          expect(result.commit).toBe(head)
        },
      }
      try {
        expect(await rig.text('/blog/alpha')).toContain('Alpha version one.')
        await provide(rig)
      } finally {
        await stopServer(rig.server)
        fs.rmSync(root, { recursive: true, force: true })
      }
    },
    { scope: 'file' },
  ],
})

describe('crash recovery with a content repository', () => {
  test(
    'a refresh killed after its fetch is interrupted; the restart catches up and the index matches the remote',
    async ({ rig }) => {
      const { repo, clone, text, killDuringRefresh, expectCaughtUp } = rig
      for (let i = 0; i < 5; i++)
        repo.write(`content/blog/fetched-${i}.mdx`, post(`Fetched ${i}`, `Fetched post ${i}.`))
      repo.write('content/blog/alpha.mdx', post('Alpha', 'Alpha version two.'))
      const head = repo.push('five posts and an edit')
      const killed = await killDuringRefresh('after-fetch')

      await rig.restart()
      await expectCaughtUp(killed, head)
      const list = await text('/blog')
      for (let i = 0; i < 5; i++) expect(list).toContain(`href="/blog/fetched-${i}"`)
      expect(await text('/blog/fetched-3')).toContain('Fetched post 3.')
      expect(await text('/blog/alpha')).toContain('Alpha version two.')
      expect(git(clone, 'rev-parse', 'HEAD').trim()).toBe(head)

      // /admin names the interrupted refresh.
      await createAdmin(rig.server, 'admin@example.com', 'a long enough password')
      // createAdmin blocks this process for seconds (spawnSync): let fetch's pool see the
      // keep-alive sockets the server closed meanwhile, or the next request may pick one.
      await new Promise((resolve) => setTimeout(resolve, 200))
      const cookie = await signIn(rig.server, 'admin@example.com', 'a long enough password')
      const admin = await (await get(rig.server, '/admin', { headers: { Cookie: cookie } })).text()
      const listed = /data-testid="interrupted-refreshes"[^>]*>([\s\S]*?)<\/ul>/.exec(admin)?.[1] ?? ''
      expect(listed).toContain('interrupted')
      expect(listed).toContain(killed.slice(0, 8))
    },
    // The first test also waits for the rig: the first server start and its clone.
    300_000,
  )

  test('a refresh killed after the index sync, before its compiles, is caught up the same way', async ({ rig }) => {
    const { repo, clone, text, killDuringRefresh, expectCaughtUp } = rig
    repo.write('content/blog/synced.mdx', post('Synced', 'Synced before the kill.'))
    fs.rmSync(path.join(repo.work, 'content/blog/fetched-0.mdx'))
    const head = repo.push('one added, one deleted')
    const killed = await killDuringRefresh('after-sync')
    // What a kill of the server with its git children leaves: the locks git held and a
    // work tree half moved (a file missing, a stray one).
    fs.writeFileSync(path.join(clone, '.git', 'index.lock'), '')
    fs.writeFileSync(path.join(clone, '.git', 'refs', 'remotes', 'origin', 'main.lock'), '')
    fs.rmSync(path.join(clone, 'content/pages/about.mdx'))
    fs.writeFileSync(path.join(clone, 'content/blog/stray.mdx'), post('Stray', 'Not in the repository.'))

    await rig.restart()
    await expectCaughtUp(killed, head)
    expect(await text('/blog/synced')).toContain('Synced before the kill.')
    expect((await get(rig.server, '/blog/fetched-0')).status).toBe(404)
    expect(await text('/blog')).not.toContain('href="/blog/fetched-0"')
    expect(await text('/about')).toContain('About us.')
    expect((await get(rig.server, '/blog/stray')).status).toBe(404)
    expect(fs.existsSync(path.join(clone, '.git', 'index.lock'))).toBe(false)
    expect(fs.existsSync(path.join(clone, '.git', 'refs', 'remotes', 'origin', 'main.lock'))).toBe(false)
  }, 180_000)

  test('removes a stale index.lock (no git process alive in the clone) and the refresh succeeds', async ({ rig }) => {
    const { repo, clone, text, refreshTo } = rig
    fs.writeFileSync(path.join(clone, '.git', 'index.lock'), '')
    repo.write('content/blog/alpha.mdx', post('Alpha', 'Alpha after a stale lock.'))
    const head = repo.push('edit behind a stale lock')
    await refreshTo(head)
    expect(fs.existsSync(path.join(clone, '.git', 'index.lock'))).toBe(false)
    expect(await text('/blog/alpha')).toContain('Alpha after a stale lock.')
    expect(rig.server.output()).toMatch(/removed stale \.git\/index\.lock/)
  }, 120_000)

  test('leaves a lock alone while a git process works in the clone, and goes on when it ends', async ({ rig }) => {
    const { repo, clone, text, webhook, status, finished } = rig
    // A live git process whose working folder is the clone (it waits on its stdin).
    const holder = spawn('git', ['cat-file', '--batch'], { cwd: clone, stdio: ['pipe', 'ignore', 'ignore'] })
    const lock = path.join(clone, '.git', 'index.lock')
    try {
      fs.writeFileSync(lock, '')
      repo.write('content/blog/alpha.mdx', post('Alpha', 'Alpha after a live lock.'))
      const head = repo.push('edit behind a live lock')
      const id = await webhook()
      await until(
        () => rig.server.output().includes(`waiting for git (process ${holder.pid})`),
        'the refresh to wait for the live git process',
      )
      expect(fs.existsSync(lock)).toBe(true)
      expect((await status(id)).status).toBe('running')
      holder.stdin.end()
      const result = await finished(id)
      expect(result.status, result.error).toBe('done')
      expect(result.commit).toBe(head)
      expect(await text('/blog/alpha')).toContain('Alpha after a live lock.')
    } finally {
      holder.kill('SIGKILL')
    }
  }, 120_000)

  test('clones again when HEAD is deleted, and serves the content', async ({ rig }) => {
    const { repo, clone, text, refreshTo } = rig
    fs.rmSync(path.join(clone, '.git', 'HEAD'))
    repo.write('content/blog/alpha.mdx', post('Alpha', 'Alpha after a lost HEAD.'))
    const head = repo.push('edit after HEAD is lost')
    await refreshTo(head)
    expect(await text('/blog/alpha')).toContain('Alpha after a lost HEAD.')
    expect(rig.server.output()).toMatch(/content clone after .*: cloned again/)
    expect(git(clone, 'rev-parse', 'HEAD').trim()).toBe(head)
  }, 120_000)

  test('clones again when objects are missing, and serves the content', async ({ rig }) => {
    const { repo, clone, text, refreshTo } = rig
    git(clone, 'gc', '-q')
    const objects = path.join(clone, '.git', 'objects')
    for (const entry of fs.readdirSync(objects))
      if (entry !== 'info') fs.rmSync(path.join(objects, entry), { recursive: true, force: true })
    repo.write('content/blog/alpha.mdx', post('Alpha', 'Alpha after lost objects.'))
    const head = repo.push('edit after the objects are lost')
    await refreshTo(head)
    expect(await text('/blog/alpha')).toContain('Alpha after lost objects.')
    expect(() => git(clone, 'fsck', '--connectivity-only', '--no-dangling')).not.toThrow()
  }, 120_000)

  test(
    'at start-up, a half-made clone folder and leftovers of an interrupted clone ' + 'are replaced by a fresh clone',
    async ({ rig }) => {
      const { repo, clone, text, kill9 } = rig
      await kill9()
      fs.rmSync(path.join(clone, '.git'), { recursive: true, force: true })
      const leftover = `${clone}.partial-99999`
      fs.mkdirSync(path.join(leftover, '.git'), { recursive: true })
      repo.write('content/blog/alpha.mdx', post('Alpha', 'Alpha while the server was down.'))
      const head = repo.push('edit while down')

      await rig.restart()
      await until(
        async () => (await text('/blog/alpha')).includes('Alpha while the server was down.'),
        'the restarted server to serve the new commit',
      )
      expect(fs.existsSync(leftover)).toBe(false)
      expect(git(clone, 'rev-parse', 'HEAD').trim()).toBe(head)
      expect(await text('/about')).toContain('About us.')
    },
    180_000,
  )
})
