/**
 * End-to-end tests in a real headless Chromium: a reader browsing the sample blog.
 *
 * One production server (sample content, its own temporary SQLite file) and one browser
 * are shared by every test; each test opens its own browser context so cookies, viewport
 * and listeners never leak between tests. Screenshots for humans land in
 * .scratch/screens/ (git-ignored); nothing asserts on pixels.
 */
import fs from 'node:fs'
import path from 'node:path'
import { type Browser, type BrowserContextOptions } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { launchChromium, waitForHydration } from '../../other/lib/chromium.ts'
import { stopServer, withBrowserSession, type BrowserSession } from '../helpers/fixtures.ts'
import { repoRoot, sampleContentDir, startServer, type KilnServer } from '../helpers/server.ts'

const SITE_TITLE = 'Kiln E2E Journal'
const SITE_DESCRIPTION = 'Sample posts, read by a headless browser.'
const SCREENS_DIR = path.join(repoRoot, '.scratch', 'screens')
const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 375, height: 812 }

let server: KilnServer
let browser: Browser

beforeAll(async () => {
  server = await startServer({
    contentDir: sampleContentDir,
    env: { SITE_TITLE, SITE_DESCRIPTION },
  })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await stopServer(server)
})

/** Runs `body` in a fresh context, always closing it; on failure, adds the server's output. */
const withSession = (body: (session: BrowserSession) => Promise<void>, options?: BrowserContextOptions) =>
  withBrowserSession(browser, server, body, options)

/** The fenced code blocks of a Markdown/MDX source, in order, without the fences. */
function fencedBlocks(source: string): string[] {
  const blocks: string[] = []
  const fence = /^(`{3,})[^\n]*\n([\s\S]*?)^\1[ \t]*$/gm
  for (const match of source.matchAll(fence)) blocks.push(match[2])
  return blocks
}

describe('a reader in Chromium', () => {
  test('home page lists posts; following links reaches a post with headings and code', async () => {
    await withSession(async ({ page }) => {
      const response = await page.goto('/')
      expect(response?.status()).toBe(200)
      expect(await page.title()).toBe(SITE_TITLE)
      await expect.poll(() => page.locator('header nav a[href="/"]').innerText()).toBe(SITE_TITLE)
      expect(await page.locator('main h1').innerText()).toBe(SITE_TITLE)
      expect(await page.locator('main').innerText()).toContain(SITE_DESCRIPTION)

      const list = page.locator('[data-testid="post-list"]')
      const postLinks = list.locator('a[href^="/blog/"]')
      // The newest five published posts; the draft dated after them must not appear.
      expect(await postLinks.count()).toBe(5)
      const homeHrefs = await postLinks.evaluateAll((links) => links.map((a) => a.getAttribute('href')))
      expect(homeHrefs[0]).toBe('/blog/deploying-kiln')
      expect(homeHrefs).not.toContain('/blog/writing-a-series')

      // "Code blocks and highlighting" is older than the newest five, so it is reached
      // through the "All N posts" link. Both hops are client-side navigations: a marker on
      // window survives them only if the page was never reloaded.
      expect(await list.getByRole('link', { name: 'Code blocks and highlighting' }).count()).toBe(0)
      await waitForHydration(page, '[data-testid="post-list"] a')
      await page.evaluate(() => ((window as unknown as { __e2eMarker: string }).__e2eMarker = 'same-document'))

      const allPosts = page.getByRole('link', { name: /^All \d+ posts/ })
      const total = Number((await allPosts.innerText()).match(/All (\d+) posts/)?.[1])
      await allPosts.click()
      await page.waitForURL(`${server.url}/blog`)
      await expect.poll(() => page.locator('main h1').innerText()).toBe('All posts')
      // The count on the home page is the number of posts the full list shows.
      expect(await page.locator('[data-testid="post-list"] > li').count()).toBe(total)

      await page
        .locator('[data-testid="post-list"]')
        .getByRole('link', { name: 'Code blocks and highlighting', exact: true })
        .click()
      await page.waitForURL(`${server.url}/blog/code-highlighting`)
      await expect.poll(() => page.locator('main h1').innerText()).toBe('Code blocks and highlighting')
      expect(await page.evaluate(() => (window as unknown as { __e2eMarker?: string }).__e2eMarker)).toBe(
        'same-document',
      )
      expect(await page.title()).toBe('Code blocks and highlighting')

      const h2Ids = await page.locator('article h2').evaluateAll((headings) => headings.map((h) => h.id))
      expect(h2Ids.length).toBeGreaterThanOrEqual(2)
      for (const id of h2Ids) expect(id).toMatch(/^[a-z0-9-]+$/)
      expect(h2Ids).toContain('the-basics')
      expect(h2Ids).toContain('a-gallery-of-languages')

      // Every fenced block of the source is on the page, text intact, in order.
      const source = fs.readFileSync(path.join(sampleContentDir, 'blog', 'code-highlighting.mdx'), 'utf8')
      const expected = fencedBlocks(source).map((block) => block.trimEnd())
      expect(expected.length).toBeGreaterThanOrEqual(3)
      const rendered = (await page.locator('article pre code').allTextContents()).map((text) => text.trimEnd())
      expect(rendered.length).toBeGreaterThanOrEqual(3)
      expect(rendered).toEqual(expected)
      expect(rendered.some((text) => text.includes("app.get('/healthz', (_req, res) => {"))).toBe(true)
      expect(rendered.some((text) => text.includes('fn is_valid_slug(slug: &str) -> bool {'))).toBe(true)
    })
  })

  test('a table-of-contents link jumps to its heading, below the sticky header', async () => {
    await withSession(async ({ page }) => {
      await page.goto('/blog/code-highlighting')
      const toc = page.locator('article details').filter({ has: page.locator('summary', { hasText: 'On this page' }) })
      expect(await toc.count()).toBe(1)
      expect(await toc.evaluate((details) => (details as HTMLDetailsElement).open)).toBe(true)

      // Every entry points at a heading that exists, and every h2 of the post's body has an
      // entry (the series box and the related posts around the body are the page's, not the post's).
      const targets = await toc.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''))
      expect(targets.length).toBeGreaterThanOrEqual(2)
      for (const href of targets) {
        expect(href).toMatch(/^#./)
        expect(await page.locator(`[id="${href.slice(1)}"]`).count(), `target of ${href}`).toBe(1)
      }
      const h2Ids = await page.locator('article .prose h2').evaluateAll((headings) => headings.map((h) => h.id))
      for (const id of h2Ids) expect(targets).toContain(`#${id}`)

      await toc.getByRole('link', { name: 'Inline code', exact: true }).click()
      await page.waitForURL(`${server.url}/blog/code-highlighting#inline-code`)
      const heading = page.locator('#inline-code')
      expect(await heading.evaluate((el) => el.tagName)).toBe('H2')
      expect(await heading.innerText()).toContain('Inline code')
      // The page scrolled, and the heading sits in view, not under the sticky header.
      await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(500)
      const headerBottom = await page.locator('body > header').evaluate((el) => el.getBoundingClientRect().bottom)
      const box = await heading.evaluate((el) => {
        const rect = el.getBoundingClientRect()
        return { top: rect.top, bottom: rect.bottom }
      })
      expect(box.top).toBeGreaterThanOrEqual(headerBottom - 1)
      expect(box.bottom).toBeLessThanOrEqual(DESKTOP.height)
    })
  })

  test('the MDX counter hydrates and counts; no errors in the console', async () => {
    await withSession(async ({ page, pageErrors, consoleErrors }) => {
      expect((await page.goto('/'))?.status()).toBe(200)
      await waitForHydration(page, '[data-testid="post-list"] a')
      await page.waitForLoadState('networkidle')

      expect((await page.goto('/blog/how-posts-work'))?.status()).toBe(200)
      await waitForHydration(page, 'article h1')
      await page.waitForLoadState('networkidle')

      expect((await page.goto('/blog/interactive-components'))?.status()).toBe(200)
      const counters = page.locator('article .kiln-counter')
      expect(await counters.count()).toBe(2)
      const first = counters.nth(0)
      const second = counters.nth(1)
      // Server-rendered values, before any script runs.
      expect(await first.locator('output').innerText()).toBe('0')
      expect(await second.locator('output').innerText()).toBe('10')

      await waitForHydration(page, 'article .kiln-counter button')
      const add = first.getByRole('button', { name: 'Add one' })
      const reset = first.getByRole('button', { name: 'Reset' })
      expect(await reset.isDisabled()).toBe(true)

      await add.click()
      await expect.poll(() => first.locator('output').innerText()).toBe('1')
      await add.click()
      await add.click()
      await expect.poll(() => first.locator('output').innerText()).toBe('3')
      expect(await reset.isEnabled()).toBe(true)
      // Each counter keeps its own state.
      expect(await second.locator('output').innerText()).toBe('10')
      await second.getByRole('button', { name: 'Add one' }).click()
      await expect.poll(() => second.locator('output').innerText()).toBe('11')

      await reset.click()
      await expect.poll(() => first.locator('output').innerText()).toBe('0')
      expect(await reset.isDisabled()).toBe(true)
      expect(await second.locator('output').innerText()).toBe('11')

      // The table is rendered from data.json, imported by the post.
      const data = JSON.parse(
        fs.readFileSync(path.join(sampleContentDir, 'blog', 'interactive-components', 'data.json'), 'utf8'),
      ) as { file: string }[]
      const cells = await page.locator('article table tbody tr td:first-child').allInnerTexts()
      expect(cells).toEqual(data.map((entry) => entry.file))

      await page.waitForLoadState('networkidle')
      expect(pageErrors).toEqual([])
      expect(consoleErrors).toEqual([])
    })
  })

  test('missing components show as labelled boxes around their children', async () => {
    await withSession(async ({ page, pageErrors }) => {
      expect((await page.goto('/blog/missing-components'))?.status()).toBe(200)
      expect(await page.locator('main h1').innerText()).toBe('When a component is missing')

      const boxes = page.locator('[data-missing-component]')
      expect(await boxes.evaluateAll((els) => els.map((el) => el.getAttribute('data-missing-component')))).toEqual([
        'Sandpack',
        'Note',
      ])

      const sandpack = page.locator('[data-missing-component="Sandpack"]')
      expect(await sandpack.isVisible()).toBe(true)
      expect(await sandpack.getAttribute('role')).toBe('note')
      expect(await sandpack.locator('.kiln-missing-label').innerText()).toMatch(/missing component\s*<Sandpack>/i)
      const code = sandpack.locator('pre code')
      expect(await code.isVisible()).toBe(true)
      expect(await code.innerText()).toContain('Hello from a playground that does not exist')

      const note = page.locator('[data-missing-component="Note"]')
      expect(await note.isVisible()).toBe(true)
      expect(await note.locator('.kiln-missing-label').innerText()).toMatch(/missing component\s*<Note>/i)
      expect(await note.innerText()).toContain('This text was written inside a Note component.')

      // The box is styled (dashed border from the stylesheet), not bare inline text.
      expect(await note.evaluate((el) => getComputedStyle(el).borderTopStyle)).toBe('dashed')
      expect(await note.evaluate((el) => getComputedStyle(el).display)).toBe('block')

      // The rest of the post renders around the boxes.
      expect(await page.locator('article h2#how-to-fix-it').count()).toBe(1)
      await waitForHydration(page, '[data-missing-component="Note"]')
      expect(await boxes.count()).toBe(2)
      expect(pageErrors).toEqual([])
    })
  })

  test('an unknown post answers 404 with the styled not-found page and a way home', async () => {
    await withSession(async ({ page }) => {
      const response = await page.goto('/blog/does-not-exist')
      expect(response?.status()).toBe(404)
      expect(await page.locator('main h1').innerText()).toBe('Page not found')
      expect(await page.locator('main').innerText()).toMatch(/Error 404/i)
      // Site chrome is still there.
      expect(await page.locator('header nav a[href="/"]').innerText()).toBe(SITE_TITLE)

      const home = page.locator('main').getByRole('link', { name: 'Home', exact: true })
      expect(await home.getAttribute('href')).toBe('/')
      // Styled: the stylesheet applied (amber-700 button, centred section).
      // amber-700: white text on it passes WCAG AA
      expect(await home.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(180, 83, 9)')
      expect(await page.locator('main section').evaluate((el) => getComputedStyle(el).textAlign)).toBe('center')

      await waitForHydration(page, 'main h1')
      await home.click()
      await page.waitForURL(`${server.url}/`)
      await expect.poll(() => page.locator('main h1').innerText()).toBe(SITE_TITLE)
      expect(await page.locator('[data-testid="post-list"] > li').count()).toBe(5)
    })
  })

  test('on a 375px phone, pages never scroll sideways; code blocks scroll inside themselves', async () => {
    await withSession(
      async ({ page }) => {
        for (const pathname of [
          '/',
          '/blog/code-highlighting',
          '/blog/interactive-components',
          '/blog/missing-components',
          '/blog/markdown-extras',
        ]) {
          expect((await page.goto(pathname))?.status(), pathname).toBe(200)
          const widths = await page.evaluate(() => ({
            document: document.documentElement.scrollWidth,
            body: document.body.scrollWidth,
            viewport: window.innerWidth,
          }))
          expect(widths.viewport, pathname).toBe(PHONE.width)
          expect(widths.document, `document width on ${pathname}`).toBeLessThanOrEqual(PHONE.width)
          expect(widths.body, `body width on ${pathname}`).toBeLessThanOrEqual(PHONE.width)
        }

        await page.goto('/blog/code-highlighting')
        const blocks = await page.locator('article pre').evaluateAll((pres) =>
          pres.map((pre) => {
            const rect = pre.getBoundingClientRect()
            return {
              left: rect.left,
              right: rect.right,
              overflowX: getComputedStyle(pre).overflowX,
              scrollWidth: pre.scrollWidth,
              clientWidth: pre.clientWidth,
            }
          }),
        )
        expect(blocks.length).toBeGreaterThanOrEqual(3)
        for (const block of blocks) {
          expect(block.left).toBeGreaterThanOrEqual(0)
          expect(block.right).toBeLessThanOrEqual(PHONE.width)
          expect(['auto', 'scroll']).toContain(block.overflowX)
        }
        // Some lines are wider than a phone: those blocks overflow inside themselves...
        const wide = blocks.filter((block) => block.scrollWidth > block.clientWidth)
        expect(wide.length).toBeGreaterThanOrEqual(1)
        // ...and can actually be scrolled sideways, without moving the page.
        const scrolled = await page.locator('article pre').evaluateAll((pres) => {
          const pre = pres.find((el) => el.scrollWidth > el.clientWidth)
          if (!pre) return null
          pre.scrollLeft = 120
          return { inner: pre.scrollLeft, page: window.scrollX }
        })
        expect(scrolled?.inner).toBeGreaterThan(0)
        expect(scrolled?.page).toBe(0)
      },
      { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
    )
  })

  test('screenshots for humans (desktop and 375px)', async () => {
    fs.mkdirSync(SCREENS_DIR, { recursive: true })
    const shots: { name: string; pathname: string; options: BrowserContextOptions }[] = [
      { name: 'home-desktop', pathname: '/', options: { viewport: DESKTOP } },
      {
        name: 'home-375',
        pathname: '/',
        options: { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
      },
      { name: 'code-highlighting-desktop', pathname: '/blog/code-highlighting', options: { viewport: DESKTOP } },
      {
        name: 'code-highlighting-375',
        pathname: '/blog/code-highlighting',
        options: { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
      },
      {
        name: 'code-highlighting-desktop-dark',
        pathname: '/blog/code-highlighting',
        options: { viewport: DESKTOP, colorScheme: 'dark' },
      },
    ]
    const written: string[] = []
    for (const shot of shots) {
      await withSession(async ({ page }) => {
        expect((await page.goto(shot.pathname))?.status()).toBe(200)
        await page.waitForLoadState('networkidle')
        const file = path.join(SCREENS_DIR, `${shot.name}.png`)
        await page.screenshot({ path: file, fullPage: true })
        written.push(file)
      }, shot.options)
    }
    for (const file of written) expect(fs.statSync(file).size).toBeGreaterThan(1000)
    console.log(`screenshots:\n${written.join('\n')}`)
  })
})
