/** The log of diagnostics downloads (who, when, kind, size, duration), newest 200 kept. */
import { getDb } from '../db/connection.server.ts'

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

export function recordDownload(download: Omit<DiagnosticDownload, 'id'>): void {
  const db = getDb()
  db.prepare(
    'INSERT INTO diagnostic_downloads (user_email, kind, started_at, duration_ms, bytes, status) VALUES (@userEmail, @kind, @startedAt, @durationMs, @bytes, @status)',
  ).run(download)
  db.prepare('DELETE FROM diagnostic_downloads WHERE id NOT IN (SELECT id FROM diagnostic_downloads ORDER BY id DESC LIMIT ?)').run(KEEP)
}

export function listDownloads(limit = 20): DiagnosticDownload[] {
  return getDb()
    .prepare(
      'SELECT id, user_email AS userEmail, kind, started_at AS startedAt, duration_ms AS durationMs, bytes, status FROM diagnostic_downloads ORDER BY id DESC LIMIT ?',
    )
    .all(limit) as DiagnosticDownload[]
}
