/**
 * After a deploy with a new compiler: readers get the version the previous compiler stored
 * at once (never waiting for a compile), while the primary compiles every entry again in the
 * background, the most-read first, one at a time; then the new compiles are served and kept.
 * The previous compiler is played by the database: the stored rows are relabelled with
 * another compiler version and their text marked, so the test can tell which it is served.
 * The background work is held at a pause point (app/content/pause-points.server.ts), so
 * what a reader gets while it runs is not a race.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { createAdminAndSignIn } from '../helpers/auth.ts'
import { stopServer } from '../helpers/fixtures.ts'
import { get, makeContentDir, startServer, tempDir, writeFiles, type KilnServer } from '../helpers/server.ts'
import { until } from '../helpers/wait.ts'

const METRICS_TOKEN = 'background-compiles-token'
const post = (title: string, date: string) =>
  `---\ntitle: ${title}\ndate: ${date}\n---\n\nThe words of ${title.toLowerCase()}, as compiled now.\n`

async function remaining(server: KilnServer): Promise<number> {
  const text = await (await get(server, '/metrics', { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).text()
  return Number(/^kiln_background_compiles_remaining (\S+)$/m.exec(text)?.[1] ?? NaN)
}

describe('background compiles after a compiler change', () => {
  const servers: KilnServer[] = []
  afterAll(async () => {
    for (const server of servers) await stopServer(server)
  })

  it('serves the stored earlier version at once and compiles everything again, the most-read first', async () => {
    const contentDir = makeContentDir({
      'blog/alpha.mdx': post('Alpha', '2026-01-03'),
      'blog/beta.mdx': post('Beta', '2026-01-02'),
      'blog/gamma.mdx': post('Gamma', '2026-01-01'),
    })
    const databasePath = path.join(tempDir('kiln-db-'), 'kiln.db')
    // The previous release: every post compiled on request and stored.
    const before = await startServer({ contentDir, databasePath })
    servers.push(before)
    for (const slug of ['alpha', 'beta', 'gamma']) expect((await get(before, `/blog/${slug}`)).status).toBe(200)
    await before.stop()

    // Its compiles, as an earlier compiler's; beta is read the most, gamma next.
    const db = new Database(databasePath)
    const relabelled = db
      .prepare(
        `UPDATE compiled_entries SET compiler_version = 'an-earlier-compiler',
           code = replace(code, 'as compiled now', 'as the earlier compiler made it')`,
      )
      .run().changes
    expect(relabelled).toBe(3)
    db.prepare('INSERT OR REPLACE INTO post_views (slug, views) VALUES (?, ?), (?, ?)').run('beta', 100, 'gamma', 5)
    db.close()
    // A post added since has nothing stored: it is compiled in the background too.
    writeFiles(contentDir, { 'blog/delta.mdx': post('Delta', '2026-01-04') })

    // The new release, its background work held before its first compile.
    const pauseDir = tempDir('kiln-pause-')
    fs.writeFileSync(path.join(pauseDir, 'pause-background-compile'), '')
    const after = await startServer({
      contentDir,
      databasePath,
      env: { BACKGROUND_COMPILES: '1', KILN_TEST_PAUSE_DIR: pauseDir, METRICS_TOKEN },
    })
    servers.push(after)
    const held = path.join(pauseDir, 'paused-background-compile')
    await until(() => fs.existsSync(held), 'the background compiles to start')
    expect(fs.readFileSync(held, 'utf8')).toBe(path.join('blog', 'beta.mdx'))
    expect(await remaining(after)).toBe(4)
    // The admin sees where it stands.
    const cookie = await createAdminAndSignIn(after, 'admin@example.com', 'a long enough password')
    const admin = await (await get(after, '/admin', { headers: { Cookie: cookie } })).text()
    const stat = /data-stat="content-background-compiles"[^>]*>([\s\S]*?)<\/dd>/.exec(admin)?.[1] ?? ''
    expect(stat).toContain('0 / 4')
    expect(admin).toContain('now blog/beta.mdx')

    // While the catch-up is held, a reader gets the earlier compile, and no cache keeps it.
    const served = await get(after, '/blog/alpha')
    expect(served.status).toBe(200)
    expect(await served.text()).toContain('as the earlier compiler made it')
    expect((await get(after, '/blog/alpha')).headers.get('x-kiln-cache')).not.toBe('hit')

    // Let it go: every entry is compiled by this compiler, then served and kept.
    fs.rmSync(path.join(pauseDir, 'pause-background-compile'))
    await until(async () => (await remaining(after)) === 0, 'the background compiles to finish')
    for (const slug of ['alpha', 'beta', 'gamma', 'delta']) {
      const page = await get(after, `/blog/${slug}`)
      expect(page.status).toBe(200)
      const html = await page.text()
      expect(html).toContain('as compiled now')
      expect(html).not.toContain('earlier compiler')
    }
    expect((await get(after, '/blog/alpha')).headers.get('x-kiln-cache')).toBe('hit')
    expect(after.output()).toMatch(/background compiles done: 4 compiled, 0 failed/)
  })
})
