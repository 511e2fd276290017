/**
 * A rate limit on the view beacon, per client address: a script that posts the beacon
 * in a loop is answered 429 after BEACON_LIMIT posts a minute, before anything is
 * looked up or written. A reader sends one beacon per page read, so the limit is far
 * above what reading does.
 *
 * The counters live in a bounded LRU (at most BEACON_LIMIT_CLIENTS addresses; the least
 * recently seen goes first), so a flood from many addresses costs a fixed amount of
 * memory; an address pushed out merely starts a new window. Its figures are on /metrics.
 */
import { LRUCache } from 'lru-cache'

export const BEACON_LIMIT = 30
export const BEACON_WINDOW_MS = 60_000
export const BEACON_LIMIT_CLIENTS = 10_000

interface Window {
  start: number
  count: number
}

const windows = new LRUCache<string, Window>({ max: BEACON_LIMIT_CLIENTS })
let limited = 0

/** Counts a beacon from `address`; returns the seconds to wait when it is over the limit, else null. */
export function takeBeacon(address: string, now = Date.now()): number | null {
  let window = windows.get(address)
  if (!window || now - window.start >= BEACON_WINDOW_MS) {
    window = { start: now, count: 0 }
    windows.set(address, window)
  }
  window.count++
  if (window.count <= BEACON_LIMIT) return null
  limited++
  return Math.max(1, Math.ceil((window.start + BEACON_WINDOW_MS - now) / 1000))
}

export function beaconLimitStats(): { clients: number; maxClients: number; limited: number } {
  return { clients: windows.size, maxClients: BEACON_LIMIT_CLIENTS, limited }
}
