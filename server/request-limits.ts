/**
 * Limits at the HTTP door that need no knowledge of the app: whatever a request names, it
 * cannot hold a connection for long or pile answers up in memory. (Bodies are bounded by the
 * app, whose routes decide their limits: app/http/request-bodies.server.ts.)
 *
 * - Arrival time. Node's headersTimeout and requestTimeout cut a request whose headers or
 *   body trickle in (answered 408); Node checks them every connectionsCheckingInterval.
 * - Pipelining. Node parses every pipelined request it has read and renders each answer into
 *   memory while the first is still going out: one 18 KB write of 400 requests for a feed
 *   grew the server by 86 MB until the idle cut. Browsers and proxies send one request at a
 *   time, so a connection with more than MAX_PIPELINED requests waiting is cut at once.
 * - A client that stops reading. The server's socket timeout fires after RESPONSE_IDLE_TIMEOUT_MS
 *   without progress; a socket with response bytes still unsent is then cut. A request the
 *   server itself is still working on (a long compile) is left to that work's own limits.
 */
import type http from 'node:http'
import type { Socket } from 'node:net'

/**
 * Node answers `Expect: 100-continue` by itself, before any middleware could refuse the body;
 * with this the request comes to the app instead, whose body limit decides.
 */
export function answerExpectContinue(server: http.Server, app: http.RequestListener): void {
  server.on('checkContinue', app)
}

/** Requests one connection may have waiting for their answers at a time. */
export const MAX_PIPELINED = 32
const WAITING = Symbol('kiln.waitingRequests')

/**
 * Counts the request among its connection's waiting ones; cuts a connection that pipelines
 * more than MAX_PIPELINED requests (see the header). False when it was cut. The caller calls
 * pipelinedDone when the request's answer closes (the server's one listener per answer).
 */
export function admitPipelined(req: http.IncomingMessage): boolean {
  const socket = req.socket as Socket & { [WAITING]?: number }
  socket[WAITING] = (socket[WAITING] ?? 0) + 1
  if (socket[WAITING] <= MAX_PIPELINED) return true
  socket.destroy()
  return false
}

/** The request's answer is closed: one fewer waiting on its connection. */
export function pipelinedDone(req: http.IncomingMessage): void {
  const socket = req.socket as Socket & { [WAITING]?: number }
  socket[WAITING] = (socket[WAITING] ?? 1) - 1
}

/** Node's own request-arrival limits, for http.createServer. */
export function arrivalTimeouts(limits: {
  requestHeadersTimeoutMs: number
  requestTimeoutMs: number
  connectionsCheckIntervalMs: number
}): http.ServerOptions {
  return {
    headersTimeout: limits.requestHeadersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: limits.connectionsCheckIntervalMs,
  }
}

/**
 * Cuts a connection that made no progress for `idleMs` while response bytes wait to be sent
 * (the client stopped reading), or that has no request in flight. Node resets the timer on
 * every read and every completed write, so a slow reader that keeps reading is never cut.
 */
export function cutStalledConnections(server: http.Server, idleMs: number, warn: (message: string) => void): void {
  let cut = 0
  let lastReport = 0
  server.setTimeout(idleMs)
  server.on('timeout', (socket: Socket) => {
    const inFlight = (socket as Socket & { _httpMessage?: unknown })._httpMessage
    if (!inFlight) return void socket.destroy()
    if (socket.writableLength === 0) return
    socket.destroy()
    // Counted and reported at most every 10 s: many stalled readers at once are one line.
    cut++
    if (Date.now() - lastReport >= 10_000) {
      warn(`cut ${cut} connection(s) whose client stopped reading its answer for ${idleMs} ms`)
      lastReport = Date.now()
      cut = 0
    }
  })
}
