/**
 * The real built server over HTTP, on the sample blog and on content made for each test:
 * routes, compile-on-first-request, the store surviving a restart, bad input.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  copyDir,
  get,
  rawGet,
  makeContentDir,
  repoRoot,
  sampleContentDir,
  startServer,
  tempDir,
  timingNames,
  writeFiles,
  type KilnServer,
} from '../helpers/server.ts'
import { until as waitFor } from '../helpers/wait.ts'

const post = (title: string, body: string, extra = '') =>
  `---\ntitle: ${title}\ndate: 2026-02-01\n${extra}---\n\n${body}\n`

function compileLines(server: KilnServer, file: string): number {
  return server
    .output()
    .split('\n')
    .filter((line) => line.includes(`compiled ${file} `)).length
}

describe('the sample blog', () => {
  let server: KilnServer
  const samplePosts = fs
    .readdirSync(path.join(sampleContentDir, 'blog'))
    .map((name) => name.replace(/\.mdx?$/, ''))
    .filter((slug) => slug !== 'writing-a-series')

  beforeAll(async () => {
    server = await startServer({ contentDir: sampleContentDir })
  })
  afterAll(() => server?.stop())

  it('serves the home page with the latest posts, newest first', async () => {
    const response = await get(server, '/')
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('Latest posts')
    const dates = [...html.matchAll(/<time dateTime="([^"]+)"/g)].map((match) => match[1])
    expect(dates.length).toBeGreaterThanOrEqual(3)
    expect([...dates].sort().reverse()).toEqual(dates)
  })

  it('lists every published post on /blog with date, description, tags and reading time, drafts left out', async () => {
    const html = await (await get(server, '/blog')).text()
    for (const slug of samplePosts) expect(html).toContain(`href="/blog/${slug}"`)
    expect(html).not.toContain('href="/blog/writing-a-series"')
    expect(html).toMatch(/\d+<!-- --> min read/)
    expect(html).toContain('href="/tags/kiln"')
  })

  it('filters /blog by tag and serves /tags/:tag', async () => {
    const all = await (await get(server, '/blog')).text()
    const filtered = await (await get(server, '/blog?tag=sqlite')).text()
    const count = (html: string) => (html.match(/<li class="py-6/g) ?? []).length
    expect(count(filtered)).toBeGreaterThan(0)
    expect(count(filtered)).toBeLessThan(count(all))
    const tagPage = await get(server, '/tags/sqlite')
    expect(tagPage.status).toBe(200)
    expect(count(await tagPage.text())).toBe(count(filtered))
    expect((await get(server, '/tags/no-such-tag')).status).toBe(404)
  })

  it('serves every sample post with its title, and the About page', async () => {
    for (const slug of samplePosts) {
      const response = await get(server, `/blog/${slug}`)
      expect(response.status, slug).toBe(200)
      expect(await response.text()).toMatch(/<h1[^>]*>[^<]+<\/h1>/)
    }
    const about = await get(server, '/about')
    expect(about.status).toBe(200)
    expect(await about.text()).toContain('<h1')
  })

  it('gives headings ids and anchor links, and renders GFM tables, task lists and footnotes', async () => {
    const html = await (await get(server, '/blog/markdown-extras')).text()
    expect(html).toMatch(/<h2 id="[a-z0-9-]+">/)
    expect(html).toContain('class="heading-anchor"')
    expect(html).toContain('<table>')
    expect(html).toContain('type="checkbox"')
    expect(html).toContain('data-footnotes')
    expect(html).toMatch(/<del>/)
  })

  it('bundles a folder post with its sibling components and data', async () => {
    const html = await (await get(server, '/blog/interactive-components')).text()
    expect(html).toContain('<button')
    expect(html).toContain('data.json')
  })

  it('answers a draft with 404', async () => {
    expect((await get(server, '/blog/writing-a-series')).status).toBe(404)
  })

  it('answers unknown addresses with the styled 404 page', async () => {
    for (const pathname of ['/blog/no-such-post', '/no-such-page', '/a/b/c']) {
      const response = await get(server, pathname)
      expect(response.status, pathname).toBe(404)
      expect(await response.text()).toContain('Page not found')
    }
  })

  it('never reads outside the content folder for a slug that is not a slug', async () => {
    const attempts = [
      '/blog/..',
      '/blog/%2e%2e',
      '/blog/%2e%2e%2f%2e%2e%2fpackage.json',
      '/blog/..%2F..%2Fpackage',
      '/blog/a%00b',
      '/blog/.hidden',
      `/blog/${'a'.repeat(300)}`,
      '/%2e%2e%2fpackage.json',
      '/blog/%5c..%5cpackage',
      '/blog/../../package.json',
      '/../package.json',
    ]
    for (const pathname of attempts) {
      const response = await rawGet(server, pathname)
      expect([400, 404], pathname).toContain(response.status)
      const text = response.body
      expect(text).not.toContain('"name": "kiln"')
      expect(text).not.toMatch(/at .+\.(ts|js):\d+/)
    }
  })

  it(
    'puts Server-Timing on every response, with db and render, or ' + 'cache for a page answered from the page cache',
    async () => {
      for (const pathname of ['/', '/blog', '/blog/how-posts-work', '/no-such-page', '/healthcheck']) {
        const names = timingNames(await get(server, pathname))
        expect(names, pathname).toContain('total')
        expect(names.includes('db') || names.includes('cache'), pathname).toBe(true)
      }
      expect(timingNames(await get(server, '/blog', { headers: { Cookie: 'kiln_session=bypass' } }))).toContain(
        'render',
      )
      expect(timingNames(await get(server, '/blog'))).toContain('cache')
    },
  )

  it('answers /healthcheck with 200', async () => {
    const response = await get(server, '/healthcheck')
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('OK')
  })

  it("runs the server with the supervisor's memory flags, before its entry file (docs/performance.md, memory)", () => {
    const args = fs.readFileSync(`/proc/${server.serverPid()}/cmdline`, 'utf8').split('\0')
    const entry = args.findIndex((arg) => arg.endsWith(path.join('build', 'kiln', 'server.mjs')))
    expect(entry).toBeGreaterThan(0)
    expect(args.slice(0, entry)).toEqual(
      expect.arrayContaining([
        '--heap-growing-percent=50',
        '--max-semi-space-size=4',
        '--no-allocation-site-pretenuring',
      ]),
    )
  })
})

describe('compiling on request', () => {
  let contentDir: string
  let dbDir: string
  let server: KilnServer

  beforeAll(async () => {
    contentDir = makeContentDir({
      'blog/first.mdx': post('First', '## Hello\n\nThe first post.'),
      'blog/second.mdx': post('Second', 'Second post body.'),
    })
    dbDir = tempDir('kiln-db-')
    server = await startServer({ contentDir, databasePath: path.join(dbDir, 'kiln.db') })
  })
  afterAll(() => server?.stop())

  it('compiles a post on its first request only, and concurrent first requests share one compile', async () => {
    const responses = await Promise.all(Array.from({ length: 8 }, () => get(server, '/blog/first')))
    for (const response of responses) expect(response.status).toBe(200)
    expect(responses.some((response) => timingNames(response).includes('compile'))).toBe(true)
    expect(compileLines(server, 'blog/first.mdx')).toBe(1)

    const again = await get(server, '/blog/first')
    expect(timingNames(again)).not.toContain('compile')
    expect(compileLines(server, 'blog/first.mdx')).toBe(1)
  })

  it('lists posts without compiling them', async () => {
    const html = await (await get(server, '/blog')).text()
    expect(html).toContain('Second')
    expect(compileLines(server, 'blog/second.mdx')).toBe(0)
  })

  it('does not compile again after a restart', async () => {
    await get(server, '/blog/second')
    const db = new Database(server.databasePath, { readonly: true })
    const before = db.prepare("SELECT compiled_at FROM compiled_entries WHERE slug = 'second'").get() as {
      compiled_at: string
    }
    db.close()
    await server.stop()

    server = await startServer({ contentDir, databasePath: path.join(dbDir, 'kiln.db') })
    const response = await get(server, '/blog/second')
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('Second post body.')
    expect(timingNames(response)).not.toContain('compile')
    expect(compileLines(server, 'blog/second.mdx')).toBe(0)
    const reopened = new Database(server.databasePath, { readonly: true })
    const after = reopened.prepare("SELECT compiled_at FROM compiled_entries WHERE slug = 'second'").get() as {
      compiled_at: string
    }
    reopened.close()
    expect(after.compiled_at).toBe(before.compiled_at)
  })
})

describe('bad input', () => {
  let contentDir: string
  let server: KilnServer

  beforeAll(async () => {
    contentDir = makeContentDir({
      'blog/good.mdx': post('Good', 'All fine here.'),
      'blog/syntax.mdx': post('Broken syntax', 'Fine line.\n\n<div>\n\nnever closed {oops'),
      'blog/no-package.mdx': post(
        'Imports a package',
        "import thing from 'kiln-no-such-package'\n\n<p>{String(thing)}</p>",
      ),
      'blog/no-title.mdx': '---\ndate: 2026-01-01\n---\n\nNo title.\n',
      'blog/bad-yaml.mdx': '---\ntitle: [unclosed\ndate: 2026-01-01\n---\n\nBad YAML.\n',
      'blog/missing.mdx': post(
        'Missing components',
        '<Sandpack>\n\nInside the box.\n\n</Sandpack>\n\n' +
          '<Foo.Bar>member</Foo.Bar>\n\nText <Inline>inline child</Inline> ' +
          'here.',
      ),
      'blog/throws.mdx': post(
        'Throws while rendering',
        "export const Boom = () => { throw new Error('secret internal detail') }\n\n<Boom />",
      ),
      'blog/editable.mdx': post('Editable', 'Version one.'),
    })
    server = await startServer({ contentDir, env: { CONTENT_SCAN_INTERVAL_MS: '1' } })
  })
  afterAll(() => server?.stop())

  it(
    'answers a post that fails to compile with a clear 500 ' + 'page, without internals, and logs file and line',
    async () => {
      for (const slug of ['syntax', 'no-package', 'no-title', 'bad-yaml']) {
        const response = await get(server, `/blog/${slug}`)
        expect(response.status, slug).toBe(500)
        const html = await response.text()
        expect(html, slug).toContain('could not be')
        expect(html, slug).not.toMatch(/at .+\.(ts|js):\d+/)
        expect(html, slug).not.toContain('kiln-no-such-package')
      }
      expect(server.output()).toMatch(/compile failed: blog\/syntax\.mdx:\d+:\d+: /)
      expect(server.output()).toMatch(/compile failed: blog\/no-package\.mdx:\d+:\d+: .*kiln-no-such-package/)
    },
  )

  it('keeps serving every other post and stays healthy', async () => {
    expect((await get(server, '/blog/good')).status).toBe(200)
    expect((await get(server, '/healthcheck')).status).toBe(200)
    expect(server.process.exitCode).toBeNull()
  })

  it('leaves broken posts out of lists when their frontmatter is invalid', async () => {
    const html = await (await get(server, '/blog')).text()
    expect(html).toContain('href="/blog/good"')
    expect(html).not.toContain('href="/blog/no-title"')
    expect(html).not.toContain('href="/blog/bad-yaml"')
  })

  it('does not recompile a broken version on every request', async () => {
    await get(server, '/blog/syntax')
    await get(server, '/blog/syntax')
    const failures = server
      .output()
      .split('\n')
      .filter((line) => line.includes('compile failed: blog/syntax.mdx')).length
    expect(failures).toBe(1)
  })

  it('renders components nobody defined as labelled boxes with their children', async () => {
    const response = await get(server, '/blog/missing')
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('data-missing-component="Sandpack"')
    expect(html).toContain('data-missing-component="Foo.Bar"')
    expect(html).toContain('data-missing-component="Inline"')
    expect(html).toContain('Inside the box.')
    expect(html).toContain('inline child')
    expect(server.output()).toMatch(/compiled blog\/missing\.mdx in \d+ ms with 3 warnings/)
  })

  it('answers a post that throws while rendering with the error page, not a stack trace', async () => {
    const response = await get(server, '/blog/throws')
    expect(response.status).toBe(500)
    // The post's own code travels to the browser for hydration (it is public, like the
    // post); what must not show is the error itself, on the page.
    const visible = (await response.text()).replace(/<script[\s\S]*?<\/script>/g, '')
    expect(visible).not.toContain('secret internal detail')
    expect(visible).toContain('Something went wrong')
    expect((await get(server, '/blog/good')).status).toBe(200)
  })

  it('serves the last good version while a new edit is broken, and the fix once it comes', async () => {
    const file = path.join(contentDir, 'blog/editable.mdx')
    expect(await (await get(server, '/blog/editable')).text()).toContain('Version one.')

    fs.writeFileSync(file, post('Editable', 'Version two is broken {'))
    await new Promise((resolve) => setTimeout(resolve, 20)) // past CONTENT_SCAN_INTERVAL_MS
    const whileBroken = await get(server, '/blog/editable')
    expect(whileBroken.status).toBe(200)
    expect(await whileBroken.text()).toContain('Version one.')
    expect(server.output()).toContain('compile failed: blog/editable.mdx')

    fs.writeFileSync(file, post('Editable', 'Version three works.'))
    await waitFor(
      async () => (await (await get(server, '/blog/editable')).text()).includes('Version three works.'),
      'the fixed edit',
    )
  })

  it('keeps the index in step with the folder: new, edited and deleted posts', async () => {
    writeFiles(contentDir, { 'blog/added-later.mdx': post('Added later', 'New.') })
    await waitFor(async () => (await (await get(server, '/blog')).text()).includes('Added later'), 'the added post')
    expect((await get(server, '/blog/added-later')).status).toBe(200)

    fs.writeFileSync(path.join(contentDir, 'blog/added-later.mdx'), post('Renamed title', 'New.'))
    await waitFor(async () => (await (await get(server, '/blog')).text()).includes('Renamed title'), 'the edited title')

    fs.rmSync(path.join(contentDir, 'blog/added-later.mdx'))
    await waitFor(async () => (await get(server, '/blog/added-later')).status === 404, 'the deleted post')
    expect(await (await get(server, '/blog')).text()).not.toContain('Renamed title')
  })
})

describe('worker threads of a running server', () => {
  it('compiles and highlights in worker threads that are gone once idle', async () => {
    const threads = (pid: number) =>
      Number(/^Threads:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1])
    const server = await startServer({
      contentDir: sampleContentDir,
      // The render watchdog's thread ends after its idle time too (10 s by default).
      env: { HIGHLIGHT_IDLE_MS: '300', COMPILE_IDLE_MS: '300', RENDER_WATCHDOG_IDLE_MS: '300' },
    })
    try {
      const pid = server.serverPid()
      await get(server, '/blog') // warms what any request starts (libuv's pool, fetch)
      await new Promise((resolve) => setTimeout(resolve, 200))
      const baseline = threads(pid)
      // The threads are counted while the compile runs, not after it: with a 300 ms idle
      // time a busy machine can end them before the answer is read.
      let most = baseline
      const sampler = setInterval(() => (most = Math.max(most, threads(pid))), 5)
      const response = await get(server, '/blog/code-highlighting')
      expect(timingNames(response)).toContain('compile')
      expect(await response.text()).toContain('--shiki-dark')
      clearInterval(sampler)
      expect(most).toBeGreaterThan(baseline)
      await waitFor(async () => threads(pid) <= baseline, 'the pools to spin down')
      // Serving the compiled page needs no worker.
      expect((await get(server, '/blog/code-highlighting')).status).toBe(200)
      expect(threads(pid)).toBeLessThanOrEqual(baseline)
    } finally {
      await server.stop()
    }
  })
})

describe('a copy of the sample blog in another folder', () => {
  it('serves it from CONTENT_DIR, with a folder post whose component imports another file', async () => {
    const dir = tempDir('kiln-copy-')
    copyDir(sampleContentDir, dir)
    const server = await startServer({ contentDir: dir })
    try {
      const response = await get(server, '/blog/interactive-components')
      expect(response.status).toBe(200)
      expect(await response.text()).toContain('<button')
    } finally {
      await server.stop()
    }
  })
})

/** A field of /proc/<pid>/stat after the command's name: 1 is the parent's pid, 3 the session id. */
function statField(pid: number, index: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[index])
}
const commandLine = (pid: number) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
const vmRssMb = (pid: number) =>
  Number(/^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024

describe('the supervisor (server/supervisor.pl, which npm start becomes)', () => {
  it('is a small Perl process with the server in a session of its own, and answers Ctrl-C with one drain', async () => {
    const server = await startServer({ contentDir: sampleContentDir, detached: true })
    try {
      const top = server.process.pid!
      expect(commandLine(top)[1]).toBe(path.join(repoRoot, 'server', 'supervisor.pl'))
      // It was a second Node process of 50-56 MB (docs/performance.md, memory, fifth round).
      expect(vmRssMb(top)).toBeLessThan(20)
      const child = server.serverPid()
      expect(statField(child, 1)).toBe(top)
      expect(statField(child, 3)).not.toBe(statField(top, 3))

      // Ctrl-C in a terminal signals the whole foreground process group: the supervisor's.
      const exited = new Promise<number | null>((resolve) => server.process.once('exit', (code) => resolve(code)))
      process.kill(-top, 'SIGINT')
      expect(await exited).toBe(0)
      expect(server.output().split('SIGINT: no new connections').length - 1).toBe(1)
      expect(server.output()).not.toContain('SIGINT again')
    } finally {
      await server.stop()
    }
  })

  it('relays the memory probe when started with an IPC channel, across a restart on the same port', async () => {
    const server = await startServer({ contentDir: sampleContentDir, ipc: true, nodeArgs: ['--expose-gc'] })
    let nextId = 0
    const probe = () =>
      new Promise<NodeJS.MemoryUsage>((resolve) => {
        const id = nextId++
        const onMessage = (message: { type?: string; id?: number; usage?: NodeJS.MemoryUsage }) => {
          if (message?.type !== 'kiln:memory' || message.id !== id || !message.usage) return
          server.process.off('message', onMessage)
          resolve(message.usage)
        }
        server.process.on('message', onMessage)
        server.process.send({ type: 'kiln:memory', id })
      })
    try {
      // A channel does not survive execve: npm start stays, in front of the supervisor.
      const supervisor = statField(server.serverPid(), 1)
      expect(commandLine(supervisor)[1]).toBe(path.join(repoRoot, 'server', 'supervisor.pl'))
      expect(statField(supervisor, 1)).toBe(server.process.pid)
      expect((await probe()).heapUsed).toBeGreaterThan(0)

      const first = server.serverPid()
      process.kill(first, 'SIGKILL')
      await waitFor(async () => {
        if (server.serverPid() === first || server.serverPid() === supervisor) return false
        try {
          return (await get(server, '/healthcheck')).status === 200
        } catch {
          return false
        }
      }, 'a new server process on the same port')
      expect(server.output()).toContain('the server process ended (SIGKILL): starting a new one')
      expect((await probe()).heapUsed).toBeGreaterThan(0)
    } finally {
      await server.stop()
    }
    expect(server.process.exitCode).toBe(0)
  })
})
