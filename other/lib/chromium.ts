/**
 * Real headless Chromium for end-to-end tests: Debian's /usr/bin/chromium (never a
 * downloaded browser), with the flags this closed network needs.
 */
import fs from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH`)
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  })
}

/**
 * Resolves once React has hydrated the element: React 18 attaches its fiber to the DOM
 * nodes it owns under a `__reactFiber$<random>` key, which server HTML never has.
 * `timeout` guards against a hang: a long post's bundle hydrates for seconds on a busy machine.
 */
export async function waitForHydration(page: Page, selector: string, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    (sel) => {
      const element = document.querySelector(sel)
      return element !== null && Object.keys(element).some((key) => key.startsWith('__reactFiber$'))
    },
    selector,
    { timeout },
  )
}
