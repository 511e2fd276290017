/**
 * Redirects and the 404 page on the real server: aliases and content/redirects answered
 * with their status and Location only where there is no page, wildcards, chains answered
 * in one step, loops answered 404, hostile paths answered cheaply, the sitemap listing
 * canonical addresses only, and a 404 that suggests the posts closest to the address.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { publishingProblems } from '../../app/content/publishing-check.server.ts'
import { scanContent } from '../../app/content/source.server.ts'
import { get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'
import { stopServer } from '../helpers/fixtures.ts'

const post = (title: string, extra = '') => `---\ntitle: ${title}\ndate: 2026-03-01\n${extra}---\n\nSome words.\n`

let server: KilnServer
let contentDir: string

beforeAll(async () => {
  contentDir = makeContentDir({
    'blog/renamed-post.mdx': post('Renamed post', 'aliases: [old-name, /2019/03/old-name.html]\n'),
    'blog/live-post.mdx': post('Live post about pelicans'),
    'blog/pelican-migration.mdx': post('Pelican migration patterns'),
    'blog/claims-live.mdx': post('Claims live', 'aliases: [live-post]\n'),
    'pages/about.mdx': '---\ntitle: About\n---\n\nAbout.\n',
    redirects: [
      '# moved sections',
      '/articles/* /blog/:splat',
      '/archive/:year/:slug /blog/:slug 308',
      '/temporary /about 302',
      '/docs/* https://docs.example.com/:splat',
      '/chain-a /chain-b',
      '/chain-b /blog/old-name',
      '/loop-a /loop-b',
      '/loop-b /loop-a',
      '/blog/live-post /blog/pelican-migration',
      '/escape/* /:splat',
    ].join('\n'),
  })
  server = await startServer({ contentDir, env: { METRICS_TOKEN: 'redirects-metrics-token' } })
})

afterAll(async () => {
  await stopServer(server)
})

async function answer(pathname: string) {
  const response = await get(server, pathname, { redirect: 'manual' })
  await response.arrayBuffer()
  return { status: response.status, location: response.headers.get('location'), response }
}

describe('redirects', () => {
  it('answers aliases (a bare slug under /blog, a path as written) with 301 to the post', async () => {
    expect(await answer('/blog/old-name')).toMatchObject({ status: 301, location: '/blog/renamed-post' })
    expect(await answer('/2019/03/old-name.html')).toMatchObject({ status: 301, location: '/blog/renamed-post' })
    const followed = await get(server, '/blog/old-name', { redirect: 'follow' })
    expect(followed.status).toBe(200)
    expect(await followed.text()).toContain('Renamed post')
  })

  it('answers content/redirects with its statuses, wildcards and placeholders', async () => {
    expect(await answer('/articles/renamed-post')).toMatchObject({ status: 301, location: '/blog/renamed-post' })
    expect(await answer('/archive/2019/live-post')).toMatchObject({ status: 308, location: '/blog/live-post' })
    expect(await answer('/temporary')).toMatchObject({ status: 302, location: '/about' })
    expect(await answer('/docs/guide/setup')).toMatchObject({
      status: 301,
      location: 'https://docs.example.com/guide/setup',
    })
    const { response } = await answer('/temporary')
    expect(response.headers.get('cache-control')).toMatch(/public, max-age=\d+/)
    expect(response.headers.get('x-kiln-cache')).not.toBe('hit')
  })

  it('answers a chain in one step, and a loop with a 404', async () => {
    expect(await answer('/chain-a')).toMatchObject({ status: 301, location: '/blog/renamed-post' })
    expect((await answer('/loop-a')).status).toBe(404)
  })

  it('never shadows an existing post, by alias or by rule', async () => {
    const live = await get(server, '/blog/live-post', { redirect: 'manual' })
    expect(live.status).toBe(200)
    expect(await live.text()).toContain('Live post about pelicans')
  })

  it('keeps hostile paths cheap and on this site', async () => {
    for (const pathname of [
      `/articles/${'a/'.repeat(2000)}`,
      `/${'x'.repeat(8000)}`,
      '/articles/%2F%2Fevil.example',
      '/escape//evil.example',
      '/articles/%E0%A4%A',
    ]) {
      const { status, location } = await answer(pathname)
      expect([301, 404], pathname.slice(0, 40)).toContain(status)
      if (location) expect(location.startsWith('/') && !location.startsWith('//'), location).toBe(true)
    }
  })

  it('lists only canonical addresses in the sitemap', async () => {
    const sitemap = await (await get(server, '/sitemap.xml')).text()
    expect(sitemap).toContain('/blog/renamed-post')
    expect(sitemap).not.toContain('old-name')
  })

  it('reports colliding aliases, loops and bad lines in content:check with file and line', () => {
    const problems = publishingProblems(contentDir, scanContent(contentDir).entries)
    const lines = problems.map((problem) => `${problem.level} ${problem.where}`)
    expect(lines).toEqual(
      expect.arrayContaining([
        'error blog/claims-live.mdx:4',
        'error redirects:8',
        'error redirects:9',
        'error redirects:10',
      ]),
    )
    expect(problems.find((problem) => problem.where === 'blog/claims-live.mdx:4')?.message).toMatch(/existing post/)
  })

  it('shows the compiled rules and the redirects answered on /metrics', async () => {
    const metrics = await (
      await get(server, '/metrics', { headers: { Authorization: 'Bearer redirects-metrics-token' } })
    ).text()
    expect(Number(/^kiln_redirect_rules (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(5)
    expect(Number(/^kiln_redirects_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0)
  })

  it('picks up a changed redirects file without a restart', async () => {
    fs.appendFileSync(path.join(contentDir, 'redirects'), '\n/added-later /about 302\n')
    await expect.poll(async () => (await answer('/added-later')).status, { timeout: 10_000, interval: 100 }).toBe(302)
  })
})

describe('the 404 page', () => {
  it('suggests the posts whose titles are closest to the missing address', async () => {
    const response = await get(server, '/blog/pelicans-migrating')
    expect(response.status).toBe(404)
    const html = await response.text()
    const list = /data-testid="suggestions"[\s\S]*?<\/nav>/.exec(html)?.[0] ?? ''
    expect(list).toContain('href="/blog/pelican-migration"')
    expect(list).toContain('href="/blog/live-post"')
    expect(list).not.toContain('renamed-post')
  })

  it('suggests nothing for an address with no words, and stays a 404 for a long one', async () => {
    const none = await get(server, '/123/456')
    expect(none.status).toBe(404)
    expect(await none.text()).not.toContain('data-testid="suggestions"')
    const long = await get(server, `/${'pelican-'.repeat(800)}`)
    expect(long.status).toBe(404)
  })
})
