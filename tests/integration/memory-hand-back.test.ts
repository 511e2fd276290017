/**
 * The allocator's free memory goes back to the system on the real server (native/malloc-trim,
 * app/utils/return-freed-memory.ts): once after start-up's collection, and after a heap
 * snapshot, whose graph of the heap V8 builds in native memory and frees when done, and once
 * a burst of serving ends. Before this, a server that had taken a snapshot, or had answered a
 * crowd of readers from its page cache, stayed that much larger when it had no job to run.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdmin, signIn } from '../helpers/auth.ts'
import { get, sampleContentDir, startServer, tempDir, type KilnServer } from '../helpers/server.ts'
import { until, waitForValue } from '../helpers/wait.ts'

const TOKEN = 'memory-hand-back-token'
const ADMIN = 'admin@example.com'
const PASSWORD = 'correct horse battery'
const folders = [tempDir('kiln-hand-back-'), tempDir('kiln-hand-back-diagnostics-')]
let server: KilnServer
let cookie: string

beforeAll(async () => {
  server = await startServer({
    contentDir: sampleContentDir,
    // Nothing compiles in the background: no burst of jobs brings its own collection.
    env: { METRICS_TOKEN: TOKEN, DIAGNOSTICS_DIR: folders[1], BACKGROUND_COMPILES: '0' },
    databasePath: path.join(folders[0], 'kiln.db'),
  })
  await createAdmin(server, ADMIN, PASSWORD)
  cookie = await signIn(server, ADMIN, PASSWORD)
})

afterAll(async () => {
  await server?.stop()
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true })
})

/** The hand-back's figures, and the pools' threads and jobs summed over every pool. */
async function figures(): Promise<Record<string, number>> {
  const text = await (await get(server, '/metrics', { headers: { Authorization: `Bearer ${TOKEN}` } })).text()
  const found: Record<string, number> = { poolThreads: 0, poolJobs: 0 }
  for (const match of text.matchAll(/^(kiln_memory_trim\w*) (\S+)$/gm)) found[match[1]] = Number(match[2])
  for (const match of text.matchAll(/^kiln_worker_pool_threads\{[^}]*\} (\S+)$/gm))
    found.poolThreads += Number(match[1])
  for (const match of text.matchAll(/^kiln_worker_pool_jobs_total\{[^}]*\} (\S+)$/gm))
    found.poolJobs += Number(match[1])
  return found
}

const POST = '/blog/code-highlighting'
/** Readers at once during the burst, and how long it lasts: two of the server's 5 s windows at least. */
const READERS = 8
const BURST_MS = 12_000

describe("the allocator's free memory", () => {
  it('is handed back after start-up and again after a heap snapshot, and counted in /metrics', async () => {
    // Built by npm ci (native/malloc-trim); without it nothing below can happen.
    expect((await figures()).kiln_memory_trim_available).toBe(1)
    // Start-up's collection comes 10 s after the server loads, and ends with the hand-back.
    await until(async () => (await figures()).kiln_memory_trims_total >= 1, 'the hand-back after start-up')
    const before = await figures()

    const snapshot = await get(server, '/admin/heapsnapshot', { headers: { Cookie: cookie } })
    expect(snapshot.status).toBe(200)
    expect((await snapshot.arrayBuffer()).byteLength).toBeGreaterThan(1_000_000)

    await until(
      async () => (await figures()).kiln_memory_trims_total > before.kiln_memory_trims_total,
      'the hand-back after the snapshot',
    )
    const after = await figures()
    // The graph of a heap of tens of MB: far more than a few MB come back.
    expect(after.kiln_memory_trimmed_bytes_total - before.kiln_memory_trimmed_bytes_total).toBeGreaterThan(
      5 * 1024 * 1024,
    )
    expect(after.kiln_memory_trim_seconds_total).toBeGreaterThan(0)
  })

  it('is handed back once a burst of serving ends, though no job ran', async () => {
    // The post's compile is a burst of jobs, with its own hand-back once the pools are idle.
    await until(async () => (await figures()).kiln_memory_trims_total >= 1, 'the hand-back after start-up')
    const beforeCompile = await figures()
    expect((await get(server, POST)).status).toBe(200)
    await until(async () => {
      const now = await figures()
      return now.poolThreads === 0 && now.kiln_memory_trims_total > beforeCompile.kiln_memory_trims_total
    }, 'the hand-back after the compile')
    const before = await figures()

    // Readers of the cached page for BURST_MS: no job, answers from the page cache only.
    let answers = 0
    const burstEnds = Date.now() + BURST_MS
    await Promise.all(
      Array.from({ length: READERS }, async () => {
        while (Date.now() < burstEnds) {
          const response = await get(server, POST)
          expect(response.status).toBe(200)
          expect(response.headers.get('x-kiln-cache')).toBe('hit')
          await response.arrayBuffer()
          answers++
        }
      }),
    )
    // What the server counts as a burst: 250 answers in one of its 5 s windows (job-pool.server.ts).
    expect(answers, 'answers during the burst (the premise: over 50 a second)').toBeGreaterThan((BURST_MS / 1000) * 50)

    // Read once a second: a reader of /metrics is a request too, a trickle after the burst.
    await waitForValue(
      figures,
      (now) => now.kiln_memory_trims_total > before.kiln_memory_trims_total,
      'the hand-back after the burst of serving',
      60_000,
      1_000,
    )
    // It came from the end of the serving, not from a job.
    expect((await figures()).poolJobs).toBe(before.poolJobs)
  })
})
