/**
 * The lighter diagnostics, through node:inspector on this same thread: a heap sampling
 * profile (`.heapprofile`, where memory is being allocated) and a CPU profile
 * (`.cpuprofile`), each over N seconds, N from 1 to 60. Both load in Chrome DevTools.
 *
 * Same guard as the snapshot: one diagnostic at a time (409). A client that leaves while
 * the profile runs stops it: the profiler is stopped, the session disconnected, the lock
 * released and the download logged as aborted.
 */
import { Session } from 'node:inspector/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Timings } from '../timing.server.ts'
import { busyResponse, diagnosticError, tryAcquireDiagnostic } from './diagnostics-lock.server.ts'
import { attachmentHeaders, diagnosticFilename, trackDownload } from './heap-snapshot.server.ts'
import { errorMessage } from '../utils/error-message.ts'

export type ProfileKind = 'heapprofile' | 'cpuprofile'

export const MIN_SECONDS = 1
export const MAX_SECONDS = 60
/** Bytes between heap samples (V8's default): fine enough to find a leak, cheap to run. */
const HEAP_SAMPLING_INTERVAL = 32 * 1024

export type SecondsResult = { ok: true; seconds: number } | { ok: false; message: string }

/** `?seconds=N`: a whole number from 1 to 60, nothing else. */
export function parseSeconds(raw: string | null): SecondsResult {
  const range = `a whole number from ${MIN_SECONDS} to ${MAX_SECONDS}`
  if (raw === null || raw === '') return { ok: false, message: `Say how long to profile for: ?seconds=N, N ${range}.` }
  const seconds = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN
  if (!Number.isInteger(seconds) || seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    return { ok: false, message: `seconds must be ${range}, got "${raw.slice(0, 40)}".` }
  }
  return { ok: true, seconds }
}

export interface ProfileOptions {
  request: Request
  userEmail: string
  kind: ProfileKind
  /** Aborts when the client has gone; request.signal by default (see heap-snapshot.server.ts on its limits). */
  signal?: AbortSignal
  timings?: Timings
}

const LABELS: Record<ProfileKind, string> = { heapprofile: 'heap sampling profile', cpuprofile: 'CPU profile' }

export async function profileResponse({
  request,
  userEmail,
  kind,
  signal = request.signal,
  timings,
}: ProfileOptions): Promise<Response> {
  const parsed = parseSeconds(new URL(request.url).searchParams.get('seconds'))
  if (!parsed.ok) return diagnosticError(request, 400, parsed.message)
  const headers = attachmentHeaders(diagnosticFilename(kind), 'application/json; charset=utf-8')
  if (request.method === 'HEAD') return new Response(null, { headers })

  const release = tryAcquireDiagnostic(kind, userEmail)
  if (!release) return busyResponse(request)
  const download = trackDownload(kind, userEmail, release)
  const session = new Session()
  const start = performance.now()
  try {
    session.connect()
    const profile =
      kind === 'cpuprofile'
        ? await cpuProfile(session, parsed.seconds, signal)
        : await heapProfile(session, parsed.seconds, signal)
    timings?.add('profile', performance.now() - start, LABELS[kind])
    if (profile === null) {
      download.finish('aborted')
      return new Response(null, { status: 499 })
    }
    const json = JSON.stringify(profile)
    download.bytes = Buffer.byteLength(json)
    download.finish('complete')
    return new Response(json, { headers })
  } catch (error) {
    download.finish('failed', error)
    return diagnosticError(request, 500, `The ${LABELS[kind]} failed: ${errorMessage(error)}`)
  } finally {
    session.disconnect()
  }
}

/** Waits, or returns false as soon as the client has gone. */
async function waitUnlessAborted(seconds: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false
  try {
    await sleep(seconds * 1000, undefined, { signal })
    return true
  } catch {
    return false
  }
}

/** A CPU profile over `seconds`; null when the client left (the profile is thrown away). */
async function cpuProfile(session: Session, seconds: number, signal: AbortSignal) {
  await session.post('Profiler.enable')
  try {
    await session.post('Profiler.start')
    const completed = await waitUnlessAborted(seconds, signal)
    const { profile } = await session.post('Profiler.stop')
    return completed ? profile : null
  } finally {
    await session.post('Profiler.disable')
  }
}

/** A heap sampling profile over `seconds`; null when the client left. */
async function heapProfile(session: Session, seconds: number, signal: AbortSignal) {
  await session.post('HeapProfiler.enable')
  try {
    await session.post('HeapProfiler.startSampling', { samplingInterval: HEAP_SAMPLING_INTERVAL })
    const completed = await waitUnlessAborted(seconds, signal)
    const { profile } = await session.post('HeapProfiler.stopSampling')
    return completed ? profile : null
  } finally {
    await session.post('HeapProfiler.disable')
  }
}
