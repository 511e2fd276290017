/**
 * An Express request as the Fetch API Request Remix handles: createRemixRequest and
 * createRemixHeaders of @remix-run/express 2.17 (dist/server.js), copied here because Kiln
 * writes its own responses (remix-handler.server.ts) and needs nothing else of that adapter,
 * and a package's dist/ files are not its interface: an update may move them.
 *
 * MIT License
 *
 * Copyright (c) Remix Software Inc. 2020-2021
 * Copyright (c) Shopify Inc. 2022-2024
 *
 * Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
 * documentation files (the "Software"), to deal in the Software without restriction, including without limitation the
 * rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
 * permit persons to whom the Software is furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in all copies or substantial portions of the
 * Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE
 * WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
 * COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
 * OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { createReadableStreamFromReadable } from '@remix-run/node'
import type express from 'express'

export function createRemixHeaders(requestHeaders: IncomingHttpHeaders): Headers {
  const headers = new Headers()
  for (const [key, values] of Object.entries(requestHeaders)) {
    if (values) {
      if (Array.isArray(values)) {
        for (const value of values) headers.append(key, value)
      } else {
        headers.set(key, values)
      }
    }
  }
  return headers
}

export function createRemixRequest(req: express.Request, res: express.Response): Request {
  // req.hostname doesn't include port information so grab that from `X-Forwarded-Host` or `Host`
  const [, hostnamePortStr] = req.get('X-Forwarded-Host')?.split(':') ?? []
  const [, hostPortStr] = req.get('host')?.split(':') ?? []
  const hostnamePort = Number.parseInt(hostnamePortStr, 10)
  const hostPort = Number.parseInt(hostPortStr, 10)
  const port = Number.isSafeInteger(hostnamePort) ? hostnamePort : Number.isSafeInteger(hostPort) ? hostPort : ''
  // Use req.hostname here as it respects the "trust proxy" setting
  const resolvedHost = `${req.hostname}${port ? `:${port}` : ''}`
  // Use `req.originalUrl` so Remix is aware of the full path
  const url = new URL(`${req.protocol}://${resolvedHost}${req.originalUrl}`)
  let controller: AbortController | null = new AbortController()
  const init: RequestInit & { duplex?: 'half' } = {
    method: req.method,
    headers: createRemixHeaders(req.headers),
    signal: controller.signal,
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    init.body = createReadableStreamFromReadable(req)
    init.duplex = 'half'
  }
  // Abort action/loaders once we can no longer write a response iff we have not yet sent a
  // response (i.e., `close` without `finish`)
  res.on('finish', () => (controller = null))
  res.on('close', () => controller?.abort())
  return new Request(url.href, init)
}
