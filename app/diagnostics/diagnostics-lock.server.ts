/**
 * One diagnostic at a time, per process. A heap snapshot needs a large share of the
 * machine's memory and a profile slows every request down while it runs, so a second
 * request while one is running is answered 409 instead of being queued.
 *
 * The lock is kept on globalThis under a registered symbol: even if this module were
 * loaded twice (a dev-server reload, a second bundle) there is still only one lock.
 */
import { noStoreJson, noStoreText } from '../http/no-store-responses.ts'
import { collectUnlessDue } from '../job-pool.server.ts'

export type DiagnosticName = 'heapsnapshot' | 'heapprofile' | 'cpuprofile'

export interface RunningDiagnostic {
  kind: DiagnosticName
  userEmail: string
  /** Date.now() when it started. */
  startedAt: number
}

interface LockState {
  running: (RunningDiagnostic & { token: number }) | null
  nextToken: number
}

const KEY = Symbol.for('kiln.diagnostics.lock')
const holder = globalThis as typeof globalThis & { [KEY]?: LockState }
const state: LockState = (holder[KEY] ??= { running: null, nextToken: 1 })

/**
 * Takes the lock, or returns null when a diagnostic is already running. The returned
 * function releases it; calling it again (or after someone else took the lock) does
 * nothing, so every exit path may call it.
 */
export function tryAcquireDiagnostic(kind: DiagnosticName, userEmail: string): (() => void) | null {
  if (state.running) return null
  const token = state.nextToken++
  state.running = { kind, userEmail, startedAt: Date.now(), token }
  return () => {
    if (state.running?.token !== token) return
    state.running = null
    // A diagnostic leaves its working memory with the allocator (V8's graph of the heap for a
    // snapshot: the server stayed 85 MB larger afterwards, for good on a server with no job to
    // run): the idle collection, and its hand-back to the system, soon after.
    collectUnlessDue()
  }
}

/** What is running now, for the dashboard and the 409 message. */
export function runningDiagnostic(): RunningDiagnostic | null {
  if (!state.running) return null
  const { kind, userEmail, startedAt } = state.running
  return { kind, userEmail, startedAt }
}

const LABELS: Record<DiagnosticName, string> = {
  heapsnapshot: 'A heap snapshot',
  heapprofile: 'A heap sampling profile',
  cpuprofile: 'A CPU profile',
}

export function busyMessage(running = runningDiagnostic()): string {
  if (!running) return 'Another diagnostic is running. Only one runs at a time: try again when it has finished.'
  const seconds = Math.max(0, Math.round((Date.now() - running.startedAt) / 1000))
  return (
    `${LABELS[running.kind]} started ${seconds} s ago by ${running.userEmail} is still ` +
    `running. Only one diagnostic runs at a time: try again when it has finished.`
  )
}

/**
 * A refusal (400, 409, 503...) as JSON for a script or the dashboard's fetch (Accept:
 * application/json), as plain text otherwise: a download link shows it as it is.
 */
export function diagnosticError(
  request: Request,
  status: number,
  message: string,
  details: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  const wantsJson = /\bapplication\/json\b/i.test(request.headers.get('Accept') ?? '')
  if (!wantsJson) return noStoreText(`${message}\n`, status, headers)
  return noStoreJson({ error: message, ...details }, status, {
    'Content-Type': 'application/json; charset=utf-8',
    ...headers,
  })
}

/** The 409 for a request that arrives while another diagnostic runs. */
export function busyResponse(request: Request): Response {
  const running = runningDiagnostic()
  return diagnosticError(request, 409, busyMessage(running), { running }, { 'Retry-After': '5' })
}
