/**
 * End-to-end in real headless Chromium: "More posts" on a list of 45 posts. With
 * JavaScript it appends the next page in place (the route's own loader, through a fetcher)
 * and moves focus to the first post added; without it, it is a plain link to the next page.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { launchChromium, waitForHydration } from '../../other/lib/chromium.ts'
import { stopServer, withBrowserSession } from '../helpers/fixtures.ts'
import { makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'

const POSTS = 45
const slugOf = (n: number) => `post-${String(n).padStart(2, '0')}`

let server: KilnServer
let browser: Browser

beforeAll(async () => {
  const files: Record<string, string> = {}
  for (let n = 1; n <= POSTS; n++) {
    const day = new Date(Date.UTC(2026, 0, n)).toISOString().slice(0, 10)
    files[`blog/${slugOf(n)}.mdx`] = `---\ntitle: Post number ${n}\ndate: ${day}\n---\n\nBody of post ${n}.\n`
  }
  server = await startServer({ contentDir: makeContentDir(files) })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await stopServer(server)
})

const slugsShown = (page: import('playwright-core').Page) =>
  page.$$eval('[data-testid="post-list"] > li', (items) => items.map((item) => item.getAttribute('data-slug')))

describe('More posts', () => {
  test('appends the next pages in place with JavaScript', async () => {
    await withBrowserSession(browser, server, async ({ page, pageErrors }) => {
      await page.goto(`${server.url}/blog`)
      await waitForHydration(page, '[data-testid="more-posts"]')
      expect(await slugsShown(page)).toHaveLength(20)

      await page.click('[data-testid="more-posts"]')
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="post-list"] > li').length === 40)
      expect(new URL(page.url()).search).toBe('')
      // Focus moves to the first post added.
      expect(await page.evaluate(() => document.activeElement?.closest('li')?.getAttribute('data-slug'))).toBe(
        slugOf(25),
      )

      await page.click('[data-testid="more-posts"]')
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="post-list"] > li').length === 45)
      const shown = await slugsShown(page)
      expect(shown).toEqual(Array.from({ length: POSTS }, (_, i) => slugOf(POSTS - i)))
      // Every page is in: no link to a next one.
      expect(await page.$('[data-testid="more-posts"]')).toBeNull()
      expect(pageErrors).toEqual([])
    })
  })

  test('is a plain link to the next page without JavaScript', async () => {
    await withBrowserSession(
      browser,
      server,
      async ({ page }) => {
        await page.goto(`${server.url}/blog`)
        await page.click('[data-testid="more-posts"]')
        await page.waitForURL(`${server.url}/blog?page=2`)
        expect(await slugsShown(page)).toEqual(Array.from({ length: 20 }, (_, i) => slugOf(25 - i)))
        await page.click('[data-testid="more-posts"]')
        await page.waitForURL(`${server.url}/blog?page=3`)
        expect(await slugsShown(page)).toEqual([5, 4, 3, 2, 1].map(slugOf))
        expect(await page.$('[data-testid="more-posts"]')).toBeNull()
      },
      { javaScriptEnabled: false },
    )
  })
})
