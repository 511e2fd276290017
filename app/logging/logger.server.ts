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
import os from 'node:os'
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

/** A line pino wrote at `info` or below (its level comes first: see `formatters`). */
const ROUTINE_LINE = /^\{"level":"(?:info|debug|trace)"/

/**
 * Writes routine lines (info and below: the access log's line for every request) in one
 * write per turn of the event loop, and everything more severe at once, after the routine
 * lines before it, so the order holds. Under load a write per request was a third of the log's
 * cost; now a turn's answers share one. A warning or an error is out before whatever
 * follows it, as with console.log; routine lines still waiting when the process exits
 * (process.exit, an uncaught exception) are written on the way out. Not longer than a turn:
 * a wait of 10 ms was tried (docs/performance.md) and lost the lines before a post's render
 * that never ends (the main thread stuck, no timer runs), the very lines that say which post.
 */
export function batchedDestination(target: { write(text: string): unknown }): RoutineDestination {
  let pending = ''
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (pending === '') return
    const text = pending
    pending = ''
    target.write(text)
  }
  process.once('exit', flush)
  const writeRoutine = (line: string) => {
    pending += line
    if (!scheduled) {
      scheduled = true
      setImmediate(flush)
    }
  }
  return {
    write(line: string) {
      if (ROUTINE_LINE.test(line)) return writeRoutine(line)
      flush()
      target.write(line)
    },
    writeRoutine,
  }
}

/** A destination that also takes a line its caller knows is routine (logInfoLine's), without testing it. */
export interface RoutineDestination extends DestinationStream {
  writeRoutine?(line: string): void
}

function destination(development: boolean): RoutineDestination {
  if (development) return { write: (line: string) => void process.stdout.write(readableLine(line)) }
  // Synchronous writes (sonic-boom retries a full pipe), batched per turn of the event loop.
  return batchedDestination(pino.destination({ dest: 1, sync: true }))
}

function createLogger(): Logger {
  const config = getConfig()
  const lines = destination(config.isDevelopment)
  holder.__kilnLogLines = lines
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
    lines,
  )
  for (const warning of configWarnings()) logger.warn(warning)
  return logger
}

// One per thread, kept on globalThis so that the development server's module reloads reuse it.
const holder = globalThis as typeof globalThis & { __kilnLog?: Logger; __kilnLogLines?: RoutineDestination }

export const log: Logger = (holder.__kilnLog ??= createLogger())

/** The head every line of this thread starts with after its time, as pino writes it. */
const lineBase = `,"pid":${process.pid},"hostname":${JSON.stringify(os.hostname())},"name":"kiln"`
let clock = { at: 0, iso: '' }

/** Printable ASCII other than a quote and a backslash: a string made only of these is its own JSON, between quotes. */
const NEEDS_JSON_ESCAPES = /[^\x20\x21\x23-\x5b\x5d-\x7e]/

/** `JSON.stringify(value)`, without its call for the plain strings of an access line (ids, methods, routes). */
function jsonString(value: string): string {
  return NEEDS_JSON_ESCAPES.test(value) ? JSON.stringify(value) : `"${value}"`
}

/**
 * An info line with `fields` and `msg`, byte for byte what log.info(fields, msg) writes (the
 * same keys in the same order, outside any request's mixin) without pino's general path: its
 * mixin, merge and a Date for each line were a tenth of a cached page's CPU time, as the
 * access log writes a line for every request. For plain values only.
 */
export function logInfoLine(fields: Record<string, string | number | boolean>, msg: string): void {
  const lines = holder.__kilnLogLines
  if (!lines || !log.isLevelEnabled('info')) return void log.info(fields, msg)
  const now = Date.now()
  // Answers within one millisecond share its timestamp.
  if (now !== clock.at) clock = { at: now, iso: new Date(now).toISOString() }
  let line = `{"level":"info","time":"${clock.iso}"${lineBase}`
  // Keys are names written in Kiln's code: only values can need escaping.
  for (const key in fields) {
    const value = fields[key]
    if (typeof value === 'string') line += `,"${key}":${jsonString(value)}`
    // As JSON writes them: NaN and the infinities are null.
    else line += `,"${key}":${typeof value === 'number' && !Number.isFinite(value) ? null : value}`
  }
  line += `,"msg":${jsonString(msg)}}\n`
  if (lines.writeRoutine) lines.writeRoutine(line)
  else lines.write(line)
}
