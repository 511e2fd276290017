/**
 * A request body read whole, but never past a limit. A webhook must see the raw bytes (its
 * signature is over them), so the body cannot be parsed as a stream; reading it whole
 * without a limit would let one sender fill the memory. A declared Content-Length over the
 * limit is refused before a byte is read; a body without one (chunked) is counted as it
 * arrives and dropped the moment it passes the limit.
 */

/** The body's bytes, or null when it is larger than `limit` bytes (the rest is left unread). */
export async function readBodyWithLimit(request: Request, limit: number): Promise<Buffer | null> {
  const declared = Number(request.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > limit) return null
  if (!request.body) return Buffer.alloc(0)
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = request.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel()
      return null
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks)
}
