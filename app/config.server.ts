/**
 * Kiln's configuration: every environment variable is read and validated here, once,
 * and each has a default that runs locally. Nothing else in app/ or workers/ reads
 * process.env, so this file is the whole list of what an operator can set. The README's
 * configuration table mirrors it, and tests/unit/readme-config.test.ts keeps the two equal.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { isValidTimeZone } from './content/publish-time.ts'
import { canonicalLang } from './content/language.ts'
import { CONTENT_LAYOUTS, type ContentLayoutSetting } from './content/content-layout.server.ts'

/** The repository root: the nearest folder upwards holding Kiln's package.json. */
function findProjectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const manifest = path.join(dir, 'package.json')
    if (fs.existsSync(manifest)) {
      try {
        if (JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'kiln') return dir
      } catch {
        // not ours: keep walking up
      }
    }
    const parent = path.dirname(dir)
    if (parent === dir) return process.cwd()
    dir = parent
  }
}

export class ConfigError extends Error {}

/** What reading the configuration noticed without refusing it; the logger (app/logging) writes these out. */
const warnings: string[] = []

function integer(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`)
  }
  return value
}

function oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  if (!allowed.includes(raw as T)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`)
  return raw as T
}

function flag(name: string, fallback: boolean): boolean {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false
  throw new ConfigError(`${name} must be 1 or 0, got "${raw}"`)
}

/** A folder inside a repository: relative, and never climbing out of it. */
function safeRelative(name: string, fallback: string): string {
  const value = path.normalize(text(name, fallback))
  if (path.isAbsolute(value) || value === '..' || value.startsWith(`..${path.sep}`)) {
    throw new ConfigError(`${name} must be a folder inside the repository, got "${process.env[name]}"`)
  }
  return value
}

/** An absolute http(s) URL, kept without a trailing slash so paths can be appended to it. */
function httpUrl(name: string, fallback: string | null, { keepSlash = false } = {}): string | null {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ConfigError(`${name} must be an absolute http(s) URL, got "${raw}"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(`${name} must be an http(s) URL, got "${raw}"`)
  if (url.search || url.hash) throw new ConfigError(`${name} must not have a query or a fragment, got "${raw}"`)
  return keepSlash ? url.href : url.href.replace(/\/+$/, '')
}

/** A comma-separated list of image widths, 16 to 8192 pixels, at most 12 of them; kept ascending without repeats. */
function widthList(name: string, fallback: number[]): number[] {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const widths = raw.split(',').map((part) => Number(part.trim()))
  if (widths.length > 12 || widths.some((width) => !Number.isInteger(width) || width < 16 || width > 8192))
    throw new ConfigError(`${name} must be at most 12 comma-separated widths from 16 to 8192, got "${raw}"`)
  return [...new Set(widths)].sort((a, b) => a - b)
}

/** A Sentry DSN: `https://<public key>@<host>/<project id>` (http for a local stand-in). */
function sentryDsn(name: string): string | null {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return null
  let url: URL | null = null
  try {
    url = new URL(raw)
  } catch {
    // refused below
  }
  if (!url || !/^https?:$/.test(url.protocol) || !url.username || !/^\/(?:.*\/)?\d+$/.test(url.pathname)) {
    throw new ConfigError(`${name} must be a DSN such as https://<key>@<host>/<project id>, got "${mask(raw)}"`)
  }
  return raw
}

/** A secret's first characters only, for an error message or a printout. */
export function mask(secret: string): string {
  return secret.length <= 4 ? '****' : `${secret.slice(0, 4)}…(${secret.length} characters)`
}

function text(name: string, fallback: string): string {
  const raw = process.env[name]
  return raw === undefined || raw === '' ? fallback : raw
}

/** A BCP 47 language tag, in its canonical spelling. */
function languageTag(name: string, fallback: string): string {
  const raw = text(name, fallback)
  const lang = canonicalLang(raw)
  if (!lang) throw new ConfigError(`${name} must be a language tag such as en, zh-CN or ja, got "${raw}"`)
  return lang
}

/** A test-only override: a bad value is ignored with a warning rather than stopping the server. */
function optionalWholeNumber(name: string): number | null {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return null
  if (!/^\d+$/.test(raw.trim())) {
    warnings.push(`${name} must be a whole number of bytes, got "${raw}": ignored`)
    return null
  }
  return Number(raw.trim())
}

export const projectRoot = findProjectRoot()

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export interface Config {
  port: number
  /** Absolute path of the content folder (holding blog/ and pages/). */
  contentDir: string
  /** Where its posts and pages are: blog/ and pages/, another engine's folders, or `auto` (content-layout.server.ts) */
  contentLayout: ContentLayoutSetting
  /** Absolute path of the SQLite file: LITEFS_DIR/DATABASE_FILENAME under LiteFS. */
  databasePath: string
  /** True when LITEFS_DIR is set: the database is replicated and this instance may be a replica. */
  litefsEnabled: boolean
  /** Where LiteFS keeps `.primary` and `<db>-pos`; the database's folder without LiteFS. */
  litefsDir: string
  /** The database's file name inside LITEFS_DIR (its `-pos` file carries the transaction number). */
  databaseFilename: string
  /** Signs the requests a replica sends the primary (asking it to compile); null: replicas do not ask. */
  internalToken: string | null
  /** Where a replica reaches the primary; null: Fly's internal address of the instance named in `.primary`. */
  primaryInternalUrl: string | null
  /** Milliseconds in-flight requests get to finish after SIGTERM or SIGINT. */
  shutdownTimeoutMs: number
  /** Longest a post's component may render before the watchdog quarantines the post and replaces the process. */
  renderTimeoutMs: number
  /** How long the render watchdog thread stays after the last post render (the next render starts it again). */
  renderWatchdogIdleMs: number
  /** How often, at most, a request may re-check the content folder for changes (0: never). */
  contentScanIntervalMs: number
  /** Watch CONTENT_DIR and refresh on every save. */
  contentWatch: boolean
  /** Compile what a new compiler or an empty store lacks in the background, the most-read first (catch-up-compiles). */
  backgroundCompiles: boolean
  /** The content repository Kiln clones and serves from; null: serve CONTENT_DIR as it is. */
  contentGitUrl: string | null
  contentGitBranch: string
  /** The folder inside the repository that holds blog/ and pages/. */
  contentGitPath: string
  /** Where Kiln keeps its clone of the content repository. */
  contentGitCloneDir: string
  /** Secret for the refresh webhook's HMAC signature; null: the webhook is refused. */
  refreshSecret: string | null
  /**
   * Tests only: a folder whose `pause-<step>` files hold a refresh at that step (app/content/pause-points.server.ts);
   * null: never.
   */
  testPauseDir: string | null
  /** Signs the session cookie; null: a random secret kept in the data folder is used. */
  sessionSecret: string | null
  /** Bearer token that opens GET /metrics; null: /metrics answers 404. */
  metricsToken: string | null
  /**
   * Where Kiln keeps its own files (the content clone, the generated session secret); the database's folder by default.
   */
  dataDir: string
  /** Evaluated MDX components kept in memory. */
  componentCacheMaxEntries: number
  /** Total size of the compiled code behind the cached components, in bytes. */
  componentCacheMaxBytes: number
  /** A cached component not rendered for this long is let go; 0 keeps it until evicted. */
  componentCacheIdleMs: number
  /** Total bytes of rendered pages (all their variants) the page cache keeps; 0 turns it off. */
  pageCacheMaxBytes: number
  /** s-maxage of cached pages: how long a CDN may keep one without asking (browsers always revalidate). */
  pageCacheCdnMaxAgeSeconds: number
  /** Bytes of resized images kept on disk under DATA_DIR/images; the least recently used go first. */
  imageCacheMaxBytes: number
  /** Widths (CSS pixels) made of each image for its srcset, ascending; never wider than the image itself. */
  imageWidths: number[]
  /** Highlight worker threads at most; the pool has none while idle. */
  highlightMaxThreads: number
  /** Heap (V8 old generation, MB) a highlight thread may grow to; past it the job's block is plain text. */
  highlightMaxOldGenerationMb: number
  /** Milliseconds a highlight thread may sit idle before it ends (tinypool's idleTimeout is in ms). */
  highlightIdleMs: number
  /** Milliseconds one code block may take before it falls back to plain text. */
  highlightTimeoutMs: number
  /** shiki's regex engine in the worker: 'javascript' or 'oniguruma'. */
  highlightEngine: 'javascript' | 'oniguruma'
  /** Compile worker threads at most; compiling runs off the main thread so readers never wait on it. */
  compileMaxThreads: number
  compileIdleMs: number
  /** Milliseconds one post's compile may take before it is abandoned (the worker is replaced). */
  compileTimeoutMs: number
  /** Largest post file indexed and compiled; a larger one is an error of that post, never read whole. */
  maxPostBytes: number
  /** Heap (V8 old generation) a compile thread may grow to before its compile fails as out of memory. */
  compileMaxOldGenerationMb: number
  /** V8 young generation (semi-space) of a compile process, in MB: small keeps its RSS low between collections. */
  compileMaxSemiSpaceMb: number
  /** Where posts compile: a thread of the server, or a child process that exits when idle (its memory goes back). */
  compileRuntime: 'process' | 'thread'
  /**
   * First wait before a compile that timed out, ran out of memory or lost its thread is tried again (x5 per attempt, at
   * most 6 h); also the wait before a provisional compile is redone.
   */
  compileRetryMs: number
  /**
   * Compiles that could not be stored (disk full, read-only database), kept in memory up to this many bytes of code.
   */
  unstoredCompilesMaxBytes: number
  siteTitle: string
  siteDescription: string
  /** The site's public address, without a trailing slash: canonical URLs, feeds, sitemap. */
  siteUrl: string
  /** The author named in feeds and in posts' structured data. */
  siteAuthor: string
  /** The IANA zone of frontmatter dates written without one (a bare date is midnight there). */
  siteTimezone: string
  /** The site's language (a BCP 47 tag): `<html lang>`, feeds, dates; a post's `lang` overrides it. */
  siteLang: string
  /** Prefix of the "Edit this post" link (the entry's path in the content folder is appended); null: no link. */
  contentEditUrl: string | null
  migrationsDir: string
  isProduction: boolean
  /** NODE_ENV=development: `npm run dev`, with Vite's hot reload. */
  isDevelopment: boolean
  /** The Fly.io app's name when running on Fly (Fly sets FLY_APP_NAME); null elsewhere. */
  flyAppName: string | null
  /** Free memory to assume when deciding whether a heap snapshot fits, instead of measuring it; null: measure. */
  diagnosticsHeadroomBytes: number | null
  /** Where kept heap snapshots and their summaries live (DIAGNOSTICS_DIR; `<DATA_DIR>/diagnostics` by default). */
  diagnosticsDir: string
  /** How many kept heap snapshots stay on disk; taking one more deletes the oldest. */
  diagnosticsKeep: number
  /** Heap (V8 old generation) the thread that summarizes a snapshot may grow to before it fails as out of memory. */
  diagnosticsAnalysisMaxMb: number
  /** Hours a snapshot share link works for when it is made. */
  diagnosticsShareHours: number
  /** Tests only (KILN_TEST_LEAK=1): every request retains objects of class KilnTestLeak, a leak to find. */
  testLeak: boolean
  /** Tests only: the worker threads' fault switches (KILN_TEST_FAULTS=1, workers/*.ts). */
  testFaults: boolean
  /** Tests only: while this file exists, a highlight job marked for it fails (workers/highlight.ts); null: never. */
  testFaultFile: string | null
  /**
   * Cookies Kiln sets (session, txnum) carry Secure: in production, unless SESSION_COOKIE_SECURE=0 (plain-http tests).
   */
  secureCookies: boolean
  /**
   * Take the client's address from Fly-Client-IP / X-Forwarded-For (behind a proxy that sets them): TRUST_PROXY, on by
   * default on Fly.
   */
  trustProxy: boolean
  /** Origins posts may show in iframes (the policy's frame-src); empty: none. */
  cspFrameSrc: string[]
  /**
   * Largest request body on any route but the webhook; a larger one gets 413 before it is read
   * (server/request-limits.ts).
   */
  requestBodyMaxBytes: number
  /** Largest body of the content webhook (POST /action/refresh-content): a GitHub push payload. */
  webhookBodyMaxBytes: number
  /** Milliseconds a client has to send a request's headers (Node's server.headersTimeout). */
  requestHeadersTimeoutMs: number
  /** Milliseconds a client has to send a whole request, headers and body (Node's server.requestTimeout). */
  requestTimeoutMs: number
  /** How often Node checks the two limits above: a trickled request is cut within requestTimeoutMs plus this. */
  connectionsCheckIntervalMs: number
  /** Milliseconds a connection may sit with unsent response bytes (a client that stopped reading) before it is cut. */
  responseIdleTimeoutMs: number
  /** Least severe log level written: fatal, error, warn, info, debug, trace, or silent. */
  logLevel: LogLevel
  /** Where server errors are reported (a Sentry DSN); null: no error tracking, the SDK is not loaded. */
  sentryDsn: string | null
  /** Where the primary keeps its scheduled backups of the database. */
  backupDir: string
  /** Hours between scheduled backups; 0 turns them off. */
  backupIntervalHours: number
  /** Scheduled backups kept; older ones are removed. */
  backupKeep: number
}

/** Common embed hosts (video, code playgrounds): what CSP_FRAME_SRC is when unset. */
export const DEFAULT_CSP_FRAME_SRC = [
  'https://www.youtube-nocookie.com',
  'https://www.youtube.com',
  'https://player.vimeo.com',
  'https://codesandbox.io',
  'https://stackblitz.com',
  'https://codepen.io',
]

/**
 * CSP_FRAME_SRC: space-separated origins (`https://host`, `https://*.host`, a port allowed),
 * `https:` for any secure origin, or `none`. Anything else is refused: the value goes into
 * the Content-Security-Policy header, where a stray `;` or quote would add a directive.
 */
function frameSources(name: string): string[] {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return DEFAULT_CSP_FRAME_SRC
  const tokens = raw.trim().split(/\s+/)
  if (tokens.length === 1 && /^'?none'?$/i.test(tokens[0])) return []
  for (const token of tokens) {
    if (token === 'https:') continue
    if (!/^https?:\/\/(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::\d{1,5})?$/i.test(token)) {
      throw new ConfigError(
        `${name} must be space-separated origins such as https://www.youtube.com (or "none"), got "${token}"`,
      )
    }
  }
  return tokens
}

/**
 * Under LiteFS the database must live in its FUSE mount, so LITEFS_DIR decides the folder:
 * the database is LITEFS_DIR/DATABASE_FILENAME (the file name defaults to DATABASE_PATH's,
 * then kiln.db). Without LiteFS the database's own folder plays LITEFS_DIR's part: no
 * `.primary` file there, so the instance is its own primary.
 */
function databaseLocation(): {
  databasePath: string
  litefsDir: string
  databaseFilename: string
  litefsEnabled: boolean
} {
  const litefsDir = process.env.LITEFS_DIR
  const configuredPath = process.env.DATABASE_PATH ? path.resolve(process.env.DATABASE_PATH) : null
  if (!litefsDir) {
    const databasePath = configuredPath ?? path.join(projectRoot, 'data', 'kiln.db')
    return {
      databasePath,
      litefsDir: path.dirname(databasePath),
      databaseFilename: path.basename(databasePath),
      litefsEnabled: false,
    }
  }
  const databaseFilename = text('DATABASE_FILENAME', configuredPath ? path.basename(configuredPath) : 'kiln.db')
  if (databaseFilename !== path.basename(databaseFilename) || databaseFilename.startsWith('.')) {
    throw new ConfigError(`DATABASE_FILENAME must be a file name without folders, got "${databaseFilename}"`)
  }
  const databasePath = path.join(path.resolve(litefsDir), databaseFilename)
  if (configuredPath && configuredPath !== databasePath) {
    warnings.push(`DATABASE_PATH (${configuredPath}) is ignored: with LITEFS_DIR set the database is ${databasePath}`)
  }
  return { databasePath, litefsDir: path.resolve(litefsDir), databaseFilename, litefsEnabled: true }
}

/**
 * Time limits for a request's arrival. Node checks them every `connectionsCheckIntervalMs`,
 * so a trickled request is cut within requestTimeoutMs plus that interval: 21 s by default
 * (measured 22 s on a busy machine: other/bench-limits.ts).
 */
function requestTimeouts(): Pick<
  Config,
  'requestHeadersTimeoutMs' | 'requestTimeoutMs' | 'connectionsCheckIntervalMs'
> {
  const requestHeadersTimeoutMs = integer('REQUEST_HEADERS_TIMEOUT_MS', 10_000, 100, 60_000)
  const requestTimeoutMs = integer('REQUEST_TIMEOUT_MS', 20_000, 100, 600_000)
  // Node refuses a headers timeout longer than the whole request's.
  if (requestHeadersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(
      `REQUEST_HEADERS_TIMEOUT_MS (${requestHeadersTimeoutMs}) must not be ` +
        `longer than REQUEST_TIMEOUT_MS (${requestTimeoutMs})`,
    )
  }
  return {
    requestHeadersTimeoutMs,
    requestTimeoutMs,
    connectionsCheckIntervalMs: Math.max(50, Math.min(1000, Math.floor(requestHeadersTimeoutMs / 4))),
  }
}

/** An IANA zone the runtime knows (checked with Intl, so a typo stops the start, not a post's schedule). */
function timeZone(name: string, fallback: string): string {
  const value = process.env[name]?.trim() || fallback
  if (!isValidTimeZone(value)) {
    throw new ConfigError(
      `${name} must be an IANA time zone such as UTC or Europe/Paris (got ${JSON.stringify(value)})`,
    )
  }
  return value
}

function readConfig(): Config {
  const port = integer('PORT', 3000, 0, 65535)
  const { databasePath, litefsDir, databaseFilename, litefsEnabled } = databaseLocation()
  const dataDir = path.resolve(text('DATA_DIR', path.dirname(databasePath)))
  const gitUrl = process.env.CONTENT_GIT_URL || null
  const gitPath = safeRelative('CONTENT_GIT_PATH', 'content')
  const contentWatch = flag('CONTENT_WATCH', process.env.NODE_ENV === 'development')
  return {
    port,
    // With a content repository, the content is Kiln's own clone of it.
    contentDir: gitUrl
      ? path.join(dataDir, 'content-repo', gitPath)
      : path.resolve(text('CONTENT_DIR', path.join(projectRoot, 'content'))),
    contentLayout: oneOf('CONTENT_LAYOUT', CONTENT_LAYOUTS, 'auto'),
    databasePath,
    litefsEnabled,
    litefsDir,
    databaseFilename,
    internalToken: process.env.INTERNAL_TOKEN || null,
    primaryInternalUrl: httpUrl('PRIMARY_INTERNAL_URL', null),
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    renderTimeoutMs: integer('RENDER_TIMEOUT_MS', 2000, 100, 600_000),
    renderWatchdogIdleMs: integer('RENDER_WATCHDOG_IDLE_MS', 10_000, 100, 86_400_000),
    // With a repository or a watcher, content changes only through refreshes: a request
    // re-scanning in the middle of a checkout could index half of it.
    contentScanIntervalMs: integer('CONTENT_SCAN_INTERVAL_MS', gitUrl || contentWatch ? 0 : 2000, 0, 86_400_000),
    contentWatch,
    backgroundCompiles: flag('BACKGROUND_COMPILES', true),
    contentGitUrl: process.env.CONTENT_GIT_URL || null,
    contentGitBranch: text('CONTENT_GIT_BRANCH', 'main'),
    contentGitPath: gitPath,
    contentGitCloneDir: path.join(dataDir, 'content-repo'),
    refreshSecret: process.env.REFRESH_SECRET || null,
    testPauseDir: process.env.KILN_TEST_PAUSE_DIR ? path.resolve(process.env.KILN_TEST_PAUSE_DIR) : null,
    sessionSecret: process.env.SESSION_SECRET || null,
    metricsToken: process.env.METRICS_TOKEN || null,
    dataDir,
    // 50, not more: a miss costs one evaluation of the post's code (12 ms on average on the
    // react.dev blog) and only comes after a page-cache miss; 200 kept ~20 MB more heap at idle
    // (docs/performance.md, memory).
    componentCacheMaxEntries: integer('COMPONENT_CACHE_MAX_ENTRIES', 50, 1, 100_000),
    componentCacheMaxBytes: integer('COMPONENT_CACHE_MAX_BYTES', 32 * 1024 * 1024, 1024, 2 ** 31),
    componentCacheIdleMs: integer('COMPONENT_CACHE_IDLE_MS', 10_000, 0, 86_400_000),
    pageCacheMaxBytes: integer('PAGE_CACHE_MAX_BYTES', 64 * 1024 * 1024, 0, 2 ** 32),
    pageCacheCdnMaxAgeSeconds: integer('PAGE_CACHE_CDN_MAX_AGE', 60, 0, 31_536_000),
    imageCacheMaxBytes: integer('IMAGE_CACHE_MAX_BYTES', 256 * 1024 * 1024, 0, 2 ** 40),
    imageWidths: widthList('IMAGE_WIDTHS', [320, 640, 960, 1280, 1920]),
    highlightMaxThreads: integer('HIGHLIGHT_MAX_THREADS', 1, 1, 64),
    highlightMaxOldGenerationMb: integer('HIGHLIGHT_MAX_OLD_GENERATION_MB', 96, 16, 65_536),
    highlightIdleMs: integer('HIGHLIGHT_IDLE_MS', 10_000, 1, 86_400_000),
    highlightTimeoutMs: integer('HIGHLIGHT_TIMEOUT_MS', 5_000, 10, 600_000),
    highlightEngine: oneOf('HIGHLIGHT_ENGINE', ['javascript', 'oniguruma'] as const, 'javascript'),
    compileMaxThreads: integer('COMPILE_MAX_THREADS', 1, 1, 64),
    compileIdleMs: integer('COMPILE_IDLE_MS', integer('HIGHLIGHT_IDLE_MS', 10_000, 1, 86_400_000), 1, 86_400_000),
    compileTimeoutMs: integer('COMPILE_TIMEOUT_MS', 60_000, 100, 3_600_000),
    maxPostBytes: integer('MAX_POST_BYTES', 2 * 1024 * 1024, 1024, 2 ** 31),
    compileMaxOldGenerationMb: integer('COMPILE_MAX_OLD_GENERATION_MB', 512, 32, 65_536),
    compileMaxSemiSpaceMb: integer('COMPILE_MAX_SEMI_SPACE_MB', 4, 1, 256),
    compileRuntime: oneOf('COMPILE_RUNTIME', ['thread', 'process'] as const, 'thread'),
    compileRetryMs: integer('COMPILE_RETRY_MS', 60_000, 100, 86_400_000),
    unstoredCompilesMaxBytes: integer('UNSTORED_COMPILES_MAX_BYTES', 32 * 1024 * 1024, 1024, 2 ** 31),
    siteTitle: text('SITE_TITLE', 'Kiln'),
    siteDescription: text('SITE_DESCRIPTION', 'A blog served by Kiln: MDX posts compiled when they are first read.'),
    siteUrl: httpUrl('SITE_URL', `http://localhost:${port}`) as string,
    siteAuthor: text('SITE_AUTHOR', 'Kiln'),
    siteTimezone: timeZone('SITE_TIMEZONE', 'UTC'),
    siteLang: languageTag('SITE_LANG', 'en'),
    contentEditUrl: httpUrl('CONTENT_EDIT_URL', null, { keepSlash: true }),
    migrationsDir: path.join(projectRoot, 'prisma', 'migrations'),
    isProduction: process.env.NODE_ENV === 'production',
    isDevelopment: process.env.NODE_ENV === 'development',
    flyAppName: process.env.FLY_APP_NAME || null,
    diagnosticsHeadroomBytes: optionalWholeNumber('DIAGNOSTICS_HEADROOM_BYTES'),
    diagnosticsDir: path.resolve(text('DIAGNOSTICS_DIR', path.join(dataDir, 'diagnostics'))),
    diagnosticsKeep: integer('DIAGNOSTICS_KEEP', 5, 1, 100),
    diagnosticsAnalysisMaxMb: integer('DIAGNOSTICS_ANALYSIS_MAX_MB', 256, 16, 65_536),
    diagnosticsShareHours: integer('DIAGNOSTICS_SHARE_HOURS', 24, 1, 24 * 30),
    testLeak: process.env.KILN_TEST_LEAK === '1',
    testFaults: process.env.KILN_TEST_FAULTS === '1',
    testFaultFile: process.env.KILN_TEST_FAULT_FILE || null,
    secureCookies: process.env.NODE_ENV === 'production' && process.env.SESSION_COOKIE_SECURE !== '0',
    // Anyone can send these headers: they name the client only when a proxy in front sets them.
    trustProxy: flag('TRUST_PROXY', Boolean(process.env.FLY_APP_NAME)),
    cspFrameSrc: frameSources('CSP_FRAME_SRC'),
    requestBodyMaxBytes: integer('REQUEST_BODY_MAX_BYTES', 64 * 1024, 1024, 64 * 1024 * 1024),
    webhookBodyMaxBytes: integer('WEBHOOK_BODY_MAX_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    ...requestTimeouts(),
    responseIdleTimeoutMs: integer('RESPONSE_IDLE_TIMEOUT_MS', 60_000, 100, 3_600_000),
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    sentryDsn: sentryDsn('SENTRY_DSN'),
    backupDir: path.resolve(text('BACKUP_DIR', path.join(dataDir, 'backups'))),
    // At most 500 h: a timer's delay must stay under 2^31 ms.
    backupIntervalHours: integer('BACKUP_INTERVAL_HOURS', 24, 0, 500),
    backupKeep: integer('BACKUP_KEEP', 7, 1, 1000),
  }
}

let cached: Config | undefined

/** The warnings of reading the configuration (each once). */
export function configWarnings(): string[] {
  getConfig()
  return warnings.splice(0)
}

/** The validated configuration; throws a ConfigError naming the bad variable. */
export function getConfig(): Config {
  cached ??= readConfig()
  return cached
}
