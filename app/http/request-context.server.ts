/**
 * What each request carries through the app: its Server-Timing figures and the cookies the
 * app adds to its answer, made when it arrives (the first of the app's middleware) and
 * written out when its head goes out; and the load context every Remix loader, action
 * and the renderer get (app/load-context.ts declares it).
 */
import type { AppLoadContext } from '@remix-run/node'
import type express from 'express'
import onHeaders from 'on-headers'
import { getConfig } from '../config.server.ts'
import { Timings } from '../timing.server.ts'
import { clientAddress } from './client-address.server.ts'
import { REQUEST_ID_HEADER, requestIdFor, withRequestId } from '../logging/request-id.server.ts'

export interface RequestContext {
  timings: Timings
  /** Set-Cookie values added to the answer when its head goes out (a renewed session, for one). */
  setCookies: string[]
  /** This request's id: in its log lines and its answer's X-Request-Id (app/logging/request-id.server.ts). */
  requestId: string
}

const contexts = new WeakMap<express.Response, RequestContext>()

/** This request's context (a fresh one for a request that arrived before the app's middleware). */
export function requestContext(res: express.Response): RequestContext {
  let context = contexts.get(res)
  if (!context) {
    context = {
      timings: new Timings(),
      setCookies: [],
      requestId: requestIdFor(res.req.headers, getConfig().trustProxy),
    }
    contexts.set(res, context)
  }
  return context
}

/**
 * Gives the request its context; every answer then carries Server-Timing with the total and
 * X-Request-Id, and every log line written while it is handled carries the id.
 */
export function startRequestContext(_req: express.Request, res: express.Response, next: express.NextFunction) {
  const start = performance.now()
  const { timings, setCookies, requestId } = requestContext(res)
  onHeaders(res, () => {
    timings.add('total', performance.now() - start)
    res.setHeader('Server-Timing', timings.toHeader())
    res.setHeader(REQUEST_ID_HEADER, requestId)
    if (setCookies.length > 0) res.append('Set-Cookie', setCookies)
  })
  withRequestId(requestId, next)
}

/**
 * Aborts when the connection closes before the answer finished. The Request a loader gets
 * follows the client's disconnect only through a chain of derived Requests that undici links
 * weakly (after a full GC its signal may never fire); the response object holds this one.
 */
function clientSignal(res: express.Response): AbortSignal {
  const controller = new AbortController()
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new Error('the client went away'))
  })
  return controller.signal
}

export function loadContext(req: express.Request, res: express.Response): AppLoadContext {
  const config = getConfig()
  const { timings, setCookies, requestId } = requestContext(res)
  return {
    timings,
    requestId,
    localPort: req.socket.localPort ?? config.port,
    // Fly-Client-IP / X-Forwarded-For only with TRUST_PROXY; otherwise the socket's peer.
    clientAddress: clientAddress(req, config.trustProxy),
    setCookies,
    clientSignal: clientSignal(res),
  }
}
