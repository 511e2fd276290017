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
import fs from 'node:fs'
import sharp from 'sharp'
import { getConfig } from '../app/config.server.ts'
import { MAX_IMAGE_PIXELS } from '../app/images/image-probe.ts'
import { SOCIAL_HEIGHT, SOCIAL_WIDTH } from '../app/images/image-variants.ts'

sharp.concurrency(1)
sharp.cache(false)

export interface ImageResizeTask {
  /** The image file, absolute. */
  source: string
  /** Where the copy goes, absolute; written whole or not at all (a temp name, then renamed). */
  out: string
  /** Width of the copy; 'social' crops to the 1200x630 card. */
  width: number | 'social'
  format: 'avif' | 'webp' | 'jpg' | 'png' | 'gif'
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

export default async function resizeImage(task: ImageResizeTask): Promise<ImageResizeResult> {
  await holdIfAsked(task.source)
  let pipeline = sharp(task.source, {
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
  }
  const temp = `${task.out}.${process.pid}.tmp`
  try {
    const info = await pipeline.toFile(temp)
    fs.renameSync(temp, task.out)
    return { bytes: info.size }
  } catch (error) {
    fs.rmSync(temp, { force: true })
    throw error
  }
}
