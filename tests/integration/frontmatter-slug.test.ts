/**
 * `slug:` in the frontmatter on the real server: editing it in a real content folder moves
 * the post to its new address, the old one answers 404 (or a redirect when the post lists
 * it in `aliases`), a bad slug leaves the post where it was with an error naming the file
 * and line, and the other posts are untouched.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stopServer } from '../helpers/fixtures.ts'
import { get, logText, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'
import { until } from '../helpers/wait.ts'

const post = (title: string, extra = '') =>
  `---\ntitle: ${title}\ndate: 2023-05-01\n${extra}---\n\nWords of ${title}.\n`

let server: KilnServer
let contentDir: string

beforeAll(async () => {
  contentDir = makeContentDir({
    'blog/2023/old-name.mdx': post('Moving post'),
    'blog/aliased.mdx': post('Aliased post'),
    'blog/keeps.mdx': post('Keeps its place'),
    'blog/other.mdx': post('Other post'),
  })
  server = await startServer({ contentDir, env: { CONTENT_SCAN_INTERVAL_MS: '1' } })
})

afterAll(async () => {
  await stopServer(server)
})

/** Rewrites a post; its mtime moved forward so the next scan sees the edit within the same millisecond too. */
function edit(relative: string, text: string): void {
  const file = path.join(contentDir, relative)
  const before = fs.statSync(file).mtimeMs
  fs.writeFileSync(file, text)
  const after = new Date(before + 10_000)
  fs.utimesSync(file, after, after)
}

async function answer(pathname: string) {
  const response = await get(server, pathname, { redirect: 'manual' })
  return { status: response.status, location: response.headers.get('location'), body: await response.text() }
}

describe('slug in the frontmatter', () => {
  it('moves a post to its new address in its section; the old one is 404, the others are untouched', async () => {
    expect((await answer('/blog/2023/old-name')).body).toContain('Words of Moving post.')
    const other = await answer('/blog/other')
    expect(other.status).toBe(200)

    edit('blog/2023/old-name.mdx', post('Moving post', 'slug: new-name\n'))
    await until(async () => (await answer('/blog/2023/new-name')).status === 200, 'the new address')
    expect((await answer('/blog/2023/new-name')).body).toContain('Words of Moving post.')
    expect((await answer('/blog/2023/old-name')).status).toBe(404)
    const list = (await answer('/blog')).body
    expect(list).toContain('href="/blog/2023/new-name"')
    expect(list).not.toContain('href="/blog/2023/old-name"')
    // The other post is the same compiled version; only its link to the moved post follows it.
    const otherNow = await answer('/blog/other')
    const moduleOf = (html: string) => /data-mdx-module="([^"]+)"/.exec(html)?.[1]
    expect(otherNow.status).toBe(200)
    expect(moduleOf(otherNow.body)).toBe(moduleOf(other.body))
    expect(otherNow.body).toContain('href="/blog/2023/new-name"')
    expect(otherNow.body).not.toContain('href="/blog/2023/old-name"')
    expect((await answer('/blog/keeps')).status).toBe(200)
  })

  it('redirects the old address to the new one when the post lists it in aliases', async () => {
    edit('blog/aliased.mdx', post('Aliased post', 'slug: /blog/fresh-name\naliases: [aliased]\n'))
    await until(async () => (await answer('/blog/fresh-name')).status === 200, 'the new address')
    expect(await answer('/blog/aliased')).toMatchObject({ status: 301, location: '/blog/fresh-name' })
  })

  it('keeps a post whose slug is not valid at its file name, and logs the file and line', async () => {
    edit('blog/keeps.mdx', post('Keeps its place, edited', 'slug: ../../etc\n'))
    await until(
      async () => (await answer('/blog/keeps')).body.includes('Words of Keeps its place, edited.'),
      'the edit at the old address',
    )
    expect(logText(server)).toMatch(/blog\/keeps\.mdx:4: "slug: \.\.\/\.\.\/etc" is not a valid slug/)
    expect((await answer('/etc')).status).toBe(404)
  })
})
