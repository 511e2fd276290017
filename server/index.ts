/**
 * Kiln's HTTP server: Express in front of the Remix request handler.
 *
 *   production (npm start):  builds when needed, serves build/ with long-lived caching
 *   development (npm run dev): Vite's middleware with hot reload
 *
 * Every response carries Server-Timing (the loaders and the renderer add their parts to
 * the request's Timings; this file writes them out with the total).
 */
import http from 'node:http'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ServerBuild } from '@remix-run/node'
import compression from 'compression'
import express from 'express'
import onHeaders from 'on-headers'
import { getConfig, projectRoot } from '../app/config.server.ts'
import type { PageCacheStats } from '../app/http/page-cache.server.ts'
import { Timings } from '../app/timing.server.ts'
import './memory-probe.ts'
import { clientAddress } from './client-address.ts'
import { createPageCache, PAGE_CACHE_STATUS_HEADER } from './page-cache.ts'
import { servePrecompressedAssets } from './static-assets.ts'
import { clientSignal, createRequestHandler } from './remix-handler.ts'
import { primaryWritesOnly, readYourOwnWrites } from './replication.ts'
import { securityHeaders } from './security-headers.ts'
import {
  answerExpectContinue,
  arrivalTimeouts,
  cutStalledConnections,
  limitPipelining,
  limitRequestBodies,
} from './request-limits.ts'

interface KilnEntry {
  startup(): Promise<{ posts: number; pages: number; drafts: number; invalid: number }>
  shutdown(): Promise<void>
  recordRequest(method: string, url: string, status: number, seconds: number): void
  contentVersion(): string
  registerPageCacheStats(read: () => PageCacheStats): void
}

const isDevelopment = process.env.NODE_ENV === 'development'
const config = getConfig()
let stopping = false
/** Answers not finished yet: at the drain's deadline, those not started get a 503 instead of a reset. */
const inFlight = new Set<express.Response>()
const DRAIN_RETRY_AFTER_S = 5
/** How long the 503s of the deadline get to go out before every connection is cut. */
const DRAIN_FLUSH_MS = 250
const CACHE_ANSWERS = new Set(['hit', 'miss'])

/**
 * A path with dot segments ("..", "%2e%2e"), encoded slashes or NUL is never a page. URL
 * parsing would quietly resolve "/blog/.." to "/" and serve something else; instead the
 * request is answered as not found, before any route or static file sees it. The rewrite
 * lands on the catch-all route, so the reader still gets the styled 404 page.
 */
const UNSAFE_PATH = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)|%2f|%5c|\\|%00|\0/i
/**
 * No page has a longer path (a slug is at most 200 characters, /blog/<slug>/og.png the
 * deepest route). Remix's route matching costs time per segment for every route branch:
 * a 2,000-segment path held the main thread for 2 s, so such paths never reach it.
 */
const MAX_PATH_LENGTH = 1024
const MAX_PATH_SEGMENTS = 12

function rejectUnsafePaths(req: express.Request, _res: express.Response, next: express.NextFunction) {
  const rawPath = req.url.split('?')[0]
  const tooLong =
    rawPath.length > MAX_PATH_LENGTH || rawPath.split('/', MAX_PATH_SEGMENTS + 2).length > MAX_PATH_SEGMENTS + 1
  // Remix reads originalUrl, static files read url: both are rewritten.
  if (tooLong || UNSAFE_PATH.test(rawPath)) req.url = req.originalUrl = '/_/not-found'
  next()
}

/**
 * A write whose Origin names another site is refused here with a plain 403 (Remix would
 * abort the action too, but as a 500). Requests without an Origin, like webhooks, pass:
 * the forms that change state require one themselves.
 */
function refuseCrossSiteWrites(req: express.Request, res: express.Response, next: express.NextFunction) {
  const origin = req.headers.origin
  if (req.method === 'GET' || req.method === 'HEAD' || !origin) return next()
  const host = req.headers['x-forwarded-host'] ?? req.headers.host
  let originHost: string | null = null
  try {
    originHost = new URL(origin).host
  } catch {
    // "null" or garbage: not this site
  }
  if (originHost === host) return next()
  res.status(403).type('text/plain').send('Cross-site request refused: this form must be sent from this site.')
}

async function main() {
  const app = express()
  app.disable('x-powered-by')
  // First, so every answer after it carries the security headers (and signed-in answers stay private).
  app.use(
    securityHeaders({
      frameSrc: config.cspFrameSrc,
      https: config.siteUrl.startsWith('https:'),
      development: isDevelopment,
    }),
  )

  app.use((req, res, next) => {
    const start = performance.now()
    const timings = new Timings()
    const setCookies: string[] = []
    res.locals.timings = timings
    res.locals.setCookies = setCookies
    onHeaders(res, () => {
      // An answer that was in flight when the signal came closes its connection too.
      if (stopping) res.setHeader('Connection', 'close')
      timings.add('total', performance.now() - start)
      res.setHeader('Server-Timing', timings.toHeader())
      if (setCookies.length > 0) res.append('Set-Cookie', setCookies)
    })
    next()
  })
  // Every answered request counts in /metrics, under a bounded route label the app picks.
  app.use((req, res, next) => {
    const start = performance.now()
    res.on('finish', () =>
      entry.recordRequest(req.method, req.originalUrl, res.statusCode, (performance.now() - start) / 1000),
    )
    next()
  })
  // While shutting down, every answer closes its connection, so keep-alive clients move
  // to another instance instead of holding this one open.
  app.use((_req, res, next) => {
    inFlight.add(res)
    res.on('close', () => inFlight.delete(res))
    if (stopping) res.setHeader('Connection', 'close')
    // A request that was in flight when the signal came leaves an idle keep-alive
    // connection behind: close it as soon as the answer is out.
    res.on('finish', () => {
      if (stopping) setImmediate(() => server.closeIdleConnections())
    })
    next()
  })
  // Before anything can answer: every body is bounded, on every route (server/request-limits.ts).
  app.use(limitPipelining)
  const WEBHOOK = /^\/action\/refresh-content\/?$/
  app.use(
    limitRequestBodies((req) =>
      req.method === 'POST' && WEBHOOK.test(req.path) ? config.webhookBodyMaxBytes : config.requestBodyMaxBytes,
    ),
  )
  app.use(rejectUnsafePaths)
  app.use(refuseCrossSiteWrites)
  // LiteFS: a replica refuses writes (fly-replay to the primary) before anything reads the
  // body or the database, and holds a reader's request until their own last write has
  // replicated (cheap when there is no txnum cookie, which is nearly always).
  app.use(primaryWritesOnly)
  app.use((req, res, next) => void readYourOwnWrites(req, res, next))
  // Pages from the page cache are already compressed (or deliberately identity, for a client
  // that takes neither brotli nor gzip): compression() leaves them alone.
  app.use(
    compression({
      filter: (req, res) =>
        !CACHE_ANSWERS.has(String(res.getHeader(PAGE_CACHE_STATUS_HEADER))) && compression.filter(req, res),
    }),
  )

  let loadBuild: () => Promise<ServerBuild>
  if (isDevelopment) {
    const vite = await import('vite')
    const viteServer = await vite.createServer({ root: projectRoot, server: { middlewareMode: true } })
    app.use(viteServer.middlewares)
    loadBuild = () => viteServer.ssrLoadModule('virtual:remix/server-build') as Promise<ServerBuild>
  } else {
    const buildUrl = pathToFileURL(path.join(projectRoot, 'build', 'server', 'index.js')).href
    const build = (await import(buildUrl)) as ServerBuild
    loadBuild = async () => build
    // Fingerprinted assets never change under their name; brotli and gzip copies are made at start-up.
    app.use('/assets', await servePrecompressedAssets(path.join(projectRoot, 'build', 'client', 'assets')))
    app.use(
      '/assets',
      express.static(path.join(projectRoot, 'build', 'client', 'assets'), {
        immutable: true,
        maxAge: '1y',
        redirect: false,
        index: false,
      }),
    )
    app.use(express.static(path.join(projectRoot, 'build', 'client'), { maxAge: '1h', redirect: false, index: false }))
  }

  // After static files (only pages reach it), before Remix. Cached pages go out already
  // compressed (with Content-Encoding, which compression() leaves alone).
  const pageCache = createPageCache({
    maxBytes: config.pageCacheMaxBytes,
    cdnMaxAgeSeconds: config.pageCacheCdnMaxAgeSeconds,
  })
  app.use(pageCache.middleware)

  const entry = (await loadBuild()).entry.module as unknown as KilnEntry
  const started = await entry.startup()
  if (!isDevelopment) {
    // Pages are keyed by the build and the content version; development never caches.
    pageCache.enable({ buildId: (await loadBuild()).assets.version, contentVersion: entry.contentVersion })
    entry.registerPageCacheStats(pageCache.stats)
  }

  app.all(
    '*',
    createRequestHandler({
      build: loadBuild,
      mode: isDevelopment ? 'development' : 'production',
      getLoadContext: (req, res) => ({
        timings: res.locals.timings as Timings,
        localPort: req.socket.localPort ?? config.port,
        // Fly-Client-IP / X-Forwarded-For only with TRUST_PROXY; otherwise the socket's peer.
        clientAddress: clientAddress(req, config.trustProxy),
        setCookies: res.locals.setCookies as string[],
        clientSignal: clientSignal(res),
      }),
    }),
  )

  const server = http.createServer(arrivalTimeouts(config), app)
  cutStalledConnections(server, config.responseIdleTimeoutMs)
  answerExpectContinue(server, app)
  server.listen(config.port, () => {
    const address = server.address()
    const port = typeof address === 'object' && address ? address.port : config.port
    const extra = [
      started.drafts && `${started.drafts} drafts`,
      started.invalid && `${started.invalid} with invalid frontmatter`,
    ].filter(Boolean)
    console.log(
      `[kiln] serving ${started.posts} posts and ${started.pages} pages from ${config.contentDir}${extra.length ? ` (not listed: ${extra.join(', ')})` : ''}`,
    )
    console.log(`[kiln] listening on http://localhost:${port} (${isDevelopment ? 'development' : 'production'})`)
    // For the supervisor (server/start.mjs): serving, where, and the drain budget it enforces.
    process.send?.({ type: 'kiln:ready', port, shutdownTimeoutMs: config.shutdownTimeoutMs })
  })

  /**
   * SIGTERM or SIGINT: stop accepting connections, let in-flight requests finish within
   * SHUTDOWN_TIMEOUT_MS (then cut what is left), stop background work, end the worker
   * threads, close the database, exit 0. A second signal exits at once.
   */
  const stop = (signal: string) => {
    if (stopping) {
      console.log(`[kiln] ${signal} again: exiting now`)
      process.exit(1)
    }
    stopping = true
    console.log(
      `[kiln] ${signal}: no new connections; finishing in-flight requests (up to ${config.shutdownTimeoutMs} ms)`,
    )
    const started = Date.now()
    const finish = () => {
      void entry
        .shutdown()
        .catch((error: unknown) => console.error(`[kiln] shutdown: ${(error as Error).message}`))
        .finally(() => {
          console.log(`[kiln] stopped after ${Date.now() - started} ms`)
          process.exit(0)
        })
    }
    // However the rest goes, the process is gone a few seconds after the drain's budget
    // (stopping the pools and the database normally takes milliseconds).
    const deadline = setTimeout(() => {
      console.error('[kiln] shutdown did not finish in time: exiting')
      process.exit(1)
    }, config.shutdownTimeoutMs + 5_000)
    deadline.unref()
    const cutOff = setTimeout(() => {
      // A request whose answer has not started is told to come back (and to another
      // instance, when there is one) rather than having its connection reset; one whose
      // answer is half sent can only be cut.
      let answered = 0
      for (const res of inFlight) {
        if (res.headersSent || res.destroyed) continue
        answered++
        res
          .status(503)
          .set({ 'Retry-After': String(DRAIN_RETRY_AFTER_S), 'Cache-Control': 'no-store', Connection: 'close' })
        res.type('text/plain').end('The server is restarting; try again in a few seconds.\n')
      }
      console.warn(
        `[kiln] requests still running after ${config.shutdownTimeoutMs} ms: ${answered} answered 503, closing their connections`,
      )
      setTimeout(() => server.closeAllConnections(), DRAIN_FLUSH_MS).unref()
    }, config.shutdownTimeoutMs)
    cutOff.unref()
    server.close(() => {
      clearTimeout(cutOff)
      finish()
    })
    server.closeIdleConnections()
  }
  // The supervisor was killed outright: so is the server, at once (a drain would keep the
  // port and the database as an orphan for up to SHUTDOWN_TIMEOUT_MS more).
  if (process.send) {
    process.on('disconnect', () => {
      console.error('[kiln] the supervisor (server/start.mjs) is gone: exiting')
      process.exit(1)
    })
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

main().catch((error: unknown) => {
  console.error(`[kiln] could not start: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
