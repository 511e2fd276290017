/**
 * End-to-end in real headless Chromium: the component kit as a reader meets it, on the
 * sample post that uses all of it (content/blog/component-kit/index.mdx). What only a browser
 * proves: the post hydrates with every component and no missing-component box, YouTube's
 * player is requested only after the play button is pressed, a site-wide component
 * (content/components/Spoiler.tsx) arrives as its own module and hydrates under the CSP, the page asks no other
 * site for anything else, and axe finds nothing serious in either theme.
 *
 * The network outside the test server is answered by the test (an empty image, a blank
 * player page), so the test needs no internet and sees every request that leaves.
 */
import { type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { axeViolations, isSeriousOrCritical, SERIOUS_OR_CRITICAL, THEMES } from '../../other/lib/axe.ts'
import { launchChromium, waitForHydration } from '../../other/lib/chromium.ts'
import { stopServer, withBrowserSession } from '../helpers/fixtures.ts'
import { get, sampleContentDir, startServer, type KilnServer } from '../helpers/server.ts'

const POST = '/blog/component-kit'
const KIT = ['Callout', 'Figure', 'YouTube', 'Embed', 'Details', 'Kbd', 'Aside']

let server: KilnServer
let browser: Browser

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer({ contentDir: sampleContentDir }), launchChromium()])
  // Compile the post once up front, so no test's navigation pays for the first compile.
  expect((await get(server, POST)).status).toBe(200)
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await stopServer(server)
})

/** Answers every request to another origin here, and records its URL. */
async function answerOtherOrigins(page: Page): Promise<string[]> {
  const requested: string[] = []
  await page.route(
    (url) => url.origin !== server.url,
    async (route) => {
      requested.push(route.request().url())
      const html = route.request().resourceType() === 'document'
      await route.fulfill({
        status: 200,
        contentType: html ? 'text/html' : 'image/gif',
        body: html ? '<!doctype html><title>player</title>' : Buffer.from('R0lGODlhAQABAAAAACw=', 'base64'),
      })
    },
  )
  return requested
}

describe('the component kit in the sample post', () => {
  test('renders every component with no missing box; the player loads only on play', async () => {
    await withBrowserSession(browser, server, async ({ page, pageErrors }) => {
      const requested = await answerOtherOrigins(page)
      const response = await page.goto(POST)
      expect(response?.status()).toBe(200)
      await waitForHydration(page, '[data-kit="YouTube"] button')

      const kits = await page.locator('[data-kit]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-kit')))
      for (const name of KIT) expect(kits, name).toContain(name)
      expect(await page.locator('[data-missing-component], [data-kit-error]').count()).toBe(0)
      // The figure's picture has the image's own size, read at compile time, and its caption.
      const figure = page.locator('[data-kit="Figure"]')
      expect(await figure.locator('img').getAttribute('width')).toBe('640')
      expect(await figure.locator('img').getAttribute('height')).toBe('160')
      expect(await figure.locator('figcaption').innerText()).toContain('How a post travels through Kiln.')
      expect(
        await page.locator('[data-callout]').evaluateAll((n) => n.map((e) => e.getAttribute('data-callout'))),
      ).toEqual(['note', 'tip', 'warning', 'danger'])
      expect(await page.locator('[data-embed]').evaluateAll((n) => n.map((e) => e.getAttribute('data-embed')))).toEqual(
        ['x', 'mastodon', 'codepen', 'codesandbox'],
      )
      // The code notations arrived too.
      expect(await page.locator('.shiki.has-diff .line.diff.add').count()).toBe(1)
      expect(await page.locator('.shiki .highlighted-word').count()).toBeGreaterThan(1)
      expect(await page.locator('.shiki.has-focused .line.focused').count()).toBe(1)

      // Before play: the poster only, no player frame, nothing else from another site.
      const video = page.locator('[data-kit="YouTube"]')
      expect(await video.locator('iframe').count()).toBe(0)
      expect(requested.filter((url) => !url.startsWith('https://i.ytimg.com/'))).toEqual([])
      expect(requested.some((url) => url.startsWith('https://i.ytimg.com/vi/M7lc1UVf-VE/'))).toBe(true)

      const play = video.getByRole('button', { name: /^Play video: / })
      await play.focus()
      await page.keyboard.press('Enter')
      const player = video.locator('iframe')
      await expect.poll(() => player.count()).toBe(1)
      expect(await player.getAttribute('src')).toBe(
        'https://www.youtube-nocookie.com/embed/M7lc1UVf-VE?autoplay=1&start=30',
      )
      expect(await player.getAttribute('title')).toBe('The YouTube player API, a demo')
      await expect
        .poll(() => requested.some((url) => url.startsWith('https://www.youtube-nocookie.com/embed/')))
        .toBe(true)

      // The site-wide component (content/components/Spoiler.tsx) came as its own module and hydrated.
      const spoiler = page.locator('[data-spoiler]')
      expect(await spoiler.locator('[data-spoiler-text]').count()).toBe(0)
      await waitForHydration(page, '[data-spoiler] button')
      await spoiler.getByRole('button').click()
      await expect.poll(() => spoiler.locator('[data-spoiler-text]').count()).toBe(1)
      expect(await spoiler.getByRole('button').getAttribute('aria-expanded')).toBe('true')

      // Details open with the keyboard too.
      const details = page.locator('[data-kit="Details"]')
      await details.locator('summary').focus()
      await page.keyboard.press('Enter')
      expect(await details.getAttribute('open')).toBe('')
      expect(pageErrors).toEqual([])
    })
  })

  test('without JavaScript the video is a link to YouTube', async () => {
    await withBrowserSession(
      browser,
      server,
      async ({ page }) => {
        await answerOtherOrigins(page)
        await page.goto(POST)
        const link = page.locator('[data-kit="YouTube"] a.kiln-youtube-button')
        expect(await link.getAttribute('href')).toBe('https://www.youtube.com/watch?v=M7lc1UVf-VE&t=30s')
        expect(await page.locator('[data-kit="YouTube"] button').count()).toBe(0)
      },
      { javaScriptEnabled: false },
    )
  })

  for (const theme of THEMES) {
    test(`axe finds no serious or critical violation, ${theme} theme`, async () => {
      await withBrowserSession(
        browser,
        server,
        async ({ context, page }) => {
          await context.addCookies([{ name: 'kiln_theme', value: theme, url: server.url }])
          await answerOtherOrigins(page)
          await page.goto(POST)
          await waitForHydration(page, '[data-kit="YouTube"] button')
          // Open the details so the text inside is checked too.
          await page.locator('[data-kit="Details"] summary').click()
          const violations = (await axeViolations(page, undefined, SERIOUS_OR_CRITICAL)).filter(isSeriousOrCritical)
          expect(violations, JSON.stringify(violations, null, 1)).toEqual([])
        },
        // The opposite system scheme: the choice alone must make the page readable.
        { colorScheme: theme === 'dark' ? 'light' : 'dark' },
      )
    })
  }
})
