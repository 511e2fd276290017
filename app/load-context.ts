/** What every Remix loader, action and the renderer get (made by app/http/request-context.server.ts). */
import type { Timings } from './timing.server.ts'

declare module '@remix-run/node' {
  interface AppLoadContext {
    timings: Timings
    /** This request's id, as in its log lines and its answer's X-Request-Id. */
    requestId: string
    /** The port this request arrived on, so the health check can request a page from itself. */
    localPort: number
    /** The client's address, for sign-in lockouts. */
    clientAddress: string
    /** Set-Cookie values the server adds to the response (a renewed session, for one). */
    setCookies: string[]
    /** Aborts when the client's connection closes before the response finished (request.signal cannot be relied on). */
    clientSignal: AbortSignal
  }
}

export {}
