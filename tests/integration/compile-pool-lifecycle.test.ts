/**
 * The compile pool's threads come and go (minThreads 0, a short idle timeout here); each
 * one ran an esbuild service process. After ten idle cycles the server has no child
 * process left: not a live esbuild, not a zombie one.
 */
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'
import { holdsWithin } from '../helpers/wait.ts'

const CYCLES = 10

/** The server's child processes, from each of its threads' lists in /proc, with their state and name. */
function childProcesses(pid: number): { pid: string; state: string; name: string }[] {
  const children: { pid: string; state: string; name: string }[] = []
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
        children.push({ pid: child, name: match?.[1] ?? '?', state: match?.[2] ?? '?' })
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
    env: { COMPILE_IDLE_MS: '200', HIGHLIGHT_IDLE_MS: '200' },
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
