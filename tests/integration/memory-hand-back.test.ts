/**
 * The allocator's free memory goes back to the system on the real server (native/malloc-trim,
 * app/utils/return-freed-memory.ts): once after start-up's collection, and after a heap
 * snapshot, whose graph of the heap V8 builds in native memory and frees when done. Before
 * this, a server that had taken a snapshot stayed that much larger for good when it had no
 * job to run.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdmin, signIn } from '../helpers/auth.ts'
import { get, sampleContentDir, startServer, tempDir, type KilnServer } from '../helpers/server.ts'
import { until } from '../helpers/wait.ts'

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

async function figures(): Promise<Record<string, number>> {
  const text = await (await get(server, '/metrics', { headers: { Authorization: `Bearer ${TOKEN}` } })).text()
  const found: Record<string, number> = {}
  for (const match of text.matchAll(/^(kiln_memory_trim\w*) (\S+)$/gm)) found[match[1]] = Number(match[2])
  return found
}

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
})
