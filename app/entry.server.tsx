/**
 * Server rendering. Pages are rendered whole (onAllReady) before the first byte: Kiln's
 * pages have no slow data to stream, and a complete document is what crawlers, caches
 * and the Server-Timing `render` figure want.
 *
 * This module is also the built server's door for the Express process: `startup` and
 * `shutdown` below run inside the same module graph as the routes, so there is one
 * database connection, not one per copy of the code.
 */
import { PassThrough } from 'node:stream'
import type { AppLoadContext, EntryContext } from '@remix-run/node'
import { createReadableStreamFromReadable } from '@remix-run/node'
import { RemixServer } from '@remix-run/react'
import { renderToPipeableStream } from 'react-dom/server'
import { getConfig } from './config.server.ts'
import { refreshIndexIfDue, syncContent } from './content/content.server.ts'
import { countEntries, getIndexVersion } from './content/content-index.server.ts'
import { ensureClone } from './content/git-content.server.ts'
import { requestRefresh } from './content/refresh.server.ts'
import { startWatching, stopWatching } from './content/watch.server.ts'
import { configureComponentCache } from './content/mdx-component.tsx'
import { destroyCompilePool } from './content/compile-pool.server.ts'
import { destroyHighlightPool } from './content/highlight.server.ts'
import { closeDb, getDb } from './db/connection.server.ts'
import { startMemorySampler, stopMemorySampler } from './diagnostics/memory-sampler.server.ts'
import { isContentOnlyDocument, PAGE_CACHE_MARKER } from './http/page-cache.server.ts'
import './load-context.ts'

/** For the Express server: counts an answered request in /metrics (see server/index.ts). */
export { observeRequest as recordRequest } from './diagnostics/metrics.server.ts'
/** For the Express server's page cache: where its stats are read by /admin and /metrics. */
export { registerPageCacheStats } from './http/page-cache.server.ts'

/**
 * For the page cache's keys: the content index's version, after the request-time re-scan
 * when one is due (a cached page answers without reaching a loader, which would do it).
 */
export function contentVersion(): string {
  refreshIndexIfDue()
  return String(getIndexVersion())
}

export const streamTimeout = 10_000

const config = getConfig()
configureComponentCache({ maxEntries: config.componentCacheMaxEntries, maxBytes: config.componentCacheMaxBytes })

/**
 * Opens the database (applying migrations), clones the content repository when there is
 * one and no clone yet, indexes the content folder, and starts watching or catching up.
 */
export async function startup(): Promise<ReturnType<typeof countEntries>> {
  getDb()
  startMemorySampler()
  if (config.contentGitUrl) {
    try {
      await ensureClone({ url: config.contentGitUrl, branch: config.contentGitBranch, cloneDir: config.contentGitCloneDir })
    } catch (error) {
      // Serve what there is (nothing, on a first start); the next refresh tries again.
      console.error(`[kiln] could not clone the content repository: ${(error as Error).message}`)
    }
  }
  const result = syncContent()
  for (const skipped of result.skipped) console.warn(`[kiln] skipped ${skipped.path}: ${skipped.reason}`)
  for (const invalid of result.invalid) console.warn(`[kiln] ${invalid.path}: ${invalid.error}`)
  if (config.contentWatch) startWatching(config.contentDir)
  // Catch up on whatever was pushed while the server was down.
  if (config.contentGitUrl) requestRefresh('startup')
  return countEntries(getDb())
}

/** Ends the worker pools' threads and closes the database. */
export async function shutdown(): Promise<void> {
  stopWatching()
  stopMemorySampler()
  await Promise.allSettled([destroyCompilePool(), destroyHighlightPool()])
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
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false
    const timer = setTimeout(() => abort(), streamTimeout + 1000)
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} abortDelay={streamTimeout} />, {
      onAllReady() {
        shellRendered = true
        clearTimeout(timer)
        loadContext.timings?.add('render', performance.now() - start, 'React render')
        const body = new PassThrough()
        responseHeaders.set('Content-Type', 'text/html; charset=utf-8')
        const routeIds = remixContext.staticHandlerContext.matches.map((match) => match.route.id)
        if (isContentOnlyDocument(responseStatusCode, routeIds)) responseHeaders.set(PAGE_CACHE_MARKER, '1')
        resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }))
        pipe(body)
      },
      onShellError(error: unknown) {
        clearTimeout(timer)
        reject(error)
      },
      onError(error: unknown) {
        responseStatusCode = 500
        // Errors after the shell are logged here; the reader sees the error boundary.
        if (shellRendered) console.error('[kiln] render error:', error)
      },
    })
  })
}

export function handleError(error: unknown, { request }: { request: Request }): void {
  if (request.signal.aborted) return
  console.error(`[kiln] error while handling ${request.method} ${new URL(request.url).pathname}:`, error)
}
