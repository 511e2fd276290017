/**
 * Gives the memory glibc's allocator holds free back to the system (malloc_trim), after the
 * server's idle collection. free() gives back only the free space at the top of each heap;
 * what worker threads freed before they ended (a burst of compiles and highlighting) lies
 * between blocks still in use, and the process kept it: about 10 MB of a 125 MB server after
 * serving every post of the react.dev blog (docs/performance.md, memory). The call walks
 * the allocator's arenas once, a few milliseconds on an idle server.
 *
 * The call is native (native/malloc-trim, built by `npm ci`'s postinstall). Where it was not
 * built or the C library has none, nothing happens: `trimStats().available` says which.
 *
 * Only the main thread trims: the call is process-wide and holds each arena's lock while it
 * walks it, and a pool thread that loads this module (the compile worker does, through the
 * pool modules) would trim in the middle of a burst, where it gives nothing back (measured).
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import { isMainThread } from 'node:worker_threads'
import { projectRoot } from '../config.server.ts'

interface MallocTrim {
  available: boolean
  trim(): boolean
}

const ADDON = path.join(projectRoot, 'native', 'malloc-trim', 'build', 'Release', 'malloc_trim.node')

let addon: MallocTrim | null | undefined
const stats = { trims: 0, returnedBytes: 0, ms: 0 }

function loadAddon(): MallocTrim | null {
  if (addon === undefined) {
    try {
      addon = createRequire(import.meta.url)(ADDON) as MallocTrim
      if (!addon.available) addon = null
    } catch {
      addon = null
    }
  }
  return addon
}

/** Hands the allocator's free pages back to the system; the bytes it gave back, or null where it cannot. */
export function returnFreedMemory(): number | null {
  if (!isMainThread) return null
  const native = loadAddon()
  if (!native) return null
  const before = process.memoryUsage.rss()
  const start = performance.now()
  native.trim()
  stats.ms += performance.now() - start
  const returned = Math.max(0, before - process.memoryUsage.rss())
  stats.trims++
  stats.returnedBytes += returned
  return returned
}

export function trimStats(): { available: boolean; trims: number; returnedBytes: number; ms: number } {
  return { available: loadAddon() !== null, ...stats }
}
