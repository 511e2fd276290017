/**
 * Images beside posts against the real server: a folder post with a file of every format
 * (made by sharp), a huge one, a corrupt one and one that is not an image; every copy its
 * page declares is served (AVIF, WebP, the original format; the sizes it says), and
 * nothing else is made; SVG is sandboxed; the cover is the social card; a changed image is
 * a new version; many large images resized at once keep the server's memory bounded, and
 * the disk kept for copies stays within IMAGE_CACHE_MAX_BYTES.
 */
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createAdminAndSignIn } from '../helpers/auth.ts'
import { stopServer } from '../helpers/fixtures.ts'
import { get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'
import { writeImages } from '../helpers/images.ts'
import { waitForValue } from '../helpers/wait.ts'

const METRICS_TOKEN = 'image-metrics-token'
/** The image pool's queue (MAX_QUEUED_RESIZES in app/images/image-pool.server.ts). */
const MAX_QUEUED = 64
/** Small enough that the copies of the "many" post cannot all stay. */
const CACHE_MAX_BYTES = 20_000
const MANY = 6
/** 6 images of 1000 px: 4 widths x 3 formats each, 72 copies, more than the pool's queue takes. */
const QUEUE_IMAGES = 6

const post = (title: string, body: string, extra = '') =>
  `---\ntitle: ${title}\ndate: 2026-01-01\n${extra}---\n\n${body}\n`

let server: KilnServer
let content: string

beforeAll(async () => {
  content = makeContentDir({
    'blog/pictures/index.mdx': post(
      'Pictures',
      [
        '![A diagram](./diagram.png)',
        '<img src="./photo.jpg" alt="A photo" />',
        '![A screenshot](./shot.webp) ![AVIF](./pic.avif) ![Still](./still.gif) ![Moving](./anim.gif)',
        '![Logo](./logo.svg)',
        '![Huge](./huge.png) ![Corrupt](./corrupt.png) ![Text](./not-an-image.png)',
      ].join('\n\n'),
      'image: ./photo.jpg\n',
    ),
    'blog/queue/index.mdx': post(
      'A queue of images',
      Array.from({ length: QUEUE_IMAGES }, (_, i) => `![Queued ${i}](./q${i}-kiln-test-resize-hold.png)`).join('\n\n'),
    ),
    'blog/many/index.mdx': post(
      'Many large images',
      Array.from({ length: MANY }, (_, i) => `![Large ${i}](./large-${i}.jpg)`).join('\n\n'),
    ),
  })
  await writeImages(path.join(content, 'blog', 'pictures'), { huge: true })
  // 12-megapixel photos (a decoded copy is 36 MB), each a different colour so each has its own hash.
  for (let i = 0; i < MANY; i++) {
    await sharp({ create: { width: 4000, height: 3000, channels: 3, background: { r: 40 * i, g: 90, b: 160 } } })
      .jpeg({ quality: 70 })
      .toFile(path.join(content, 'blog', 'many', `large-${i}.jpg`))
  }
  for (let i = 0; i < QUEUE_IMAGES; i++) {
    await sharp({ create: { width: 1000, height: 500, channels: 3, background: { r: 30 * i, g: 10, b: 99 } } })
      .png()
      .toFile(path.join(content, 'blog', 'queue', `q${i}-kiln-test-resize-hold.png`))
  }
  server = await startServer({
    contentDir: content,
    env: {
      METRICS_TOKEN,
      IMAGE_CACHE_MAX_BYTES: String(CACHE_MAX_BYTES),
      CONTENT_SCAN_INTERVAL_MS: '1',
      KILN_TEST_FAULTS: '1',
      // The queue test holds 65 requests open while the pool is held; the server must not cut them.
      REQUEST_TIMEOUT_MS: '180000',
    },
  })
}, 180_000)

afterAll(async () => {
  await stopServer(server)
  fs.rmSync(content, { recursive: true, force: true })
})

const cacheDir = () => path.join(path.dirname(server.databasePath), 'images')

async function page(pathname: string): Promise<string> {
  const response = await get(server, pathname)
  expect(response.status).toBe(200)
  return response.text()
}

const imageUrls = (html: string) => [...new Set([...html.matchAll(/\/images\/[0-9a-f]{20}\/[\w.]+/g)].map((m) => m[0]))]

async function metric(name: string): Promise<number> {
  const response = await get(server, '/metrics', { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })
  const text = await response.text()
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name} `) || (!name.includes('{') && l.startsWith(`${name}{`)))
  return Number(line?.slice(line.lastIndexOf(' ') + 1) ?? NaN)
}

describe('a folder post with images in every format', () => {
  let html: string
  beforeAll(async () => {
    html = await page('/blog/pictures')
  }, 120_000)

  test('every copy the page declares is served, immutable, in its format and at its width', async () => {
    const urls = imageUrls(html)
    expect(urls.some((url) => url.endsWith('.avif'))).toBe(true)
    for (const url of urls.filter((u) => !u.endsWith('social.jpg'))) {
      const response = await get(server, url)
      expect(response.status, url).toBe(200)
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
      const bytes = Buffer.from(await response.arrayBuffer())
      const meta = await sharp(bytes).metadata()
      const ext = url.slice(url.lastIndexOf('.') + 1)
      expect(response.headers.get('content-type'), url).toBe(
        {
          avif: 'image/avif',
          webp: 'image/webp',
          jpg: 'image/jpeg',
          png: 'image/png',
          gif: 'image/gif',
          svg: 'image/svg+xml',
        }[ext],
      )
      expect({ avif: 'heif', jpg: 'jpeg' }[ext] ?? ext).toBe(meta.format)
      const width = Number(/\/(\d+)\.\w+$/.exec(url)?.[1])
      if (width) expect(meta.width, url).toBe(width)
    }
  }, 180_000)

  test('a client holding a copy gets 304', async () => {
    const url = imageUrls(html).find((u) => u.endsWith('.webp'))!
    const etag = (await get(server, url)).headers.get('etag')!
    const again = await get(server, url, { headers: { 'If-None-Match': etag } })
    expect(again.status).toBe(304)
    expect(again.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
  })

  test('an SVG is sent as it is, sandboxed', async () => {
    const url = imageUrls(html).find((u) => u.endsWith('.svg'))!
    const response = await get(server, url)
    expect(response.headers.get('content-security-policy')).toMatch(/(^|; )sandbox($|;)/)
    expect(await response.text()).toContain('<script>')
  })

  test('huge, corrupt and non-image files render as plain links, and the page still renders', () => {
    for (const name of ['huge.png', 'corrupt.png', 'not-an-image.png'])
      expect(html).toContain(`<a href="./${name}" class="kiln-image-unavailable">`)
  })

  test('a copy, a width or a format no page declared is 404, and nothing is made for it', async () => {
    const declared = imageUrls(html).find((u) => /\/\d+\.avif$/.test(u))!
    const hash = declared.split('/')[2]
    const before = await metric('kiln_image_resizes_total')
    for (const attempt of [
      `/images/${hash}/1000.avif`,
      `/images/${hash}/7000.png`,
      `/images/${hash}/320.tiff`,
      `/images/${hash}/original.png`,
      `/images/${'0'.repeat(20)}/320.avif`,
      `/images/${hash}/..%2f..%2fkiln.db`,
      `/images/${hash}/320.avif.tmp`,
    ]) {
      expect((await get(server, attempt)).status, attempt).toBe(404)
    }
    expect(await metric('kiln_image_resizes_total')).toBe(before)
    expect(fs.existsSync(path.join(cacheDir(), hash, '1000.avif'))).toBe(false)
  })

  test('the cover beside the post is its 1200x630 social card', async () => {
    const og = /<meta property="og:image" content="([^"]+)"/.exec(html)?.[1] ?? ''
    expect(og).toMatch(/\/images\/[0-9a-f]{20}\/social\.jpg$/)
    const response = await get(server, new URL(og).pathname)
    const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata()
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1200, 630])
  })

  test('a changed image is a new version of the post: new URLs, the old ones gone', async () => {
    const photoUrl = (text: string) =>
      /src="(\/images\/[0-9a-f]{20}\/\d+\.jpg)"[^>]*alt="A photo"|alt="A photo"[^>]*src="(\/images\/[0-9a-f]{20}\/\d+\.jpg)"/.exec(
        text,
      )
    const old = photoUrl(html)
    const oldUrl = old?.[1] ?? old?.[2]
    expect(oldUrl).toBeTruthy()
    await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#ff0000' } })
      .jpeg()
      .toFile(path.join(content, 'blog', 'pictures', 'photo.jpg'))
    const newUrl = await waitForValue(
      async () => {
        const found = photoUrl(await page('/blog/pictures'))
        return found?.[1] ?? found?.[2]
      },
      (url) => Boolean(url) && url !== oldUrl,
      'the page to show the changed photo',
      90_000,
    )
    expect((await get(server, newUrl!)).status).toBe(200)
    expect((await get(server, oldUrl!)).status).toBe(404)
  }, 120_000)
})

describe('many large images resized at once', () => {
  test("the server's memory stays bounded and the disk cache within IMAGE_CACHE_MAX_BYTES", async () => {
    const html = await page('/blog/many')
    const urls = imageUrls(html).filter((url) => /\/960\.(avif|webp)$/.test(url))
    expect(urls.length).toBe(MANY * 2)
    const rss = (pid: number) =>
      Number(/^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024
    /** The server and its image process (sharp runs in a child of the server). */
    const processTree = (pid: number): number[] => {
      let children: string[] = []
      try {
        children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)
      } catch {
        // gone
      }
      return [pid, ...children.flatMap((child) => processTree(Number(child)))]
    }
    let peak = { server: 0, tree: 0 }
    const sample = () => {
      const pids = processTree(server.serverPid())
      let tree = 0
      for (const pid of pids) {
        try {
          tree += rss(pid)
        } catch {
          // ended between the listing and the read
        }
      }
      peak = { server: Math.max(peak.server, rss(pids[0])), tree: Math.max(peak.tree, tree) }
    }
    const sampler = setInterval(sample, 50)
    let sizes: number[] = []
    try {
      // Fewer than MAX_QUEUED_RESIZES: every one is made, one after another.
      const responses = await Promise.all(urls.map((url) => get(server, url)))
      for (const response of responses) expect(response.status).toBe(200)
      sizes = await Promise.all(responses.map(async (response) => (await response.arrayBuffer()).byteLength))
    } finally {
      clearInterval(sampler)
    }
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`
    console.log(
      `[images] ${urls.length} resizes of 12 MP photos at once: server RSS peak ${mib(peak.server)}, ` +
        `with its child processes ${mib(peak.tree)}`,
    )
    expect(peak.server).toBeLessThan(400 * 2 ** 20)
    expect(peak.tree).toBeLessThan(700 * 2 ** 20)
    // The disk kept for copies: at most the bound, plus the one copy just made.
    const onDisk = fs
      .readdirSync(cacheDir())
      .flatMap((hash) =>
        fs.readdirSync(path.join(cacheDir(), hash)).map((f) => fs.statSync(path.join(cacheDir(), hash, f)).size),
      )
      .reduce((a, b) => a + b, 0)
    const largest = Math.max(...sizes)
    expect(onDisk).toBeLessThanOrEqual(CACHE_MAX_BYTES + largest)
    expect(await metric('kiln_image_cache_bytes')).toBe(onDisk)
    expect(await metric('kiln_image_cache_evictions_total')).toBeGreaterThan(0)
  }, 300_000)
})

test('/admin shows the image cache and the image pool', async () => {
  const cookie = await createAdminAndSignIn(server, 'images@example.com', 'a long enough password 1')
  const html = await (await get(server, '/admin', { headers: { cookie } })).text()
  const stat = (name: string) => new RegExp(`data-stat="${name}"[^>]*>([^<]*)<`).exec(html)?.[1]
  expect(html).toContain('Images')
  expect(Number(stat('image-resizes'))).toBeGreaterThan(0)
  expect(stat('image-cache-bytes')).toMatch(/\d/)
}, 60_000)

test('copies beyond the pool’s queue are refused with 503, and the queued ones are all made', async () => {
  const html = await page('/blog/queue')
  const urls = imageUrls(html).filter((url) => /\/\d+\.\w+$/.test(url))
  expect(urls.length).toBeGreaterThanOrEqual(MAX_QUEUED + 2)
  const holds = Array.from({ length: QUEUE_IMAGES }, (_, i) =>
    path.join(content, 'blog', 'queue', `q${i}-kiln-test-resize-hold.png.hold`),
  )
  for (const hold of holds) fs.writeFileSync(hold, '')
  try {
    const first = get(server, urls[0])
    await waitForValue(
      () => metric('kiln_worker_pool_threads{pool="image"}'),
      (n) => n === 1,
      'the held resize',
    )
    const queued = urls.slice(1, MAX_QUEUED + 1).map((url) => get(server, url))
    await waitForValue(
      () => metric('kiln_worker_pool_queued{pool="image"}'),
      (n) => n === MAX_QUEUED,
      'a full queue',
    )
    const refused = await get(server, urls[MAX_QUEUED + 1])
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('5')
    for (const hold of holds) fs.rmSync(hold)
    const answers = await Promise.all([first, ...queued])
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200))
    expect((await get(server, urls[MAX_QUEUED + 1])).status).toBe(200)
  } finally {
    for (const hold of holds) fs.rmSync(hold, { force: true })
  }
}, 180_000)
