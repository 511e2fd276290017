/**
 * Error tracking, optional: with SENTRY_DSN set, server errors go to Sentry (or anything that
 * speaks its protocol) through @sentry/core's server client, with the build id as the release
 * and the request's id, method and route as tags. Without it the SDK is never imported: no
 * module loaded, no hook installed, no memory spent (the import below is dynamic for that reason).
 *
 * Reported: errors of loaders, actions and rendering (Remix's handleError and the renderer's
 * onError), errors that reach Express, uncaught exceptions and unhandled rejections. Not
 * reported: a post that fails to compile (a CompileError: the author's to fix, named in the log
 * and on /admin), and thrown Responses (a 404, a redirect, a post's error page), which are answers.
 *
 * Why @sentry/core and not @sentry/node: Kiln sends error events only, and @sentry/node brings
 * OpenTelemetry, its instrumentation and a bundler toolchain (95 MB installed alone) for tracing
 * Kiln does not use; @sentry/node-core still needs OpenTelemetry and stays on an older version
 * line. The core package (two packages, no OpenTelemetry) has the server client and the envelope
 * transport; what @sentry/node adds for errors is small and lives here: the request over fetch,
 * Node's stack parser, the runtime and host on each event, and the two process handlers.
 */
import os from 'node:os'
import { getConfig } from '../config.server.ts'
import { CompileError } from '../content/compile/compile-error.ts'
import { errorMessage } from '../utils/error-message.ts'
import { log } from './logger.server.ts'

type Sentry = typeof import('@sentry/core')

let sentry: Promise<Sentry | null> | null = null

/** At most this long for one envelope's request to the DSN's host, so a hung host holds nothing. */
const SEND_TIMEOUT_MS = 10_000

/** Starts error tracking once, when SENTRY_DSN is set; `release` is the build id (null in development). */
export function startErrorTracking(release: string | null): void {
  const { sentryDsn, isProduction } = getConfig()
  if (!sentryDsn || sentry) return
  sentry = Promise.all([import('@sentry/core'), import('@sentry/core/server')]).then(
    ([Sentry, { ServerRuntimeClient, nodeStackLineParser }]) => {
      const client = new ServerRuntimeClient({
        dsn: sentryDsn,
        release: release ?? undefined,
        environment: isProduction ? 'production' : 'development',
        platform: 'node',
        runtime: { name: 'node', version: process.version },
        serverName: os.hostname(),
        stackParser: Sentry.createStackParser(nodeStackLineParser()),
        integrations: [
          Sentry.eventFiltersIntegration(),
          Sentry.functionToStringIntegration(),
          Sentry.linkedErrorsIntegration(),
          Sentry.dedupeIntegration(),
        ],
        transport: (options) =>
          Sentry.createTransport(options, async (request) => {
            const response = await fetch(options.url, {
              method: 'POST',
              // A copy when binary: fetch's types take only a Uint8Array over a plain ArrayBuffer.
              body: typeof request.body === 'string' ? request.body : new Uint8Array(request.body),
              headers: options.headers,
              signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
            })
            await response.body?.cancel()
            return {
              statusCode: response.status,
              headers: {
                'x-sentry-rate-limits': response.headers.get('x-sentry-rate-limits'),
                'retry-after': response.headers.get('retry-after'),
              },
            }
          }),
      })
      Sentry.setCurrentClient(client)
      client.init()
      reportProcessFailures(Sentry)
      log.info(`error tracking: server errors go to ${new URL(sentryDsn).host}`)
      return Sentry
    },
    (error: unknown) => {
      log.error(`error tracking: could not load @sentry/core: ${errorMessage(error)}`)
      return null
    },
  )
}

/**
 * An uncaught exception or an unhandled rejection is reported, then the process ends as Node
 * would end it without these handlers (the error and its stack logged, exit code 1): a listener
 * replaces Node's default, so the exit is done here, after the event has had its chance to leave.
 */
function reportProcessFailures(Sentry: Sentry): void {
  let ending = false
  const fail = (error: unknown, what: string) => {
    log.fatal({ err: error }, `${what}: ${errorMessage(error)}`)
    if (ending) return
    ending = true
    Sentry.captureException(error, { mechanism: { type: `auto.node.${what.replace(' ', '_')}`, handled: false } })
    void Sentry.flush(2_000).finally(() => process.exit(1))
  }
  process.on('uncaughtException', (error) => fail(error, 'uncaught exception'))
  process.on('unhandledRejection', (reason) => fail(reason, 'unhandled rejection'))
}

/** Whether `error` is one the tracker should see (see the module's header). */
export function isReportable(error: unknown): boolean {
  if (error instanceof Response || error instanceof CompileError) return false
  // Remix's thrown data() and json() answers carry a status and no stack.
  if (error && typeof error === 'object' && 'status' in error && 'data' in error && !(error instanceof Error))
    return false
  return true
}

export interface ErrorPlace {
  reqId?: string
  method?: string
  route?: string
}

/** Sends `error` to the tracker when one is configured and the error is a server error; never throws. */
export function reportServerError(error: unknown, place: ErrorPlace = {}): void {
  if (!sentry || !isReportable(error)) return
  void sentry.then((Sentry) => {
    Sentry?.withScope((scope) => {
      for (const [key, value] of Object.entries(place)) if (value) scope.setTag(key, value)
      Sentry.captureException(error)
    })
  })
}

/** Sends what is queued (at shutdown), waiting at most `timeoutMs`. */
export async function flushErrorTracking(timeoutMs = 2_000): Promise<void> {
  const loaded = await sentry
  await loaded?.flush(timeoutMs)
}
