/**
 * Every request body is read here, before any route, into a buffer bounded by the route's
 * limit (64 KB; the content webhook 1 MB): whatever route a request names and whatever that
 * route does, its body cannot make Kiln hold much memory.
 *
 * - A Content-Length over the limit is answered 413 without reading a byte; a chunked body is
 *   counted as it streams and cut the moment it passes the limit. Reading first (as nginx does
 *   with client_max_body_size) is what makes the limit hold on every route: a route that never
 *   reads its body (a POST to a page, a GET with a body) would otherwise leave it to Node,
 *   which drains it after the answer with no bound at all. It costs nothing extra where it
 *   matters: Remix's formData() buffers the whole body anyway. The Remix handler gets the
 *   buffer (bufferedBody). A client that asks `Expect: 100-continue` (curl does for large
 *   uploads) is told 413 before it sends a byte, and 100 Continue only when its body fits (the
 *   server hands such requests to the app: server/request-limits.ts, answerExpectContinue).
 * - A 413 closes its connection with a lingering close (RFC 9112 section 9.6): the answer and
 *   a FIN go out, what the client is still sending is read and dropped for a moment, then
 *   the socket is destroyed. Destroying it at once would answer the client's next bytes with
 *   a reset, which can make the client lose the 413 it has not read yet.
 *
 * The limits depend on the route, so they live with the app; the limits that need no
 * knowledge of the app (arrival time, pipelining, stalled readers) are the server's.
 */
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
