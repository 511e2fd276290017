/**
 * Share links for kept heap snapshots: someone without an account (a colleague, a vendor's
 * support) downloads one snapshot through `/diagnostics/shared/<token>` until the link
 * expires (DIAGNOSTICS_SHARE_HOURS, 24 h by default) or an admin revokes it.
 *
 * The token is `<share id>.<HMAC of the id and a random nonce>`, keyed with the
 * session secret: a guessed or altered token fails the HMAC before anything else is read,
 * and the row decides expiry and revocation, so revoking needs no list of bad tokens. The
 * admin page can show a live link again because the nonce is kept (it is not a secret
 * without the key).
 *
 * Bounded: at most MAX_ACTIVE live links at once; rows that expired or were revoked more
 * than a week ago are deleted as new ones are made; the download log keeps its newest
 * KEEP_DOWNLOADS rows. A replica never writes its database: links are made on the primary
 * (the POST is replayed there), and a replica logs a shared download to its console only.
 */
import { log } from '../logging/logger.server.ts'
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { sessionSecret } from '../auth/session.server.ts'
import { getConfig } from '../config.server.ts'
import { getDb } from '../db/connection.server.ts'
import { isPrimary } from '../replication/instance.server.ts'
import { findKeptSnapshot } from './snapshot-store.server.ts'

export const MAX_ACTIVE = 50
const KEEP_DOWNLOADS = 200
const FORGET_AFTER_MS = 7 * 24 * 3600_000
const TOKEN = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/

interface ShareRow {
  id: number
  snapshot_id: string
  gzip: number
  nonce: string
  created_by: string
  created_at: string
  expires_at: string
  revoked_at: string | null
}

export interface SnapshotShare {
  id: number
  snapshotId: string
  gzip: boolean
  createdBy: string
  createdAt: string
  expiresAt: string
  revokedAt: string | null
  /** `/diagnostics/shared/<token>`. */
  path: string
  status: 'active' | 'expired' | 'revoked'
  downloads: number
}

function mac(id: number, nonce: string): string {
  return createHmac('sha256', sessionSecret()).update(`snapshot-share:${id}:${nonce}`).digest('base64url')
}

function toShare(row: ShareRow, now: number, downloads = 0): SnapshotShare {
  const status = row.revoked_at ? 'revoked' : Date.parse(row.expires_at) <= now ? 'expired' : 'active'
  return {
    id: row.id,
    snapshotId: row.snapshot_id,
    gzip: row.gzip === 1,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    path: `/diagnostics/shared/${row.id}.${mac(row.id, row.nonce)}`,
    status,
    downloads,
  }
}

export type ShareResult = { ok: true; share: SnapshotShare } | { ok: false; status: number; message: string }

export function createShare(snapshotId: string, gzip: boolean, createdBy: string, now = Date.now()): ShareResult {
  if (!findKeptSnapshot(snapshotId))
    return { ok: false, status: 404, message: 'There is no kept snapshot with this id.' }
  const db = getDb()
  const nowIso = new Date(now).toISOString()
  db.prepare('DELETE FROM snapshot_shares WHERE COALESCE(revoked_at, expires_at) < ?').run(
    new Date(now - FORGET_AFTER_MS).toISOString(),
  )
  const active = (
    db.prepare('SELECT COUNT(*) AS n FROM snapshot_shares WHERE revoked_at IS NULL AND expires_at > ?').get(nowIso) as {
      n: number
    }
  ).n
  if (active >= MAX_ACTIVE) {
    return {
      ok: false,
      status: 429,
      message: `There are already ${MAX_ACTIVE} live share links: revoke one before making another.`,
    }
  }
  const expiresAt = new Date(now + getConfig().diagnosticsShareHours * 3600_000).toISOString()
  const nonce = randomBytes(16).toString('base64url')
  const { lastInsertRowid } = db
    .prepare(
      'INSERT INTO snapshot_shares (snapshot_id, gzip, nonce, created_by, created_at, expires_at) ' +
        'VALUES (?, ?, ?, ?, ?, ?)',
    )
    .run(snapshotId, gzip ? 1 : 0, nonce, createdBy, nowIso, expiresAt)
  const row = db.prepare('SELECT * FROM snapshot_shares WHERE id = ?').get(Number(lastInsertRowid)) as ShareRow
  log.info(`${createdBy} shared snapshot ${snapshotId} until ${expiresAt} (share ${row.id})`)
  return { ok: true, share: toShare(row, now) }
}

export function revokeShare(id: number, revokedBy: string, now = Date.now()): boolean {
  const { changes } = getDb()
    .prepare('UPDATE snapshot_shares SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
    .run(new Date(now).toISOString(), id)
  if (changes > 0) log.info(`${revokedBy} revoked snapshot share ${id}`)
  return changes > 0
}

/** The share a token names, if the token is genuine and the share is live and its snapshot still kept. */
export function findLiveShare(token: string, now = Date.now()): SnapshotShare | null {
  const match = TOKEN.exec(token)
  if (!match) return null
  const row = getDb().prepare('SELECT * FROM snapshot_shares WHERE id = ?').get(Number(match[1])) as
    ShareRow | undefined
  if (!row) return null
  const expected = Buffer.from(mac(row.id, row.nonce))
  const given = Buffer.from(match[2])
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null
  const share = toShare(row, now)
  if (share.status !== 'active' || !findKeptSnapshot(share.snapshotId)) return null
  return share
}

/** Live shares first, then the rest, newest first, with their download counts. */
export function listShares(limit = 20, now = Date.now()): SnapshotShare[] {
  const rows = getDb()
    .prepare(
      `SELECT s.*, (SELECT COUNT(*) FROM snapshot_share_downloads d WHERE d.share_id = s.id) AS downloads
       FROM snapshot_shares s
       ORDER BY (s.revoked_at IS NULL AND s.expires_at > ?) DESC, s.id DESC LIMIT ?`,
    )
    .all(new Date(now).toISOString(), limit) as (ShareRow & { downloads: number })[]
  return rows.map((row) => toShare(row, now, row.downloads))
}

export interface ShareDownload {
  id: number
  shareId: number
  snapshotId: string
  address: string
  userAgent: string
  startedAt: string
  bytes: number
  status: 'complete' | 'aborted' | 'failed'
}

export function recordShareDownload(download: Omit<ShareDownload, 'id'>): void {
  const line =
    `shared snapshot ${download.snapshotId} (share ${download.shareId}) downloaded by ` +
    `${download.address}: ${download.status}, ${download.bytes} bytes`
  log.info(line)
  if (!isPrimary()) return
  const db = getDb()
  db.prepare(
    'INSERT INTO snapshot_share_downloads (share_id, snapshot_id, address, user_agent, started_at, bytes, status) ' +
      'VALUES (@shareId, @snapshotId, @address, @userAgent, @startedAt, @bytes, @status)',
  ).run({ ...download, userAgent: download.userAgent.slice(0, 300) })
  db.prepare(
    'DELETE FROM snapshot_share_downloads WHERE id NOT IN ' +
      '(SELECT id FROM snapshot_share_downloads ORDER BY id DESC LIMIT ?)',
  ).run(KEEP_DOWNLOADS)
}

export function listShareDownloads(limit = 20): ShareDownload[] {
  return getDb()
    .prepare(
      'SELECT id, share_id AS shareId, snapshot_id AS snapshotId, address, user_agent AS userAgent, ' +
        'started_at AS startedAt, bytes, status FROM snapshot_share_downloads ORDER BY id DESC LIMIT ?',
    )
    .all(limit) as ShareDownload[]
}
