/**
 * A post's compile is bounded: a compile thread has a heap limit, so a post whose compile
 * needs gigabytes fails with a clear "ran out of memory" instead of growing the server.
 * That failure is recorded for its version and not retried on every request (only after
 * its back-off, or at once when the source changes), and a reader who gives up while a
 * post compiles does not throw the compile away: it is stored for the next reader.
 *
 * The faults are the compile worker's test switches (KILN_TEST_FAULTS=1, workers/compile.ts):
 * a post holding `kiln-test-compile-oom` allocates until its thread's heap limit ends it.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { get, makeContentDir, startServer, timingNames, type KilnServer } from '../helpers/server.ts'
import { holdsWithin } from '../helpers/wait.ts'

const post = (title: string, body: string) => `---\ntitle: ${title}\ndate: 2026-01-01\n---\n\n${body}\n`

let server: KilnServer
let contentDir: string

function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(server.databasePath, { readonly: true, fileMustExist: true })
  try {
    return db.prepare(sql).all(...params) as T[]
  } finally {
    db.close()
  }
}

const count = (text: string, needle: string) => text.split(needle).length - 1

beforeAll(async () => {
  contentDir = makeContentDir({
    'blog/hungry.mdx': post('Hungry', 'This post needs more memory than a compile may have. kiln-test-compile-oom'),
    'blog/fine.mdx': post('Fine', 'A post that compiles.'),
    'blog/slow.mdx': post('Slow', 'This post takes a while to compile. kiln-test-compile-slow-3000'),
  })
  server = await startServer({
    contentDir,
    env: { KILN_TEST_FAULTS: '1', COMPILE_MAX_OLD_GENERATION_MB: '96', CONTENT_SCAN_INTERVAL_MS: '100' },
  })
}, 120_000)

afterAll(async () => {
  await server?.stop()
})

describe('compile memory limit', () => {
  it('fails a compile that runs out of memory with a clear error, and the server keeps serving', async () => {
    const response = await get(server, '/blog/hungry')
    expect(response.status).toBe(500)
    expect(await response.text()).toContain('could not be built')
    expect(server.output()).toMatch(/compile failed: blog\/hungry\.mdx: compiling ran out of memory/)
    expect((await get(server, '/blog/fine')).status).toBe(200)
    expect((await get(server, '/healthcheck')).status).toBe(200)
    expect(server.process.exitCode).toBeNull()
    const [failure] = query<{ message: string; retry_at: string | null; attempts: number }>(
      "SELECT message, retry_at, attempts FROM compile_failures WHERE slug = 'hungry'",
    )
    expect(failure.message).toContain('ran out of memory')
    expect(failure.attempts).toBe(1)
    // The first retry waits COMPILE_RETRY_MS (a minute by default).
    expect(Date.parse(failure.retry_at!)).toBeGreaterThan(Date.now() + 10_000)
  }, 120_000)

  it('does not compile the failed version again on the next requests', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await get(server, '/blog/hungry')
      expect(response.status).toBe(500)
      expect(timingNames(response)).not.toContain('compile')
    }
    expect(count(server.output(), 'compile failed: blog/hungry.mdx')).toBe(1)
  }, 60_000)

  it('compiles again at once when the source changes', async () => {
    fs.writeFileSync(
      path.join(contentDir, 'blog/hungry.mdx'),
      post('Hungry', 'Fixed: this version needs little memory.'),
    )
    // The index notices the edit on a later request (CONTENT_SCAN_INTERVAL_MS).
    await new Promise((resolve) => setTimeout(resolve, 300))
    const response = await get(server, '/blog/hungry')
    expect(response.status).toBe(200)
    expect(timingNames(response)).toContain('compile')
    const html = await response.text()
    expect(html).toContain('Fixed: this version needs little memory.')
    expect(query("SELECT 1 FROM compile_failures WHERE slug = 'hungry'")).toEqual([])
  }, 120_000)
})

describe('a reader who gives up', () => {
  it('does not throw the compile away: it is stored and the next reader gets it without compiling', async () => {
    const controller = new AbortController()
    const request = fetch(`${server.url}/blog/slow`, { signal: controller.signal }).catch((error: Error) => error)
    // The compile is under way (it takes 3 s by the fault switch) when the reader leaves.
    expect(await holdsWithin(() => server.output().includes('test fault: blog/slow.mdx compiles slowly'), 60_000)).toBe(
      true,
    )
    controller.abort()
    expect(await request).toBeInstanceOf(Error)
    expect(
      await holdsWithin(() => query("SELECT 1 FROM compiled_entries WHERE slug = 'slow'").length === 1, 60_000),
    ).toBe(true)
    const response = await get(server, '/blog/slow')
    expect(response.status).toBe(200)
    expect(timingNames(response)).not.toContain('compile')
    expect(await response.text()).toContain('This post takes a while to compile.')
    expect(count(server.output(), 'compiled blog/slow.mdx')).toBe(1)
  }, 120_000)
})
