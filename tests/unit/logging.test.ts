/** The request id's rules, the development log's readable line, the access line and the batched writes. */
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { requestIdFor } from '../../app/logging/request-id.server.ts'
import { batchedDestination, log, logInfoLine, readableLine } from '../../app/logging/logger.server.ts'

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

describe('logInfoLine', () => {
  it('writes the line log.info writes for the same fields, key for key, in the same order', () => {
    const fields = {
      reqId: 'r-1',
      method: 'GET',
      route: '/blog/"quoted"\\\u2028',
      status: 200,
      ms: 0.4,
      bytes: Number.NaN,
      cache: 'hit',
      plain: 'abc-123_~!',
      accented: 'café \u007f\t',
      aborted: true,
    }
    const message = 'GET /blog/:slug "200"\n'
    const holder = globalThis as { __kilnLogLines?: { write(line: string): void } }
    const written: string[] = []
    const capture = { write: (line: string) => void written.push(line) }
    const logger = log as unknown as Record<symbol, unknown>
    const [savedLines, savedStream] = [holder.__kilnLogLines, logger[pino.symbols.streamSym]]
    holder.__kilnLogLines = capture
    logger[pino.symbols.streamSym] = capture
    try {
      logInfoLine(fields, message)
      log.info(fields, message)
    } finally {
      holder.__kilnLogLines = savedLines
      logger[pino.symbols.streamSym] = savedStream
    }
    expect(written).toHaveLength(2)
    for (const line of written) expect(line.endsWith('}\n') && !line.slice(0, -1).includes('\n')).toBe(true)
    const [ours, pinos] = written.map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(Object.keys(ours)).toEqual(Object.keys(pinos))
    expect({ ...ours, time: null }).toEqual({ ...pinos, time: null })
    expect(Date.parse(String(ours.time))).toBeGreaterThan(0)
    // Byte for byte, less the time.
    const timeless = (line: string) => line.replace(/"time":"[^"]*"/, '"time":""')
    expect(timeless(written[0])).toBe(timeless(written[1]))
  })

  it('escapes what JSON.stringify escapes, a lone surrogate included (pino would write it raw)', () => {
    const holder = globalThis as { __kilnLogLines?: { write(line: string): void } }
    const written: string[] = []
    const saved = holder.__kilnLogLines
    holder.__kilnLogLines = { write: (line: string) => void written.push(line) }
    try {
      logInfoLine({ route: 'a\ud800b', method: 'x"y\\z\u0001' }, 'm\u007f')
    } finally {
      holder.__kilnLogLines = saved
    }
    expect(written[0]).toContain(`"route":${JSON.stringify('a\ud800b')},"method":${JSON.stringify('x"y\\z\u0001')}`)
    expect(written[0]).toContain(`"msg":${JSON.stringify('m\u007f')}}`)
    expect(JSON.parse(written[0])).toMatchObject({ route: 'a\ud800b', msg: 'm\u007f' })
  })
})

describe('batchedDestination', () => {
  it('writes routine lines once per turn of the event loop, and a warning at once after them', async () => {
    const writes: string[] = []
    const lines = batchedDestination({ write: (text: string) => void writes.push(text) })
    lines.write('{"level":"info","msg":"a"}\n')
    lines.write('{"level":"debug","msg":"b"}\n')
    lines.writeRoutine!('{"level":"info","msg":"c"}\n')
    expect(writes).toEqual([])
    await new Promise((resolve) => setImmediate(resolve))
    expect(writes).toEqual(['{"level":"info","msg":"a"}\n{"level":"debug","msg":"b"}\n{"level":"info","msg":"c"}\n'])
    lines.write('{"level":"info","msg":"d"}\n')
    lines.write('{"level":"error","msg":"e"}\n')
    // The error is written at once, after the routine line before it: the order holds.
    expect(writes.slice(1)).toEqual(['{"level":"info","msg":"d"}\n', '{"level":"error","msg":"e"}\n'])
    await new Promise((resolve) => setImmediate(resolve))
    expect(writes).toHaveLength(3)
  })
})
