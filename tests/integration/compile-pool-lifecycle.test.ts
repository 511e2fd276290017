/**
 * The compile pool's threads come and go (minThreads 0, a short idle timeout here); each
 * one ran an esbuild service process. After ten idle cycles the server has no child
 * process left: not a live esbuild, not a zombie one. With COMPILE_RUNTIME=process, a
 * compile process killed mid-compile fails that compile alone, the next compile gets a new
 * process, and it exits when idle.
 */
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'
import { holdsWithin, waitForValue } from '../helpers/wait.ts'

const CYCLES = 10

/** The server's child processes, from each of its threads' lists in /proc, with their state and name. */
function childProcesses(pid: number): { pid: string; state: string; name: string; command: string }[] {
  const children: { pid: string; state: string; name: string; command: string }[] = []
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    let list = ''
    try {
      list = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
    } catch {
      continue // the thread ended while we looked
    }
    for (const child of list.trim().split(/\s+/).filter(Boolean)) {
      try {
        const stat = fs.readFileSync(`/proc/${child}/stat`, 'utf8')
        const match = /^\d+ \((.*)\) (\S)/.exec(stat)
        const command = fs.readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ')
        children.push({ pid: child, name: match?.[1] ?? '?', state: match?.[2] ?? '?', command })
      } catch {
        // gone meanwhile
      }
    }
  }
  return children
}

function threadCount(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/task`).length
}

const post = (n: number) =>
  `---\ntitle: Post ${n}\ndate: 2026-01-${String(n).padStart(2, '0')}\n` +
  `---\n\nThe ${n}th post, with *emphasis* and no code.\n`

let server: KilnServer

beforeAll(async () => {
  const files: Record<string, string> = {}
  for (let n = 1; n <= CYCLES; n++) files[`blog/post-${n}.mdx`] = post(n)
  server = await startServer({
    contentDir: makeContentDir(files),
    // The render watchdog's thread is counted too: at its default (10 s after the last
    // render) each cycle waited for it, ten seconds of nothing per cycle.
    env: { COMPILE_IDLE_MS: '200', HIGHLIGHT_IDLE_MS: '200', RENDER_WATCHDOG_IDLE_MS: '200' },
  })
}, 120_000)

afterAll(async () => {
  await server?.stop()
})

describe('compile pool lifecycle', () => {
  it(`leaves no esbuild process behind after ${CYCLES} idle cycles`, async () => {
    const pid = server.serverPid()
    // Settle: whatever start-up work ran has ended its threads.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const baseline = threadCount(pid)
    for (let n = 1; n <= CYCLES; n++) {
      const response = await get(server, `/blog/post-${n}`)
      expect(response.status).toBe(200)
      expect(await response.text()).toContain(`The ${n}th post`)
      // One cycle: the compile thread started for this post has ended (idle timeout).
      expect(await holdsWithin(() => threadCount(pid) <= baseline, 30_000)).toBe(true)
    }
    const settled = await holdsWithin(() => childProcesses(pid).length === 0, 20_000)
    expect(childProcesses(pid)).toEqual([])
    expect(settled).toBe(true)
  }, 600_000)
})

describe('compile processes (COMPILE_RUNTIME=process)', () => {
  let processServer: KilnServer

  beforeAll(async () => {
    processServer = await startServer({
      contentDir: makeContentDir({
        // Sleeps ten minutes before compiling (workers/compile.ts's test fault): in compile until killed.
        'blog/stuck.mdx': '---\ntitle: Stuck\ndate: 2026-02-01\n---\n\nkiln-test-compile-slow-600000\n',
        'blog/after-crash.mdx': '---\ntitle: After\ndate: 2026-02-02\n---\n\nCompiled by a new process.\n',
      }),
      env: {
        COMPILE_RUNTIME: 'process',
        COMPILE_IDLE_MS: '200',
        HIGHLIGHT_IDLE_MS: '200',
        KILN_TEST_FAULTS: '1',
        COMPILE_TIMEOUT_MS: '600000',
      },
    })
  }, 120_000)

  afterAll(async () => {
    await processServer?.stop()
  })

  it('replaces a compile process killed mid-compile: that compile fails alone, the next one works', async () => {
    const pid = processServer.serverPid()
    const stuck = get(processServer, '/blog/stuck')
    const compiler = await waitForValue(
      () => childProcesses(pid).find((child) => child.command.includes('compile')),
      (child) => child !== undefined,
      'a compile process',
    )
    await waitForValue(
      () => processServer.output(),
      (output) => output.includes('test fault: blog/stuck.mdx compiles slowly'),
      'the stuck compile to start',
    )
    process.kill(Number(compiler!.pid), 'SIGKILL')
    const response = await stuck
    expect(response.status).toBe(500)
    expect(processServer.output()).toMatch(
      /compile failed: blog\/stuck\.mdx: the compile worker failed: the compile process exited \(SIGKILL\)/,
    )
    const after = await get(processServer, '/blog/after-crash')
    expect(after.status).toBe(200)
    expect(await after.text()).toContain('Compiled by a new process.')
    expect(processServer.process.exitCode).toBeNull()
    // Idle again: the new process has exited too, and nothing is left behind.
    expect(await holdsWithin(() => childProcesses(pid).length === 0, 20_000)).toBe(true)
    expect(childProcesses(pid)).toEqual([])
  }, 600_000)
})
