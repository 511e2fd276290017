/**
 * The heap snapshot download: written by V8 straight to a file in DIAGNOSTICS_DIR, which is
 * unlinked as soon as it is open and streamed into the HTTP response from there, gzip
 * compressed on the way when asked. Guarded: one diagnostic at a time, and refused (503)
 * when the memory headroom is too small.
 *
 * How the memory behaves: taking the snapshot blocks the event loop while V8 builds a graph
 * of the heap in native memory and serializes it. v8.getHeapSnapshot() would serialize the
 * whole graph as JSON into its stream's buffer at once on the first read, so the graph and
 * the full JSON were in memory together at the peak; v8.writeHeapSnapshot() writes the JSON
 * to the file as it goes. The file costs disk, never memory: it is the same size as the
 * download. When it cannot be written (a full disk, a read-only folder), the snapshot is
 * streamed from memory as before, so the admin still gets it.
 *
 * The response body hands over one chunk of the snapshot (or of gzip's output) each time
 * the HTTP side asks for one, never joining chunks (a Readable's async iterator would:
 * read() without a size returns everything buffered as one new Buffer). The download ends
 * as "complete" when every byte was handed to the response, "failed" on an error, and
 * "aborted" when the client leaves: the abort signal fires, or the body is cancelled, or
 * nothing is asked for during STALL_MS. Then the snapshot stream is destroyed and the
 * lock released.
 *
 * This relies on the server (app/http/remix-handler.server.ts) writing the body with backpressure
 * and on the load context's clientSignal: @remix-run/express's own sender writes every
 * chunk without waiting for 'drain', and a loader's request.signal can stop following
 * the client once a garbage collection (a snapshot runs several) has taken the Requests
 * Remix derives from the original (undici links them weakly). The routes pass
 * context.clientSignal; request.signal is only the default.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pipeline, type Readable } from 'node:stream'
import v8 from 'node:v8'
import zlib from 'node:zlib'
import type { Timings } from '../timing.server.ts'
import { busyResponse, diagnosticError, tryAcquireDiagnostic } from './diagnostics-lock.server.ts'
import { recordDownload, type DiagnosticDownload, type DownloadKind } from './downloads.server.ts'
import { checkSnapshotHeadroom, formatBytes } from './headroom.server.ts'
import { errorMessage } from '../utils/error-message.ts'
import { log } from '../logging/logger.server.ts'
import { PARTIAL_NAME, removePartial, snapshotsDir, writeHeapSnapshotFile } from './snapshot-store.server.ts'

/** A download that makes no progress for this long (a client that stopped reading) is ended. */
const STALL_MS = 2 * 60_000

const pad = (value: number) => String(value).padStart(2, '0')

/** `<host>-<yyyy-MM-dd HH_mm_ss>.<extension>`, the time in UTC. */
export function diagnosticFilename(extension: string, date = new Date(), host = os.hostname()): string {
  const day = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`
  const time = `${pad(date.getUTCHours())}_${pad(date.getUTCMinutes())}_${pad(date.getUTCSeconds())}`
  const safeHost = host.replace(/[^A-Za-z0-9.-]/g, '_') || 'kiln'
  return `${safeHost}-${day} ${time}.${extension}`
}

/**
 * Headers of a diagnostics file. `no-transform` keeps compression() (and any proxy) from
 * encoding the body again: a .gz is a file to save, not a transfer encoding.
 */
export function attachmentHeaders(filename: string, contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Disposition': `attachment; filename="${filename}"`,
    'Cache-Control': 'no-store, no-transform',
    'X-Content-Type-Options': 'nosniff',
  }
}

export type DownloadStatus = DiagnosticDownload['status']

export interface DownloadTracker {
  readonly finished: boolean
  readonly status: DownloadStatus | null
  /** Bytes handed to the HTTP response so far. */
  bytes: number
  /** Logs the download once and releases the lock; later calls do nothing. */
  finish(status: DownloadStatus, error?: unknown): void
}

/** Logs one download (in the table and on the console) and releases the lock when it ends. */
export function trackDownload(kind: DownloadKind, userEmail: string, release: () => void): DownloadTracker {
  const startedAt = new Date()
  const start = performance.now()
  let status: DownloadStatus | null = null
  log.info(`${kind} for ${userEmail}: started`)
  const tracker: DownloadTracker = {
    get finished() {
      return status !== null
    },
    get status() {
      return status
    },
    bytes: 0,
    finish(result, error) {
      if (status !== null) return
      status = result
      release()
      const durationMs = performance.now() - start
      try {
        recordDownload({
          userEmail,
          kind,
          startedAt: startedAt.toISOString(),
          durationMs,
          bytes: tracker.bytes,
          status: result,
        })
      } catch (dbError) {
        log.error(`could not log the ${kind} download: ${errorMessage(dbError)}`)
      }
      const reason = error ? `: ${errorMessage(error)}` : ''
      const line =
        `${kind} for ${userEmail}: ${result}, ` +
        `${formatBytes(tracker.bytes)} in ${Math.round(durationMs)} ` +
        `ms${reason}`
      if (result === 'failed') log.error(line)
      else log.info(line)
    },
  }
  return tracker
}

export interface HeapSnapshotOptions {
  request: Request
  userEmail: string
  gzip: boolean
  /** Aborts when the client has gone; request.signal by default. */
  signal?: AbortSignal
  timings?: Timings
}

export async function heapSnapshotResponse({
  request,
  userEmail,
  gzip,
  signal = request.signal,
  timings,
}: HeapSnapshotOptions): Promise<Response> {
  const kind: DownloadKind = gzip ? 'heapsnapshot.gz' : 'heapsnapshot'
  const headers = attachmentHeaders(diagnosticFilename(kind), gzip ? 'application/gzip' : 'application/octet-stream')
  // A HEAD (a link preview, a download manager probing) must not take a snapshot.
  if (request.method === 'HEAD') return new Response(null, { headers })

  const release = tryAcquireDiagnostic('heapsnapshot', userEmail)
  if (!release) return busyResponse(request)

  let handedOver = false
  try {
    const headroom = checkSnapshotHeadroom()
    if (!headroom.ok) {
      log.warn(`heap snapshot for ${userEmail} refused: ${headroom.message}`)
      const { neededBytes, availableBytes, source, heapUsedBytes } = headroom
      return diagnosticError(
        request,
        503,
        headroom.message,
        { neededBytes, availableBytes, source, heapUsedBytes },
        { 'Retry-After': '60' },
      )
    }
    if (signal.aborted) return new Response(null, { status: 499 })

    const download = trackDownload(kind, userEmail, release)
    let snapshot: Readable
    try {
      const takeStart = performance.now()
      snapshot = takeSnapshotStream(userEmail)
      timings?.add('snapshot', performance.now() - takeStart, 'taking and serializing the heap snapshot')
    } catch (error) {
      download.finish('failed', error)
      return diagnosticError(request, 500, `The heap snapshot failed: ${errorMessage(error)}`)
    }

    const source: Readable = gzip
      ? pipeline(snapshot, zlib.createGzip(), () => {
          // Errors reach the body through the gzip stream.
        })
      : snapshot
    const body = streamBody(source, download, request, signal)
    handedOver = true
    return new Response(body, { headers })
  } finally {
    if (!handedOver) release()
  }
}

/**
 * The snapshot as a stream of its bytes. The file is unlinked once open: the descriptor
 * keeps it readable until the download ends, and nothing is left on disk whatever becomes
 * of the download. (The lock allows one snapshot at a time, so the partial's fixed name is
 * free.)
 */
function takeSnapshotStream(userEmail: string): Readable {
  const file = path.join(snapshotsDir(), PARTIAL_NAME)
  let fd: number
  try {
    writeHeapSnapshotFile(file)
    fd = fs.openSync(file, 'r')
  } catch (error) {
    removePartial(file)
    log.warn(
      `heap snapshot for ${userEmail}: could not be written to ${path.dirname(file)} ` +
        `(${errorMessage(error)}); streaming it from memory instead`,
    )
    const stream = v8.getHeapSnapshot()
    // The first read serializes the whole snapshot into the stream's buffer and frees V8's
    // graph of the heap; doing it now frees the graph even if the client has gone.
    stream.read(0)
    return stream
  }
  removePartial(file)
  return fs.createReadStream(file, { fd, highWaterMark: 64 * 1024 })
}

/**
 * A web ReadableStream over a Node Readable that reads one chunk per request of the
 * consumer, and keeps the download's log (see the top of this file). The request is
 * held until the download ends: its signal's link to the client goes through it.
 */
function streamBody(
  source: Readable,
  download: DownloadTracker,
  request: Request,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined
  let stallTimer: NodeJS.Timeout | undefined
  let held: Request | null = request

  const settle = () => {
    clearTimeout(stallTimer)
    signal.removeEventListener('abort', onAbort)
    source.off('data', onData)
    held = null
  }
  const stop = (status: 'aborted' | 'failed', error?: unknown) => {
    if (download.finished) return
    settle()
    download.finish(status, error)
    source.destroy()
    try {
      // Ends the sender's pending read. A client that left gets a quiet close (nobody is
      // listening); with an error (a failure, a stalled client) the stream errors so the
      // connection is torn down and the client sees a broken transfer, never a
      // truncated file that looks whole.
      if (error === undefined) controller?.close()
      else controller?.error(error)
    } catch {
      // already closed or errored
    }
  }
  function onAbort() {
    stop('aborted')
  }
  function onData(chunk: Buffer) {
    source.pause()
    if (download.finished || !controller) return
    download.bytes += chunk.byteLength
    controller.enqueue(chunk)
  }
  const armStallTimer = () => {
    clearTimeout(stallTimer)
    stallTimer = setTimeout(
      () => stop('aborted', new Error(`nothing was read for ${STALL_MS / 1000} s (${held?.url ?? ''})`)),
      STALL_MS,
    )
    stallTimer.unref()
  }

  return new ReadableStream<Uint8Array>(
    {
      start(streamController) {
        controller = streamController
        // Paused before listening, so that 'data' flows only when pull() resumes it.
        source.pause()
        source.on('data', onData)
        source.once('end', () => {
          if (download.finished) return
          settle()
          streamController.close()
          download.finish('complete')
        })
        source.once('error', (error) => stop('failed', error))
        source.once('close', () => stop('failed', new Error('the snapshot stream closed before its end')))
        armStallTimer()
        if (signal.aborted) onAbort()
        else signal.addEventListener('abort', onAbort, { once: true })
      },
      pull() {
        if (download.finished) return
        armStallTimer()
        source.resume()
      },
      cancel() {
        stop('aborted')
      },
    },
    { highWaterMark: 0 },
  )
}
