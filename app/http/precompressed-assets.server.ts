/**
 * The build's fingerprinted assets, precompressed: brotli (quality 11) and gzip copies of
 * every script and stylesheet are made once at start-up and kept in memory, so no request
 * pays for compressing a file that never changes under its name. The set is the build's
 * own (a few hundred KB), fixed for the life of the process: its bound is the build.
 *
 * Identity, HEAD-less clients and anything not compressible fall through to
 * express.static behind this, which serves the file from disk.
 */
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import type express from 'express'
import { preferredEncoding } from './page-cache.server.ts'
import { compactBuffer } from '../utils/compact-buffer.ts'

const brotli = promisify(zlib.brotliCompress)
const gzip = promisify(zlib.gzip)
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
}
/** Smaller files gain nothing from compression worth a header. */
const MIN_BYTES = 1024
/** A single asset bigger than this is left to express.static. */
const MAX_BYTES = 4 * 1024 * 1024

interface PrecompressedAsset {
  type: string
  br: Buffer
  gzip: Buffer
}

function listFiles(dir: string, prefix = ''): string[] {
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((dirent) => {
    const relative = `${prefix}/${dirent.name}`
    return dirent.isDirectory() ? listFiles(path.join(dir, dirent.name), relative) : [relative]
  })
}

export async function precompressAssets(dir: string): Promise<Map<string, PrecompressedAsset>> {
  const assets = new Map<string, PrecompressedAsset>()
  await Promise.all(
    listFiles(dir).map(async (relative) => {
      const type = TYPES[path.extname(relative).toLowerCase()]
      if (!type) return
      const body = fs.readFileSync(path.join(dir, relative))
      if (body.length < MIN_BYTES || body.length > MAX_BYTES) return
      const [br, gz] = await Promise.all([
        brotli(body, {
          params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length },
        }),
        gzip(body, { level: 9 }),
      ])
      assets.set(relative, { type, br: compactBuffer(br), gzip: compactBuffer(gz) })
    }),
  )
  return assets
}

/** Middleware for the assets folder's mount point: the compressed copy when the client takes one. */
export async function servePrecompressedAssets(dir: string): Promise<express.RequestHandler> {
  const assets = await precompressAssets(dir)
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next()
    const asset = assets.get(req.path)
    if (!asset) return next()
    res.setHeader('Vary', 'Accept-Encoding')
    const encoding = preferredEncoding(req.headers['accept-encoding'])
    if (encoding === 'identity') return next()
    const body = asset[encoding]
    res.setHeader('Content-Type', asset.type)
    res.setHeader('Content-Encoding', encoding)
    res.setHeader('Content-Length', body.length)
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable')
    if (req.method === 'HEAD') res.end()
    else res.end(body)
  }
}
