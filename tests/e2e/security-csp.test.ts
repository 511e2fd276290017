/**
 * End-to-end in real headless Chromium: under Kiln's Content-Security-Policy every kind of
 * page hydrates with zero violations, in both themes, signed in and not, rendered and from
 * the page cache; and what runs scripts still works: the theme toggle, search as you type,
 * the copy buttons, the view beacon, the admin dashboard's refresh, an embedded video.
 *
 * Violations are collected twice over: `securitypolicyviolation` events (an init script
 * registers the listener before any of the page's scripts) and Chromium's console reports.
 * A post carrying an inline script Kiln did not render shows the collector does catch one.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createAdmin, signIn } from '../helpers/auth.ts'
import { launchChromium, waitForHydration } from '../../other/lib/chromium.ts'
import { EXTRA_POSTS } from '../helpers/csp.ts'
import { copyDir, makeContentDir, sampleContentDir, startServer, tempDir, type KilnServer } from '../helpers/server.ts'
import { stopServer } from '../helpers/fixtures.ts'

const ADMIN = 'csp-admin@example.com'
const PASSWORD = 'a long enough admin password'
/** Pages the page cache keeps for anonymous readers: their second load must be a hit. */
const CACHED = ['/', '/blog', '/blog/zz-embeds', '/tags', '/tags/embeds', '/about']
const PAGES = [...CACHED, '/search?q=kiln', '/no-such-page', '/blog/zz-broken', '/admin', '/login']

let server: KilnServer
let browser: Browser
let contentDir: string
let sessionCookie: string

beforeAll(async () => {
  contentDir = makeContentDir(EXTRA_POSTS)
  copyDir(sampleContentDir, contentDir)
  server = await startServer({
    contentDir,
    databasePath: path.join(tempDir('kiln-db-'), 'kiln.db'),
    env: { SESSION_COOKIE_SECURE: '0' },
  })
  await createAdmin(server, ADMIN, PASSWORD)
  sessionCookie = (await signIn(server, ADMIN, PASSWORD)).replace(/^kiln_session=/, '')
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await stopServer(server)
  if (contentDir) fs.rmSync(contentDir, { recursive: true, force: true })
})

interface Visit {
  context: BrowserContext
  page: Page
  /** Violations from console reports and events, with the page they happened on. */
  violations: () => Promise<string[]>
  pageErrors: string[]
}

type Theme = 'light' | 'dark'

let contexts = 0

async function withBrowser(
  { theme, signedIn }: { theme: Theme; signedIn: boolean },
  body: (visit: Visit) => Promise<void>,
): Promise<void> {
  // Each context is another device (its own user agent): a view counts once per client per
  // post per day, so readers that shared an address and agent would share one count.
  const userAgent = `Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36 KilnCspTest/${++contexts}`
  const context = await browser.newContext({
    baseURL: server.url,
    colorScheme: theme === 'dark' ? 'light' : 'dark',
    userAgent,
  })
  const cookies: { name: string; value: string; url: string }[] = [
    { name: 'kiln_theme', value: theme, url: server.url },
  ]
  if (signedIn) cookies.push({ name: 'kiln_session', value: sessionCookie, url: server.url })
  await context.addCookies(cookies)
  // The embedded video, answered here: this network reaches no video host, and the frame's
  // load is what frame-src decides.
  await context.route('https://www.youtube-nocookie.com/**', (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>video</title><p>a video</p>' }),
  )
  await context.addInitScript(() => {
    const seen: string[] = ((window as unknown as { __cspViolations: string[] }).__cspViolations = [])
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push(
        `${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} at ` +
          `${event.sourceFile}:${event.lineNumber} ${event.sample}`,
      )
    })
  })
  const page = await context.newPage()
  page.setDefaultTimeout(20_000)
  const consoleReports: string[] = []
  const pageErrors: string[] = []
  page.on('console', (message) => {
    if (/content security policy|content-security-policy|refused to/i.test(message.text()))
      consoleReports.push(`${page.url()}: ${message.text()}`)
  })
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.name}: ${error.message}`))
  const violations = async () => {
    const events = await page
      .evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [])
      .catch(() => [])
    return [...consoleReports, ...events.map((event) => `${page.url()}: ${event}`)]
  }
  try {
    await body({ context, page, violations, pageErrors })
  } catch (error) {
    if (error instanceof Error) error.message += `\n--- server output ---\n${server.output().slice(-3000)}`
    throw error
  } finally {
    await context.close()
  }
}

describe('every kind of page runs under the policy with zero violations', () => {
  for (const signedIn of [false, true]) {
    for (const theme of ['light', 'dark'] as const) {
      test(
        `${signedIn ? 'signed in' : 'anonymous'}, ${theme} ` + `theme, rendered and then from the page cache`,
        async () => {
          await withBrowser({ theme, signedIn }, async ({ page, violations, pageErrors }) => {
            for (const pathname of PAGES) {
              for (const load of ['first', 'second']) {
                const response = await page.goto(pathname)
                expect(response, pathname).not.toBeNull()
                // The whole app came to life: React hydrated the page's header.
                await waitForHydration(page, 'header a')
                await page.waitForLoadState('load')
                expect(await page.locator('html').getAttribute('class'), pathname).toBe(theme)
                const events = await violations()
                expect(events, `${pathname} (${load} load)`).toEqual([])
                if (load === 'second' && !signedIn && CACHED.includes(pathname)) {
                  expect((await response!.allHeaders())['x-kiln-cache'], pathname).toBe('hit')
                }
              }
            }
            expect(pageErrors).toEqual([])
          })
        },
        300_000,
      )
    }
  }

  test('the collector does catch a violation: an inline script Kiln did not render is blocked', async () => {
    await withBrowser({ theme: 'light', signedIn: false }, async ({ page, violations }) => {
      await page.goto('/blog/zz-injected')
      await waitForHydration(page, 'header a')
      expect(await page.evaluate(() => (window as unknown as { kilnInjected?: number }).kilnInjected)).toBeUndefined()
      const events = await violations()
      expect(events.some((event) => /script-src/.test(event))).toBe(true)
    })
  })
})

describe('what runs scripts still works', () => {
  test('the theme toggle changes the page in place', async () => {
    await withBrowser({ theme: 'light', signedIn: false }, async ({ page, violations, pageErrors }) => {
      await page.goto('/blog/zz-embeds')
      await waitForHydration(page, '[data-theme-choice="dark"]')
      await page.evaluate(() => ((window as unknown as { __same: boolean }).__same = true))
      // The page changes at once; the cookie that remembers it comes with the action's answer.
      const remembered = page.waitForResponse(
        (response) =>
          new URL(response.url()).pathname.startsWith('/action/theme') && response.request().method() === 'POST',
      )
      await page.locator('[data-theme-choice="dark"]').click()
      await expect.poll(() => page.locator('html').getAttribute('class')).toBe('dark')
      expect(await page.evaluate(() => (window as unknown as { __same?: boolean }).__same)).toBe(true)
      await remembered
      await page.reload()
      await waitForHydration(page, 'header a')
      expect(await page.locator('html').getAttribute('class')).toBe('dark')
      expect(await violations()).toEqual([])
      expect(pageErrors).toEqual([])
    })
  })

  test('search follows typing in place', async () => {
    await withBrowser({ theme: 'dark', signedIn: false }, async ({ page, violations, pageErrors }) => {
      await page.goto('/search')
      await waitForHydration(page, '#search-query')
      await page.evaluate(() => ((window as unknown as { __same: boolean }).__same = true))
      await page.getByLabel('Search posts').pressSequentially('shik', { delay: 30 })
      await page.waitForURL(`${server.url}/search?q=shik`)
      await expect.poll(() => page.locator('[data-testid="search-results"] > li').count()).toBeGreaterThan(0)
      expect(await page.evaluate(() => (window as unknown as { __same?: boolean }).__same)).toBe(true)
      expect(await violations()).toEqual([])
      expect(pageErrors).toEqual([])
    })
  })

  test("a code block's copy button copies, the embedded video loads, and the view beacon counts", async () => {
    await withBrowser({ theme: 'light', signedIn: false }, async ({ context, page, violations, pageErrors }) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url })
      const beacon = page.waitForResponse(
        (response) =>
          response.request().method() === 'POST' && new URL(response.url()).pathname === '/action/view/zz-embeds',
      )
      await page.goto('/blog/zz-embeds')
      await waitForHydration(page, 'article figure.code-block .code-frame')
      const figure = page.locator('article figure.code-block').first()
      await figure.locator('pre').hover()
      await figure.locator('button.code-copy').click()
      await expect.poll(() => figure.locator('button.code-copy').innerText()).toBe('Copied')
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
        'export const hello = (name: string) => `hello ${name}`',
      )

      // The frame loaded its document (frame-src allows the host), not an error page.
      const video = page.frameLocator('iframe[title="A video"]')
      await expect.poll(() => video.locator('p').innerText()).toBe('a video')

      // The beacon went out after load, counted this new reader, and the page shows the count.
      const answer = (await (await beacon).json()) as { views: number; counted: boolean }
      expect(answer.counted).toBe(true)
      await expect
        .poll(() => page.locator('[data-testid="view-count"]').getAttribute('data-views'))
        .toBe(String(answer.views))
      expect(await violations()).toEqual([])
      expect(pageErrors).toEqual([])
    })
  })

  test('a client navigation to a post imports its module first, then shows it alive', async () => {
    await withBrowser({ theme: 'dark', signedIn: false }, async ({ page, violations, pageErrors }) => {
      await page.goto('/blog')
      await waitForHydration(page, '[data-testid="post-list"] a')
      await page.evaluate(() => ((window as unknown as { __same: boolean }).__same = true))
      const moduleLoaded = page.waitForResponse((response) =>
        /^\/mdx\/post\/zz-embeds\/[\w-]+\.js$/.test(new URL(response.url()).pathname),
      )
      await page
        .locator('[data-testid="post-list"]')
        .getByRole('link', { name: 'Embeds and code', exact: true })
        .click()
      await page.waitForURL(`${server.url}/blog/zz-embeds`)
      expect((await moduleLoaded).headers()['content-type']).toMatch(/^text\/javascript/)
      // Rendered by the imported component in this same document: its code block's copy button is there.
      await page.locator('article figure.code-block button.code-copy').waitFor({ state: 'attached' })
      expect(await page.evaluate(() => (window as unknown as { __same?: boolean }).__same)).toBe(true)
      expect(await violations()).toEqual([])
      expect(pageErrors).toEqual([])
    })
  })

  test('the admin dashboard refreshes its figures by itself', async () => {
    await withBrowser({ theme: 'dark', signedIn: true }, async ({ page, violations, pageErrors }) => {
      await page.goto('/admin')
      await page.locator('[data-testid="memory-chart"]').waitFor()
      await waitForHydration(page, '[data-testid="memory-chart"]')
      const refreshed = await page.waitForResponse((response) => new URL(response.url()).pathname === '/admin.data', {
        timeout: 30_000,
      })
      expect(refreshed.status()).toBe(200)
      expect(await violations()).toEqual([])
      expect(pageErrors).toEqual([])
    })
  })
})
