/**
 * What the snapshot pages (app/routes/admin.snapshots.*) load and do, so the routes stay
 * thin: the list, taking a kept snapshot, and downloading one.
 */
import { log } from '../logging/logger.server.ts'
import fs from 'node:fs'
import { Readable } from 'node:stream'
import zlib from 'node:zlib'
import { data, redirect } from '@remix-run/node'
import { getConfig } from '../config.server.ts'
import { safeRedirect } from '../http/safe-redirect.ts'
import { errorMessage } from '../utils/error-message.ts'
import {
  createShare,
  findLiveShare,
  listShareDownloads,
  listShares,
  recordShareDownload,
  revokeShare,
} from './snapshot-shares.server.ts'
import { snapshotDiff, snapshotSummary } from './snapshot-analysis.server.ts'
import { attachmentHeaders } from './heap-snapshot.server.ts'
import { findKeptSnapshot, keepHeapSnapshot, listKeptSnapshots, snapshotFile } from './snapshot-store.server.ts'

export function snapshotsPageData() {
  const config = getConfig()
  return {
    now: Date.now(),
    snapshots: listKeptSnapshots(),
    keep: config.diagnosticsKeep,
    dir: config.diagnosticsDir,
    shareHours: config.diagnosticsShareHours,
  }
}

export async function snapshotsAction(request: Request, userEmail: string) {
  const form = await request.formData()
  const intent = form.get('intent')
  if (intent === 'take') {
    // Summarized before the diagnostics lock is released: the admin is sent to the summary
    // next, and summarizing is memory work of its own, like the snapshot. (A summary that
    // fails says why on that page.)
    const result = await keepHeapSnapshot(userEmail, { whileLocked: (snapshot) => snapshotSummary(snapshot.id) })
    if (!result.ok) return data({ error: result.message }, { status: result.status })
    return redirect(`/admin/snapshots/${result.snapshot.id}`, 303)
  }
  const back = safeRedirect(form.get('redirectTo'), '/admin/snapshots')
  if (intent === 'share') {
    const result = createShare(String(form.get('id') ?? ''), form.get('gzip') !== '0', userEmail)
    if (!result.ok) return data({ error: result.message }, { status: result.status })
    return redirect(back, 303)
  }
  if (intent === 'revoke') {
    const id = Number(form.get('share'))
    if (!Number.isSafeInteger(id) || !revokeShare(id, userEmail)) {
      return data({ error: 'There is no live share link with this id.' }, { status: 404 })
    }
    return redirect(back, 303)
  }
  return data({ error: 'Unknown action.' }, { status: 400 })
}

/** The shares card's data: the newest links (live first) and downloads through them. */
export function sharesCardData() {
  return { siteUrl: getConfig().siteUrl, shares: listShares(), shareDownloads: listShareDownloads() }
}

/** GET /diagnostics/shared/<token>: the shared snapshot, logged; 404 for a forged, expired or revoked token. */
export function sharedSnapshotDownload(request: Request, token: string, address: string, signal: AbortSignal) {
  const share = findLiveShare(token)
  if (!share) {
    return new Response('This link does not exist, has expired or was revoked.\n', {
      status: 404,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
    })
  }
  const startedAt = new Date().toISOString()
  const userAgent = request.headers.get('User-Agent') ?? ''
  return keptSnapshotDownload(request, share.snapshotId, share.gzip, signal, (bytes, status) => {
    try {
      recordShareDownload({
        shareId: share.id,
        snapshotId: share.snapshotId,
        address,
        userAgent,
        startedAt,
        bytes,
        status,
      })
    } catch (error) {
      log.error(`could not log a shared snapshot download: ${errorMessage(error)}`)
    }
  })
}

/** The kept snapshot `id` as a download (gzip-compressed on the way with `gzip`); 404 when there is none. */
export function keptSnapshotDownload(
  request: Request,
  id: string,
  gzip: boolean,
  signal: AbortSignal,
  onEnd?: (bytes: number, status: 'complete' | 'aborted' | 'failed') => void,
): Response {
  const snapshot = findKeptSnapshot(id)
  if (!snapshot) {
    return new Response('No such snapshot.\n', {
      status: 404,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
    })
  }
  const name = `kiln-${id}.heapsnapshot${gzip ? '.gz' : ''}`
  const headers = attachmentHeaders(name, gzip ? 'application/gzip' : 'application/octet-stream')
  if (!gzip) headers['Content-Length'] = String(snapshot.bytes)
  // A HEAD (a link preview, a chat app unfurling a shared link) reads nothing and logs nothing.
  if (request.method === 'HEAD') return new Response(null, { headers })
  const file = fs.createReadStream(snapshotFile(id))
  const source = gzip ? file.pipe(zlib.createGzip()) : file
  let bytes = 0
  let ended = false
  const end = (status: 'complete' | 'aborted' | 'failed') => {
    if (ended) return
    ended = true
    file.destroy()
    onEnd?.(bytes, status)
  }
  file.once('error', () => end('failed'))
  source.on('data', (chunk: Buffer) => (bytes += chunk.byteLength))
  source.once('end', () => end('complete'))
  // A client that leaves cancels the body, which destroys the source before its end.
  source.once('close', () => end('aborted'))
  signal.addEventListener('abort', () => end('aborted'), { once: true })
  const body = Readable.toWeb(source) as ReadableStream<Uint8Array>
  return new Response(body, { headers })
}

/** The summary page's data: the summary, or the reason there is none (with its HTTP status). */
export async function snapshotSummaryPageData(id: string) {
  const outcome = await snapshotSummary(id)
  if (!outcome.ok)
    return { status: outcome.status, id, error: outcome.message, summary: null, snapshot: outcome.snapshot }
  // The full constructor list is for comparisons; the page shows the top lists.
  const { classes: _classes, ...summary } = outcome.summary
  return { status: 200, id, error: null, summary, snapshot: outcome.snapshot }
}

export async function snapshotDiffPageData(beforeId: string, afterId: string) {
  const outcome = await snapshotDiff(beforeId, afterId)
  if (!outcome.ok) return { status: outcome.status, beforeId, afterId, error: outcome.message, diff: null }
  return { status: 200, beforeId, afterId, error: null, diff: outcome.diff }
}
