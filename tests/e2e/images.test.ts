/**
 * Images beside a post in real Chromium: what only a browser can prove. No layout shift
 * while the page and its images load (Cumulative Layout Shift 0, from a
 * PerformanceObserver), images below the fold not fetched until the reader scrolls to
 * them, Chromium choosing the AVIF source, and each <img>'s width and height those of
 * its file.
 */
import path from 'node:path'
import { expect } from 'vitest'
import { test } from '../helpers/fixtures.ts'
import { IMAGE_SIZES, writeImages } from '../helpers/images.ts'

const filler = Array.from(
  { length: 40 },
  (_, i) => `Paragraph ${i}: words that push the next pictures well below the fold of a desktop window.`,
).join('\n\n')

const SOURCE = [
  '---\ntitle: Pictures in a browser\ndate: 2026-01-01\n---\n',
  'Opening words.\n',
  '![A diagram](./diagram.png)\n',
  filler,
  '\n![A photo](./photo.jpg)\n',
  '![A screenshot](./shot.webp)\n',
  '![A logo](./logo.svg)\n',
].join('\n')

test('a post with images: no layout shift, lazy below the fold, AVIF, the files’ own sizes', async ({
  makeContentDir,
  startServer,
  openBrowserSession,
}) => {
  const content = makeContentDir({ 'blog/pictures/index.mdx': SOURCE })
  await writeImages(path.join(content, 'blog', 'pictures'))
  const server = await startServer({ contentDir: content })
  const { page, pageErrors } = await openBrowserSession(server)
  await page.addInitScript(() => {
    const shifts: number[] = []
    ;(window as unknown as { kilnShifts: number[] }).kilnShifts = shifts
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as (PerformanceEntry & { value: number })[]) shifts.push(entry.value)
    }).observe({ type: 'layout-shift', buffered: true })
  })
  const imageTypes = new Map<string, string>()
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/images/'))
      imageTypes.set(response.url(), response.headers()['content-type'] ?? '')
  })

  await page.goto('/blog/pictures', { waitUntil: 'load' })
  const image = (alt: string) => page.locator(`img[alt="${alt}"]`)
  await expect.poll(() => image('A diagram').evaluate((img: HTMLImageElement) => img.complete)).toBe(true)
  const diagram = await image('A diagram').evaluate((img: HTMLImageElement) => img.currentSrc)
  expect(diagram).toMatch(/\.avif$/)
  expect(imageTypes.get(diagram)).toBe('image/avif')
  // Below the fold: nothing fetched yet.
  const fetchedBeforeScroll = [...imageTypes.keys()]
  for (const alt of ['A photo', 'A screenshot']) {
    const srcset = await image(alt).evaluate((img: HTMLImageElement) => img.parentElement!.innerHTML)
    const hash = /\/images\/([0-9a-f]{20})\//.exec(srcset)?.[1]
    expect(hash).toBeTruthy()
    expect(fetchedBeforeScroll.some((url) => url.includes(hash!))).toBe(false)
    expect(await image(alt).evaluate((img: HTMLImageElement) => img.currentSrc)).toBe('')
  }

  for (const alt of ['A photo', 'A screenshot', 'A logo']) {
    await image(alt).scrollIntoViewIfNeeded()
    await expect
      .poll(() => image(alt).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0))
      .toBe(true)
  }
  for (const alt of ['A photo', 'A screenshot']) {
    const src = await image(alt).evaluate((img: HTMLImageElement) => img.currentSrc)
    expect(src).toMatch(/\.avif$/)
    expect(imageTypes.get(src)).toBe('image/avif')
  }

  const sizes = await page.evaluate(() =>
    [...document.querySelectorAll('article img')].map((img) => {
      const image = img as HTMLImageElement
      const ratio = image.naturalWidth / image.naturalHeight
      return { alt: image.alt, width: image.getAttribute('width'), height: image.getAttribute('height'), ratio }
    }),
  )
  for (const [alt, file] of [
    ['A diagram', 'diagram.png'],
    ['A photo', 'photo.jpg'],
    ['A screenshot', 'shot.webp'],
    ['A logo', 'logo.svg'],
  ] as const) {
    const [width, height] = IMAGE_SIZES[file]
    const found = sizes.find((size) => size.alt === alt)
    expect(found, alt).toMatchObject({ width: String(width), height: String(height) })
    expect(found!.ratio).toBeCloseTo(width / height, 1)
  }

  const shifts = await page.evaluate(() => (window as unknown as { kilnShifts: number[] }).kilnShifts)
  expect(shifts.reduce((sum, value) => sum + value, 0)).toBe(0)
  expect(pageErrors).toEqual([])
}, 120_000)
