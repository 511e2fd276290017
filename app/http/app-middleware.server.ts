/**
 * The app's middleware, as the Express server (server/index.ts) mounts it: everything that
 * needs to know what a request means. The server owns the process (listen, drain, static
 * files, the limits that need no app knowledge) and mounts these two pieces around its
 * static files; it imports nothing from the app but the entry module's types.
 *
 *   before static files: security headers (first, so every answer carries them), the
 *     request's context (Server-Timing, the request id), the access log, metrics, body limits,
 *     path and cross-site refusals,
 *     LiteFS routing, compression, the build's precompressed assets
 *   after static files (only pages reach it): the content rescan when due, the page cache, Remix
 *
 * and one function the server calls before Express: answerFromPageCache, for the requests a
 * blog gets most, pages the page cache holds. Such a request needs nothing else of the
 * chain (no body, no session, no LiteFS cookie, no rescan due, a page's own address), so it
 * gets the same headers, log line and metrics from the same pieces, and the answer, without
 * Express's router and the rest: Kiln's CPU time per cached page was about four times a bare
 * node:http server's sending the same bytes (docs/performance.md).
 */
import type http from 'node:http'
import path from 'node:path'
import type { ServerBuild } from '@remix-run/node'
import compression from 'compression'
import express from 'express'
import { getConfig, projectRoot } from '../config.server.ts'
import { observeRequest, routeLabel } from '../diagnostics/metrics.server.ts'
import { retainTestLeak } from '../diagnostics/test-leak.server.ts'
import { accessLog, answerStart, writeAccessLine } from '../logging/access-log.server.ts'
import { reportServerError, startErrorTracking } from '../logging/error-tracking.server.ts'
import { log } from '../logging/logger.server.ts'
import { requestContext } from './request-context.server.ts'
import { contentRescanDue } from '../content/content.server.ts'
import { parseTxCookie } from '../replication/instance.server.ts'
import { contentVersion, pageStamp, rescanContentWhenDue } from './freshness.server.ts'
import { primaryWritesOnly, readYourOwnWrites } from './litefs.server.ts'
import { createPageCache, PAGE_CACHE_STATUS_HEADER } from './page-cache.server.ts'
import { servePrecompressedAssets } from './precompressed-assets.server.ts'
import { createRemixRender, sendResponse } from './remix-handler.server.ts'
import { limitRequestBodies } from './request-bodies.server.ts'
import { startRequestContext } from './request-context.server.ts'
import { isUnsafePath, refuseCrossSiteWrites, rejectUnsafePaths } from './request-guards.server.ts'
import { answerSecurityHeaders, securityHeaders } from './security-headers.server.ts'
import { REQUEST_ID_HEADER, requestIdFor } from '../logging/request-id.server.ts'

const CACHE_ANSWERS = new Set(['hit', 'miss'])
const WEBHOOK = /^\/action\/refresh-content\/?$/

export interface AppMiddlewareOptions {
  /** The Remix build: the same object in production; Vite's current one in development. */
  build: () => Promise<ServerBuild>
  mode: 'development' | 'production'
}

export interface AppMiddleware {
  beforeStatic: express.Router
  afterStatic: express.Router
  /** Mounted last: an error no middleware answered is logged, reported (SENTRY_DSN) and answered 500. */
  errors: express.ErrorRequestHandler
  /**
   * Called by the server for every request before Express: answers it from the page cache
   * and returns true when the cache holds its page and nothing else of the chain applies;
   * false (having touched nothing) otherwise.
   */
  answerFromPageCache: (req: http.IncomingMessage, res: http.ServerResponse) => boolean
}

/** A request with a body (any length but 0, or chunked) goes through the chain's body limits. */
function hasBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length']
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined
}

const nothingNext: express.NextFunction = () => undefined

/** Instead of Express's default handler, which writes the stack to stderr outside the log. */
const answerErrors: express.ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const { requestId } = requestContext(res)
  log.error({ err: error }, `error while handling ${req.method} ${req.path}`)
  reportServerError(error, { reqId: requestId, method: req.method })
  if (res.headersSent) return void res.destroy()
  res.status(500).set('Cache-Control', 'no-store').type('text/plain').end('Internal Server Error\n')
}

/** Every answered request counts in /metrics, under a bounded route label the app picks. */
function recordRequests(req: express.Request, res: express.Response, next: express.NextFunction) {
  const start = performance.now()
  res.on('finish', () =>
    observeRequest(req.method, req.originalUrl, res.statusCode, (performance.now() - start) / 1000),
  )
  next()
}

export async function appMiddleware({ build, mode }: AppMiddlewareOptions): Promise<AppMiddleware> {
  const config = getConfig()
  const development = mode === 'development'
  startErrorTracking(development ? null : (await build()).assets.version)
  const beforeStatic = express.Router()
  // What every answer gets, the page cache's hits before Express included (answerFromPageCache).
  const security = answerSecurityHeaders({
    frameSrc: config.cspFrameSrc,
    https: config.siteUrl.startsWith('https:'),
    development,
  })
  // Counted and logged once its connection is done with it: every answer.
  const afterEveryAnswer: express.RequestHandler[] = [accessLog, recordRequests]
  if (config.testLeak) afterEveryAnswer.push(retainTestLeak) // tests only: a leak the snapshot diff must find
  const everyAnswer = [securityHeaders(security), startRequestContext, ...afterEveryAnswer]
  for (const piece of everyAnswer) beforeStatic.use(piece)
  // Before anything can answer: every body is bounded, on every route.
  beforeStatic.use(
    limitRequestBodies((req) =>
      req.method === 'POST' && WEBHOOK.test(req.path) ? config.webhookBodyMaxBytes : config.requestBodyMaxBytes,
    ),
  )
  beforeStatic.use(rejectUnsafePaths)
  beforeStatic.use(refuseCrossSiteWrites)
  // LiteFS: a replica refuses writes (fly-replay to the primary) before anything reads the
  // database, and holds a reader's request until their own last write has replicated
  // (cheap when there is no txnum cookie, which is nearly always).
  beforeStatic.use(primaryWritesOnly)
  beforeStatic.use((req, res, next) => void readYourOwnWrites(req, res, next))
  // Pages from the page cache are already compressed (or deliberately identity, for a client
  // that takes neither brotli nor gzip): compression() leaves them alone.
  beforeStatic.use(
    compression({
      filter: (req, res) =>
        !CACHE_ANSWERS.has(String(res.getHeader(PAGE_CACHE_STATUS_HEADER))) && compression.filter(req, res),
    }),
  )
  // Fingerprinted assets never change under their name; brotli and gzip copies are made at
  // start-up. (In development Vite serves them.)
  if (!development)
    beforeStatic.use('/assets', await servePrecompressedAssets(path.join(projectRoot, 'build', 'client', 'assets')))

  // Pages are keyed by the build and the content version; development never caches.
  const pageCache = createPageCache({
    maxBytes: config.pageCacheMaxBytes,
    cdnMaxAgeSeconds: config.pageCacheCdnMaxAgeSeconds,
    buildId: development ? null : (await build()).assets.version,
    contentVersion,
    pageStamp,
    routes: async () => (await build()).routes,
    securityHeaders: security,
  })
  const render = createRemixRender(build, mode)
  const afterStatic = express.Router()
  afterStatic.use(rescanContentWhenDue)
  afterStatic.use(async (req, res, next) => {
    try {
      const response = await pageCache.serve(req, res, () => render(req, res))
      if (response) await sendResponse(res, response)
    } catch (error) {
      next(error)
    }
  })

  function answerFromPageCache(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || hasBody(req) || isUnsafePath(req.url ?? '/')) return false
    // A LiteFS reader's own write to wait for, or a rescan due: the chain's business.
    if (parseTxCookie(req.headers.cookie).kind !== 'absent' || contentRescanDue()) return false
    const request = req as express.Request
    // What Express would set first (the page cache and the access log read it).
    request.originalUrl = req.url ?? '/'
    const hit = pageCache.pageHit(request)
    if (!hit) return false
    const response = res as express.Response
    const head = pageCache.hitHead(request, hit)
    if (head === null) {
      // A 304 or an unzip: the pieces write their headers, sendHit the rest.
      for (const piece of everyAnswer) piece(request, response, nothingNext)
      pageCache.sendHit(request, response, hit)
      return true
    }
    // A 200 from memory: the head made once for this page (the same headers the pieces and
    // sendHit write) and this request's own, in one writeHead; its access line and metrics
    // from one listener (what accessLog and recordRequests do, without a request context:
    // a hit needs only its id).
    const started = answerStart(request, requestIdFor(req.headers, config.trustProxy))
    if (config.testLeak) retainTestLeak(request, response, nothingNext)
    // 'close' comes once: `on` spares the wrapper `once` makes per request.
    response.on('close', () => {
      const route = routeLabel(request.originalUrl, response.statusCode)
      writeAccessLine(request, response, started, 'hit', route)
      // As recordRequests: an answer counts once it is all sent.
      if (response.writableFinished)
        observeRequest(
          req.method!,
          request.originalUrl,
          res.statusCode,
          (performance.now() - started.start) / 1000,
          route,
        )
    })
    const total = (performance.now() - started.start).toFixed(1)
    pageCache.sendHead(request, response, hit, head, [
      'Server-Timing',
      `cache;desc="page cache hit";dur=0.0, total;dur=${total}`,
      REQUEST_ID_HEADER,
      started.requestId,
    ])
    return true
  }

  return { beforeStatic, afterStatic, errors: answerErrors, answerFromPageCache }
}
