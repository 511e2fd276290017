/**
 * The component cache lets go of a component not rendered for COMPONENT_CACHE_IDLE_MS, on
 * the real server: it shows in /metrics, and the post's next render evaluates its code
 * again and answers the same page. The page cache is off here, so every request renders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stopServer } from '../helpers/fixtures.ts'
import { get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'
import { until } from '../helpers/wait.ts'

const TOKEN = 'component-cache-idle-token'
let server: KilnServer

beforeAll(async () => {
  const contentDir = makeContentDir({
    'blog/kept-warm.mdx': '---\ntitle: Kept warm\ndate: 2026-01-01\n---\n\nThe body of the post.\n',
  })
  server = await startServer({
    contentDir,
    env: { METRICS_TOKEN: TOKEN, PAGE_CACHE_MAX_BYTES: '0', COMPONENT_CACHE_IDLE_MS: '300' },
  })
})

afterAll(async () => {
  await stopServer(server)
})

async function figures(): Promise<Record<string, number>> {
  const text = await (await get(server, '/metrics', { headers: { Authorization: `Bearer ${TOKEN}` } })).text()
  const found: Record<string, number> = {}
  for (const match of text.matchAll(/^(kiln_component_cache_\w+) (\S+)$/gm)) found[match[1]] = Number(match[2])
  return found
}

describe('a component not rendered for COMPONENT_CACHE_IDLE_MS', () => {
  it('is let go, and the next render evaluates it again and answers the same page', async () => {
    const first = await get(server, '/blog/kept-warm')
    expect(first.status).toBe(200)
    const page = await first.text()
    expect(page).toContain('The body of the post.')
    const before = await figures()
    expect(before.kiln_component_cache_entries).toBe(1)

    await until(async () => (await figures()).kiln_component_cache_entries === 0, 'the idle component let go')
    const after = await figures()
    expect(after.kiln_component_cache_expired_total).toBeGreaterThanOrEqual(
      before.kiln_component_cache_expired_total + 1,
    )
    expect(after.kiln_component_cache_bytes).toBe(0)

    const again = await get(server, '/blog/kept-warm')
    expect(again.status).toBe(200)
    expect(await again.text()).toContain('The body of the post.')
    const rendered = await figures()
    expect(rendered.kiln_component_cache_misses_total).toBe(after.kiln_component_cache_misses_total + 1)
    expect(rendered.kiln_component_cache_entries).toBe(1)
  })
})
