/**
 * Images beside a post, at compile time: a folder post with a real file of every format
 * (made by sharp) compiles to <picture>s with the files' own sizes, lazy loading but for
 * the first, srcsets never wider than the image, and declares exactly the copies its
 * page links to; a broken image is a warning at its line and a plain link.
 */
import fs from 'node:fs'
import path from 'node:path'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { getMDXComponent } from 'mdx-bundler/client'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { compileInThisThread, type CompiledEntry } from '../../app/content/compile-mdx.server.ts'
import { Figure } from '../../app/components/mdx-kit/figure.tsx'
import { declaredWidths } from '../../app/images/image-variants.ts'
import { tempDir } from '../helpers/server.ts'
import { IMAGE_SIZES, writeImages } from '../helpers/images.ts'

const HEAD = ['---', 'title: Pictures', 'date: 2026-01-31', 'image: ./photo.jpg', '---', ''].join('\n')

const SOURCE = [
  HEAD,
  "import shot from './shot.webp'",
  "import shared from '../elsewhere/x.png'",
  '',
  '![A diagram](./diagram.png)',
  '',
  '<img src="./photo.jpg" alt="A photo" />',
  '',
  '<img src={shot} alt="A screenshot" />',
  '',
  'Size of the shot: {shot.width}x{shot.height}.',
  '',
  '<img src={shared} alt="Imported from elsewhere" />',
  '',
  '![AVIF](./pic.avif) ![Still](./still.gif) ![Moving](./anim.gif) ![Logo](./logo.svg)',
  '',
  '<Figure src="./diagram.png" alt="The diagram again" caption="A caption" />',
  '',
  '![Broken](./corrupt.png)',
  '',
  '![Text](./not-an-image.png)',
  '',
  '![TIFF](./scan.tiff)',
  '',
  '![Outside](../elsewhere/x.png)',
  '',
  '![Linked](./linked.png)',
  '',
  '![Remote](https://example.com/remote.png)',
].join('\n')

let dir: string
let compiled: CompiledEntry
let html: string

beforeAll(async () => {
  dir = tempDir('kiln-images-')
  await writeImages(path.join(dir, 'blog', 'pictures'))
  fs.mkdirSync(path.join(dir, 'blog', 'elsewhere'))
  await sharp({ create: { width: 500, height: 250, channels: 3, background: '#208040' } })
    .png()
    .toFile(path.join(dir, 'blog', 'elsewhere', 'x.png'))
  // A link in the post's folder that leads out of it (here to an image elsewhere in the content folder).
  fs.symlinkSync(path.join(dir, 'blog', 'elsewhere', 'x.png'), path.join(dir, 'blog', 'pictures', 'linked.png'))
  fs.writeFileSync(path.join(dir, 'blog', 'pictures', 'index.mdx'), SOURCE)
  compiled = await compileInThisThread({ contentDir: dir, entryPath: 'blog/pictures/index.mdx', kind: 'post' })
  const Component = getMDXComponent(compiled.code)
  html = renderToStaticMarkup(createElement(Component, { components: { Figure } as never }))
}, 60_000)

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const imgTag = (alt: string) => html.match(new RegExp(`<img[^>]*alt="${alt}"[^>]*>`))?.[0] ?? ''

describe('a folder post with images', () => {
  test('each image carries its own width and height', () => {
    expect(imgTag('A diagram')).toContain('width="1600" height="900"')
    expect(imgTag('A photo')).toContain('width="1200" height="800"')
    expect(imgTag('A screenshot')).toContain('width="800" height="600"')
    // An import may come from anywhere in the content folder, as any import may.
    expect(imgTag('Imported from elsewhere')).toContain('width="500" height="250"')
    expect(imgTag('AVIF')).toContain('width="640" height="480"')
    expect(imgTag('Still')).toContain('width="400" height="300"')
    expect(imgTag('Moving')).toContain('width="300" height="200"')
    expect(imgTag('Logo')).toContain('width="240" height="120"')
    expect(html).toContain('Size of the shot: 800x600.')
  })

  test('the first image loads eagerly at high priority, the others lazily', () => {
    expect(imgTag('A diagram')).toMatch(/loading="eager"/)
    expect(imgTag('A diagram')).toMatch(/fetchpriority="high"/)
    for (const alt of ['A photo', 'A screenshot', 'AVIF', 'Logo']) {
      expect(imgTag(alt)).toMatch(/loading="lazy"/)
      expect(imgTag(alt)).toMatch(/decoding="async"/)
    }
  })

  test('a picture offers AVIF and WebP before the original format, never wider than the file', () => {
    const picture = html.match(/<picture>.*?alt="A diagram".*?<\/picture>/)?.[0] ?? ''
    expect(picture).toMatch(/<source type="image\/avif" srcSet="[^"]*\/320\.avif 320w/)
    expect(picture).toMatch(/<source type="image\/webp"/)
    expect(picture).toMatch(/srcSet="[^"]*\.png 320w[^"]*1280\.png 1280w, [^"]*1600\.png 1600w"/)
    expect(picture).not.toContain('1920')
    expect(picture).toContain('sizes="')
    expect(declaredWidths(640, [320, 640, 960])).toEqual([320, 640])
    expect(declaredWidths(500, [320, 640, 960])).toEqual([320, 500])
  })

  test('SVG and animations are sent as they are', () => {
    expect(imgTag('Logo')).toMatch(/src="\/images\/[0-9a-f]{20}\/original\.svg"/)
    expect(imgTag('Moving')).toMatch(/src="\/images\/[0-9a-f]{20}\/original\.gif"/)
    expect(imgTag('Still')).toMatch(/\.gif 400w/)
  })

  test('the page declares exactly the copies it links to', () => {
    const linked = new Set([...html.matchAll(/\/images\/([0-9a-f]{20})\/([\w.]+)/g)].map((m) => `${m[1]}/${m[2]}`))
    const declared = new Set(compiled.images!.flatMap((i) => i.variants.map((v) => `${i.hash}/${v}`)))
    for (const url of linked) expect(declared).toContain(url)
    // The social card of the cover is declared besides.
    expect([...declared].filter((url) => url.endsWith('/social.jpg'))).toHaveLength(1)
    expect(compiled.images!.map((i) => i.path).sort()).toEqual(
      [
        ...['anim.gif', 'diagram.png', 'logo.svg', 'photo.jpg', 'pic.avif', 'shot.webp', 'still.gif'].map(
          (name) => `blog/pictures/${name}`,
        ),
        'blog/elsewhere/x.png',
      ].sort(),
    )
    for (const image of compiled.images!.filter((i) => i.path.startsWith('blog/pictures/'))) {
      const [width, height] = IMAGE_SIZES[path.basename(image.path) as keyof typeof IMAGE_SIZES]
      expect([image.width, image.height]).toEqual([width, height])
    }
  })

  test('a local cover becomes the 1200x630 social card', () => {
    expect(compiled.frontmatter.image).toMatch(/^\/images\/[0-9a-f]{20}\/social\.jpg$/)
  })

  test('a figure frames the picture with its caption', () => {
    expect(html).toMatch(
      /<figure[^>]*><picture>.*alt="The diagram again".*<\/picture><figcaption[^>]*>A caption<\/figcaption><\/figure>/,
    )
  })

  test('a broken image is a warning at its line and a plain link; the post compiles', () => {
    const lines = SOURCE.split('\n')
    const lineOf = (text: string) => lines.findIndex((line) => line.includes(text)) + 1
    for (const [name, why] of [
      ['corrupt.png', /corrupt/],
      ['not-an-image.png', /not an image/],
      ['scan.tiff', /tiff format is not supported/],
      ['../elsewhere/x.png', /leaves the post's folder/],
      ['linked.png', /leaves the post's folder/],
    ] as const) {
      const warning = compiled.warnings.find((w) => w.message.includes(name))
      expect(warning?.message).toMatch(why)
      const url = name.startsWith('../') ? name : `./${name}`
      expect(warning?.line).toBe(lineOf(`(${url})`))
      expect(html).toContain(`<a href="${url}" class="kiln-image-unavailable">`)
    }
    expect(html).toContain('<img src="https://example.com/remote.png" alt="Remote"/>')
  })
})

test('a post of one file cannot show images beside it', async () => {
  const one = tempDir('kiln-images-one-')
  try {
    await writeImages(path.join(one, 'blog'))
    fs.writeFileSync(
      path.join(one, 'blog', 'single.mdx'),
      `${HEAD.replace('image: ./photo.jpg\n', '')}![A](./photo.jpg)\n`,
    )
    const result = await compileInThisThread({ contentDir: one, entryPath: 'blog/single.mdx', kind: 'post' })
    expect(result.warnings[0].message).toMatch(/need a folder post/)
    expect(result.images).toEqual([])
  } finally {
    fs.rmSync(one, { recursive: true, force: true })
  }
}, 60_000)
