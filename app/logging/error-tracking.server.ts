/**
 * Error tracking, optional: with SENTRY_DSN set, server errors go to Sentry (or anything that
 * speaks its protocol) through @sentry/node, with the build id as the release and the
 * request's id, method and route as tags. Without it the SDK is never imported: no module
 * loaded, no hook installed, no memory spent (the import below is dynamic for that reason).
 *
 * Reported: errors of loaders, actions and rendering (Remix's handleError and the renderer's
 * onError), errors that reach Express, uncaught exceptions and unhandled rejections (the
 * SDK's own handlers; Node's exit on an uncaught exception stays). Not reported: a post that
 * fails to compile (a CompileError: the author's to fix, named in the log and on /admin),
 * and thrown Responses (a 404, a redirect, a post's error page), which are answers.
 *
 * Only error events are sent: the SDK starts without its default integrations, so no
 * tracing, no OpenTelemetry provider and no rewriting of Express or http at load time.
 */
import { getConfig } from '../config.server.ts'
import { CompileError } from '../content/compile/compile-error.ts'
import { errorMessage } from '../utils/error-message.ts'
import { log } from './logger.server.ts'

type Sentry = typeof import('@sentry/node')

let sentry: Promise<Sentry | null> | null = null

/** Starts error tracking once, when SENTRY_DSN is set; `release` is the build id (null in development). */
export function startErrorTracking(release: string | null): void {
  const { sentryDsn, isProduction } = getConfig()
  if (!sentryDsn || sentry) return
  sentry = import('@sentry/node').then(
    (Sentry) => {
      Sentry.initWithoutDefaultIntegrations({
        dsn: sentryDsn,
        release: release ?? undefined,
        environment: isProduction ? 'production' : 'development',
        enableRuntimeChannelInjection: false,
        integrations: [
          Sentry.eventFiltersIntegration(),
          Sentry.functionToStringIntegration(),
          Sentry.linkedErrorsIntegration(),
          Sentry.dedupeIntegration(),
          Sentry.nodeContextIntegration(),
          Sentry.onUncaughtExceptionIntegration(),
          Sentry.onUnhandledRejectionIntegration({ mode: 'warn' }),
        ],
      })
      log.info(`error tracking: server errors go to ${new URL(sentryDsn).host}`)
      return Sentry
    },
    (error: unknown) => {
      log.error(`error tracking: could not load @sentry/node: ${errorMessage(error)}`)
      return null
    },
  )
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
