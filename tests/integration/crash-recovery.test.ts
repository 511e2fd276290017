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
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sign, signStatusRead } from '../../app/content/webhook-signature.server.ts'
import { createAdmin, signIn } from '../helpers/auth.ts'
import { get, startServer, tempDir, type KilnServer } from '../helpers/server.ts'
import { until } from '../helpers/wait.ts'
import { git, makeContentRepo, type ContentRepo } from '../../other/lib/git.ts'

const SECRET = 'crash-recovery-secret'
const post = (title: string, body: string) => `---\ntitle: ${title}\ndate: 2026-03-01\n---\n\n${body}\n`

interface RefreshStatus {
  id: string
  status: string
  commit: string | null
  error?: string
  interruptedAt?: string
  posts: { slug: string; result: string }[]
}

describe('crash recovery with a content repository', () => {
  let root: string
  let remote: string
  let work: string
  let dataDir: string
  let pauseDir: string
  let clone: string
  let server: KilnServer

  let repo: ContentRepo
  const write = (file: string, content: string) => repo.write(file, content)
  const push = (message: string) => repo.push(message)
  const start = () =>
    startServer({
      contentDir: '/nonexistent-ignored-with-git',
      databasePath: path.join(dataDir, 'kiln.db'),
      env: {
        CONTENT_GIT_URL: `file://${remote}`,
        REFRESH_SECRET: SECRET,
        CONTENT_SCAN_INTERVAL_MS: '0',
        KILN_TEST_PAUSE_DIR: pauseDir,
      },
    })
  const kill9 = async () => {
    await server.kill9()
  }
  const text = async (pathname: string) => (await get(server, pathname)).text()

  async function webhook(): Promise<string> {
    const response = await fetch(`${server.url}/action/refresh-content`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': sign(SECRET, '{}') },
      body: '{}',
    })
    expect(response.status).toBe(202)
    return ((await response.json()) as { id: string }).id
  }
  async function status(id: string): Promise<RefreshStatus> {
    const response = await fetch(`${server.url}/action/refresh-content/${id}`, {
      headers: { 'X-Kiln-Signature': signStatusRead(SECRET, `/action/refresh-content/${id}`) },
    })
    expect(response.status).toBe(200)
    return (await response.json()) as RefreshStatus
  }
  async function finished(id: string): Promise<RefreshStatus> {
    let last: RefreshStatus | undefined
    await until(async () => {
      last = await status(id)
      return last.status !== 'queued' && last.status !== 'running'
    }, `refresh ${id}`)
    return last!
  }
  /** Kills the server with kill -9 while a webhook refresh is held at `step`; returns the refresh's id. */
  async function killDuringRefresh(step: string): Promise<string> {
    const gate = path.join(pauseDir, `pause-${step}`)
    fs.writeFileSync(gate, '')
    const id = await webhook()
    await until(() => fs.existsSync(path.join(pauseDir, `paused-${step}`)), `the refresh to reach ${step}`)
    await kill9()
    fs.rmSync(gate)
    fs.rmSync(path.join(pauseDir, `paused-${step}`), { force: true })
    return id
  }
  /** After a restart: the killed refresh reads `interrupted` and names the catch-up refresh, which finishes. */
  async function expectCaughtUp(killed: string, head: string): Promise<void> {
    const record = await status(killed)
    expect(record.status).toBe('interrupted')
    expect(record.interruptedAt).toBeTruthy()
    const catchUp = /refresh ([0-9a-f-]{36}) caught up/.exec(record.error ?? '')?.[1]
    expect(catchUp, record.error).toBeTruthy()
    const result = await finished(catchUp!)
    expect(result.status).toBe('done')
    expect(result.commit).toBe(head)
  }

  beforeAll(async () => {
    root = tempDir('kiln-crash-')
    repo = makeContentRepo(root)
    ;({ remote, work } = repo)
    dataDir = path.join(root, 'data')
    pauseDir = path.join(root, 'pause')
    clone = path.join(dataDir, 'content-repo')
    fs.mkdirSync(pauseDir)
    write('content/blog/alpha.mdx', post('Alpha', 'Alpha version one.'))
    write('content/pages/about.mdx', '---\ntitle: About\n---\n\nAbout us.\n')
    push('first content')
    server = await start()
    expect(await text('/blog/alpha')).toContain('Alpha version one.')
  }, 120_000)
  afterAll(() => server?.stop())

  it(
    'a refresh killed after its fetch is interrupted; the ' + 'restart catches up and the index matches the remote',
    async () => {
      for (let i = 0; i < 5; i++) write(`content/blog/fetched-${i}.mdx`, post(`Fetched ${i}`, `Fetched post ${i}.`))
      write('content/blog/alpha.mdx', post('Alpha', 'Alpha version two.'))
      const head = push('five posts and an edit')
      const killed = await killDuringRefresh('after-fetch')

      server = await start()
      await expectCaughtUp(killed, head)
      const list = await text('/blog')
      for (let i = 0; i < 5; i++) expect(list).toContain(`href="/blog/fetched-${i}"`)
      expect(await text('/blog/fetched-3')).toContain('Fetched post 3.')
      expect(await text('/blog/alpha')).toContain('Alpha version two.')
      expect(git(clone, 'rev-parse', 'HEAD').trim()).toBe(head)

      // /admin names the interrupted refresh.
      await createAdmin(server, 'admin@example.com', 'a long enough password')
      // createAdmin blocks this process for seconds (spawnSync): let fetch's pool see the
      // keep-alive sockets the server closed meanwhile, or the next request may pick one.
      await new Promise((resolve) => setTimeout(resolve, 200))
      const cookie = await signIn(server, 'admin@example.com', 'a long enough password')
      const admin = await (await get(server, '/admin', { headers: { Cookie: cookie } })).text()
      const listed = /data-testid="interrupted-refreshes"[^>]*>([\s\S]*?)<\/ul>/.exec(admin)?.[1] ?? ''
      expect(listed).toContain('interrupted')
      expect(listed).toContain(killed.slice(0, 8))
    },
    180_000,
  )

  it('a refresh killed after the index sync, before its compiles, is caught up the same way', async () => {
    write('content/blog/synced.mdx', post('Synced', 'Synced before the kill.'))
    fs.rmSync(path.join(work, 'content/blog/fetched-0.mdx'))
    const head = push('one added, one deleted')
    const killed = await killDuringRefresh('after-sync')
    // What a kill of the server with its git children leaves: the locks git held and a
    // work tree half moved (a file missing, a stray one).
    fs.writeFileSync(path.join(clone, '.git', 'index.lock'), '')
    fs.writeFileSync(path.join(clone, '.git', 'refs', 'remotes', 'origin', 'main.lock'), '')
    fs.rmSync(path.join(clone, 'content/pages/about.mdx'))
    fs.writeFileSync(path.join(clone, 'content/blog/stray.mdx'), post('Stray', 'Not in the repository.'))

    server = await start()
    await expectCaughtUp(killed, head)
    expect(await text('/blog/synced')).toContain('Synced before the kill.')
    expect((await get(server, '/blog/fetched-0')).status).toBe(404)
    expect(await text('/blog')).not.toContain('href="/blog/fetched-0"')
    expect(await text('/about')).toContain('About us.')
    expect((await get(server, '/blog/stray')).status).toBe(404)
    expect(fs.existsSync(path.join(clone, '.git', 'index.lock'))).toBe(false)
    expect(fs.existsSync(path.join(clone, '.git', 'refs', 'remotes', 'origin', 'main.lock'))).toBe(false)
  }, 180_000)

  it('removes a stale index.lock (no git process alive in the clone) and the refresh succeeds', async () => {
    fs.writeFileSync(path.join(clone, '.git', 'index.lock'), '')
    write('content/blog/alpha.mdx', post('Alpha', 'Alpha after a stale lock.'))
    const head = push('edit behind a stale lock')
    const result = await finished(await webhook())
    expect(result.status, result.error).toBe('done')
    expect(result.commit).toBe(head)
    expect(fs.existsSync(path.join(clone, '.git', 'index.lock'))).toBe(false)
    expect(await text('/blog/alpha')).toContain('Alpha after a stale lock.')
    expect(server.output()).toMatch(/removed stale \.git\/index\.lock/)
  }, 120_000)

  it('leaves a lock alone while a git process works in the clone, and goes on when it ends', async () => {
    // A live git process whose working folder is the clone (it waits on its stdin).
    const holder = spawn('git', ['cat-file', '--batch'], { cwd: clone, stdio: ['pipe', 'ignore', 'ignore'] })
    const lock = path.join(clone, '.git', 'index.lock')
    try {
      fs.writeFileSync(lock, '')
      write('content/blog/alpha.mdx', post('Alpha', 'Alpha after a live lock.'))
      const head = push('edit behind a live lock')
      const id = await webhook()
      await until(
        () => server.output().includes(`waiting for git (process ${holder.pid})`),
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

  it('clones again when HEAD is deleted, and serves the content', async () => {
    fs.rmSync(path.join(clone, '.git', 'HEAD'))
    write('content/blog/alpha.mdx', post('Alpha', 'Alpha after a lost HEAD.'))
    const head = push('edit after HEAD is lost')
    const result = await finished(await webhook())
    expect(result.status, result.error).toBe('done')
    expect(result.commit).toBe(head)
    expect(await text('/blog/alpha')).toContain('Alpha after a lost HEAD.')
    expect(server.output()).toMatch(/content clone after .*: cloned again/)
    expect(git(clone, 'rev-parse', 'HEAD').trim()).toBe(head)
  }, 120_000)

  it('clones again when objects are missing, and serves the content', async () => {
    git(clone, 'gc', '-q')
    const objects = path.join(clone, '.git', 'objects')
    for (const entry of fs.readdirSync(objects))
      if (entry !== 'info') fs.rmSync(path.join(objects, entry), { recursive: true, force: true })
    write('content/blog/alpha.mdx', post('Alpha', 'Alpha after lost objects.'))
    const head = push('edit after the objects are lost')
    const result = await finished(await webhook())
    expect(result.status, result.error).toBe('done')
    expect(result.commit).toBe(head)
    expect(await text('/blog/alpha')).toContain('Alpha after lost objects.')
    expect(() => git(clone, 'fsck', '--connectivity-only', '--no-dangling')).not.toThrow()
  }, 120_000)

  it(
    'at start-up, a half-made clone folder and leftovers of an ' + 'interrupted clone are replaced by a fresh clone',
    async () => {
      await kill9()
      fs.rmSync(path.join(clone, '.git'), { recursive: true, force: true })
      const leftover = `${clone}.partial-99999`
      fs.mkdirSync(path.join(leftover, '.git'), { recursive: true })
      write('content/blog/alpha.mdx', post('Alpha', 'Alpha while the server was down.'))
      const head = push('edit while down')

      server = await start()
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
