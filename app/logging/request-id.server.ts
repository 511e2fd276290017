/**
 * The request id: one per request, in every log line written while it is handled (through
 * the logger's mixin) and in the answer's `X-Request-Id`, so a reader's report, the access
 * log and a server error can be matched.
 *
 * An id a client sends is believed only behind a trusted proxy (TRUST_PROXY, as for the
 * client's address): the proxy's own (`X-Request-Id`, or Fly's `Fly-Request-Id`) then ties
 * Kiln's lines to the proxy's. Even then it must be short and plain (at most 128 of
 * `A-Z a-z 0-9 . _ : - @ / + =`), or it is replaced: a header goes into every log line, where
 * a newline or a megabyte would forge or flood lines. Otherwise the id is a random UUID.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import crypto from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

export const REQUEST_ID_HEADER = 'X-Request-Id'
const PROXY_HEADERS = ['x-request-id', 'fly-request-id'] as const
const PLAIN_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/

export function requestIdFor(headers: IncomingHttpHeaders, trustProxy: boolean): string {
  if (trustProxy) {
    for (const name of PROXY_HEADERS) {
      const given = headers[name]
      if (typeof given === 'string' && PLAIN_ID.test(given)) return given
    }
  }
  return crypto.randomUUID()
}

const current = new AsyncLocalStorage<string>()

/** Runs `handle` (and everything it starts) as part of request `id`. */
export function withRequestId<T>(id: string, handle: () => T): T {
  return current.run(id, handle)
}

/** The id of the request being handled here, if any. */
export function currentRequestId(): string | undefined {
  return current.getStore()
}
