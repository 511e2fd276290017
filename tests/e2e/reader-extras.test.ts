/**
 * End-to-end in real headless Chromium: the reader's extras. Dark mode (system default,
 * a remembered choice painted right from the first frame, with and without JavaScript),
 * search as you type, the table of contents, the view count, keyboard focus, and an
 * axe-core accessibility check of the main pages in both themes.
 */
import { type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { launchChromium, waitForHydration } from '../../other/lib/chromium.ts'
import { axeViolations, isSeriousOrCritical, SERIOUS_OR_CRITICAL, type AxeViolation } from '../../other/lib/axe.ts'
import { stopServer, withBrowserSession, type BrowserSession } from '../helpers/fixtures.ts'
import { sampleContentDir, startServer, type KilnServer } from '../helpers/server.ts'

const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 375, height: 812 }
/** body's background: white in light, zinc-950 in dark (app/tailwind.css). */
const LIGHT_BG = 'rgb(255, 255, 255)'
const DARK_BG = 'rgb(9, 9, 11)'
/** A desktop Chrome's user agent (headless Chromium's own, HeadlessChrome, is counted too). */
const READER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

let server: KilnServer
let browser: Browser

beforeAll(async () => {
  server = await startServer({ contentDir: sampleContentDir })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await stopServer(server)
})

const withSession = (body: (session: BrowserSession) => Promise<void>, options?: BrowserContextOptions) =>
  withBrowserSession(browser, server, body, options)

/**
 * Records body's background colour at DOMContentLoaded, when the server's HTML and the
 * stylesheet are in and before React has hydrated anything: what the first paint shows.
 */
async function recordFirstPaint(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      ;(window as unknown as { __firstPaint: unknown }).__firstPaint = {
        background: getComputedStyle(document.body).backgroundColor,
        htmlClass: document.documentElement.className,
        hydrated: Object.keys(document.querySelector('header a') ?? {}).some((key) => key.startsWith('__reactFiber$')),
      }
    })
  })
}

const firstPaint = (page: Page) =>
  page.evaluate(
    () =>
      (window as unknown as { __firstPaint: { background: string; htmlClass: string; hydrated: boolean } })
        .__firstPaint,
  )
const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor)
const colorSchemeMeta = (page: Page) => page.locator('meta[name="color-scheme"]').getAttribute('content')

async function themeCookie(context: BrowserContext): Promise<string | undefined> {
  return (await context.cookies()).find((cookie) => cookie.name === 'kiln_theme')?.value
}

describe('dark mode', () => {
  test('follows the system when nothing was chosen', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      await withSession(
        async ({ context, page }) => {
          await recordFirstPaint(context)
          await page.goto('/')
          expect((await firstPaint(page)).background).toBe(colorScheme === 'dark' ? DARK_BG : LIGHT_BG)
          expect(await page.locator('html').getAttribute('class')).toBeNull()
          expect(await colorSchemeMeta(page)).toBe('light dark')
          expect(await page.locator('[data-theme-choice="system"]').getAttribute('aria-pressed')).toBe('true')
        },
        { colorScheme },
      )
    }
  })

  test(
    'a choice made with the toggle changes the page in place, ' + 'is remembered, and paints first on reload',
    async () => {
      await withSession(
        async ({ context, page, pageErrors }) => {
          await recordFirstPaint(context)
          await page.goto('/blog/code-highlighting')
          await waitForHydration(page, '[data-theme-choice="dark"]')
          await page.evaluate(() => ((window as unknown as { __same: boolean }).__same = true))
          expect(await background(page)).toBe(LIGHT_BG)

          await page.locator('[data-theme-choice="dark"]').click()
          await expect.poll(() => background(page)).toBe(DARK_BG)
          await expect.poll(() => themeCookie(context)).toBe('dark')
          expect(await page.locator('html').getAttribute('class')).toBe('dark')
          await expect.poll(() => page.locator('[data-theme-choice="dark"]').getAttribute('aria-pressed')).toBe('true')
          // In place: no navigation, no reload.
          expect(page.url()).toBe(`${server.url}/blog/code-highlighting`)
          expect(await page.evaluate(() => (window as unknown as { __same?: boolean }).__same)).toBe(true)
          // Code blocks follow the choice, not the system's light scheme.
          const preBackground = () =>
            page
              .locator('.code-block pre')
              .first()
              .evaluate((pre) => getComputedStyle(pre).backgroundColor)
          const darkPre = await preBackground()
          expect(darkPre).not.toBe(LIGHT_BG)

          await page.reload()
          const paint = await firstPaint(page)
          // (Whether React had hydrated by then is up to the scheduler; the JavaScript-free
          // test below shows the server alone paints the choice.)
          expect(paint).toMatchObject({ background: DARK_BG, htmlClass: 'dark' })
          expect(await colorSchemeMeta(page)).toBe('dark')
          expect(await preBackground()).toBe(darkPre)

          // Light on a dark system, then back to the system.
          await waitForHydration(page, '[data-theme-choice="light"]')
          await page.locator('[data-theme-choice="light"]').click()
          await expect.poll(() => background(page)).toBe(LIGHT_BG)
          await expect.poll(() => themeCookie(context)).toBe('light')
          await page.locator('[data-theme-choice="system"]').click()
          await expect.poll(() => themeCookie(context)).toBeUndefined()
          await expect.poll(() => page.locator('html').getAttribute('class')).toBeNull()
          expect(pageErrors).toEqual([])
        },
        { colorScheme: 'light' },
      )
    },
  )

  test('a second choice made while the first is still loading wins, with no errors in the page', async () => {
    await withSession(
      async ({ context, page, pageErrors }) => {
        await page.goto('/blog/code-highlighting')
        await waitForHydration(page, '[data-theme-choice="dark"]')
        // Hold the page's data reload that follows the first choice, so the second click
        // always lands while it is in flight (the browser aborts it then).
        let heldReload: () => void = () => {}
        const reloadStarted = new Promise<void>((started) =>
          page.route(
            (url) => url.pathname.endsWith('.data'),
            async (route) => {
              started()
              await new Promise<void>((release) => (heldReload = release))
              await route.continue().catch(() => {})
            },
            { times: 1 },
          ),
        )
        await page.locator('[data-theme-choice="dark"]').click()
        await reloadStarted
        await page.locator('[data-theme-choice="light"]').click()
        await expect.poll(() => themeCookie(context)).toBe('light')
        heldReload()
        await expect.poll(() => background(page)).toBe(LIGHT_BG)
        await expect.poll(() => page.locator('[data-theme-choice="light"]').getAttribute('aria-pressed')).toBe('true')
        expect(await page.locator('html').getAttribute('class')).toBe('light')
        expect(pageErrors).toEqual([])
      },
      { colorScheme: 'dark' },
    )
  })

  test('a request aborted on purpose is no page error; any other unhandled rejection still is', async () => {
    // What Remix's data decoder leaves behind when a newer submission aborts a reload
    // mid-body (app/entry.client.tsx): a rejected fetch that nothing waits on.
    await withSession(async ({ page, pageErrors }) => {
      await page.goto('/blog/code-highlighting')
      await waitForHydration(page, '[data-theme-choice="dark"]')
      await page.evaluate(() => {
        const controller = new AbortController()
        void fetch('/blog/code-highlighting.data', { signal: controller.signal })
        controller.abort()
      })
      await page.evaluate(() => void Promise.reject(new Error('not an abort')))
      await expect.poll(() => pageErrors).toEqual(['Error: not an abort'])
    })
  })

  test('a light choice holds on a dark system from the first paint', async () => {
    await withSession(
      async ({ context, page }) => {
        await context.addCookies([{ name: 'kiln_theme', value: 'light', url: server.url }])
        await recordFirstPaint(context)
        await page.goto('/blog')
        expect(await firstPaint(page)).toMatchObject({ background: LIGHT_BG, htmlClass: 'light' })
        expect(await colorSchemeMeta(page)).toBe('light')
      },
      { colorScheme: 'dark' },
    )
  })

  test('works without JavaScript: the toggle is a form, and the server paints the choice', async () => {
    await withSession(
      async ({ context, page }) => {
        await page.goto('/blog?tag=kiln')
        expect(await background(page)).toBe(LIGHT_BG)
        await page.locator('[data-theme-choice="dark"]').click()
        await page.waitForURL(`${server.url}/blog?tag=kiln`)
        expect(await themeCookie(context)).toBe('dark')
        expect(await page.locator('html').getAttribute('class')).toBe('dark')
        expect(await background(page)).toBe(DARK_BG)

        // Another page, no script at all: dark from the server's HTML alone.
        await page.goto('/tags')
        expect(await page.locator('html').getAttribute('class')).toBe('dark')
        expect(await background(page)).toBe(DARK_BG)
      },
      { javaScriptEnabled: false, colorScheme: 'light' },
    )
  })
})

describe('search', () => {
  test('results follow typing in place, and the address follows the query', async () => {
    await withSession(async ({ page, pageErrors }) => {
      await page.goto('/')
      await page.locator('header').getByRole('link', { name: 'Search' }).click()
      await page.waitForURL(`${server.url}/search`)
      const input = page.getByLabel('Search posts')
      await waitForHydration(page, '#search-query')
      await page.evaluate(() => ((window as unknown as { __same: boolean }).__same = true))

      await input.pressSequentially('shik', { delay: 30 })
      await page.waitForURL(`${server.url}/search?q=shik`)
      const results = page.locator('[data-testid="search-results"] > li')
      await expect.poll(() => results.count()).toBeGreaterThan(0)
      expect(await page.locator('[data-testid="search-results"] mark').first().innerText()).toMatch(/^shik/i)
      // Still the same document, and the reader can keep typing.
      expect(await page.evaluate(() => (window as unknown as { __same?: boolean }).__same)).toBe(true)
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('search-query')

      await input.fill('quetzalcoatl')
      await page.waitForURL(`${server.url}/search?q=quetzalcoatl`)
      await expect.poll(() => page.getByRole('status').innerText()).toContain('Nothing matches')
      expect(pageErrors).toEqual([])
    })
  })

  test('works without JavaScript as a plain GET form', async () => {
    await withSession(
      async ({ page }) => {
        await page.goto('/search')
        await page.getByLabel('Search posts').fill('sqlite')
        await page.getByRole('button', { name: 'Search', exact: true }).click()
        await page.waitForURL(`${server.url}/search?q=sqlite`)
        expect(await page.locator('[data-testid="search-results"] > li').count()).toBeGreaterThan(0)
      },
      { javaScriptEnabled: false },
    )
  })
})

describe('table of contents', () => {
  test('sits in a sticky side column on a wide screen, and its links scroll to their headings', async () => {
    await withSession(async ({ page }) => {
      await page.goto('/blog/code-highlighting')
      const toc = page.getByRole('navigation', { name: 'Table of contents' })
      const prose = page.locator('article .prose')
      const tocBox = (await toc.locator('details').boundingBox())!
      const proseBox = (await prose.boundingBox())!
      expect(tocBox.x).toBeGreaterThan(proseBox.x + proseBox.width)

      await toc.getByRole('link', { name: 'Python', exact: true }).click()
      await page.waitForURL(`${server.url}/blog/code-highlighting#python`)
      await expect
        .poll(() => page.locator('#python').evaluate((el) => el.getBoundingClientRect().top))
        .toBeLessThan(200)
      const top = await page.locator('#python').evaluate((el) => el.getBoundingClientRect().top)
      expect(top).toBeGreaterThanOrEqual(0)
      // The contents stayed in view while the page scrolled.
      const after = (await toc.locator('details').boundingBox())!
      expect(after.y).toBeGreaterThanOrEqual(0)
      expect(after.y).toBeLessThan(DESKTOP.height)
    })
  })

  test('is a collapsible <details> above the post on a phone', async () => {
    await withSession(
      async ({ page }) => {
        await page.goto('/blog/code-highlighting')
        const details = page.getByRole('navigation', { name: 'Table of contents' }).locator('details')
        const summary = details.locator('summary')
        const proseBox = (await page.locator('article .prose').boundingBox())!
        expect((await details.boundingBox())!.y).toBeLessThan(proseBox.y)
        expect(await details.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(true)
        await summary.click()
        expect(await details.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false)
        await summary.click()
        await details.getByRole('link', { name: 'SQL', exact: true }).click()
        await expect.poll(() => page.locator('#sql').evaluate((el) => el.getBoundingClientRect().top)).toBeLessThan(200)
      },
      { viewport: PHONE },
    )
  })
})

describe('view count', () => {
  test('appears after the page has loaded, counting each visitor once a day', async () => {
    const slug = 'keeping-memory-flat'
    const count = (page: Page) => page.locator('[data-testid="view-count"]').getAttribute('data-views')
    await withSession(
      async ({ page, context }) => {
        const response = await page.goto(`/blog/${slug}`)
        // As the server rendered it: nobody had read it yet. The count comes after load.
        expect(await response?.text()).toMatch(/data-testid="view-count" data-views="0"/)
        await expect.poll(() => count(page)).toBe('1')
        expect(await page.locator('[data-testid="view-count"]').innerText()).toBe('1 view')
        const visitor = (await context.cookies()).find((cookie) => cookie.name === 'kiln_visitor')
        expect(visitor?.httpOnly).toBe(true)
        expect(visitor?.sameSite).toBe('Lax')
        // The same reader again: not counted twice.
        await page.reload()
        await waitForHydration(page, 'article h1')
        await page.waitForLoadState('networkidle')
        expect(await count(page)).toBe('1')
      },
      { userAgent: READER_AGENT },
    )
    // Another reader, on another device: from this machine's one address, another user
    // agent (the same agent and address without the cookie is the same client, counted once).
    await withSession(
      async ({ page }) => {
        await page.goto(`/blog/${slug}`)
        await expect.poll(() => count(page)).toBe('2')
        expect(await page.locator('[data-testid="view-count"]').innerText()).toBe('2 views')
      },
      { userAgent: `${READER_AGENT} (second device)` },
    )
    // Headless Chromium as itself ran the page: a third reader.
    await withSession(async ({ page }) => {
      await page.goto(`/blog/${slug}`)
      await expect.poll(() => count(page)).toBe('3')
    })
  })
})

describe('keyboard', () => {
  test('focus is visible, and heading anchors are focusable links with names', async () => {
    await withSession(async ({ page }) => {
      await page.goto('/blog/code-highlighting')
      await page.keyboard.press('Tab')
      const outline = await page.evaluate(() => {
        const element = document.activeElement as HTMLElement
        const style = getComputedStyle(element)
        return { tag: element.tagName, style: style.outlineStyle, width: style.outlineWidth }
      })
      expect(outline.tag).toBe('A')
      expect(outline.style).not.toBe('none')
      expect(outline.width).not.toBe('0px')

      const anchor = page.locator('#the-basics a.heading-anchor')
      expect(await anchor.getAttribute('aria-label')).toBe('Link to the section “The basics”')
      expect(await anchor.getAttribute('tabindex')).toBeNull()
      expect(await anchor.getAttribute('aria-hidden')).toBeNull()
      await anchor.focus()
      await expect.poll(() => anchor.evaluate((el) => getComputedStyle(el).opacity)).toBe('1')
    })
  })
})

describe('accessibility (axe-core)', () => {
  const pages = ['/', '/blog', '/blog/code-highlighting', '/search?q=kiln', '/tags/kiln']
  for (const theme of ['light', 'dark'] as const) {
    test(`no serious or critical violations, ${theme} theme`, async () => {
      await withSession(
        async ({ context, page }) => {
          await context.addCookies([{ name: 'kiln_theme', value: theme, url: server.url }])
          const found: Record<string, AxeViolation[]> = {}
          for (const pathname of pages) {
            const response = await page.goto(pathname)
            expect(response?.status(), pathname).toBe(200)
            if (pathname.startsWith('/search'))
              expect(await page.locator('[data-testid="search-results"] > li').count()).toBeGreaterThan(0)
            await waitForHydration(page, 'header a')
            expect(await page.locator('html').getAttribute('class')).toBe(theme)
            const violations = (await axeViolations(page, undefined, SERIOUS_OR_CRITICAL)).filter(isSeriousOrCritical)
            if (violations.length > 0) found[pathname] = violations
          }
          expect(found, JSON.stringify(found, null, 1)).toEqual({})
        },
        // The opposite system scheme: the choice alone must make the page readable.
        { colorScheme: theme === 'dark' ? 'light' : 'dark' },
      )
    })
  }
})
