/**
 * The resized copies of images, on disk under DATA_DIR/images/<hash>/<variant>: made once
 * per image version and kept across restarts, bounded by IMAGE_CACHE_MAX_BYTES with the
 * least recently used copy removed first. The index (size and last use of each file)
 * lives in memory, read from the folder once; a use also moves the file's mtime, so the
 * order survives a restart. An image's folder is made when one of its copies is asked for
 * and stays while any copy of it is being made (queued or in the image process, which
 * writes into it): eviction of the image's last kept copy meanwhile leaves the folder.
 */
import fs from 'node:fs'
import path from 'node:path'

interface CachedFile {
  bytes: number
}

export interface ImageCacheStats {
  maxBytes: number
  entries: number
  bytes: number
  hits: number
  misses: number
  evictions: number
}

export class ImageDiskCache {
  /** key `<hash>/<variant>`, in order of last use (oldest first). */
  private files = new Map<string, CachedFile>()
  private total = 0
  private loaded = false
  private counters = { hits: 0, misses: 0, evictions: 0 }
  /** Copies being made, by image hash. */
  private making = new Map<string, number>()

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  private load(): void {
    if (this.loaded) return
    this.loaded = true
    const found: { key: string; bytes: number; usedAt: number }[] = []
    let hashes: string[] = []
    try {
      hashes = fs.readdirSync(this.dir)
    } catch {
      return
    }
    for (const hash of hashes) {
      let variants: string[] = []
      try {
        variants = fs.readdirSync(path.join(this.dir, hash))
      } catch {
        continue
      }
      for (const variant of variants) {
        const file = path.join(this.dir, hash, variant)
        // A temp file left by a resize that was cut short is never a copy.
        if (variant.endsWith('.tmp')) {
          fs.rmSync(file, { force: true })
          continue
        }
        try {
          const stat = fs.statSync(file)
          found.push({ key: `${hash}/${variant}`, bytes: stat.size, usedAt: stat.mtimeMs })
        } catch {
          // gone meanwhile
        }
      }
    }
    for (const { key, bytes } of found.sort((a, b) => a.usedAt - b.usedAt)) {
      this.files.set(key, { bytes })
      this.total += bytes
    }
    this.evict()
  }

  /** Where a copy lives (or will). */
  pathOf(hash: string, variant: string): string {
    return path.join(this.dir, hash, variant)
  }

  /** The copy's path when it is kept, counted as a use; null when it must be made. */
  lookup(hash: string, variant: string): string | null {
    this.load()
    const key = `${hash}/${variant}`
    const file = this.files.get(key)
    if (!file) {
      this.counters.misses++
      return null
    }
    this.files.delete(key)
    this.files.set(key, file)
    this.counters.hits++
    const now = new Date()
    fs.utimes(this.pathOf(hash, variant), now, now, () => {})
    return this.pathOf(hash, variant)
  }

  /**
   * A copy of the image `hash` is about to be made: its folder exists from now until
   * `done` is called (once the copy is counted by `added`, or has failed). An image's
   * folder with no copy kept and none being made is removed then.
   */
  startCopy(hash: string): { done(): void } {
    this.load()
    fs.mkdirSync(path.join(this.dir, hash), { recursive: true })
    this.making.set(hash, (this.making.get(hash) ?? 0) + 1)
    let finished = false
    return {
      done: () => {
        if (finished) return
        finished = true
        const left = (this.making.get(hash) ?? 1) - 1
        if (left > 0) {
          this.making.set(hash, left)
          return
        }
        this.making.delete(hash)
        this.removeFolderIfEmpty(hash)
      },
    }
  }

  /** An image's folder goes with its last copy, unless a copy of it is being made (the image process writes there). */
  private removeFolderIfEmpty(hash: string): void {
    if (this.making.has(hash)) return
    try {
      fs.rmdirSync(path.join(this.dir, hash))
    } catch {
      // other copies of this image are still kept
    }
  }

  /** A copy just written: counted, then the oldest copies go until the total fits. */
  added(hash: string, variant: string, bytes: number): void {
    this.load()
    const key = `${hash}/${variant}`
    const before = this.files.get(key)
    if (before) this.total -= before.bytes
    this.files.delete(key)
    this.files.set(key, { bytes })
    this.total += bytes
    this.evict(key)
  }

  /** Removes the least recently used copies until the total fits; `keep` (the copy about to be sent) stays. */
  private evict(keep?: string): void {
    for (const [key, file] of this.files) {
      if (this.total <= this.maxBytes) break
      if (key === keep) continue
      this.files.delete(key)
      this.total -= file.bytes
      this.counters.evictions++
      const [hash, variant] = key.split('/')
      fs.rmSync(this.pathOf(hash, variant), { force: true })
      this.removeFolderIfEmpty(hash)
    }
  }

  stats(): ImageCacheStats {
    this.load()
    return { maxBytes: this.maxBytes, entries: this.files.size, bytes: this.total, ...this.counters }
  }
}
