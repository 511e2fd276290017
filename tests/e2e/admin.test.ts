/**
 * The admin on a phone, in real headless Chromium (375 x 812): signs in through /login,
 * lands on the dashboard, reads the memory chart and figures, and downloads a gzip heap
 * snapshot through the button. Screenshots for humans land in .scratch/screens/.
 */
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import type { Browser, BrowserContextOptions, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createAdmin } from '../helpers/auth.ts'
import { launchChromium, waitForHydration } from '../../other/lib/chromium.ts'
import { repoRoot, sampleContentDir, startServer, tempDir, type KilnServer } from '../helpers/server.ts'
import { stopServer } from '../helpers/fixtures.ts'

const ADMIN = 'phone-admin@example.com'
const PASSWORD = 'a phone admin password'
const PHONE = { width: 375, height: 812 }
const SCREENS_DIR = path.join(repoRoot, '.scratch', 'screens')

let server: KilnServer
let browser: Browser

beforeAll(async () => {
  server = await startServer({ contentDir: sampleContentDir, databasePath: path.join(tempDir('kiln-db-'), 'kiln.db') })
  await createAdmin(server, ADMIN, PASSWORD)
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await stopServer(server)
})

interface Phone {
  page: Page
  errors: string[]
}

/** A fresh phone-sized context, signed in through the real form; closed afterwards. */
async function asAdminOnPhone(
  body: (phone: Phone) => Promise<void>,
  options: BrowserContextOptions = {},
): Promise<void> {
  const context = await browser.newContext({
    viewport: PHONE,
    isMobile: true,
    hasTouch: true,
    baseURL: server.url,
    ...options,
  })
  const page = await context.newPage()
  page.setDefaultTimeout(20_000)
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(`${error.name}: ${error.message}`))
  page.on('console', (message) => {
    // The site has no favicon (not this page's concern): Chromium's request for one is ignored.
    if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico'))
      errors.push(`${message.text()} ${message.location().url}`)
  })
  try {
    await page.goto('/admin')
    await page.waitForURL(`${server.url}/login?redirectTo=%2Fadmin`)
    await waitForHydration(page, 'form button[type="submit"]')
    await page.locator('input[name="email"]').fill(ADMIN)
    await page.locator('input[name="password"]').fill(PASSWORD)
    await page.locator('form button[type="submit"]').click()
    await page.waitForURL(`${server.url}/admin`)
    await page.locator('[data-testid="memory-chart"]').waitFor()
    await body({ page, errors })
  } catch (error) {
    if (error instanceof Error) error.message += `\n--- server output ---\n${server.output().slice(-4000)}`
    throw error
  } finally {
    await context.close()
  }
}

function vmRssMB(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024
}

const mb = (text: string) => Number(/^([\d.]+) MB$/.exec(text.trim())?.[1])

describe('the admin on a phone', () => {
  test(
    'signs in, sees the memory chart and figures that match ' + 'the process, with nothing scrolling sideways',
    async () => {
      await asAdminOnPhone(async ({ page, errors }) => {
        expect(await page.title()).toMatch(/Admin/)
        expect(await page.locator('meta[name="robots"]').getAttribute('content')).toBe('noindex')

        const chart = page.locator('svg[data-testid="memory-chart"]')
        expect(await chart.locator('polyline').count()).toBeGreaterThanOrEqual(1)
        const box = await chart.boundingBox()
        expect(box!.width).toBeGreaterThan(250)
        expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width)
        expect(await chart.locator('text').allTextContents()).toEqual(expect.arrayContaining(['MB', 'now']))

        const before = vmRssMB(server.serverPid())
        await page.reload()
        await page.locator('[data-testid="memory-chart"]').waitFor()
        const after = vmRssMB(server.serverPid())
        const rss = mb(await page.locator('[data-stat="memory-rss"]').innerText())
        const tolerance = Math.max(8, 0.08 * after)
        expect(rss).toBeGreaterThan(Math.min(before, after) - tolerance)
        expect(rss).toBeLessThan(Math.max(before, after) + tolerance)
        for (const name of ['heapUsed', 'heapTotal', 'external', 'arrayBuffers']) {
          expect(await page.locator(`[data-stat="memory-${name}"]`).innerText()).toMatch(/^\d+\.\d MB$/)
        }
        expect(await page.locator('[data-stat="event-loop-p99"]').innerText()).toMatch(/ms$|—/)
        expect(await page.locator('[data-section="pool-highlight"]').textContent()).toContain('Threads alive')
        expect(await page.locator('[data-section="cache"]').textContent()).toContain('Entries')

        const widths = await page.evaluate(() => ({
          document: document.documentElement.scrollWidth,
          body: document.body.scrollWidth,
          viewport: window.innerWidth,
        }))
        expect(widths.viewport).toBe(PHONE.width)
        expect(widths.document).toBeLessThanOrEqual(PHONE.width)
        expect(widths.body).toBeLessThanOrEqual(PHONE.width)

        // While visible, the page refreshes its figures by itself (a data request, not a reload).
        await waitForHydration(page, '[data-testid="memory-chart"]')
        const refreshed = await page.waitForResponse((response) => new URL(response.url()).pathname === '/admin.data', {
          timeout: 12_000,
        })
        expect(refreshed.status()).toBe(200)

        fs.mkdirSync(SCREENS_DIR, { recursive: true })
        await page.screenshot({ path: path.join(SCREENS_DIR, 'admin-375-fresh.png'), fullPage: true })
        expect(errors).toEqual([])
      })
    },
  )

  test('reads well in dark mode too (screenshot for humans)', async () => {
    await asAdminOnPhone(
      async ({ page, errors }) => {
        const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor)
        expect(background).not.toBe('rgb(255, 255, 255)')
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)
        fs.mkdirSync(SCREENS_DIR, { recursive: true })
        await page.screenshot({ path: path.join(SCREENS_DIR, 'admin-375-dark.png'), fullPage: true })
        expect(errors).toEqual([])
      },
      { colorScheme: 'dark' },
    )
  })

  test('downloads a gzip heap snapshot through the button', async () => {
    // A post read first, so the pools and the cache have figures to show in the screenshot.
    for (let i = 0; i < 2; i++) await (await fetch(`${server.url}/blog/code-highlighting`)).arrayBuffer()
    await asAdminOnPhone(async ({ page }) => {
      await waitForHydration(page, '[data-download="heapsnapshot-gzip"]')
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 90_000 }),
        page.locator('[data-download="heapsnapshot-gzip"]').click(),
      ])
      expect(download.suggestedFilename()).toMatch(/\.heapsnapshot\.gz$/)
      const file = await download.path()
      expect(await download.failure()).toBeNull()
      const snapshot = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')) as {
        snapshot: { meta: { node_fields: string[] } }
      }
      expect(snapshot.snapshot.meta.node_fields).toContain('self_size')
      // Still on the dashboard, which now lists the download.
      expect(new URL(page.url()).pathname).toBe('/admin')
      await expect
        .poll(
          async () => {
            await page.reload()
            return page.locator('[data-testid="downloads"]').innerText()
          },
          { timeout: 15_000 },
        )
        .toContain('heapsnapshot.gz')
      // The dashboard with a download and some work behind it: the picture for humans.
      await page.evaluate(() => window.scrollTo(0, 0))
      fs.mkdirSync(SCREENS_DIR, { recursive: true })
      await page.screenshot({ path: path.join(SCREENS_DIR, 'admin-375.png'), fullPage: true })
    })
  }, 300_000)
})
