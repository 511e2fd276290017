/**
 * Server rendering. Pages are rendered whole (onAllReady) before the first byte: Kiln's
 * pages have no slow data to stream, and a complete document is what crawlers, caches
 * and the Server-Timing `render` figure want.
 *
 * This module is also the built app's one door for the Express process (server/index.ts,
 * which imports only its types): the app's middleware, `startup` and `shutdown`, and the
 * settings the server listens and drains with. They run inside the same module graph as
 * the routes, so there is one database connection and one page cache, not one per copy of
 * the code.
 */
import { PassThrough } from 'node:stream'
import { text } from 'node:stream/consumers'
import type { AppLoadContext, EntryContext } from '@remix-run/node'
import { RemixServer } from '@remix-run/react'
import { renderToPipeableStream } from 'react-dom/server'
import { getConfig } from './config.server.ts'
import { countEntries } from './content/content-index.server.ts'
import { ensureClone } from './content/git-content.server.ts'
import { whenRefreshesSettled } from './content/refresh.server.ts'
import { configureComponentCache, dropIdleComponents } from './content/mdx-component.tsx'
import { collectAfterServingBursts, collectUnlessDue, releaseBeforeIdleCollection } from './job-pool.server.ts'
import { logQuarantined, startRenderWatchdog, stopRenderWatchdog } from './content/render-guard.server.ts'
import { destroyCompilePool } from './content/compile-pool.server.ts'
import { destroyHighlightPool } from './content/highlight.server.ts'
import { destroyImagePool } from './images/image-pool.server.ts'
import { closeDb, getDb } from './db/connection.server.ts'
import { startScheduledBackups, stopScheduledBackups } from './db/backup.server.ts'
import {
  isDoingBackgroundWork,
  onRoleChange,
  startBackgroundWork,
  stopBackgroundWork,
} from './content/background-work.server.ts'
import { readInstanceRole } from './replication/instance.server.ts'
import { stopWatchingRole, watchRole } from './replication/role-watch.server.ts'
import { startMemorySampler, stopMemorySampler } from './diagnostics/memory-sampler.server.ts'
import { answeredRequests } from './diagnostics/metrics.server.ts'
import { contentSecurityPolicy, newScriptMarker, sealInlineScripts } from './http/content-security-policy.server.ts'
import { InlineScriptMarker } from './components/inline-script-marker.ts'
import './load-context.ts'
import { log } from './logging/logger.server.ts'
import { flushErrorTracking, reportServerError } from './logging/error-tracking.server.ts'

/** For the Express server: the app's middleware, mounted before and after its static files. */
export { appMiddleware } from './http/app-middleware.server.ts'
/** For the Express server: the one log (JSON lines; readable under `npm run dev`). */
export { log } from './logging/logger.server.ts'

export const streamTimeout = 10_000

const config = getConfig()
const policyOptions = {
  frameSrc: config.cspFrameSrc,
  https: config.siteUrl.startsWith('https:'),
  development: config.isDevelopment,
}
configureComponentCache({
  maxEntries: config.componentCacheMaxEntries,
  maxBytes: config.componentCacheMaxBytes,
  idleMs: config.componentCacheIdleMs,
})
// Components idle past their time go before the collection that follows a burst of jobs, so
// their memory goes back with the pools'; renders without jobs (a page-cache miss on a post
// whose compile is stored) are looked after here, with a collection soon after.
if (config.componentCacheIdleMs > 0) {
  releaseBeforeIdleCollection(dropIdleComponents)
  setInterval(() => {
    if (dropIdleComponents() > 0) collectUnlessDue()
  }, config.componentCacheIdleMs).unref()
}

/** For the Express server: where it listens, and the time limits it keeps for arrival, stalls and the drain. */
export const serverSettings = {
  port: config.port,
  requestHeadersTimeoutMs: config.requestHeadersTimeoutMs,
  requestTimeoutMs: config.requestTimeoutMs,
  connectionsCheckIntervalMs: config.connectionsCheckIntervalMs,
  responseIdleTimeoutMs: config.responseIdleTimeoutMs,
  shutdownTimeoutMs: config.shutdownTimeoutMs,
}

/** Stops the watch for the ends of bursts of serving (job-pool.server.ts). */
let stopServingWatch: (() => void) | undefined

/**
 * Opens the database, clones the content repository when there is one and no clone yet,
 * and, on the primary, indexes the content and starts watching or catching up. Says what
 * it serves, for the server's first log line.
 */
export async function startup(): Promise<{ serving: string }> {
  getDb()
  startMemorySampler()
  stopServingWatch ??= collectAfterServingBursts(answeredRequests)
  startRenderWatchdog()
  logQuarantined(getDb())
  if (config.contentGitUrl) {
    try {
      // The clone is this machine's own files, not the database: replicas keep one too,
      // to compile in memory what the primary has not compiled yet.
      await ensureClone({
        url: config.contentGitUrl,
        branch: config.contentGitBranch,
        cloneDir: config.contentGitCloneDir,
      })
    } catch (error) {
      // Serve what there is (nothing, on a first start); the next refresh tries again.
      log.error(`could not clone the content repository: ${(error as Error).message}`)
    }
  }
  if (config.litefsEnabled && !config.sessionSecret) {
    log.warn(
      'LITEFS_DIR is set but SESSION_SECRET is not: each instance signs ' +
        'sessions with its own secret, so a sign-in holds on one machine only',
    )
  }
  if (config.litefsEnabled && !config.internalToken) {
    log.warn(
      'LITEFS_DIR is set but INTERNAL_TOKEN is not: replicas compile ' +
        'in memory and cannot ask the primary to store compiles',
    )
  }
  const role = readInstanceRole()
  if (role.isPrimary) startBackgroundWork()
  else
    log.info(
      `replica of ` +
        `${role.primaryInstance ?? `an unknown primary (${role.problem})`}: serving ` +
        `reads; writes are replayed on the primary`,
    )
  watchRole(role, onRoleChange, () => !isDoingBackgroundWork())
  startScheduledBackups()
  let counts: ReturnType<typeof countEntries>
  try {
    counts = countEntries(getDb())
  } catch {
    // A replica whose database has not replicated yet has nothing to count.
    counts = { posts: 0, pages: 0, drafts: 0, invalid: 0 }
  }
  const unlisted = [
    counts.drafts && `${counts.drafts} drafts`,
    counts.invalid && `${counts.invalid} with invalid frontmatter`,
  ].filter(Boolean)
  return {
    serving:
      `${counts.posts} posts and ${counts.pages} pages from ` +
      `${config.contentDir}${unlisted.length ? ` (not listed: ${unlisted.join(', ')})` : ''}`,
  }
}

/** Stops background work, ends the worker pools' threads and closes the database. */
export async function shutdown(): Promise<void> {
  stopWatchingRole()
  stopBackgroundWork()
  stopMemorySampler()
  stopServingWatch?.()
  stopServingWatch = undefined
  await Promise.allSettled([whenRefreshesSettled(5_000), stopScheduledBackups()])
  await Promise.allSettled([
    destroyCompilePool(),
    destroyHighlightPool(),
    destroyImagePool(),
    stopRenderWatchdog(),
    flushErrorTracking(),
  ])
  closeDb()
}

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const start = performance.now()
  // Marks this render's own inline scripts; their hashes go into the policy (see the module).
  const scriptMarker = newScriptMarker()
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false
    const timer = setTimeout(() => abort(), streamTimeout + 1000)
    const app = (
      <InlineScriptMarker.Provider value={scriptMarker}>
        <RemixServer context={remixContext} url={request.url} abortDelay={streamTimeout} nonce={scriptMarker} />
      </InlineScriptMarker.Provider>
    )
    const { pipe, abort } = renderToPipeableStream(app, {
      nonce: scriptMarker,
      onAllReady() {
        shellRendered = true
        clearTimeout(timer)
        loadContext.timings?.add('render', performance.now() - start, 'React render')
        const body = new PassThrough()
        responseHeaders.set('Content-Type', 'text/html; charset=utf-8')
        const status = responseStatusCode
        // Everything is rendered: collecting the output costs a copy, and gives the header
        // the hashes of the document's inline scripts before its first byte.
        pipe(body)
        text(body).then((html) => {
          const sealed = sealInlineScripts(html, scriptMarker)
          responseHeaders.set('Content-Security-Policy', contentSecurityPolicy(policyOptions, sealed.hashes))
          resolve(new Response(sealed.html, { headers: responseHeaders, status }))
        }, reject)
      },
      onShellError(error: unknown) {
        clearTimeout(timer)
        reject(error)
      },
      onError(error: unknown) {
        responseStatusCode = 500
        // Errors after the shell are logged here; the reader sees the error boundary.
        if (shellRendered) {
          log.error({ err: error }, 'render error')
          reportServerError(error, { reqId: loadContext.requestId, method: request.method })
        }
      },
    })
  })
}

export function handleError(
  error: unknown,
  { request, context }: { request: Request; context?: AppLoadContext },
): void {
  if (request.signal.aborted) return
  log.error({ err: error }, `error while handling ${request.method} ${new URL(request.url).pathname}`)
  reportServerError(error, { reqId: context?.requestId, method: request.method })
}
