/**
 * Kiln's log: JSON lines on standard output through pino, one object per line with `level`
 * (a name), `time` (ISO 8601), `msg`, and fields such as `file` (a post's path in the content
 * folder, on every line about a post) or `reqId`. A log collector (Fly's, Loki, Datadog)
 * reads them as they are; under `npm run dev` the same lines are printed readably instead.
 *
 * Every part of the server logs through `log` (the main thread and the worker threads alike:
 * each thread has its own logger writing to the same file descriptor, one whole line per
 * write, so lines never interleave). LOG_LEVEL sets the least severe level written.
 */
import pino, { type DestinationStream, type Logger } from 'pino'
import { configWarnings, getConfig } from '../config.server.ts'
import { currentRequestId } from './request-id.server.ts'

/** `12:03:04 INFO  msg  key=value`: one line for a person at a terminal. */
export function readableLine(json: string): string {
  let entry: Record<string, unknown>
  try {
    entry = JSON.parse(json) as Record<string, unknown>
  } catch {
    return json
  }
  const { time, level, msg, pid: _pid, hostname: _hostname, name: _name, err, ...rest } = entry
  const fields = Object.entries(rest)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ')
  const stack = err && typeof err === 'object' && 'stack' in err ? `\n${String(err.stack)}` : ''
  const clock = typeof time === 'string' ? time.slice(11, 19) : ''
  const head = `${clock} ${String(level).toUpperCase().padEnd(5)} ${String(msg ?? '')}`
  return `${head}${fields ? `  ${fields}` : ''}${stack}\n`
}

function destination(development: boolean): DestinationStream {
  if (development) return { write: (line: string) => void process.stdout.write(readableLine(line)) }
  // Synchronous, as console.log was: a line is out before a crash that follows it.
  return pino.destination({ dest: 1, sync: true })
}

function createLogger(): Logger {
  const config = getConfig()
  const logger = pino(
    {
      name: 'kiln',
      level: config.logLevel,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Every line written while a request is handled carries its id.
      mixin: () => {
        const reqId = currentRequestId()
        return reqId ? { reqId } : {}
      },
    },
    destination(config.isDevelopment),
  )
  for (const warning of configWarnings()) logger.warn(warning)
  return logger
}

// One per thread, kept on globalThis so that the development server's module reloads reuse it.
const holder = globalThis as typeof globalThis & { __kilnLog?: Logger }

export const log: Logger = (holder.__kilnLog ??= createLogger())
