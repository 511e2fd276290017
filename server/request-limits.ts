/**
 * Limits at the HTTP door: whatever route a request names and whatever that route does, it
 * cannot make Kiln hold much memory, or a connection for long.
 *
 * - Bodies. Every request body is read here, before any route, into a buffer bounded by the
 *   route's limit (64 KB; the content webhook 1 MB). A Content-Length over the limit is
 *   answered 413 without reading a byte; a chunked body is counted as it streams and cut the
 *   moment it passes the limit. Reading first (as nginx does with client_max_body_size) is
 *   what makes the limit hold on every route: a route that never reads its body (a POST to a
 *   page, a GET with a body) would otherwise leave it to Node, which drains it after the
 *   answer with no bound at all. It costs nothing extra where it matters: Remix's formData()
 *   buffers the whole body anyway. The Remix handler gets the buffer (bufferedBody). A client
 *   that asks `Expect: 100-continue` (curl does for large uploads) is told 413 before it sends
 *   a byte, and 100 Continue only when its body fits.
 * - A 413 closes its connection with a lingering close (RFC 9112 section 9.6): the answer and
 *   a FIN go out, what the client is still sending is read and dropped for a moment, then
 *   the socket is destroyed. Destroying it at once would answer the client's next bytes with
 *   a reset, which can make the client lose the 413 it has not read yet.
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
import type express from 'express'

/** How long a refused upload's remaining bytes are read and dropped before the socket is destroyed. */
const LINGER_MS = 2_000
const BODY = Symbol('kiln.requestBody')

type WithBody = express.Request & { [BODY]?: Buffer }

/** The request's body as read by limitRequestBodies; undefined when it had none. */
export function bufferedBody(req: express.Request): Buffer | undefined {
  return (req as WithBody)[BODY]
}

/** Ends the write side now and destroys the socket after a moment, instead of at once. */
function lingerOnClose(socket: Socket) {
  // Node's HTTP server calls destroySoon() once a `Connection: close` answer is out.
  socket.destroySoon = () => {
    socket.end()
    const timer = setTimeout(() => socket.destroy(), LINGER_MS)
    timer.unref()
    socket.once('close', () => clearTimeout(timer))
  }
}

function refuse(req: express.Request, res: express.Response, limit: number) {
  // Whatever is still coming is dropped as it arrives, never kept.
  req.resume()
  lingerOnClose(req.socket)
  res.setHeader('Connection', 'close')
  res.setHeader('Cache-Control', 'no-store')
  res
    .status(413)
    .type('text/plain')
    .send(`Request body too large: this address takes at most ${limit} bytes. Nothing was kept.`)
}

/**
 * Reads every request body up to `limitFor(req)` bytes (see the header), or answers 413.
 * Requests without a body (no Content-Length, no Transfer-Encoding) pass at once.
 */
export function limitRequestBodies(limitFor: (req: express.Request) => number): express.RequestHandler {
  return (req, res, next) => {
    const declared = req.headers['content-length']
    if (declared === undefined && req.headers['transfer-encoding'] === undefined) return next()
    const limit = limitFor(req)
    // Node's parser has already refused a malformed length, or one beside Transfer-Encoding.
    if (declared !== undefined && Number(declared) > limit) return refuse(req, res, limit)
    // Only requests the server hands over as 'checkContinue' (see answerExpectContinue) wait for this.
    if (/100-continue/i.test(req.headers.expect ?? '')) res.writeContinue()
    const chunks: Buffer[] = []
    let size = 0
    const stop = () => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('close', onClose)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        stop()
        refuse(req, res, limit)
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      stop()
      ;(req as WithBody)[BODY] = Buffer.concat(chunks, size)
      next()
    }
    // The client went away (or Node's request timeout cut it) before the body was whole:
    // there is nobody to answer.
    const onClose = () => {
      stop()
      chunks.length = 0
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('close', onClose)
  }
}

/**
 * Node answers `Expect: 100-continue` by itself, before any middleware could refuse the body;
 * with this the request comes to the app instead, and limitRequestBodies decides.
 */
export function answerExpectContinue(server: http.Server, app: http.RequestListener): void {
  server.on('checkContinue', app)
}

/** Requests one connection may have waiting for their answers at a time. */
export const MAX_PIPELINED = 32
const WAITING = Symbol('kiln.waitingRequests')

/** Cuts a connection that pipelines more than MAX_PIPELINED requests (see the header). */
export function limitPipelining(req: express.Request, res: express.Response, next: express.NextFunction): void {
  const socket = req.socket as Socket & { [WAITING]?: number }
  socket[WAITING] = (socket[WAITING] ?? 0) + 1
  res.once('close', () => void (socket[WAITING] = (socket[WAITING] ?? 1) - 1))
  if (socket[WAITING] > MAX_PIPELINED) return void socket.destroy()
  next()
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
export function cutStalledConnections(server: http.Server, idleMs: number): void {
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
      console.warn(`[kiln] cut ${cut} connection(s) whose client stopped reading its answer for ${idleMs} ms`)
      lastReport = Date.now()
      cut = 0
    }
  })
}
