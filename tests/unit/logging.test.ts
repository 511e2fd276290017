/** The request id's rules and the development log's readable line. */
import { describe, expect, it } from 'vitest'
import { requestIdFor } from '../../app/logging/request-id.server.ts'
import { readableLine } from '../../app/logging/logger.server.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe('requestIdFor', () => {
  it("takes the proxy's X-Request-Id or Fly-Request-Id only behind a trusted proxy", () => {
    expect(requestIdFor({ 'x-request-id': 'abc-123' }, true)).toBe('abc-123')
    expect(requestIdFor({ 'fly-request-id': '01HV8Z-iad' }, true)).toBe('01HV8Z-iad')
    expect(requestIdFor({ 'x-request-id': 'abc-123' }, false)).toMatch(UUID)
    expect(requestIdFor({}, true)).toMatch(UUID)
  })

  it('replaces an id that is too long or not plain, even from a trusted proxy', () => {
    for (const bad of ['a'.repeat(129), 'line\nbreak', 'with space', '{"json":1}', '']) {
      expect(requestIdFor({ 'x-request-id': bad }, true), JSON.stringify(bad)).toMatch(UUID)
    }
    expect(requestIdFor({ 'x-request-id': 'a'.repeat(128) }, true)).toBe('a'.repeat(128))
  })
})

describe('readableLine', () => {
  it('prints the time, the level, the message and the other fields on one line', () => {
    const line = JSON.stringify({
      level: 'warn',
      time: '2026-12-01T09:10:11.123Z',
      pid: 1,
      hostname: 'h',
      name: 'kiln',
      msg: 'compiled blog/a.mdx in 80 ms',
      file: 'blog/a.mdx',
    })
    expect(readableLine(line)).toBe('09:10:11 WARN  compiled blog/a.mdx in 80 ms  file=blog/a.mdx\n')
  })
})
