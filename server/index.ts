/**
 * Kiln's HTTP server: the process around the app. It starts Express, serves the static
 * files, keeps the limits that need no knowledge of the app, listens, and drains on a
 * signal; everything that needs to know what a request means (security headers, Server-
 * Timing, metrics, LiteFS, the content rescan, the page cache, Remix) is the app's own
 * middleware, built with the app and exported by its entry module (app/entry.server.tsx),
 * which this file reaches through the build and knows by its types only.
 *
 *   production (npm start):  serves build/ with long-lived caching
 *   development (npm run dev): Vite's middleware with hot reload
 */
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { ServerBuild } from '@remix-run/node'
import express from 'express'
// The only thing server/ takes from app/: the entry module's types (the module itself comes with the build).
import type * as KilnEntryModule from '../app/entry.server.tsx'
import './memory-probe.ts'
import {
  admitPipelined,
  answerExpectContinue,
  arrivalTimeouts,
  cutStalledConnections,
  pipelinedDone,
} from './request-limits.ts'

/** The build's entry module (app/entry.server.tsx), typed from the module itself. */
type KilnEntry = typeof KilnEntryModule

const isDevelopment = process.env.NODE_ENV === 'development'
let stopping = false
/** Answers not finished yet: at the drain's deadline, those not started get a 503 instead of a reset. */
const inFlight = new Set<http.ServerResponse>()
const DRAIN_RETRY_AFTER_S = 5
/** How long the 503s of the deadline get to go out before every connection is cut. */
const DRAIN_FLUSH_MS = 250

/**
 * The app's log (app/logging), once the build is loaded; until then a line of the same
 * shape written here, for a start-up that fails before there is an app to log with.
 */
type Log = KilnEntry['log']
const earlyLog = (level: string) => (first: unknown, message?: string) => {
  const msg = typeof first === 'string' ? first : (message ?? '')
  process.stdout.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), pid: process.pid, name: 'kiln', msg })}\n`,
  )
}
let log = {
  info: earlyLog('info'),
  warn: earlyLog('warn'),
  error: earlyLog('error'),
  fatal: earlyLog('fatal'),
} as unknown as Log

/** The repository root: the nearest folder upwards with a package.json (from server/, or bundled in build/kiln/). */
function findProjectRoot(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir
    if (path.dirname(dir) === dir) return process.cwd()
  }
}

async function main() {
  const projectRoot = findProjectRoot()
  const app = express()
  app.disable('x-powered-by')

  let loadBuild: () => Promise<ServerBuild>
  const staticFiles = express.Router()
  if (isDevelopment) {
    const vite = await import('vite')
    const viteServer = await vite.createServer({ root: projectRoot, server: { middlewareMode: true } })
    loadBuild = () => viteServer.ssrLoadModule('virtual:remix/server-build') as Promise<ServerBuild>
    staticFiles.use(viteServer.middlewares)
  } else {
    const buildUrl = pathToFileURL(path.join(projectRoot, 'build', 'server', 'index.js')).href
    const build = (await import(buildUrl)) as ServerBuild
    loadBuild = async () => build
    const client = path.join(projectRoot, 'build', 'client')
    // Fingerprinted files never change under their name.
    staticFiles.use(
      '/assets',
      express.static(path.join(client, 'assets'), { immutable: true, maxAge: '1y', redirect: false, index: false }),
    )
    // The other files at the top of build/client (favicon.ico, ...): looked for only when the
    // path starts with one of their names, so a page request costs no failed stat.
    const topLevel = new Set(fs.readdirSync(client).filter((name) => name !== 'assets'))
    const clientFiles = express.static(client, { maxAge: '1h', redirect: false, index: false })
    staticFiles.use((req, res, next) =>
      topLevel.has(req.path.split('/')[1] ?? '') ? clientFiles(req, res, next) : next(),
    )
  }
  const entry = (await loadBuild()).entry.module as unknown as KilnEntry
  log = entry.log
  const settings = entry.serverSettings

  const middleware = await entry.appMiddleware({
    build: loadBuild,
    mode: isDevelopment ? 'development' : 'production',
  })
  // Security headers come first in it, so every answer after them carries them. (A page the
  // page cache holds is answered before Express: see handle below.)
  app.use(middleware.beforeStatic)
  app.use(staticFiles)
  // Only pages reach it: the page cache, then Remix.
  app.use(middleware.afterStatic)
  app.use(middleware.errors)

  const started = await entry.startup()

  /**
   * Every request: counted for the drain and the pipelining limit, then answered from the
   * page cache when it holds the page (the app's hit path, which writes everything the
   * chain would: most requests to a blog end there), else by Express and the app's chain.
   */
  const handle: http.RequestListener = (req, res) => {
    inFlight.add(res)
    // One listener for the drain's set and the connection's count of waiting requests
    // ('close' comes once: `on` spares the wrapper `once` makes per request).
    res.on('close', () => {
      inFlight.delete(res)
      pipelinedDone(req)
    })
    if (!admitPipelined(req)) return
    if (stopping) {
      // While shutting down, every answer closes its connection, so keep-alive clients move
      // to another instance instead of holding this one open.
      res.setHeader('Connection', 'close')
      return void app(req, res)
    }
    if (!middleware.answerFromPageCache(req, res)) app(req, res)
  }
  const server = http.createServer(arrivalTimeouts(settings), handle)
  cutStalledConnections(server, settings.responseIdleTimeoutMs, (message) => log.warn(message))
  answerExpectContinue(server, handle)
  server.listen(settings.port, () => {
    const address = server.address()
    const port = typeof address === 'object' && address ? address.port : settings.port
    log.info(`serving ${started.serving}`)
    log.info(`listening on http://localhost:${port} (${isDevelopment ? 'development' : 'production'})`)
    // For the supervisor (server/start.mjs): serving, where, and the drain budget it enforces.
    process.send?.({ type: 'kiln:ready', port, shutdownTimeoutMs: settings.shutdownTimeoutMs })
  })

  /**
   * SIGTERM or SIGINT: stop accepting connections, let in-flight requests finish within
   * SHUTDOWN_TIMEOUT_MS (then cut what is left), stop background work, end the worker
   * threads, close the database, exit 0. A second signal exits at once.
   */
  const stop = (signal: string) => {
    if (stopping) {
      log.info(`${signal} again: exiting now`)
      process.exit(1)
    }
    stopping = true
    // Answers in flight close their connections too (those not started yet say so), and each
    // leaves an idle keep-alive connection behind: closed as soon as the answer is out.
    for (const res of inFlight) {
      if (!res.headersSent) res.setHeader('Connection', 'close')
      res.once('finish', () => setImmediate(() => server.closeIdleConnections()))
    }
    log.info(`${signal}: no new connections; finishing in-flight requests (up to ${settings.shutdownTimeoutMs} ms)`)
    const started = Date.now()
    const finish = () => {
      void entry
        .shutdown()
        .catch((error: unknown) => log.error({ err: error }, `shutdown: ${(error as Error).message}`))
        .finally(() => {
          log.info(`stopped after ${Date.now() - started} ms`)
          process.exit(0)
        })
    }
    // However the rest goes, the process is gone a few seconds after the drain's budget
    // (stopping the pools and the database normally takes milliseconds).
    const deadline = setTimeout(() => {
      log.error('shutdown did not finish in time: exiting')
      process.exit(1)
    }, settings.shutdownTimeoutMs + 5_000)
    deadline.unref()
    const cutOff = setTimeout(() => {
      // A request whose answer has not started is told to come back (and to another
      // instance, when there is one) rather than having its connection reset; one whose
      // answer is half sent can only be cut.
      let answered = 0
      for (const res of inFlight) {
        if (res.headersSent || res.destroyed) continue
        answered++
        res.writeHead(503, {
          'Retry-After': String(DRAIN_RETRY_AFTER_S),
          'Cache-Control': 'no-store',
          Connection: 'close',
          'Content-Type': 'text/plain; charset=utf-8',
        })
        res.end('The server is restarting; try again in a few seconds.\n')
      }
      log.warn(
        `requests still running after ${settings.shutdownTimeoutMs} ` +
          `ms: ${answered} answered 503, closing their connections`,
      )
      setTimeout(() => server.closeAllConnections(), DRAIN_FLUSH_MS).unref()
    }, settings.shutdownTimeoutMs)
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
      log.error('the supervisor (server/start.mjs) is gone: exiting')
      process.exit(1)
    })
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

main().catch((error: unknown) => {
  log.fatal({ err: error }, `could not start: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
