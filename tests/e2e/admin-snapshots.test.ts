/**
 * The kept-snapshot pages on a 390 px phone, signed in, in the light and the dark theme,
 * in real Chromium: the list, a summary, a comparison and the dashboard's share card never
 * scroll sideways (their tables scroll inside themselves) and axe finds nothing.
 * Screenshots for humans land in .cache/screens/.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { axeViolations, THEMES } from '../../other/lib/axe.ts'
import { launchChromium, waitForHydration } from '../../other/lib/chromium.ts'
import { createAdmin, signIn } from '../helpers/auth.ts'
import { stopServer } from '../helpers/fixtures.ts'
import { get, repoRoot, sampleContentDir, startServer, tempDir, type KilnServer } from '../helpers/server.ts'

const ADMIN = 'phone-snapshots@example.com'
const PASSWORD = 'a phone snapshots password'
const PHONE = { width: 390, height: 844 }
const SCREENS_DIR = path.join(repoRoot, '.cache', 'screens')

let server: KilnServer
let browser: Browser
let session: string
const ids: string[] = []

async function post(fields: Record<string, string>): Promise<Response> {
  return get(server, '/admin/snapshots', {
    method: 'POST',
    headers: { Cookie: session, 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url },
    body: new URLSearchParams(fields).toString(),
  })
}

beforeAll(async () => {
  server = await startServer({
    contentDir: sampleContentDir,
    env: { DIAGNOSTICS_DIR: path.join(tempDir('kiln-snapshots-e2e-'), 'kept') },
  })
  await createAdmin(server, ADMIN, PASSWORD)
  session = await signIn(server, ADMIN, PASSWORD)
  // Two kept snapshots, summarized over HTTP first (a summary is computed once), and a share link.
  for (let i = 0; i < 2; i++) {
    const taken = await post({ intent: 'take' })
    expect(taken.status, await taken.text()).toBe(303)
    const id = taken.headers.get('location')!.split('/').at(-1)!
    ids.push(id)
    expect((await get(server, `/admin/snapshots/${id}`, { headers: { Cookie: session } })).status).toBe(200)
  }
  expect((await post({ intent: 'share', id: ids[1], gzip: '1', redirectTo: '/admin' })).status).toBe(303)
  browser = await launchChromium()
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await stopServer(server)
})

describe('the snapshot pages on a 390 px phone', () => {
  for (const theme of THEMES) {
    test(`fit the screen and pass axe in the ${theme} theme`, async () => {
      const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, baseURL: server.url })
      const [name, value] = session.split('=')
      await context.addCookies([
        { name, value, url: server.url },
        { name: 'kiln_theme', value: theme, url: server.url },
      ])
      const page = await context.newPage()
      page.setDefaultTimeout(30_000)
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(`${error.name}: ${error.message}`))
      try {
        const pages = [
          { path: '/admin/snapshots', ready: '[data-testid="kept-snapshots"]', shot: 'snapshots' },
          { path: `/admin/snapshots/${ids[0]}`, ready: '[data-testid="by-size"]', shot: 'summary' },
          { path: `/admin/snapshots/${ids[0]}/diff/${ids[1]}`, ready: '[data-testid="grew"]', shot: 'diff' },
          { path: '/admin#shares', ready: '[data-testid="shares"]', shot: 'dashboard' },
        ]
        for (const target of pages) {
          const response = await page.goto(target.path)
          expect(response?.status(), target.path).toBe(200)
          await waitForHydration(page, target.ready)
          expect(await page.locator('html').getAttribute('class')).toBe(theme)
          const width = await page.evaluate(() => document.scrollingElement!.scrollWidth)
          expect(width, `${target.path} scrolls sideways`).toBeLessThanOrEqual(PHONE.width)
          expect(await axeViolations(page), target.path).toEqual([])
          fs.mkdirSync(SCREENS_DIR, { recursive: true })
          await page.screenshot({
            path: path.join(SCREENS_DIR, `admin-${target.shot}-390-${theme}.png`),
            fullPage: true,
          })
        }
        expect(errors).toEqual([])
      } finally {
        await context.close()
      }
    }, 180_000)
  }
})
