import http from 'node:http'
import net from 'node:net'
import type express from 'express'
import helmet from 'helmet'
import { describe, expect, it } from 'vitest'
import { helmetHeaders } from '../../app/http/security-headers.server.ts'

/** What helmet writes on a real Node response when it runs the ordinary way, per request. */
function headersOnRealResponse(middleware: ReturnType<typeof helmet>): Record<string, unknown> {
  const req = new http.IncomingMessage(new net.Socket())
  const res = new http.ServerResponse(req)
  res.setHeader('X-Powered-By', 'Express')
  middleware(req as express.Request, res as unknown as express.Response, () => undefined)
  return res.getHeaders()
}

describe('helmetHeaders', () => {
  it('computes once exactly the headers helmet writes per request', () => {
    for (const options of [
      {},
      { contentSecurityPolicy: false, strictTransportSecurity: { maxAge: 100, includeSubDomains: false } },
      { contentSecurityPolicy: false, strictTransportSecurity: false, xFrameOptions: { action: 'deny' as const } },
    ]) {
      const once = Object.fromEntries(
        helmetHeaders(helmet(options)).map(([name, value]) => [name.toLowerCase(), value]),
      )
      const real = headersOnRealResponse(helmet(options))
      expect(real['x-powered-by']).toBeUndefined()
      expect(once).toEqual(Object.fromEntries(Object.entries(real).map(([name, value]) => [name, String(value)])))
      expect(once['x-content-type-options']).toBe('nosniff')
    }
  })
})
