/**
 * The log of diagnostics downloads (who, when, kind, size, duration), newest 200 kept.
 * A snapshot is of this instance's memory, so a replica serves it too, but a replica never
 * writes its database: there the record is kept in memory (newest 50) and logged.
 */
import { getDb } from '../db/connection.server.ts'
import { isPrimary } from '../replication/instance.server.ts'
import { log } from '../logging/logger.server.ts'

export type DownloadKind = 'heapsnapshot' | 'heapsnapshot.gz' | 'heapprofile' | 'cpuprofile'

export interface DiagnosticDownload {
  id: number
  userEmail: string
  kind: DownloadKind
  startedAt: string
  durationMs: number
  bytes: number
  status: 'complete' | 'aborted' | 'failed'
}

const KEEP = 200
const KEEP_IN_MEMORY = 50
const onThisReplica: DiagnosticDownload[] = []
let nextReplicaId = -1

export function recordDownload(download: Omit<DiagnosticDownload, 'id'>): void {
  if (!isPrimary()) {
    log.info(
      `replica: ${download.kind} download by ${download.userEmail}: ` +
        `${download.status}, ${download.bytes} bytes in ${download.durationMs} ms`,
    )
    onThisReplica.unshift({ id: nextReplicaId--, ...download })
    onThisReplica.length = Math.min(onThisReplica.length, KEEP_IN_MEMORY)
    return
  }
  const db = getDb()
  db.prepare(
    'INSERT INTO diagnostic_downloads (user_email, kind, started_at, duration_ms, bytes, ' +
      'status) VALUES (@userEmail, @kind, @startedAt, @durationMs, @bytes, @status)',
  ).run(download)
  db.prepare(
    'DELETE FROM diagnostic_downloads WHERE id NOT IN (SELECT id FROM diagnostic_downloads ORDER BY id DESC LIMIT ?)',
  ).run(KEEP)
}

export function listDownloads(limit = 20): DiagnosticDownload[] {
  const stored = getDb()
    .prepare(
      'SELECT id, user_email AS userEmail, kind, started_at AS startedAt, duration_ms AS ' +
        'durationMs, bytes, status FROM diagnostic_downloads ORDER BY id DESC LIMIT ?',
    )
    .all(limit) as DiagnosticDownload[]
  return [...onThisReplica, ...stored].sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1)).slice(0, limit)
}
