/**
 * A request body read whole up to a limit (app/http/read-body.ts): the declared length is
 * refused before anything is read, a body without one is counted as it arrives, and the
 * stream is cancelled the moment it passes the limit.
 */
import { describe, expect, it } from 'vitest'
import { readBodyWithLimit } from '../../app/http/read-body.ts'

const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request('http://kiln.test/action/refresh-content', {
    method: 'POST',
    body,
    headers,
    duplex: 'half',
  } as RequestInit)

/** A stream of `chunks`, recording how many were pulled and whether it was cancelled. */
function chunkedBody(chunks: Uint8Array[]) {
  const seen = { pulled: 0, cancelled: false }
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[seen.pulled++]
      if (chunk) controller.enqueue(chunk)
      else controller.close()
    },
    cancel() {
      seen.cancelled = true
    },
  })
  return { stream, seen }
}

describe('readBodyWithLimit', () => {
  it('returns the raw bytes of a body within the limit', async () => {
    const body = await readBodyWithLimit(post('{"ref":"refs/heads/main"}'), 1024)
    expect(body?.toString('utf8')).toBe('{"ref":"refs/heads/main"}')
  })

  it('accepts a body of exactly the limit', async () => {
    const body = await readBodyWithLimit(post('x'.repeat(64)), 64)
    expect(body?.length).toBe(64)
  })

  it('returns an empty buffer for a request without a body', async () => {
    const body = await readBodyWithLimit(new Request('http://kiln.test/', { method: 'POST' }), 16)
    expect(body).toEqual(Buffer.alloc(0))
  })

  it('refuses a declared length over the limit without reading a byte', async () => {
    const { stream, seen } = chunkedBody([new Uint8Array(8)])
    const body = await readBodyWithLimit(post(stream, { 'Content-Length': '17' }), 16)
    expect(body).toBeNull()
    expect(seen.pulled).toBeLessThanOrEqual(1)
  })

  it('counts a body without a declared length and cancels it once past the limit', async () => {
    const chunk = new Uint8Array(10).fill(97)
    const { stream, seen } = chunkedBody([chunk, chunk, chunk, chunk, chunk])
    const body = await readBodyWithLimit(post(stream), 25)
    expect(body).toBeNull()
    expect(seen.cancelled).toBe(true)
    expect(seen.pulled).toBeLessThan(5)
  })

  it('joins a chunked body within the limit', async () => {
    const { stream } = chunkedBody([Buffer.from('ab'), Buffer.from('cd'), Buffer.from('ef')])
    const body = await readBodyWithLimit(post(stream), 6)
    expect(body?.toString('utf8')).toBe('abcdef')
  })
})
