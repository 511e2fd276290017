/**
 * The access log: one line per request when its connection is done with it, with the method,
 * the route's label (bounded, as in /metrics: `/blog/:slug`, never the raw path a client
 * made up), the status, the duration, the bytes sent (head and body, as they left the
 * socket), the page cache's answer (`hit`, `miss`, `bypass`, from X-Kiln-Cache; absent when the
 * request never reached the page cache) and the request id. A client that went away before
 * the end is marked `aborted`.
 */
import type express from 'express'
import { routeLabel } from '../diagnostics/metrics.server.ts'
import { requestContext } from '../http/request-context.server.ts'
import { PAGE_CACHE_STATUS_HEADER } from '../http/page-cache.server.ts'
import { logInfoLine } from './logger.server.ts'

/** What the access line of one answer needs from the moment its request arrived. */
export interface AnswerStart {
  /** performance.now() when the request arrived. */
  start: number
  /** The socket's bytesWritten then: the answer's bytes are the difference. */
  bytesBefore: number
  requestId: string
}

export function answerStart(req: express.Request, requestId: string): AnswerStart {
  return { start: performance.now(), bytesBefore: req.socket.bytesWritten, requestId }
}

/** The access line of an answer whose connection is done with it (`route`: its label, if the caller has it). */
export function writeAccessLine(
  req: express.Request,
  res: express.Response,
  { start, bytesBefore, requestId }: AnswerStart,
  cache: unknown,
  route = routeLabel(req.originalUrl, res.statusCode),
): void {
  const fields: Record<string, string | number | boolean> = {
    reqId: requestId,
    method: req.method,
    route,
    status: res.statusCode,
    ms: Math.round((performance.now() - start) * 10) / 10,
    bytes: req.socket.bytesWritten - bytesBefore,
  }
  if (typeof cache === 'string') fields.cache = cache
  if (!res.writableFinished) fields.aborted = true
  logInfoLine(fields, `${req.method} ${route} ${res.statusCode}`)
}

export function accessLog(req: express.Request, res: express.Response, next: express.NextFunction): void {
  const started = answerStart(req, requestContext(res).requestId)
  res.once('close', () => writeAccessLine(req, res, started, res.getHeader(PAGE_CACHE_STATUS_HEADER)))
  next()
}
