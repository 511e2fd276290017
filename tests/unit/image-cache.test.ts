/**
 * The image disk cache's folders against the image process: a copy is written into its
 * image's folder by another process, so eviction must never remove that folder while a
 * copy of the image is being made, even when it evicts the image's last kept copy.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { ImageDiskCache } from '../../app/images/image-cache.server.ts'
import { tempDir } from '../helpers/server.ts'

let dir: string

beforeEach(() => {
  dir = tempDir('kiln-image-cache-')
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

/** A copy as the image process leaves it (a whole file in its image's folder), then counted by the cache. */
function write(cache: ImageDiskCache, hash: string, variant: string, bytes: number): void {
  fs.writeFileSync(cache.pathOf(hash, variant), Buffer.alloc(bytes))
  cache.added(hash, variant, bytes)
}

/** A copy made from start to end, as image-pool.server.ts makes one. */
function makeCopy(cache: ImageDiskCache, hash: string, variant: string, bytes: number): void {
  const copy = cache.startCopy(hash)
  write(cache, hash, variant, bytes)
  copy.done()
}

test('eviction of an image’s last copy leaves its folder while another copy of it is being made', () => {
  const cache = new ImageDiskCache(dir, 100)
  makeCopy(cache, 'a', '640.webp', 60)
  const making = cache.startCopy('a')
  // Another image's copy pushes the total over the bound: a's only kept copy is evicted.
  makeCopy(cache, 'b', '640.webp', 80)
  expect(fs.existsSync(cache.pathOf('a', '640.webp'))).toBe(false)
  expect(cache.stats()).toMatchObject({ entries: 1, evictions: 1 })
  // The image process writes its copy into the folder it was given.
  expect(fs.existsSync(path.join(dir, 'a'))).toBe(true)
  write(cache, 'a', '1280.webp', 20)
  making.done()
  expect(fs.readdirSync(path.join(dir, 'a'))).toEqual(['1280.webp'])
})

test('an image’s folder goes with its last copy once no copy of it is being made', () => {
  const cache = new ImageDiskCache(dir, 100)
  makeCopy(cache, 'a', '640.webp', 60)
  makeCopy(cache, 'b', '640.webp', 80)
  expect(fs.existsSync(path.join(dir, 'a'))).toBe(false)
  expect(fs.readdirSync(dir)).toEqual(['b'])
})

test('a copy that failed leaves no empty folder behind, and done twice counts once', () => {
  const cache = new ImageDiskCache(dir, 100)
  const first = cache.startCopy('a')
  const second = cache.startCopy('a')
  first.done()
  first.done()
  expect(fs.existsSync(path.join(dir, 'a'))).toBe(true)
  second.done()
  expect(fs.existsSync(path.join(dir, 'a'))).toBe(false)
})
