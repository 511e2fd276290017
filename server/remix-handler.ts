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
 * Here the body is written with backpressure and dropped when the connection closes,
 * and the load context carries `clientSignal`, aborted when the connection closes
 * before the response finished; the response object holds it, so no GC can break it.
 * The Request itself is still built by the adapter's createRemixRequest.
 */
// Not exported from the package's index; its own module (2.17) has it.
import { createRemixRequest } from '@remix-run/express/dist/server.js'
import { createRequestHandler as createRemixHandler, type AppLoadContext, type ServerBuild } from '@remix-run/node'
import type express from 'express'
import { PAGE_CACHE_MARKER, responseCapture } from './page-cache.ts'
import { bufferedBody } from './request-limits.ts'

export function clientSignal(res: express.Response): AbortSignal {
  const controller = new AbortController()
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new Error('the client went away'))
  })
  return controller.signal
}

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

async function sendResponse(res: express.Response, response: Response): Promise<void> {
  res.statusMessage = response.statusText
  res.status(response.status)
  for (const [key, value] of response.headers.entries()) if (key !== PAGE_CACHE_MARKER) res.append(key, value)
  // A content page the page cache did not take (a signed-in reader's, with their name in
  // the header) must not be kept by a shared cache either.
  if (response.headers.has(PAGE_CACHE_MARKER) && !response.headers.has('cache-control'))
    res.setHeader('Cache-Control', 'private, no-cache')
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

export function createRequestHandler({
  build,
  mode,
  getLoadContext,
}: {
  build: () => Promise<ServerBuild>
  mode: string
  getLoadContext: (req: express.Request, res: express.Response) => AppLoadContext
}): express.RequestHandler {
  const handle = createRemixHandler(build, mode)
  return async (req, res, next) => {
    try {
      let request = createRemixRequest(req, res)
      // The body was already read, within its limit, by limitRequestBodies: Remix gets that copy.
      const body = bufferedBody(req)
      if (body && req.method !== 'GET' && req.method !== 'HEAD')
        request = new Request(request, { body, duplex: 'half' } as RequestInit)
      const response = await handle(request, getLoadContext(req, res))
      // The page cache, when it asked for this response, keeps and sends it itself.
      const capture = responseCapture(res)
      if (capture && (await capture(response))) return
      await sendResponse(res, response)
    } catch (error) {
      next(error)
    }
  }
}
