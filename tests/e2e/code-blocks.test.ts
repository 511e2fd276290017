/**
 * End-to-end tests in a real headless Chromium: code blocks as a reader sees them.
 *
 * Two production servers are started once: one on the sample content (the post
 * /blog/code-highlighting is the gallery of languages, titles, highlighted lines and
 * diffs), one on a small content folder of our own with the cases the sample lacks (an
 * unknown language with HTML in it, line numbers without a title). Each test opens its
 * own browser context: colour scheme, JavaScript and clipboard permissions differ per test.
 */
import fs from 'node:fs'
import path from 'node:path'
import { type Browser, type BrowserContextOptions, type Locator, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { launchChromium, waitForHydration } from '../../other/lib/chromium.ts'
import { makeContentDir, repoRoot, sampleContentDir, startServer, type KilnServer } from '../helpers/server.ts'
import { stopServer, withBrowserSession, type BrowserSession } from '../helpers/fixtures.ts'

const SCREENS_DIR = path.join(repoRoot, '.scratch', 'screens')
const SAMPLE_POST = '/blog/code-highlighting'
const SAMPLE_SOURCE = fs.readFileSync(path.join(sampleContentDir, 'blog', 'code-highlighting.mdx'), 'utf8')

/** The unknown-language block of our own post: HTML in it must stay text. */
const UNKNOWN_LANG_CODE = [
  '<script>alert(1)</script>',
  '<img src="x" onerror="alert(2)">',
  'a && b < c > d &amp; "quoted" \'single\'',
  '{curly} and `backticks`',
].join('\n')
const LINE_NUMBERED_CODE = ['const a = 1', 'const b = 2', '', 'export const sum = a + b'].join('\n')
const OWN_POST = `---
title: Code block edge cases
date: 2026-02-01
---

Unknown language, with a title, a highlighted line and line numbers:

\`\`\`kiln-no-such-lang title="weird.txt" {2} showLineNumbers
${UNKNOWN_LANG_CODE}
\`\`\`

Line numbers and nothing else:

\`\`\`ts showLineNumbers
${LINE_NUMBERED_CODE}
\`\`\`
`

let server: KilnServer
let ownServer: KilnServer
let ownContentDir: string
let browser: Browser

beforeAll(async () => {
  ownContentDir = makeContentDir({ 'blog/edge-cases.mdx': OWN_POST })
  ;[server, ownServer] = await Promise.all([
    startServer({ contentDir: sampleContentDir }),
    startServer({ contentDir: ownContentDir }),
  ])
  browser = await launchChromium()
  // Compile both posts once up front, so no test pays for the first compile.
  const warm = await Promise.all([fetch(server.url + SAMPLE_POST), fetch(ownServer.url + '/blog/edge-cases')])
  for (const response of warm) expect(response.status).toBe(200)
})

afterAll(async () => {
  await browser?.close()
  await Promise.all([stopServer(server), stopServer(ownServer)])
  if (ownContentDir) fs.rmSync(ownContentDir, { recursive: true, force: true })
})

interface Session extends BrowserSession {
  dialogs: string[]
}

/**
 * Runs `body` in a fresh context (on `server` unless `on` names another), always closing it; dialogs are dismissed and
 * recorded.
 */
async function withSession(
  body: (session: Session) => Promise<void>,
  options: BrowserContextOptions & { on?: KilnServer } = {},
): Promise<void> {
  const { on = server, ...contextOptions } = options
  await withBrowserSession(
    browser,
    on,
    async (session) => {
      const dialogs: string[] = []
      session.page.on('dialog', (dialog) => {
        dialogs.push(`${dialog.type()}: ${dialog.message()}`)
        void dialog.dismiss()
      })
      await body({ ...session, dialogs })
    },
    contextOptions,
  )
}

/** The fenced code blocks of a Markdown/MDX source, in order: info string and code (without its last newline). */
function fencedBlocks(source: string): { info: string; code: string }[] {
  const blocks: { info: string; code: string }[] = []
  const fence = /^(`{3,})([^\n]*)\n([\s\S]*?)^\1[ \t]*$/gm
  for (const match of source.matchAll(fence)) blocks.push({ info: match[2].trim(), code: match[3].replace(/\n$/, '') })
  return blocks
}

interface Rgba {
  r: number
  g: number
  b: number
  a: number
}

/** '#rgb', '#rgba', '#rrggbb' or '#rrggbbaa' as numbers. */
function hexToRgba(hex: string): Rgba {
  let digits = hex.trim().replace(/^#/, '')
  if (!/^[0-9a-f]+$/i.test(digits) || ![3, 4, 6, 8].includes(digits.length))
    throw new Error(`not a hex colour: ${JSON.stringify(hex)}`)
  if (digits.length <= 4) digits = [...digits].map((d) => d + d).join('')
  const channel = (i: number) => parseInt(digits.slice(i * 2, i * 2 + 2), 16)
  return { r: channel(0), g: channel(1), b: channel(2), a: digits.length === 8 ? channel(3) / 255 : 1 }
}

/** A computed colour, 'rgb(r, g, b)' or 'rgba(r, g, b, a)', as numbers. */
function parseComputedColor(css: string): Rgba {
  const match = /^rgba?\(\s*([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\s*\)$/.exec(css.trim())
  if (!match) throw new Error(`not a computed rgb colour: ${JSON.stringify(css)}`)
  return {
    r: Number(match[1]),
    g: Number(match[2]),
    b: Number(match[3]),
    a: match[4] === undefined ? 1 : Number(match[4]),
  }
}

function expectSameColor(computed: string, hex: string, what: string): void {
  const actual = parseComputedColor(computed)
  const expected = hexToRgba(hex)
  const close =
    actual.r === expected.r &&
    actual.g === expected.g &&
    actual.b === expected.b &&
    Math.abs(actual.a - expected.a) < 0.01
  expect(close, `${what}: computed ${computed}, expected ${hex}`).toBe(true)
}

/** The figure of the sample block titled `title`. */
function figureTitled(page: Page, title: string): Locator {
  return page
    .locator('article figure.code-block')
    .filter({ has: page.locator('figcaption.code-title', { hasText: new RegExp(`^${title.replace('.', '\\.')}$`) }) })
}

interface TokenReading {
  text: string
  light: string
  dark: string
  color: string
}

/** The `index`-th token span (one with --shiki-light in its style) of the article's first pre.shiki. */
async function readToken(page: Page, index: number): Promise<TokenReading> {
  return page
    .locator('article pre.shiki')
    .first()
    .evaluate((pre, i) => {
      const span = pre.querySelectorAll<HTMLElement>('span[style*="--shiki-light"]')[i]
      const style = getComputedStyle(span)
      return {
        text: span.textContent ?? '',
        light: style.getPropertyValue('--shiki-light').trim(),
        dark: style.getPropertyValue('--shiki-dark').trim(),
        color: style.color,
      }
    }, index)
}

interface PreReading {
  background: string
  lightBg: string
  darkBg: string
  /** Distinct computed colours of the token spans. */
  tokenColors: string[]
}

async function readPre(pre: Locator): Promise<PreReading> {
  return pre.evaluate((el) => {
    const style = getComputedStyle(el)
    const spans = [...el.querySelectorAll<HTMLElement>('span[style*="--shiki-light"]')].filter((span) =>
      span.textContent?.trim(),
    )
    return {
      background: style.backgroundColor,
      lightBg: style.getPropertyValue('--shiki-light-bg').trim(),
      darkBg: style.getPropertyValue('--shiki-dark-bg').trim(),
      tokenColors: [...new Set(spans.map((span) => getComputedStyle(span).color))],
    }
  })
}

describe('code blocks in Chromium', () => {
  test('highlighted in both colour schemes, each from its own shiki theme', async () => {
    // The token: the first span of the first block whose light and dark colours differ.
    let tokenIndex = -1
    const readings: Partial<Record<'light' | 'dark', { token: TokenReading; pre: PreReading }>> = {}

    for (const colorScheme of ['light', 'dark'] as const) {
      await withSession(
        async ({ page, pageErrors }) => {
          expect((await page.goto(SAMPLE_POST))?.status()).toBe(200)
          expect(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(
            colorScheme === 'dark',
          )
          const firstPre = page.locator('article pre.shiki').first()
          expect(await firstPre.getAttribute('data-language')).toBe('ts')
          if (tokenIndex < 0) {
            tokenIndex = await firstPre.evaluate((pre) =>
              [...pre.querySelectorAll<HTMLElement>('span[style*="--shiki-light"]')].findIndex((span) => {
                const style = getComputedStyle(span)
                return (
                  span.textContent?.trim() &&
                  style.getPropertyValue('--shiki-light').trim() !== style.getPropertyValue('--shiki-dark').trim()
                )
              }),
            )
            expect(tokenIndex, 'a token whose colours differ between themes').toBeGreaterThanOrEqual(0)
          }
          readings[colorScheme] = { token: await readToken(page, tokenIndex), pre: await readPre(firstPre) }
          expect(pageErrors).toEqual([])
        },
        { colorScheme },
      )
    }

    const { light, dark } = readings
    if (!light || !dark) throw new Error('both schemes were read')
    // Same token in both pages.
    expect(dark.token.text).toBe(light.token.text)
    expect(light.token.light).toBe(dark.token.light)
    expect(light.token.dark).toBe(dark.token.dark)
    // Its colour is the one its scheme asks for, and the two differ.
    expectSameColor(light.token.color, light.token.light, `light colour of ${JSON.stringify(light.token.text)}`)
    expectSameColor(dark.token.color, dark.token.dark, `dark colour of ${JSON.stringify(dark.token.text)}`)
    expect(light.token.color).not.toBe(dark.token.color)

    // The block's background follows the scheme too, from the theme's own background.
    expect(light.pre.background).not.toBe(dark.pre.background)
    expectSameColor(light.pre.background, light.pre.lightBg, 'light background of the first block')
    expectSameColor(dark.pre.background, dark.pre.darkBg, 'dark background of the first block')

    // Highlighted, not plain: many colours in the (ts) block, in each scheme.
    expect(light.pre.tokenColors.length, `light colours: ${light.pre.tokenColors.join(' ')}`).toBeGreaterThanOrEqual(3)
    expect(dark.pre.tokenColors.length, `dark colours: ${dark.pre.tokenColors.join(' ')}`).toBeGreaterThanOrEqual(3)
    expect(dark.pre.tokenColors).not.toEqual(light.pre.tokenColors)
    // No token is drawn in its own block's background colour (it would be invisible).
    expect(light.pre.tokenColors).not.toContain(light.pre.background)
    expect(dark.pre.tokenColors).not.toContain(dark.pre.background)
  })

  test('every highlighted language of the sample post is coloured, in both schemes', async () => {
    const expected = fencedBlocks(SAMPLE_SOURCE)
    for (const colorScheme of ['light', 'dark'] as const) {
      await withSession(
        async ({ page }) => {
          expect((await page.goto(SAMPLE_POST))?.status()).toBe(200)
          const blocks = await page.locator('article figure.code-block pre').evaluateAll((pres) =>
            pres.map((pre) => ({
              language: pre.getAttribute('data-language'),
              plain: pre.classList.contains('plain'),
              text: pre.querySelector('code')?.textContent ?? '',
              colors: [
                ...new Set(
                  [...pre.querySelectorAll<HTMLElement>('span[style*="--shiki-light"]')]
                    .filter((span) => span.textContent?.trim())
                    .map((span) => getComputedStyle(span).color),
                ),
              ].length,
            })),
          )
          expect(blocks.map((block) => block.text)).toEqual(expected.map((block) => block.code))
          blocks.forEach((block, index) => {
            const lang = expected[index].info.split(/\s/)[0]
            if (!lang) {
              expect(block.plain, `block ${index} has no language`).toBe(true)
              expect(block.language).toBeNull()
              return
            }
            expect(block.language, `block ${index}`).toBe(lang)
            expect(block.plain, `block ${index} (${lang}) is plain`).toBe(false)
            expect(block.colors, `colours in block ${index} (${lang}), ${colorScheme}`).toBeGreaterThanOrEqual(2)
          })
        },
        { colorScheme },
      )
    }
  })

  test('title, highlighted lines and line numbers from the meta string', async () => {
    await withSession(async ({ page }) => {
      expect((await page.goto(SAMPLE_POST))?.status()).toBe(200)
      const figure = figureTitled(page, 'app.ts')
      expect(await figure.count()).toBe(1)
      expect(await figure.locator('figcaption.code-title').innerText()).toBe('app.ts')
      expect(await figure.locator('figcaption').isVisible()).toBe(true)
      // The caption comes before the code.
      expect(await figure.evaluate((el) => el.firstElementChild?.tagName)).toBe('FIGCAPTION')

      const pre = figure.locator('pre.shiki')
      expect(await pre.getAttribute('data-line-numbers')).not.toBeNull()
      expect(await pre.getAttribute('data-language')).toBe('ts')

      const lines = await pre.locator('code > span.line').evaluateAll((spans) =>
        spans.map((span) => {
          const before = getComputedStyle(span, '::before')
          return {
            text: span.textContent ?? '',
            highlighted: span.classList.contains('highlighted'),
            background: getComputedStyle(span).backgroundColor,
            before: before.content,
            beforeWidth: parseFloat(before.width),
            beforeSelect: before.userSelect,
          }
        }),
      )
      const appTs = fencedBlocks(SAMPLE_SOURCE).find((block) => block.info.includes('title="app.ts"'))
      expect(lines.map((line) => line.text)).toEqual(appTs?.code.split('\n'))
      expect(lines.map((line, i) => (line.highlighted ? i + 1 : 0)).filter(Boolean)).toEqual([1, 3, 4])
      expect(lines[1].highlighted).toBe(false)
      // Highlighted lines look different from the others.
      expect(lines[0].background).not.toBe(lines[1].background)
      expect(lines[0].background).toBe(lines[2].background)
      expect(lines[0].background).not.toMatch(/^rgba\(0, 0, 0, 0\)$|^transparent$/)

      // Line numbers: a counter in ::before, with room, that cannot be selected (so never copied).
      for (const [i, line] of lines.entries()) {
        expect(line.before, `::before of line ${i + 1}`).not.toBe('none')
        expect(line.before).toMatch(/counter\(line\)/)
        expect(line.beforeWidth).toBeGreaterThan(0)
        expect(line.beforeSelect).toBe('none')
      }

      // A block without showLineNumbers has no gutter; Greeting.tsx highlights only line 4.
      const greeting = figureTitled(page, 'Greeting.tsx').locator('pre.shiki')
      expect(await greeting.getAttribute('data-line-numbers')).toBeNull()
      const greetingLines = await greeting.locator('code > span.line').evaluateAll((spans) =>
        spans.map((span) => ({
          highlighted: span.classList.contains('highlighted'),
          before: getComputedStyle(span, '::before').content,
        })),
      )
      expect(greetingLines.map((line, i) => (line.highlighted ? i + 1 : 0)).filter(Boolean)).toEqual([4])
      for (const line of greetingLines) expect(line.before).toBe('none')
    })
  })

  test('line numbers without a title; the numbers are not part of the text', async () => {
    await withSession(
      async ({ page }) => {
        expect((await page.goto('/blog/edge-cases'))?.status()).toBe(200)
        const pre = page.locator('article figure.code-block pre.shiki[data-language="ts"]')
        expect(await pre.count()).toBe(1)
        expect(await pre.getAttribute('data-line-numbers')).not.toBeNull()
        const figure = page.locator('article figure.code-block').filter({ has: pre })
        expect(await figure.locator('figcaption').count()).toBe(0)
        const lines = pre.locator('code > span.line')
        expect(await lines.count()).toBe(LINE_NUMBERED_CODE.split('\n').length)
        expect(
          await lines.evaluateAll((spans) => spans.filter((span) => span.classList.contains('highlighted')).length),
        ).toBe(0)
        expect(await pre.locator('code').textContent()).toBe(LINE_NUMBERED_CODE)
        expect(
          await pre.evaluate((el) => getComputedStyle(el.querySelector('.line') as Element, '::before').content),
        ).toMatch(/counter\(line\)/)
      },
      { on: ownServer },
    )
  })

  test('a diff block marks added and removed lines', async () => {
    await withSession(async ({ page }) => {
      expect((await page.goto(SAMPLE_POST))?.status()).toBe(200)
      const pre = page.locator('article figure.code-block pre.shiki[data-language="diff"]')
      expect(await pre.count()).toBe(1)
      const lines = await pre.locator('code > span.line').evaluateAll((spans) =>
        spans.map((span) => ({
          text: span.textContent ?? '',
          classes: [...span.classList],
          background: getComputedStyle(span).backgroundColor,
        })),
      )
      const diff = fencedBlocks(SAMPLE_SOURCE).find((block) => block.info === 'diff')
      expect(lines.map((line) => line.text)).toEqual(diff?.code.split('\n'))

      const added = lines.filter((line) => line.classes.includes('add'))
      const removed = lines.filter((line) => line.classes.includes('remove'))
      expect(added.map((line) => line.text)).toEqual(['+updated: 2026-02-12', '+  - code'])
      expect(removed.map((line) => line.text)).toEqual(['-  - Code'])
      for (const line of [...added, ...removed]) expect(line.classes).toContain('diff')
      // The " ---" context lines are neither.
      const context = lines.filter((line) => !line.classes.includes('diff'))
      expect(context.length).toBe(lines.length - 3)
      // Added, removed and context lines are told apart by their background.
      expect(new Set([added[0].background, removed[0].background, context[0].background]).size).toBe(3)
      expect(added[1].background).toBe(added[0].background)
    })
  })

  test('blocks without a language or with an unknown one are plain text in the same frame, escaped', async () => {
    // The sample's block without a language.
    await withSession(async ({ page }) => {
      expect((await page.goto(SAMPLE_POST))?.status()).toBe(200)
      const plain = page.locator('article figure.code-block pre.shiki.plain')
      expect(await plain.count()).toBe(1)
      const noLang = fencedBlocks(SAMPLE_SOURCE).find((block) => block.info === '')
      expect(await plain.locator('code').textContent()).toBe(noLang?.code)
      expect(await plain.isVisible()).toBe(true)
      expect(await plain.getAttribute('data-language')).toBeNull()
      expect(await plain.locator('span[style]').count()).toBe(0)
      expect(await plain.locator('code > span.line').count()).toBe(noLang?.code.split('\n').length)
    })

    // Our post: an unknown language whose code is HTML.
    for (const colorScheme of ['light', 'dark'] as const) {
      await withSession(
        async ({ page, pageErrors, dialogs }) => {
          expect((await page.goto('/blog/edge-cases'))?.status()).toBe(200)
          const figure = page.locator('article figure.code-block').filter({ has: page.locator('pre.plain') })
          expect(await figure.count()).toBe(1)
          const pre = figure.locator('pre.shiki.plain')
          expect(await pre.getAttribute('data-language')).toBe('kiln-no-such-lang')
          expect(await pre.locator('code').textContent()).toBe(UNKNOWN_LANG_CODE)
          expect(await pre.isVisible()).toBe(true)
          expect(await pre.innerText()).toContain('<script>alert(1)</script>')

          // Text, not markup: no script, no img came out of the block.
          expect(await pre.locator('script, img').count()).toBe(0)
          // (The page's data script carries the post's code as an escaped string; no script *is* the code.)
          const injected = await page.evaluate(
            () => [...document.scripts].filter((s) => /^\s*alert\(\d\)\s*$/.test(s.textContent ?? '')).length,
          )
          expect(injected).toBe(0)
          expect(await page.locator('article img').count()).toBe(0)

          // The meta string still applies to a plain block: title, line numbers, highlighted line.
          expect(await figure.locator('figcaption.code-title').innerText()).toBe('weird.txt')
          expect(await pre.getAttribute('data-line-numbers')).not.toBeNull()
          const lines = await pre.locator('code > span.line').evaluateAll((spans) =>
            spans.map((span) => ({
              highlighted: span.classList.contains('highlighted'),
              before: getComputedStyle(span, '::before').content,
            })),
          )
          expect(lines.length).toBe(UNKNOWN_LANG_CODE.split('\n').length)
          expect(lines.map((line, i) => (line.highlighted ? i + 1 : 0)).filter(Boolean)).toEqual([2])
          for (const line of lines) expect(line.before).toMatch(/counter\(line\)/)

          // Readable in this scheme: text colour differs from the background, and follows the scheme.
          const colors = await pre.evaluate((el) => ({
            text: getComputedStyle(el.querySelector('.line') as Element).color,
            background: getComputedStyle(el).backgroundColor,
          }))
          expect(colors.text).not.toBe(colors.background)
          expectSameColor(
            colors.text,
            colorScheme === 'dark' ? '#e1e4e8' : '#24292e',
            `plain text colour, ${colorScheme}`,
          )

          await page.waitForLoadState('networkidle')
          expect(dialogs).toEqual([])
          expect(pageErrors).toEqual([])
        },
        { on: ownServer, colorScheme },
      )
    }
  })

  test('the copy button copies the code exactly as written, then says "Copied"', async () => {
    await withSession(async ({ context, page, pageErrors, consoleErrors }) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url })
      expect((await page.goto(SAMPLE_POST))?.status()).toBe(200)
      await waitForHydration(page, 'article figure.code-block .code-frame')

      const figure = figureTitled(page, 'app.ts')
      const button = figure.getByRole('button', { name: 'Copy code' })
      await button.waitFor({ state: 'attached' })
      expect(await figure.getByRole('button').count()).toBe(1)
      // On a desktop the button shows on hover or keyboard focus only.
      expect(await button.evaluate((el) => getComputedStyle(el).opacity)).toBe('0')
      await figure.locator('pre').focus()
      await page.keyboard.press('Tab')
      expect(await button.evaluate((el) => el === document.activeElement)).toBe(true)
      await expect.poll(() => button.evaluate((el) => getComputedStyle(el).opacity)).toBe('1')
      await button.blur()
      await expect.poll(() => button.evaluate((el) => getComputedStyle(el).opacity)).toBe('0')
      await figure.locator('pre').hover()
      await expect.poll(() => button.evaluate((el) => getComputedStyle(el).opacity)).toBe('1')
      expect(await button.innerText()).toBe('Copy')

      await button.click()
      const copied = figure.locator('button.code-copy')
      await expect.poll(() => copied.innerText()).toBe('Copied')
      expect(await copied.getAttribute('aria-label')).toBe('Copied')
      const appTs = fencedBlocks(SAMPLE_SOURCE).find((block) => block.info.includes('title="app.ts"'))
      expect(appTs).toBeDefined()
      const text = await page.evaluate(() => navigator.clipboard.readText())
      expect(text).toBe(appTs?.code)
      expect(text).not.toMatch(/\n$/)
      expect(text.startsWith('import express')).toBe(true)

      // It goes back to "Copy" after a while.
      await expect.poll(() => copied.innerText(), { timeout: 5_000 }).toBe('Copy')
      expect(await copied.getAttribute('aria-label')).toBe('Copy code')

      // Every other block of the post copies exactly as written too (tabs, blank lines, diffs, plain).
      const expected = fencedBlocks(SAMPLE_SOURCE)
      const figures = page.locator('article figure.code-block')
      expect(await figures.count()).toBe(expected.length)
      for (let i = 0; i < expected.length; i++) {
        const each = figures.nth(i)
        await page.evaluate(() => navigator.clipboard.writeText('(nothing copied)'))
        await each.locator('pre').hover()
        await each.locator('button.code-copy').click()
        await expect.poll(() => each.locator('button.code-copy').innerText()).toBe('Copied')
        expect(
          await page.evaluate(() => navigator.clipboard.readText()),
          `copy of block ${i} (${expected[i].info || 'no language'})`,
        ).toBe(expected[i].code)
      }

      expect(pageErrors).toEqual([])
      expect(consoleErrors).toEqual([])
    })
  })

  test('without JavaScript: still highlighted (server-rendered), no copy button', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      await withSession(
        async ({ page }) => {
          expect((await page.goto(SAMPLE_POST))?.status()).toBe(200)
          const figures = page.locator('article figure.code-block')
          expect(await figures.count()).toBe(fencedBlocks(SAMPLE_SOURCE).length)
          expect(await page.locator('button.code-copy').count()).toBe(0)
          expect(await page.getByRole('button', { name: /copy/i }).count()).toBe(0)
          // Nothing hydrated.
          const fibers = await page
            .locator('article pre')
            .first()
            .evaluate((el) => Object.keys(el).filter((key) => key.startsWith('__react')).length)
          expect(fibers).toBe(0)

          const first = await readPre(page.locator('article pre.shiki').first())
          expect(first.tokenColors.length).toBeGreaterThanOrEqual(3)
          expectSameColor(
            first.background,
            colorScheme === 'dark' ? first.darkBg : first.lightBg,
            `background without JavaScript, ${colorScheme}`,
          )
          const token = await readToken(page, 0)
          expectSameColor(
            token.color,
            colorScheme === 'dark' ? token.dark : token.light,
            `token colour without JavaScript, ${colorScheme}`,
          )
        },
        { javaScriptEnabled: false, colorScheme },
      )
    }
  })

  test('screenshots of code blocks for humans (light and dark)', async () => {
    fs.mkdirSync(SCREENS_DIR, { recursive: true })
    const written: string[] = []
    for (const colorScheme of ['light', 'dark'] as const) {
      await withSession(
        async ({ page }) => {
          expect((await page.goto(SAMPLE_POST))?.status()).toBe(200)
          await waitForHydration(page, 'article figure.code-block .code-frame')
          const figure = figureTitled(page, 'app.ts')
          await figure.scrollIntoViewIfNeeded()
          await figure.locator('pre').hover()
          await expect
            .poll(() => figure.locator('button.code-copy').evaluate((el) => getComputedStyle(el).opacity))
            .toBe('1')
          for (const [name, target] of [
            ['app-ts', figure],
            [
              'diff',
              page.locator('article figure.code-block').filter({ has: page.locator('pre[data-language="diff"]') }),
            ],
            ['plain', page.locator('article figure.code-block').filter({ has: page.locator('pre.plain') })],
          ] as const) {
            const file = path.join(SCREENS_DIR, `code-block-${name}-${colorScheme}.png`)
            await target.screenshot({ path: file })
            written.push(file)
          }
        },
        { colorScheme, deviceScaleFactor: 2 },
      )
      await withSession(
        async ({ page }) => {
          expect((await page.goto('/blog/edge-cases'))?.status()).toBe(200)
          const file = path.join(SCREENS_DIR, `code-block-edge-cases-${colorScheme}.png`)
          await page.locator('article').screenshot({ path: file })
          written.push(file)
        },
        { on: ownServer, colorScheme, deviceScaleFactor: 2 },
      )
    }
    for (const file of written) expect(fs.statSync(file).size).toBeGreaterThan(1000)
    console.log(`screenshots:\n${written.join('\n')}`)
  })
})
