/**
 * Kiln's configuration: every environment variable is read and validated here, once,
 * and each has a default that runs locally. The README's configuration table mirrors
 * this file.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

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

function text(name: string, fallback: string): string {
  const raw = process.env[name]
  return raw === undefined || raw === '' ? fallback : raw
}

export const projectRoot = findProjectRoot()

export interface Config {
  port: number
  /** Absolute path of the content folder (holding blog/ and pages/). */
  contentDir: string
  /** Absolute path of the SQLite file. */
  databasePath: string
  /** How often, at most, a request may re-check the content folder for changes (0: never). */
  contentScanIntervalMs: number
  /** Watch CONTENT_DIR and refresh on every save. */
  contentWatch: boolean
  /** The content repository Kiln clones and serves from; null: serve CONTENT_DIR as it is. */
  contentGitUrl: string | null
  contentGitBranch: string
  /** The folder inside the repository that holds blog/ and pages/. */
  contentGitPath: string
  /** Where Kiln keeps its clone of the content repository. */
  contentGitCloneDir: string
  /** Secret for the refresh webhook's HMAC signature; null: the webhook is refused. */
  refreshSecret: string | null
  /** Signs the session cookie; null: a random secret kept in the data folder is used. */
  sessionSecret: string | null
  /** Bearer token that opens GET /metrics; null: /metrics answers 404. */
  metricsToken: string | null
  /** The folder beside the database where Kiln keeps its own files. */
  dataDir: string
  /** Evaluated MDX components kept in memory. */
  componentCacheMaxEntries: number
  /** Total size of the compiled code behind the cached components, in bytes. */
  componentCacheMaxBytes: number
  /** Total bytes of rendered pages (all their variants) the page cache keeps; 0 turns it off. */
  pageCacheMaxBytes: number
  /** s-maxage of cached pages: how long a CDN may keep one without asking (browsers always revalidate). */
  pageCacheCdnMaxAgeSeconds: number
  /** Highlight worker threads at most; the pool has none while idle. */
  highlightMaxThreads: number
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
  siteTitle: string
  siteDescription: string
  migrationsDir: string
  isProduction: boolean
}

function readConfig(): Config {
  const port = integer('PORT', 3000, 0, 65535)
  const databasePath = path.resolve(text('DATABASE_PATH', path.join(projectRoot, 'data', 'kiln.db')))
  const gitUrl = process.env.CONTENT_GIT_URL || null
  const gitPath = safeRelative('CONTENT_GIT_PATH', 'content')
  const contentWatch = flag('CONTENT_WATCH', process.env.NODE_ENV === 'development')
  return {
    port,
    // With a content repository, the content is Kiln's own clone of it.
    contentDir: gitUrl
      ? path.join(path.dirname(databasePath), 'content-repo', gitPath)
      : path.resolve(text('CONTENT_DIR', path.join(projectRoot, 'content'))),
    databasePath,
    // With a repository or a watcher, content changes only through refreshes: a request
    // re-scanning in the middle of a checkout could index half of it.
    contentScanIntervalMs: integer('CONTENT_SCAN_INTERVAL_MS', gitUrl || contentWatch ? 0 : 2000, 0, 86_400_000),
    contentWatch,
    contentGitUrl: process.env.CONTENT_GIT_URL || null,
    contentGitBranch: text('CONTENT_GIT_BRANCH', 'main'),
    contentGitPath: gitPath,
    contentGitCloneDir: path.join(path.dirname(databasePath), 'content-repo'),
    refreshSecret: process.env.REFRESH_SECRET || null,
    sessionSecret: process.env.SESSION_SECRET || null,
    metricsToken: process.env.METRICS_TOKEN || null,
    dataDir: path.dirname(databasePath),
    componentCacheMaxEntries: integer('COMPONENT_CACHE_MAX_ENTRIES', 200, 1, 100_000),
    componentCacheMaxBytes: integer('COMPONENT_CACHE_MAX_BYTES', 32 * 1024 * 1024, 1024, 2 ** 31),
    pageCacheMaxBytes: integer('PAGE_CACHE_MAX_BYTES', 64 * 1024 * 1024, 0, 2 ** 32),
    pageCacheCdnMaxAgeSeconds: integer('PAGE_CACHE_CDN_MAX_AGE', 60, 0, 31_536_000),
    highlightMaxThreads: integer('HIGHLIGHT_MAX_THREADS', 1, 1, 64),
    highlightIdleMs: integer('HIGHLIGHT_IDLE_MS', 10_000, 1, 86_400_000),
    highlightTimeoutMs: integer('HIGHLIGHT_TIMEOUT_MS', 5_000, 10, 600_000),
    highlightEngine: oneOf('HIGHLIGHT_ENGINE', ['javascript', 'oniguruma'] as const, 'javascript'),
    compileMaxThreads: integer('COMPILE_MAX_THREADS', 1, 1, 64),
    compileIdleMs: integer('COMPILE_IDLE_MS', integer('HIGHLIGHT_IDLE_MS', 10_000, 1, 86_400_000), 1, 86_400_000),
    compileTimeoutMs: integer('COMPILE_TIMEOUT_MS', 60_000, 100, 3_600_000),
    siteTitle: text('SITE_TITLE', 'Kiln'),
    siteDescription: text('SITE_DESCRIPTION', 'A blog served by Kiln: MDX posts compiled when they are first read.'),
    migrationsDir: path.join(projectRoot, 'prisma', 'migrations'),
    isProduction: process.env.NODE_ENV === 'production',
  }
}

let cached: Config | undefined

/** The validated configuration; throws a ConfigError naming the bad variable. */
export function getConfig(): Config {
  cached ??= readConfig()
  return cached
}
