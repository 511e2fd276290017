/**
 * Reads what a compile needs to know of an image without decoding it: its format,
 * intrinsic size, whether it is animated, and a hash of its bytes (its version). Runs in
 * the compile thread, so it reads headers only (image-size, pure JavaScript): sharp,
 * which decodes, runs only in the image pool's process (app/images/image-pool.server.ts).
 *
 * Whatever would make the resize fail later is caught here, where it can become a
 * compile warning at the image's line instead of a broken image on the page: a file that
 * is not an image, an unsupported format, a header that does not parse, a file cut short
 * (a PNG without its IEND chunk, a JPEG without its end marker), more than 50 megapixels
 * (sharp's limitInputPixels, which the resize enforces too).
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import { imageSize } from 'image-size'
import type { ImageFormat, ImageInfo } from './image-variants.ts'

/** sharp's limitInputPixels for every resize: a larger image is refused, never decoded. */
export const MAX_IMAGE_PIXELS = 50_000_000
/** The largest image file read; a larger one is refused unread. */
export const MAX_IMAGE_BYTES = 64 * 1024 * 1024

const FORMATS: Record<string, ImageFormat> = {
  png: 'png',
  jpg: 'jpeg',
  webp: 'webp',
  avif: 'avif',
  heif: 'avif',
  gif: 'gif',
  svg: 'svg',
}

/** The error of a copy asked of a source whose bytes are no longer the declared version (workers/image-resize.ts). */
export const IMAGE_CHANGED = 'the image has changed since its page was made'

/** File extensions a post may use as images (in Markdown, <img>, <Figure> and imports). */
export const IMAGE_EXTENSION_PATTERN = /\.(?:png|jpe?g|webp|avif|gif|svg)$/i

export type ImageProbe = { ok: true; image: ImageInfo } | { ok: false; reason: string }

function endsWith(bytes: Uint8Array, tail: number[], within: number): boolean {
  const start = Math.max(0, bytes.length - within)
  outer: for (let i = bytes.length - tail.length; i >= start; i--) {
    for (let j = 0; j < tail.length; j++) if (bytes[i + j] !== tail[j]) continue outer
    return true
  }
  return false
}

/** A file cut short: the format's end marker is missing. */
function truncated(format: ImageFormat, bytes: Uint8Array): boolean {
  switch (format) {
    case 'png':
      return !endsWith(bytes, [0x49, 0x45, 0x4e, 0x44], 64) // IEND
    case 'jpeg':
      return !endsWith(bytes, [0xff, 0xd9], 1024) // EOI
    case 'gif':
      return !endsWith(bytes, [0x3b], 16) // trailer
    case 'webp':
      return new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true) + 8 > bytes.length
    default:
      return false
  }
}

function count(bytes: Uint8Array, marker: number[], atMost: number): number {
  let found = 0
  outer: for (let i = 0; i + marker.length <= bytes.length && found < atMost; i++) {
    for (let j = 0; j < marker.length; j++) if (bytes[i + j] !== marker[j]) continue outer
    found++
  }
  return found
}

function isAnimated(format: ImageFormat, bytes: Uint8Array): boolean {
  const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0))
  if (format === 'gif') return count(bytes, [0x21, 0xf9, 0x04], 2) > 1 // a graphic control block per frame
  if (format === 'webp') return count(bytes.subarray(0, 4096), ascii('ANIM'), 1) > 0
  if (format === 'avif') return count(bytes.subarray(0, 64), ascii('avis'), 1) > 0
  return false
}

/** Probes the image file at `absolute`; `relative` (to the content folder) is what the result records. */
export function probeImage(absolute: string, relative: string): ImageProbe {
  let bytes: Buffer
  try {
    const size = fs.statSync(absolute).size
    if (size > MAX_IMAGE_BYTES) return { ok: false, reason: `it is larger than ${MAX_IMAGE_BYTES / 1024 / 1024} MiB` }
    bytes = fs.readFileSync(absolute)
  } catch (error) {
    return { ok: false, reason: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'unreadable' }
  }
  let size: ReturnType<typeof imageSize>
  try {
    size = imageSize(bytes)
  } catch {
    return {
      ok: false,
      reason: 'it is not an image Kiln can read (PNG, JPEG, WebP, AVIF, GIF or SVG), or it is corrupt',
    }
  }
  const format = size.type ? FORMATS[size.type] : undefined
  if (!format)
    return { ok: false, reason: `${size.type ?? 'its'} format is not supported (PNG, JPEG, WebP, AVIF, GIF, SVG)` }
  if (!size.width || !size.height)
    return { ok: false, reason: 'its size cannot be read (an SVG needs width and height or a viewBox)' }
  if (format !== 'svg' && size.width * size.height > MAX_IMAGE_PIXELS)
    return {
      ok: false,
      reason: `it has ${size.width}x${size.height} pixels, more than ${MAX_IMAGE_PIXELS / 1_000_000} megapixels`,
    }
  if (truncated(format, bytes)) return { ok: false, reason: 'it is corrupt (the file ends early)' }
  // EXIF orientations 5-8 turn the picture a quarter: its displayed width is its stored height.
  const turned = (size.orientation ?? 1) >= 5
  return {
    ok: true,
    image: {
      hash: crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 20),
      path: relative,
      format,
      width: Math.round(turned ? size.height : size.width),
      height: Math.round(turned ? size.width : size.height),
      animated: isAnimated(format, bytes),
    },
  }
}
