/**
 * Author edits going live without a redeploy, with real git repositories: a bare
 * repository as the remote, a working clone as the author, the real server cloning it,
 * and the signed webhook. Also the watch mode, and a server killed mid-refresh.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sign } from '../../app/content/webhook-signature.server.ts'
import {
  postWebhook,
  readRefreshStatus,
  refreshFinished,
  refreshStatus,
  runContentRefresh,
  startGitServer,
  type RefreshStatus,
} from '../helpers/refresh.ts'
import { get, makeContentDir, startServer, tempDir, type KilnServer } from '../helpers/server.ts'
import { until as waitFor } from '../helpers/wait.ts'
import { git, makeContentRepo, type ContentRepo } from '../../other/lib/git.ts'

const SECRET = 'test-refresh-secret'
const post = (title: string, body: string) => `---\ntitle: ${title}\ndate: 2026-03-01\n---\n\n${body}\n`

const webhook = (server: KilnServer, body?: string, signature?: string) =>
  postWebhook(server, SECRET, { body, signature })
const status = (server: KilnServer, id: string) => refreshStatus(server, SECRET, id)

async function refreshAndWait(server: KilnServer): Promise<RefreshStatus> {
  const response = await webhook(server)
  expect(response.status).toBe(202)
  const { id } = (await response.json()) as { id: string }
  return refreshFinished(server, SECRET, id)
}

const text = async (server: KilnServer, pathname: string) => (await get(server, pathname)).text()

describe('refreshing from a content repository', () => {
  let remote: string
  let work: string
  let dataDir: string
  let server: KilnServer

  let repo: ContentRepo
  const write = (file: string, content: string) => repo.write(file, content)
  const push = (message: string) => repo.push(message)
  const start = () => startGitServer(repo.url, dataDir, SECRET)

  beforeAll(async () => {
    const root = tempDir('kiln-git-')
    repo = makeContentRepo(root)
    ;({ remote, work } = repo)
    dataDir = path.join(root, 'data')
    write('README.md', '# content\n')
    write('content/blog/alpha.mdx', post('Alpha', 'Alpha version one.'))
    write('content/blog/beta.mdx', post('Beta', 'Beta body.'))
    write(
      'content/blog/widget-post/index.mdx',
      post('Widget post', "import { Widget } from './widget.tsx'\n\n<Widget />"),
    )
    write('content/blog/widget-post/widget.tsx', 'export function Widget() { return <strong>widget one</strong> }\n')
    write('content/pages/about.mdx', '---\ntitle: About\n---\n\nAbout us.\n')
    push('first content')
    server = await start()
  })
  afterAll(() => server?.stop())

  it('clones the repository and serves its content folder', async () => {
    expect(await text(server, '/blog/alpha')).toContain('Alpha version one.')
    expect(await text(server, '/about')).toContain('About us.')
    expect(fs.existsSync(path.join(dataDir, 'content-repo', '.git'))).toBe(true)
  })

  it('serves a pushed edit after the signed webhook, and reports the post updated', async () => {
    write('content/blog/alpha.mdx', post('Alpha', 'Alpha version two.'))
    push('edit alpha')
    const head = git(work, 'rev-parse', 'HEAD').trim()
    const result = await refreshAndWait(server)
    expect(result.status).toBe('done')
    expect(result.commit).toBe(head)
    expect(result.posts).toContainEqual({ slug: 'alpha', result: 'updated' })
    expect(await text(server, '/blog/alpha')).toContain('Alpha version two.')
  })

  it('refuses a wrong, missing or malformed signature, and changes nothing', async () => {
    write('content/blog/alpha.mdx', post('Alpha', 'Alpha version three.'))
    push('edit alpha again')
    expect((await webhook(server, '{}', sign('wrong-secret', '{}'))).status).toBe(401)
    expect((await webhook(server, '{}', '')).status).toBe(401)
    expect((await webhook(server, '{}', 'sha256=nothex')).status).toBe(401)
    expect((await webhook(server, '{"a":1}', sign(SECRET, '{}'))).status).toBe(401)
    const statusWithoutSignature = await readRefreshStatus(server, SECRET, 'whatever', {})
    expect(statusWithoutSignature.status).toBe(401)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await text(server, '/blog/alpha')).toContain('Alpha version two.')
  })

  it('answers a body over 1 MB with 413 and an unknown refresh id with 404', async () => {
    const big = JSON.stringify({ padding: 'x'.repeat(1024 * 1024 + 10) })
    expect((await webhook(server, big)).status).toBe(413)
    const unknown = await readRefreshStatus(server, SECRET, 'no-such-id')
    expect(unknown.status).toBe(404)
  })

  it('accepts a GitHub-style push payload as the body', async () => {
    const payload = JSON.stringify({
      ref: 'refs/heads/main',
      after: git(work, 'rev-parse', 'HEAD').trim(),
      commits: [],
    })
    const response = await webhook(server, payload)
    expect(response.status).toBe(202)
    const { id } = (await response.json()) as { id: string }
    await waitFor(async () => (await status(server, id)).status === 'done', 'the refresh')
    expect(await text(server, '/blog/alpha')).toContain('Alpha version three.')
  })

  it(
    'keeps the last good version live when a push breaks a post, ' + 'names the error, and recovers on the next push',
    async () => {
      write('content/blog/alpha.mdx', post('Alpha', 'Broken {'))
      push('break alpha')
      const broken = await refreshAndWait(server)
      const failed = broken.posts.find((entry) => entry.slug === 'alpha')
      expect(failed?.result).toBe('failed')
      expect(failed?.error).toMatch(/^blog\/alpha\.mdx:\d+:\d+: /)
      const page = await get(server, '/blog/alpha')
      expect(page.status).toBe(200)
      expect(await page.text()).toContain('Alpha version three.')

      write('content/blog/alpha.mdx', post('Alpha', 'Alpha fixed.'))
      push('fix alpha')
      expect((await refreshAndWait(server)).posts).toContainEqual({ slug: 'alpha', result: 'updated' })
      expect(await text(server, '/blog/alpha')).toContain('Alpha fixed.')
    },
  )

  it('recompiles a post when only its sibling component changes', async () => {
    expect(await text(server, '/blog/widget-post')).toContain('widget one')
    write('content/blog/widget-post/widget.tsx', 'export function Widget() { return <strong>widget two</strong> }\n')
    push('change the widget')
    expect((await refreshAndWait(server)).posts).toContainEqual({ slug: 'widget-post', result: 'updated' })
    expect(await text(server, '/blog/widget-post')).toContain('widget two')
  })

  it('adds and deletes posts: a deleted post answers 404 and leaves the list', async () => {
    write('content/blog/gamma.mdx', post('Gamma', 'New post.'))
    fs.rmSync(path.join(work, 'content/blog/beta.mdx'))
    push('add gamma, delete beta')
    const result = await refreshAndWait(server)
    expect(result.posts).toContainEqual({ slug: 'gamma', result: 'added' })
    expect(result.posts).toContainEqual({ slug: 'beta', result: 'deleted' })
    expect((await get(server, '/blog/beta')).status).toBe(404)
    const list = await text(server, '/blog')
    expect(list).not.toContain('href="/blog/beta"')
    expect(list).toContain('href="/blog/gamma"')
  })

  it('ignores files outside blog/ and pages/ and symlinks out of the content folder', async () => {
    write('content/notes.txt', 'not content')
    write('content/blog-drafts/x.mdx', post('Not a post', 'x'))
    write('scripts/build.sh', 'echo hi')
    fs.symlinkSync('/etc/passwd', path.join(work, 'content/blog/passwd.mdx'))
    push('files that are not posts')
    const result = await refreshAndWait(server)
    expect(result.status).toBe('done')
    expect(result.posts).toEqual([])
    const response = await get(server, '/blog/passwd')
    expect(response.status).toBe(404)
    expect(await response.text()).not.toContain('root:')
  })

  it('coalesces a burst of webhooks into at most two refreshes, which all finish', async () => {
    write('content/blog/alpha.mdx', post('Alpha', 'Alpha after the burst.'))
    push('burst')
    const ids = await Promise.all(
      Array.from({ length: 5 }, async () => ((await (await webhook(server)).json()) as { id: string }).id),
    )
    expect(new Set(ids).size).toBeLessThanOrEqual(2)
    for (const id of new Set(ids))
      await waitFor(async () => (await status(server, id)).status === 'done', `refresh ${id}`)
    expect(await text(server, '/blog/alpha')).toContain('Alpha after the burst.')
  })

  it("reports a failed fetch with git's message and keeps serving", async () => {
    const moved = `${remote}.moved`
    fs.renameSync(remote, moved)
    try {
      const result = await refreshAndWait(server)
      expect(result.status).toBe('failed')
      expect(result.error).toMatch(/git fetch failed/)
      expect((await get(server, '/blog/alpha')).status).toBe(200)
    } finally {
      fs.renameSync(moved, remote)
    }
  })

  it('npm run content:refresh sends the signed request and prints the result', async () => {
    write('content/blog/delta.mdx', post('Delta', 'From CI.'))
    push('add delta')
    const run = await runContentRefresh(server, SECRET)
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/added\s+delta/)
    const wrong = await runContentRefresh(server, 'nope')
    expect(wrong.status).toBe(1)
    expect(wrong.stderr).toContain('401')
  })

  it(
    'survives being killed in the middle of a refresh: the restarted ' +
      'server has a consistent index and finishes the work',
    async () => {
      for (let i = 0; i < 40; i++)
        write(
          `content/blog/bulk-${i}.mdx`,
          post(`Bulk ${i}`, `Bulk post number ${i}.\n\n\`\`\`ts\nconst n = ${i}\n\`\`\``),
        )
      push('forty new posts')
      const response = await webhook(server)
      const { id } = (await response.json()) as { id: string }
      await waitFor(async () => (await status(server, id)).status === 'running', 'the refresh to start')
      await new Promise((resolve) => setTimeout(resolve, 300))
      await server.kill9()

      server = await start()
      // Whatever the kill interrupted, the index matches the files: every bulk post is
      // listed and served, and the startup refresh finishes the work.
      // The blog's list, every page of it (20 posts a page; a page past the last is a 404).
      const wholeList = async () => {
        let list = ''
        for (let page = 1; page <= 10; page++) {
          const response = await get(server, page === 1 ? '/blog' : `/blog?page=${page}`)
          if (response.status !== 200) break
          list += await response.text()
        }
        return list
      }
      await waitFor(async () => (await wholeList()).includes('href="/blog/bulk-39"'), 'the bulk posts to be listed')
      const list = await wholeList()
      for (let i = 0; i < 40; i++) expect(list).toContain(`href="/blog/bulk-${i}"`)
      expect(await text(server, '/blog/bulk-7')).toContain('Bulk post number 7.')
      const after = await refreshAndWait(server)
      expect(after.status).toBe('done')
    },
  )
})

describe('CONTENT_WATCH', () => {
  it('serves a saved edit, a new post, and answers 404 for a deleted one', async () => {
    const contentDir = makeContentDir({ 'blog/watched.mdx': post('Watched', 'Before the save.') })
    const server = await startServer({ contentDir, env: { CONTENT_WATCH: '1', CONTENT_SCAN_INTERVAL_MS: '0' } })
    try {
      expect(await text(server, '/blog/watched')).toContain('Before the save.')
      fs.writeFileSync(path.join(contentDir, 'blog/watched.mdx'), post('Watched', 'After the save.'))
      await waitFor(async () => (await text(server, '/blog/watched')).includes('After the save.'), 'the saved edit')
      expect(server.output()).toMatch(/compiled blog\/watched\.mdx/)

      fs.writeFileSync(path.join(contentDir, 'blog/new-one.mdx'), post('New one', 'Fresh.'))
      await waitFor(async () => (await text(server, '/blog')).includes('New one'), 'the new post in the list')
      fs.rmSync(path.join(contentDir, 'blog/new-one.mdx'))
      await waitFor(async () => (await get(server, '/blog/new-one')).status === 404, 'the deleted post')
    } finally {
      await server.stop()
    }
  })
})
