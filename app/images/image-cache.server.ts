/**
 * The resized copies of images, on disk under DATA_DIR/images/<hash>/<variant>: made once
 * per image version and kept across restarts, bounded by IMAGE_CACHE_MAX_BYTES with the
 * least recently used copy removed first. The index (size and last use of each file)
 * lives in memory, read from the folder once; a use also moves the file's mtime, so the
 * order survives a restart.
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
      try {
        fs.rmdirSync(path.join(this.dir, hash))
      } catch {
        // other copies of this image are still kept
      }
    }
  }

  stats(): ImageCacheStats {
    this.load()
    return { maxBytes: this.maxBytes, entries: this.files.size, bytes: this.total, ...this.counters }
  }
}
