/**
 * The image worker: sharp runs here and nowhere else. It runs in a child process of the
 * image pool, not a thread: libvips keeps native memory (glibc arenas) that a process
 * only gives back when it ends, and sharp must stay loaded in a process's main thread for
 * as long as any thread uses it; a process that ends when idle takes all of that with it,
 * and the server never loads sharp at all.
 *
 * Memory is bounded here: one libvips thread, no operation cache, sequential reads
 * (libvips streams the decode instead of holding the whole image), 50 megapixels at most
 * (limitInputPixels, as the compile checks too). The copy is written to `out` (a file in
 * the image cache's folder), so no image crosses between processes.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import sharp from 'sharp'
import { getConfig } from '../app/config.server.ts'
import { IMAGE_CHANGED, MAX_IMAGE_PIXELS } from '../app/images/image-probe.ts'
import { SOCIAL_HEIGHT, SOCIAL_WIDTH } from '../app/images/image-variants.ts'

sharp.concurrency(1)
sharp.cache(false)

export interface ImageResizeTask {
  /** The image file, absolute. */
  source: string
  /** The hash the page declared: a file whose bytes no longer match is refused (IMAGE_CHANGED). */
  hash: string
  /** Where the copy goes, absolute; written whole or not at all (a temp name, then renamed). */
  out: string
  /** Width of the copy; 'social' crops to the 1200x630 card; 'original' copies the file as it is. */
  width: number | 'social' | 'original'
  format: 'avif' | 'webp' | 'jpg' | 'png' | 'gif' | 'svg'
}

export interface ImageResizeResult {
  bytes: number
}

/**
 * Test-only (KILN_TEST_FAULTS=1): a source whose name holds `kiln-test-resize-hold` waits
 * while a file `<source>.hold` exists, so a test can keep the pool busy for as long as it
 * needs and release it when it chooses, instead of hoping a resize is slow.
 */
async function holdIfAsked(source: string): Promise<void> {
  if (!getConfig().testFaults || !source.includes('kiln-test-resize-hold')) return
  while (fs.existsSync(`${source}.hold`)) await new Promise((resolve) => setTimeout(resolve, 20))
}

/** Writes `out` whole or not at all: a temp name, then a rename. */
async function writeWhole(out: string, write: (temp: string) => Promise<number>): Promise<number> {
  // The folder is the server's: the image cache keeps it while this copy is being made.
  const temp = `${out}.${process.pid}.tmp`
  try {
    const bytes = await write(temp)
    fs.renameSync(temp, out)
    return bytes
  } catch (error) {
    fs.rmSync(temp, { force: true })
    throw error
  }
}

export default async function resizeImage(task: ImageResizeTask): Promise<ImageResizeResult> {
  await holdIfAsked(task.source)
  // Hashing the source (up to 64 MiB) happens here, not on the server's event loop.
  const bytes = fs.readFileSync(task.source)
  if (crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 20) !== task.hash) throw new Error(IMAGE_CHANGED)
  if (task.width === 'original') {
    return { bytes: await writeWhole(task.out, async (temp) => (fs.writeFileSync(temp, bytes), bytes.length)) }
  }
  let pipeline = sharp(bytes, {
    limitInputPixels: MAX_IMAGE_PIXELS,
    sequentialRead: true,
    failOn: 'error',
  }).rotate()
  pipeline =
    task.width === 'social'
      ? pipeline.resize({ width: SOCIAL_WIDTH, height: SOCIAL_HEIGHT, fit: 'cover', position: 'attention' })
      : pipeline.resize({ width: task.width, withoutEnlargement: true })
  switch (task.format) {
    case 'avif':
      pipeline = pipeline.avif({ quality: 55, effort: 2 })
      break
    case 'webp':
      pipeline = pipeline.webp({ quality: 78, effort: 3 })
      break
    case 'jpg':
      pipeline = pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: 80, mozjpeg: true })
      break
    case 'png':
      pipeline = pipeline.png({ compressionLevel: 8 })
      break
    case 'gif':
      pipeline = pipeline.gif()
      break
    default:
      throw new Error(`no copy is made in ${task.format}`)
  }
  const output = pipeline
  return { bytes: await writeWhole(task.out, async (temp) => (await output.toFile(temp)).size) }
}
