/**
 * The answer to `GET /images/<hash>/<variant>`: a copy a stored compile declared, made on
 * first request and then kept; anything else is 404 before any file is read, so no
 * request can make the server resize an image to a size or format no page asked for.
 * Copies are immutable (the hash is the file's content), cached by browsers and CDNs for a
 * year. An SVG is sent as it is, sandboxed: opened on its own, its scripts cannot run.
 */
import fs from 'node:fs'
import { getDb } from '../db/connection.server.ts'
import { noStoreText } from '../http/no-store-responses.ts'
import { findDeclaredImage } from './declared-images.server.ts'
import { imageCopy, ImageUnavailable } from './image-pool.server.ts'
import { CONTENT_TYPES, IMAGE_HASH_PATTERN, VARIANT_PATTERN } from './image-variants.ts'

const IMMUTABLE = 'public, max-age=31536000, immutable'
/** An SVG opened on its own is a document: no script, no plugin, no form, no frame of it. */
export const SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"

export async function imageResponse(request: Request, hash?: string, variant?: string): Promise<Response> {
  if (!hash || !variant || !IMAGE_HASH_PATTERN.test(hash) || !VARIANT_PATTERN.test(variant))
    return noStoreText('Not found\n', 404)
  const source = findDeclaredImage(getDb(), hash, variant)
  if (!source) return noStoreText('Not found\n', 404)
  const etag = `"${hash}-${variant}"`
  // The bytes behind a URL never change: a client holding them needs no copy made or read.
  const ifNoneMatch = request.headers.get('If-None-Match')
  if (ifNoneMatch?.split(',').some((tag) => [etag, '*'].includes(tag.trim().replace(/^W\//, ''))))
    return new Response(null, { status: 304, headers: { ETag: etag, 'Cache-Control': IMMUTABLE } })
  let body: Buffer
  try {
    body = await fs.promises.readFile(await imageCopy(source, variant))
  } catch (error) {
    if (error instanceof ImageUnavailable)
      return noStoreText(`${error.message}\n`, error.status, error.status === 503 ? { 'Retry-After': '5' } : {})
    throw error
  }
  const ext = variant.slice(variant.lastIndexOf('.') + 1)
  const headers: Record<string, string> = {
    'Content-Type': CONTENT_TYPES[ext],
    'Content-Length': String(body.length),
    'Cache-Control': IMMUTABLE,
    ETag: etag,
  }
  if (ext === 'svg') headers['Content-Security-Policy'] = SVG_POLICY
  return new Response(new Uint8Array(body), { headers })
}
