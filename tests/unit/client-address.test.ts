/** app/http/client-address.server.ts: which address the lockout counts, with and without TRUST_PROXY. */
import type express from 'express'
import { describe, expect, it } from 'vitest'
import { clientAddress } from '../../app/http/client-address.server.ts'

const request = (headers: Record<string, string | string[]>, remoteAddress = '10.1.1.1') =>
  ({ headers, socket: { remoteAddress } }) as unknown as express.Request

describe('clientAddress', () => {
  it('ignores proxy headers unless the proxy is trusted', () => {
    expect(clientAddress(request({ 'fly-client-ip': '198.51.100.1', 'x-forwarded-for': '203.0.113.1' }), false)).toBe(
      '10.1.1.1',
    )
  })

  it('takes Fly-Client-IP first, then the right-most X-Forwarded-For hop', () => {
    expect(clientAddress(request({ 'fly-client-ip': '198.51.100.1', 'x-forwarded-for': '203.0.113.1' }), true)).toBe(
      '198.51.100.1',
    )
    expect(clientAddress(request({ 'x-forwarded-for': '1.2.3.4, 5.6.7.8,  203.0.113.9 ' }), true)).toBe('203.0.113.9')
    expect(clientAddress(request({ 'x-forwarded-for': '2001:db8::1' }), true)).toBe('2001:db8::1')
  })

  it('falls back to the socket when the headers hold no address', () => {
    expect(clientAddress(request({ 'fly-client-ip': 'not an ip', 'x-forwarded-for': '1.2.3.4, garbage' }), true)).toBe(
      '10.1.1.1',
    )
    expect(clientAddress(request({ 'x-forwarded-for': '' }), true)).toBe('10.1.1.1')
    expect(clientAddress({ headers: {}, socket: {} } as unknown as express.Request, true)).toBe('unknown')
  })
})
