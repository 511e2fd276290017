/**
 * Hostile `redirectTo` values through the real sign-in form in Chromium, with and without
 * JavaScript (Remix's client redirect and the browser's own 302 handling): whatever the
 * value, the browser ends on this site, signed in, and never asks another host for
 * anything. Then the SameSite=Strict session cookie from a user's side: a link to /admin on
 * another site arrives without the cookie, and the admin still lands on the dashboard.
 */
import http from 'node:http'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createAdmin } from '../helpers/auth.ts'
import { launchChromium, waitForHydration } from '../../other/lib/chromium.ts'
import { freePort, sampleContentDir, startServer, tempDir, type KilnServer } from '../helpers/server.ts'
import { stopServer } from '../helpers/fixtures.ts'

const ADMIN = 'redirects@example.com'
const PASSWORD = 'a password for redirects'

/** As a browser reads them: tabs, newlines and backslashes are the point. */
const HOSTILE = [
  '//evil.example/',
  '/\\evil.example',
  '\\\\evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  ' //evil.example',
  'https:evil.example',
  'https://evil.example/',
  'javascript:alert(document.domain)',
  '//127.0.0.1@evil.example/',
  '/.//evil.example',
  '/%2f%2fevil.example',
]

let server: KilnServer
let browser: Browser
let elsewhere: http.Server
let elsewhereUrl: string

beforeAll(async () => {
  server = await startServer({ contentDir: sampleContentDir, databasePath: path.join(tempDir('kiln-db-'), 'kiln.db') })
  await createAdmin(server, ADMIN, PASSWORD)
  browser = await launchChromium()
  // Another site: "localhost" is not the same site as "127.0.0.1".
  const port = await freePort()
  elsewhere = http.createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8')
    res.end(`<!doctype html><title>elsewhere</title><a id="to-admin" href="${server.url}/admin">the blog's admin</a>`)
  })
  await new Promise<void>((resolve) => elsewhere.listen(port, '127.0.0.1', resolve))
  elsewhereUrl = `http://localhost:${port}`
})

afterAll(async () => {
  await browser?.close()
  await new Promise((resolve) => elsewhere?.close(resolve))
  await stopServer(server)
})

/** Every host the context asked for, other than this site's. */
function foreignRequests(context: BrowserContext): string[] {
  const seen: string[] = []
  context.on('request', (request) => {
    const url = request.url()
    if (!url.startsWith(`${server.url}/`)) seen.push(url)
  })
  return seen
}

async function submitSignIn(page: Page, redirectTo: string, hydrated: boolean) {
  await page.goto(`${server.url}/login`)
  const form = page.locator('form:has(input[name="password"])')
  if (hydrated) await waitForHydration(page, 'form:has(input[name="password"]) button[type="submit"]')
  await form.locator('input[name="email"]').fill(ADMIN)
  await form.locator('input[name="password"]').fill(PASSWORD)
  // The value goes into the form exactly, not through the URL's own decoding, and the submit
  // button is clicked in the same task: a re-render between the two (route discovery after
  // hydration can cause one) cannot put the default back before the form is read.
  await form.evaluate((element, value) => {
    ;(element.querySelector('input[name="redirectTo"]') as HTMLInputElement).value = value
    ;(element.querySelector('button[type="submit"]') as HTMLButtonElement).click()
  }, redirectTo)
  // Signed in: the browser has left /login (wherever it went).
  await page.waitForURL((url) => url.pathname !== '/login', { timeout: 30_000 })
  await page.waitForLoadState('load')
}

describe('hostile redirectTo through the real sign-in form', () => {
  for (const javaScriptEnabled of [true, false]) {
    test(`keeps the browser on this site ${javaScriptEnabled ? 'with' : 'without'} JavaScript`, async () => {
      const context = await browser.newContext({ javaScriptEnabled })
      const foreign = foreignRequests(context)
      const page = await context.newPage()
      page.setDefaultTimeout(30_000)
      const dialogs: string[] = []
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message())
        void dialog.dismiss()
      })
      try {
        for (const value of HOSTILE) {
          await context.clearCookies()
          await submitSignIn(page, value, javaScriptEnabled)
          const landed = new URL(page.url())
          expect(landed.origin, JSON.stringify(value)).toBe(server.url)
          expect(await context.cookies(server.url)).toContainEqual(expect.objectContaining({ name: 'kiln_session' }))
          // And /login visited while signed in sends the browser on to the same kind of place.
          await page.goto(`${server.url}/login?redirectTo=${encodeURIComponent(value)}`)
          await page.waitForLoadState('load')
          expect(new URL(page.url()).origin, `signed in, ${JSON.stringify(value)}`).toBe(server.url)
        }
        expect(foreign).toEqual([])
        expect(dialogs).toEqual([])
      } catch (error) {
        if (error instanceof Error) error.message += `\n--- server output ---\n${server.output().slice(-3000)}`
        throw error
      } finally {
        await context.close()
      }
    }, 240_000)
  }

  test('still follows a redirect to a page on this site', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    try {
      await submitSignIn(page, '/blog?from=sign-in', true)
      expect(page.url()).toBe(`${server.url}/blog?from=sign-in`)
    } finally {
      await context.close()
    }
  }, 120_000)
})

describe('the Strict session cookie and links from other sites', () => {
  test(
    'a link to /admin on another site lands a signed-in admin ' + 'on the dashboard, not on the sign-in form',
    async () => {
      const context = await browser.newContext()
      const page = await context.newPage()
      page.setDefaultTimeout(30_000)
      try {
        await submitSignIn(page, '/admin', true)
        await page.locator('[data-testid="memory-chart"]').waitFor()
        const session = (await context.cookies(server.url)).find((cookie) => cookie.name === 'kiln_session')
        expect(session?.sameSite).toBe('Strict')

        await page.goto(elsewhereUrl)
        await page.locator('#to-admin').click()
        await page.waitForURL(`${server.url}/admin`)
        await page.locator('[data-testid="memory-chart"]').waitFor()
      } catch (error) {
        if (error instanceof Error) error.message += `\n--- server output ---\n${server.output().slice(-3000)}`
        throw error
      } finally {
        await context.close()
      }
    },
    120_000,
  )
})
