/**
 * Making the copies of images: each declared copy is made once (concurrent requests for
 * one share the work), in the image pool, a child process running sharp
 * (workers/image-resize.ts), one copy at a time, and kept in the disk cache. The source
 * file is checked against the hash in the URL first: a copy is only ever made of the
 * version of the image the page declared.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { LRUCache } from 'lru-cache'
import { getConfig } from '../config.server.ts'
import { contentRoot, isInside } from '../content/source.server.ts'
import { errorMessage } from '../utils/error-message.ts'
import { SingleFlight } from '../utils/single-flight.ts'
import { isTimeout, WorkerPool } from '../worker-pool.server.ts'
import type { ImageResizeResult, ImageResizeTask } from '../../workers/image-resize.ts'
import type { ImageSource } from './declared-images.server.ts'
import { ImageDiskCache } from './image-cache.server.ts'
import { MAX_IMAGE_BYTES } from './image-probe.ts'

/** Resizes at once: one process, one libvips thread; the rest wait their turn. */
const RESIZE_PROCESSES = 1
/** Copies waiting for the pool beyond this are refused (503) rather than queued: the queue is bounded. */
export const MAX_QUEUED_RESIZES = 64
/** A resize past this is abandoned (its process is ended). */
const RESIZE_TIMEOUT_MS = 60_000
/** The pool's process ends after this long without work, taking libvips's memory with it. */
const IDLE_MS = 10_000

let pool: WorkerPool<ImageResizeTask, ImageResizeResult> | undefined
let cache: ImageDiskCache | undefined
const inFlight = new SingleFlight<string>()
/** Copies that failed once (a corrupt file the header did not betray): not tried again for this version. */
const failed = new LRUCache<string, string>({ max: 1000 })
const counters = { resizes: 0, failures: 0, refused: 0 }

export function getImagePool(): WorkerPool<ImageResizeTask, ImageResizeResult> {
  pool ??= new WorkerPool('image', 'image-resize.worker.mjs', {
    maxThreads: RESIZE_PROCESSES,
    idleMs: IDLE_MS,
    runtime: 'child_process',
  })
  return pool
}

export function getImageCache(): ImageDiskCache {
  const { dataDir, imageCacheMaxBytes } = getConfig()
  cache ??= new ImageDiskCache(path.join(dataDir, 'images'), imageCacheMaxBytes)
  return cache
}

export class ImageUnavailable extends Error {
  constructor(
    message: string,
    readonly status: 404 | 503,
  ) {
    super(message)
  }
}

function sourceBytes(source: ImageSource): Buffer {
  const { contentDir } = getConfig()
  const root = contentRoot(contentDir)
  const absolute = path.join(root, source.path)
  let bytes: Buffer
  try {
    const real = fs.realpathSync(absolute)
    if (!isInside(root, real) || fs.statSync(real).size > MAX_IMAGE_BYTES) throw new Error('refused')
    bytes = fs.readFileSync(real)
  } catch {
    throw new ImageUnavailable('the image is no longer in the content folder', 404)
  }
  if (crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 20) !== source.hash)
    throw new ImageUnavailable('the image has changed since this page was made', 404)
  return bytes
}

/** The path of the kept copy, made now if need be. */
export function imageCopy(source: ImageSource, variant: string): Promise<string> {
  const images = getImageCache()
  const kept = images.lookup(source.hash, variant)
  if (kept && fs.existsSync(kept)) return Promise.resolve(kept)
  const key = `${source.hash}/${variant}`
  const failure = failed.get(key)
  if (failure) return Promise.reject(new ImageUnavailable(failure, 404))
  return inFlight.run(key, async () => {
    const out = images.pathOf(source.hash, variant)
    fs.mkdirSync(path.dirname(out), { recursive: true })
    const bytes = sourceBytes(source)
    if (variant.startsWith('original.')) {
      const temp = `${out}.${process.pid}.tmp`
      fs.writeFileSync(temp, bytes)
      fs.renameSync(temp, out)
      images.added(source.hash, variant, bytes.length)
      return out
    }
    const imagePool = getImagePool()
    if (imagePool.stats().queued >= MAX_QUEUED_RESIZES) {
      counters.refused++
      throw new ImageUnavailable('too many images are being resized; try again shortly', 503)
    }
    const [name, ext] = variant.split('.')
    const task: ImageResizeTask = {
      source: fs.realpathSync(path.join(contentRoot(getConfig().contentDir), source.path)),
      out,
      width: name === 'social' ? 'social' : Number(name),
      format: ext as ImageResizeTask['format'],
    }
    try {
      const result = await imagePool.run(task, { timeoutMs: RESIZE_TIMEOUT_MS })
      counters.resizes++
      images.added(source.hash, variant, result.bytes)
      return out
    } catch (error) {
      counters.failures++
      const message = `the image could not be resized: ${errorMessage(error)}`
      // A timeout may be the machine's load, not the file's fault: the next request tries again.
      if (!isTimeout(error)) failed.set(key, message)
      console.error(`[kiln] ${source.path} → ${variant}: ${message}`)
      throw new ImageUnavailable(message, 404)
    }
  })
}

/** The image cache and pool at a glance, for /admin and /metrics. */
export function imageStats() {
  return { ...getImageCache().stats(), ...counters, inFlight: inFlight.size, pool: getImagePool().stats() }
}

export async function destroyImagePool(): Promise<void> {
  await pool?.destroy()
  pool = undefined
}
