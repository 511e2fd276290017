/**
 * The Remix request handler for Express, in place of @remix-run/express's own, which
 * (2.17) has two faults that matter for long downloads such as a heap snapshot:
 *
 * - it writes the response body without waiting for 'drain', so a slow client makes the
 *   whole body pile up in memory, and the app cannot tell that the client went away;
 * - the Request a loader gets follows the client's disconnect only through a chain of
 *   derived Requests that undici links weakly: after a full GC the loader's signal may
 *   never fire.
 *
 * Here rendering and sending are two steps (the page cache sits between them): the body is
 * written with backpressure and dropped when the connection closes, and the load context
 * carries `clientSignal` (app/http/request-context.server.ts), which the response object
 * holds, so no GC can break it. The Request itself is built by createRemixRequest
 * (remix-request.server.ts, copied from the Express adapter).
 */
import { createRemixRequest } from './remix-request.server.ts'
import { createRequestHandler, type ServerBuild } from '@remix-run/node'
import type express from 'express'
import { bufferedBody } from './request-bodies.server.ts'
import { loadContext } from './request-context.server.ts'

function drained(res: express.Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}

/** Writes a fetch Response to Express: backpressure honoured, stopped when the client leaves. */
export async function sendResponse(res: express.Response, response: Response): Promise<void> {
  res.statusMessage = response.statusText
  res.status(response.status)
  for (const [key, value] of response.headers.entries()) res.append(key, value)
  if (/text\/event-stream/i.test(response.headers.get('Content-Type') ?? '')) res.flushHeaders()
  if (!response.body) {
    res.end()
    return
  }
  const reader = response.body.getReader()
  try {
    for (;;) {
      if (res.destroyed) {
        await reader.cancel()
        return
      }
      const { done, value } = await reader.read()
      if (done) break
      const more = res.write(value)
      // compression() buffers; flushing keeps a streamed body moving.
      ;(res as unknown as { flush?: () => void }).flush?.()
      if (!more) await drained(res)
    }
    res.end()
  } catch (error) {
    res.destroy(error as Error)
  }
}

export type RemixRender = (
  req: express.Request,
  res: express.Response,
) => Promise<{ response: Response; routes: ServerBuild['routes'] }>

/** Renders a request with Remix into a Response, with the routes of the build that answered it. */
export function createRemixRender(build: () => Promise<ServerBuild>, mode: string): RemixRender {
  const handle = createRequestHandler(build, mode)
  return async (req, res) => {
    let request = createRemixRequest(req, res)
    // The body was already read, within its limit, by limitRequestBodies: Remix gets that copy.
    const body = bufferedBody(req)
    if (body && req.method !== 'GET' && req.method !== 'HEAD')
      request = new Request(request, { body, duplex: 'half' } as RequestInit)
    const response = await handle(request, loadContext(req, res))
    return { response, routes: (await build()).routes }
  }
}
