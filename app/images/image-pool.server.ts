/**
 * Making the copies of images: each declared copy is made once (concurrent requests for
 * one share the work), in the image pool, a child process running sharp
 * (workers/image-resize.ts), one copy at a time, and kept in the disk cache. The source
 * file is checked against the hash in the URL first: a copy is only ever made of the
 * version of the image the page declared.
 */
import { log } from '../logging/logger.server.ts'
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
import { IMAGE_CHANGED, MAX_IMAGE_BYTES } from './image-probe.ts'

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

/** The source file's real path, when it is still inside the content folder and not too large to read. */
function sourcePath(source: ImageSource): string {
  const root = contentRoot(getConfig().contentDir)
  try {
    const real = fs.realpathSync(path.join(root, source.path))
    if (isInside(root, real) && fs.statSync(real).size <= MAX_IMAGE_BYTES) return real
  } catch {
    // gone
  }
  throw new ImageUnavailable('the image is no longer in the content folder', 404)
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
    const imagePool = getImagePool()
    if (imagePool.stats().queued >= MAX_QUEUED_RESIZES) {
      counters.refused++
      throw new ImageUnavailable('too many images are being resized; try again shortly', 503)
    }
    const [name, ext] = variant.split('.')
    const task: ImageResizeTask = {
      source: sourcePath(source),
      hash: source.hash,
      out,
      width: name === 'social' || name === 'original' ? name : Number(name),
      format: ext as ImageResizeTask['format'],
    }
    // The image's folder, kept until the copy is counted or has failed, whatever the cache evicts meanwhile.
    const copy = images.startCopy(source.hash)
    try {
      const result = await imagePool.run(task, { timeoutMs: RESIZE_TIMEOUT_MS })
      counters.resizes++
      images.added(source.hash, variant, result.bytes)
      return out
    } catch (error) {
      const message = errorMessage(error)
      // The file moved on to a newer version: not a failure, and not remembered (it may come back).
      if (message.includes(IMAGE_CHANGED)) throw new ImageUnavailable(IMAGE_CHANGED, 404)
      counters.failures++
      // A timeout may be the machine's load, not the file's fault: the next request tries again.
      if (!isTimeout(error)) failed.set(key, `the image could not be resized: ${message}`)
      log.error({ file: source.path }, `${source.path} → ${variant}: ${message}`)
      throw new ImageUnavailable(`the image could not be resized: ${message}`, 404)
    } finally {
      copy.done()
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
