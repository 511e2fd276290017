/**
 * Webhook deliveries remembered by their id (GitHub's `X-GitHub-Delivery`), so a delivery
 * sent again (GitHub's "Redeliver", a retrying proxy, a captured request played back) is
 * answered with the refresh it started instead of starting another. Remembered for a day,
 * in SQLite so a restart does not forget them, and bounded: rows older than a day and rows
 * past the newest MAX_DELIVERIES are deleted as new ones arrive.
 */
import { getDb, type DB } from '../db/connection.server.ts'
import { getRefresh, requestRefresh, type Refresh } from './refresh.server.ts'

export const DELIVERY_HEADER = 'X-GitHub-Delivery'
export const DELIVERY_MEMORY_MS = 24 * 60 * 60 * 1000
const MAX_DELIVERIES = 10_000
/** GitHub sends a GUID; anything printable up to this length is accepted as an id. */
const DELIVERY_ID = /^[\x21-\x7e]{1,128}$/

export interface SeenDelivery {
  refreshId: string
  receivedAt: number
}

/** True when the header's value can be a delivery id (printable, at most 128 characters). */
export function isDeliveryId(value: string): boolean {
  return DELIVERY_ID.test(value)
}

/** The delivery's first arrival within the last day, or null. */
export function findDelivery(db: DB, deliveryId: string, now = Date.now()): SeenDelivery | null {
  const row = db
    .prepare('SELECT refresh_id, received_at FROM webhook_deliveries WHERE delivery_id = ? AND received_at > ?')
    .get(deliveryId, now - DELIVERY_MEMORY_MS) as { refresh_id: string; received_at: number } | undefined
  return row ? { refreshId: row.refresh_id, receivedAt: row.received_at } : null
}

/** Records a delivery and the refresh it led to; prunes what is older than a day or past the bound. */
export function rememberDelivery(db: DB, deliveryId: string, refreshId: string, now = Date.now()): void {
  db.transaction(() => {
    db.prepare(
      'INSERT INTO webhook_deliveries (delivery_id, refresh_id, received_at) VALUES (?, ?, ?) ON CONFLICT ' +
        '(delivery_id) DO UPDATE SET refresh_id = excluded.refresh_id, received_at = excluded.received_at',
    ).run(deliveryId, refreshId, now)
    db.prepare('DELETE FROM webhook_deliveries WHERE received_at <= ?').run(now - DELIVERY_MEMORY_MS)
    db.prepare(
      'DELETE FROM webhook_deliveries WHERE delivery_id NOT IN (SELECT ' +
        'delivery_id FROM webhook_deliveries ORDER BY received_at DESC LIMIT ?)',
    ).run(MAX_DELIVERIES)
  })()
}

export type DeliveryOutcome =
  | { replayed: false; refresh: Refresh }
  | { replayed: true; refreshId: string; receivedAt: number; refresh: Refresh | null }

/**
 * A signed webhook's refresh: a new (or the queued) refresh, unless this delivery id was
 * already acted on within the day, in which case nothing starts and the first answer's
 * refresh is returned. Without an id (a CI's request) every call asks for a refresh.
 */
export function refreshForDelivery(deliveryId: string | null, now = Date.now()): DeliveryOutcome {
  const db = getDb()
  if (deliveryId) {
    const seen = findDelivery(db, deliveryId, now)
    if (seen)
      return {
        replayed: true,
        refreshId: seen.refreshId,
        receivedAt: seen.receivedAt,
        refresh: getRefresh(seen.refreshId),
      }
  }
  const refresh = requestRefresh('webhook')
  if (deliveryId) rememberDelivery(db, deliveryId, refresh.id, now)
  return { replayed: false, refresh }
}
