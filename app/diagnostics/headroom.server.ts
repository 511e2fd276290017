/**
 * Is there room for a heap snapshot? Taking one must never get the process killed, so
 * before a snapshot the memory it will need is compared with the memory that is free.
 *
 * What a snapshot needs (measured on Node 20): V8 builds a graph of every object on the
 * heap in native memory, outside the V8 heap, and serializes it as JSON: into a file
 * (app/diagnostics/heap-snapshot.server.ts), or, when the file cannot be written, into the
 * snapshot stream's buffer whole. Neither shows in the V8 heap statistics; both show in the
 * RSS. Measured peaks over the RSS before the snapshot, serialized into the buffer (the
 * estimate covers that fallback):
 *   - Kiln idle, 19 MB of heap (170k objects): +110 MB
 *   - Kiln with 223 posts served, 55 MB of heap (240k objects): +112 MB
 *   - a bare Node process, 3 MB of heap: +33 MB
 *   - a heap of 300k tiny objects, 15 MB: +444 MB (the graph costs per object, ~0.5-1.5 KB
 *     each, not per byte, so a heap of many small objects needs many times its size)
 * The estimate is the heap in use times a multiplier plus a fixed part, which covers the
 * first two with room to spare; it cannot see the object count, so the last kind of heap
 * is underestimated (see SNAPSHOT_BYTES_PER_HEAP_BYTE).
 *
 * What is free: inside a memory-limited cgroup (a container, a Fly machine), the limit
 * minus what the cgroup uses (page cache that can be dropped is not counted as used);
 * otherwise the system's available memory (os.freemem(), MemAvailable on Linux). The V8
 * heap limit does not bound a snapshot: none of its memory is on the V8 heap.
 *
 * DIAGNOSTICS_HEADROOM_BYTES, when set, replaces the measured free memory (tests use it
 * to force the refusal).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import v8 from 'node:v8'
import { getConfig } from '../config.server.ts'

/**
 * Snapshot memory per byte of heap in use (graph + serialized JSON), beyond the fixed
 * part: Kiln's heaps measured 1.4-4; heaps made of tiny objects go far higher.
 */
export const SNAPSHOT_BYTES_PER_HEAP_BYTE = 4
/** Fixed cost of a snapshot of even a small heap (~33 MB measured), with margin. */
export const SNAPSHOT_FIXED_BYTES = 64 * 1024 * 1024

export type HeadroomSource = 'override' | 'cgroup' | 'system'

export interface Headroom {
  ok: boolean
  /** What the snapshot is estimated to need, margin included. */
  neededBytes: number
  /** Memory free for it now. */
  availableBytes: number
  source: HeadroomSource
  /** The V8 heap in use the estimate is based on. */
  heapUsedBytes: number
  /** A sentence for the admin: how much is needed, how much is free, and where that figure comes from. */
  message: string
}

/** Limits at or above this are "no limit" (cgroup v1 writes 2^63 rounded to a page). */
const UNLIMITED = 2 ** 60

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8').trim()
  } catch {
    return null
  }
}

function readBytes(file: string): number | null {
  const text = readText(file)
  if (text === null || !/^\d+$/.test(text)) return null
  const value = Number(text)
  return value >= UNLIMITED ? null : value
}

function statField(file: string, field: string): number {
  const text = readText(file)
  if (!text) return 0
  const match = new RegExp(`^${field} (\\d+)$`, 'm').exec(text)
  return match ? Number(match[1]) : 0
}

interface CgroupRoom {
  limit: number
  used: number
  available: number
}

/**
 * The tightest memory limit over this process's cgroup and its ancestors, and the room
 * left under it. cgroup v2 (memory.max / memory.current) first, then v1.
 */
export function cgroupRoom(root = '/sys/fs/cgroup', procCgroup = '/proc/self/cgroup'): CgroupRoom | null {
  const lines = (readText(procCgroup) ?? '').split('\n')
  const v2Path = lines.find((line) => line.startsWith('0::'))?.slice(3)
  const v1Path = lines.map((line) => line.split(':')).find((parts) => parts[1]?.split(',').includes('memory'))?.[2]

  const candidates: { dir: string; max: string; current: string; stat: string; inactive: string }[] = []
  const ancestors = (base: string, own: string | undefined) => {
    const dirs: string[] = []
    let relative = own && own.startsWith('/') ? own : '/'
    for (;;) {
      dirs.push(path.join(base, relative))
      if (relative === '/') break
      relative = path.posix.dirname(relative)
    }
    return dirs
  }
  if (fs.existsSync(path.join(root, 'cgroup.controllers'))) {
    for (const dir of ancestors(root, v2Path)) {
      candidates.push({
        dir,
        max: 'memory.max',
        current: 'memory.current',
        stat: 'memory.stat',
        inactive: 'inactive_file',
      })
    }
  } else {
    for (const dir of ancestors(path.join(root, 'memory'), v1Path)) {
      candidates.push({
        dir,
        max: 'memory.limit_in_bytes',
        current: 'memory.usage_in_bytes',
        stat: 'memory.stat',
        inactive: 'total_inactive_file',
      })
    }
  }

  let best: CgroupRoom | null = null
  for (const candidate of candidates) {
    const limit = readBytes(path.join(candidate.dir, candidate.max))
    if (limit === null) continue
    const current = readBytes(path.join(candidate.dir, candidate.current))
    if (current === null) continue
    // Inactive page cache is dropped before the OOM killer acts: it is not in the way.
    const used = Math.max(0, current - statField(path.join(candidate.dir, candidate.stat), candidate.inactive))
    const available = Math.max(0, limit - used)
    if (!best || available < best.available) best = { limit, used, available }
  }
  return best
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

/** The heap-in-use based estimate of what a snapshot needs, margin included. */
export function snapshotNeeds(heapUsedBytes: number): number {
  return Math.ceil(heapUsedBytes * SNAPSHOT_BYTES_PER_HEAP_BYTE + SNAPSHOT_FIXED_BYTES)
}

export interface FreeMemory {
  availableBytes: number
  source: HeadroomSource
  /** Where the figure comes from, as a phrase for a message. */
  where: string
}

/** The memory free for a diagnostic now: the override, the container's room, or the system's. */
export function freeMemory(): FreeMemory {
  const override = getConfig().diagnosticsHeadroomBytes
  if (override !== null)
    return { availableBytes: override, source: 'override', where: 'as set by DIAGNOSTICS_HEADROOM_BYTES' }
  const cgroup = cgroupRoom()
  if (cgroup) {
    // The machine itself may be fuller than the container's limit suggests.
    return {
      availableBytes: Math.min(cgroup.available, os.freemem()),
      source: 'cgroup',
      where: `under the container's memory limit of ${formatBytes(cgroup.limit)}, ${formatBytes(cgroup.used)} in use`,
    }
  }
  return { availableBytes: os.freemem(), source: 'system', where: `on this machine, of ${formatBytes(os.totalmem())}` }
}

export function checkSnapshotHeadroom(): Headroom {
  const heapUsedBytes = v8.getHeapStatistics().used_heap_size
  const neededBytes = snapshotNeeds(heapUsedBytes)
  const { availableBytes, source, where } = freeMemory()

  const ok = availableBytes >= neededBytes
  const exact = (bytes: number) => (bytes < 1024 ? formatBytes(bytes) : `${formatBytes(bytes)} (${bytes} bytes)`)
  const estimate =
    `about ${formatBytes(neededBytes)} (${neededBytes} bytes, for ` + `${formatBytes(heapUsedBytes)} of heap in use)`
  const free = `${exact(availableBytes)} is free ${where}`
  const message = ok
    ? `A heap snapshot needs ${estimate}; ${free}.`
    : `Not enough memory for a heap snapshot: it needs ${estimate}, but only ${free}. Taking it could get the ` +
      `server killed, so it was not taken. A heap sampling profile (/admin/heapprofile) needs far less memory.`
  return { ok, neededBytes, availableBytes, source, heapUsedBytes, message }
}
