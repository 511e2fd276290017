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

export function accessLog(req: express.Request, res: express.Response, next: express.NextFunction): void {
  const start = performance.now()
  const socket = req.socket
  const bytesBefore = socket.bytesWritten
  const context = requestContext(res)
  const { requestId } = context
  res.once('close', () => {
    const route = routeLabel(req.originalUrl, res.statusCode)
    const cache = res.getHeader(PAGE_CACHE_STATUS_HEADER) ?? context.pageCache
    logInfoLine(
      {
        reqId: requestId,
        method: req.method,
        route,
        status: res.statusCode,
        ms: Math.round((performance.now() - start) * 10) / 10,
        bytes: socket.bytesWritten - bytesBefore,
        ...(typeof cache === 'string' ? { cache } : {}),
        ...(res.writableFinished ? {} : { aborted: true }),
      },
      `${req.method} ${route} ${res.statusCode}`,
    )
  })
  next()
}
