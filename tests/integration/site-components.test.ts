/**
 * Site-wide components (content/components/) against the real server: used by name,
 * overridden by a post's own, served as one module per version, an edit making a new
 * version of exactly the posts that use the component, and a broken component failing
 * only those posts, with an error naming its file.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stopServer } from '../helpers/fixtures.ts'
import { get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'
import { until } from '../helpers/wait.ts'

const METRICS_TOKEN = 'site-components-metrics'
const post = (title: string, body: string) => `---\ntitle: ${title}\ndate: 2026-01-01\n---\n\n${body}\n`
const chart = (text: string) =>
  `import { useState } from 'react'\nimport { unit } from './_lib/unit.js'\n` +
  `export default function Chart({ n }) {\n  const [value] = useState(n)\n` +
  `  return <b className="site-chart">${text} {value}{unit}</b>\n}\n`

let server: KilnServer
let contentDir: string

beforeAll(async () => {
  contentDir = makeContentDir({
    'components/Chart.tsx': chart('chart v1'),
    'components/_lib/unit.js': "export const unit = ' kg'\n",
    'components/Note.jsx':
      'export function Note({ children }) {\n  return <i className="site-note">{children}</i>\n}\n',
    'blog/uses-chart.mdx': post('Uses chart', '<Chart n={3} />'),
    'blog/uses-note.mdx': post('Uses note', '<Note>a note</Note>'),
    'blog/own-chart.mdx': post('Own chart', 'export const Chart = () => <s className="own">mine</s>\n\n<Chart />'),
    'blog/plain.mdx': post('Plain', 'No components here.'),
  })
  server = await startServer({ contentDir, env: { CONTENT_SCAN_INTERVAL_MS: '1', METRICS_TOKEN } })
}, 120_000)

afterAll(() => stopServer(server))

const page = async (slug: string) => {
  const response = await get(server, `/blog/${slug}`)
  return { status: response.status, html: await response.text() }
}
const moduleUrl = (html: string) => /data-mdx-module="([^"]+)"/.exec(html)?.[1]
const compiles = (slug: string) => server.output().split(`compiled blog/${slug}.mdx in`).length - 1
const write = (relative: string, text: string) => fs.writeFileSync(path.join(contentDir, relative), text)

describe('site-wide components', () => {
  it('are rendered by name, and served to browsers as their own module', async () => {
    const { status, html } = await page('uses-chart')
    expect(status).toBe(200)
    expect(html).toContain('<b class="site-chart">chart v1 <!-- -->3<!-- --> kg</b>')
    expect(html).not.toContain('data-missing-component')

    const postModule = await (await get(server, moduleUrl(html)!)).text()
    const version = /__kilnSiteComponents=Chart:([\w-]+)/.exec(postModule)?.[1]
    expect(version).toBeTruthy()
    // The component's code is not in the post's module: it is shared.
    expect(postModule).not.toContain('chart v1')
    const component = await get(server, `/mdx/component/Chart/${version}.js`)
    expect(component.status).toBe(200)
    expect(component.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(component.headers.get('cache-control')).toContain('immutable')
    const source = await component.text()
    expect(source).toContain('chart v1')
    expect(source).toContain("' kg'".replace(/'/g, '"'))

    // Any other version gets the current code, never kept; a name that is no component is 404.
    const other = await get(server, '/mdx/component/Chart/not-a-version.js')
    expect(other.headers.get('cache-control')).toBe('no-cache')
    expect(await other.text()).toBe(source)
    expect((await get(server, '/mdx/component/Nothing/abc.js')).status).toBe(404)
    expect((await get(server, '/mdx/component/_lib/abc.js')).status).toBe(404)

    // The cache of built components is bounded and shows in /metrics.
    const metrics = await (
      await get(server, '/metrics', { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text()
    expect(Number(/^kiln_site_components_cached (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1)
    expect(Number(/^kiln_site_components_cache_max_bytes (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0)
  })

  it("a post's own definition wins over the folder's", async () => {
    const { html } = await page('own-chart')
    expect(html).toContain('<s class="own">mine</s>')
    expect(html).not.toContain('site-chart')
  })

  it('an edit to a component (or what it imports) is a new version of only the posts that use it', async () => {
    const before = {
      chart: moduleUrl((await page('uses-chart')).html),
      note: moduleUrl((await page('uses-note')).html),
      plain: moduleUrl((await page('plain')).html),
    }
    const compiled = { note: compiles('uses-note'), plain: compiles('plain'), own: compiles('own-chart') }

    write('components/_lib/unit.js', "export const unit = ' lb'\n")
    await until(async () => (await page('uses-chart')).html.includes(' lb</b>'), 'the edited import')
    write('components/Chart.tsx', chart('chart v2'))
    await until(async () => (await page('uses-chart')).html.includes('chart v2'), 'the edited component')
    expect(moduleUrl((await page('uses-chart')).html)).not.toBe(before.chart)

    expect(moduleUrl((await page('uses-note')).html)).toBe(before.note)
    expect(moduleUrl((await page('plain')).html)).toBe(before.plain)
    expect((await page('own-chart')).html).toContain('<s class="own">mine</s>')
    expect({ note: compiles('uses-note'), plain: compiles('plain'), own: compiles('own-chart') }).toEqual(compiled)
  })

  it('a component added for a post that used the name is picked up', async () => {
    write('blog/later.mdx', post('Later', '<Later />'))
    expect((await page('later')).html).toContain('data-missing-component="Later"')
    write('components/Later.jsx', 'export default function Later() {\n  return <u className="later">here now</u>\n}\n')
    await until(async () => (await page('later')).html.includes('<u class="later">here now</u>'), 'the new component')
  })

  it('a broken component: an error naming its file; posts that do not use it keep working', async () => {
    write('components/Broken.tsx', 'export default function Broken() {\n  return <b>oops</c>\n}\n')
    write('blog/uses-broken.mdx', post('Uses broken', '<Broken />'))
    await until(async () => (await page('uses-broken')).status === 500, 'the failed compile')
    expect(server.output()).toMatch(/compile failed: components\/Broken\.tsx:2:\d+/)

    // A component a post already shows breaks: the post keeps its last good version.
    expect((await page('uses-note')).html).toContain('<i class="site-note">a note</i>')
    write('components/Note.jsx', 'export function Note( {\n')
    await until(async () => {
      await page('uses-note')
      return /compile failed: components\/Note\.jsx:\d+:\d+/.test(server.output())
    }, 'the failed recompile')
    const note = await page('uses-note')
    expect(note.status).toBe(200)
    expect(note.html).toContain('<i class="site-note">a note</i>')

    for (const slug of ['uses-chart', 'plain', 'own-chart']) expect((await page(slug)).status, slug).toBe(200)
  })
})
