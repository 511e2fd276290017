/**
 * Drafts on the real server: a signed-in admin sees them in every list (marked "Draft")
 * and can open them, kept out of search engines; everyone else gets 404 and never a
 * trace of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdmin, signIn } from '../helpers/auth.ts'
import { get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'

const ADMIN = 'drafts-admin@example.com'
const PASSWORD = 'a long enough password'
const DRAFT_TITLE = 'Half-written thoughts'

let server: KilnServer
let adminCookie: string

beforeAll(async () => {
  const contentDir = makeContentDir({
    'blog/published.mdx': '---\ntitle: Published post\ndate: 2026-01-01\ntags: [shared]\n---\n\nOut in the open.\n',
    'blog/half-written.mdx':
      `---\ntitle: ${DRAFT_TITLE}\ndate: 2026-02-01\ntags: [shared, secret-tag]\n` +
      `draft: true\n---\n\n## One\n\nNot ready.\n\n## Two\n\nStill not.\n`,
  })
  server = await startServer({ contentDir })
  await createAdmin(server, ADMIN, PASSWORD)
  adminCookie = await signIn(server, ADMIN, PASSWORD)
})

afterAll(async () => {
  await server?.stop()
})

const page = async (path: string, cookie?: string) => {
  const response = await get(server, path, cookie ? { headers: { Cookie: cookie } } : {})
  return { status: response.status, html: await response.text() }
}

describe('drafts', () => {
  it('are 404 at their address for a reader, with nothing of the draft in the page', async () => {
    const { status, html } = await page('/blog/half-written')
    expect(status).toBe(404)
    expect(html).not.toContain(DRAFT_TITLE)
    expect(html).not.toContain('Not ready')
  })

  it('are left out of every list a reader sees', async () => {
    for (const path of ['/', '/blog', '/blog?tag=shared', '/tags/shared', '/tags']) {
      const { status, html } = await page(path)
      expect(status, path).toBe(200)
      expect(html, path).toContain(path === '/tags' ? 'shared' : 'Published post')
      expect(html, path).not.toContain(DRAFT_TITLE)
      expect(html, path).not.toContain('secret-tag')
    }
    expect((await page('/tags/secret-tag')).status).toBe(404)
  })

  it('open for an admin, marked as a draft and kept out of search engines', async () => {
    const { status, html } = await page('/blog/half-written', adminCookie)
    expect(status).toBe(200)
    expect(html).toContain(DRAFT_TITLE)
    expect(html).toContain('Not ready')
    expect(html).toMatch(/<meta name="robots" content="noindex"\/>/)
    expect(html).toMatch(/<h1[^>]*>[^<]*Half-written thoughts[\s\S]*?Draft[\s\S]*?<\/h1>/)
    // A published post is indexed as before.
    expect((await page('/blog/published', adminCookie)).html).not.toContain('noindex')
  })

  it('appear in an admin’s lists, marked "Draft"', async () => {
    for (const path of ['/', '/blog', '/blog?tag=shared', '/tags/shared', '/tags/secret-tag']) {
      const { status, html } = await page(path, adminCookie)
      expect(status, path).toBe(200)
      if (path !== '/tags/secret-tag') expect(html, path).toContain('Published post')
      expect(html, path).toMatch(new RegExp(`${DRAFT_TITLE}</a><span[^>]*>Draft</span>`))
    }
    expect((await page('/tags', adminCookie)).html).toContain('secret-tag')
  })

  it('stay hidden from a signed-out reader after an admin has seen them', async () => {
    expect((await page('/blog/half-written')).status).toBe(404)
    expect((await page('/blog/half-written', 'kiln_session=forged')).status).toBe(404)
  })
})
