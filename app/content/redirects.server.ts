/**
 * Redirects: a renamed post's old address keeps working. Two sources, one matcher:
 *
 *   frontmatter `aliases: [old-slug, /old/path]`   a bare slug is /blog/<slug>; answered with 301
 *   content/redirects                             `/from /to [301|302|308]` per line, `#` comments;
 *                                                 `:name` matches one segment, a last `*` or
 *                                                 `:splat` the rest; the target may use them
 *
 * Redirects are asked only where the answer would otherwise be a 404, so a redirect can
 * never shadow an existing post or page. A chain (a -> b -> c) is followed here, at most
 * MAX_REDIRECT_HOPS rules, and answered as one redirect to its end; a loop, or a longer
 * chain, is a 404 for readers and an error in `content:check` (redirectProblems).
 *
 * The rules are read and compiled once per content version (the index's version and the
 * redirects file's stamp), never per request. Matching is bounded whatever the path: a
 * path longer than MAX_MATCH_PATH_LENGTH or with more than MAX_MATCH_SEGMENTS segments is
 * not matched; exact rules are one Map lookup, and the patterns are few (MAX_REDIRECT_RULES)
 * and bucketed by their first segment, each compared segment by segment (no regular
 * expressions, so no backtracking).
 */
import fs from 'node:fs'
import path from 'node:path'
import type { DB } from '../db/connection.server.ts'
import { safeRedirect } from '../http/safe-redirect.ts'
import { entryPath } from '../seo/urls.ts'
import { parseFrontmatter } from './frontmatter.ts'
import { getIndexVersion } from './kiln-state.server.ts'
import { readEntrySource, type SourceEntry } from './source.server.ts'

export const REDIRECTS_FILE = 'redirects'
/** Rules kept at most (file and aliases together); the rest are reported and ignored. */
export const MAX_REDIRECT_RULES = 2000
/** A longer line of content/redirects is reported and ignored. */
export const MAX_REDIRECT_LINE_LENGTH = 1024
/** The redirects file is read only up to this size. */
export const MAX_REDIRECTS_FILE_BYTES = 256 * 1024
/** Rules followed for one request at most; a longer chain is an error. */
export const MAX_REDIRECT_HOPS = 5
export const MAX_MATCH_PATH_LENGTH = 2048
export const MAX_MATCH_SEGMENTS = 32
/** How long a browser or a CDN may keep a redirect: short, so a corrected rule is seen soon. */
export const REDIRECT_CACHE_CONTROL = 'public, max-age=300'

export type RedirectStatus = 301 | 302 | 308
const STATUSES = new Set([301, 302, 308])

/** One segment of a `from` pattern. */
type Segment = { literal: string } | { param: string } | { splat: true }

export interface RedirectRule {
  from: string
  to: string
  status: RedirectStatus
  /** Where it was written: content/redirects or the entry file, and the line. */
  file: string
  line: number
  /** Present when `from` has placeholders. */
  segments: Segment[] | null
}

export interface RedirectProblem {
  level: 'error' | 'warning'
  file: string
  line?: number
  message: string
}

/** Splits a path into decoded segments, empty ones dropped; null when it is not matchable. */
export function pathSegments(pathname: string): string[] | null {
  if (pathname.length > MAX_MATCH_PATH_LENGTH) return null
  const raw = pathname.split('/').filter((segment) => segment.length > 0)
  if (raw.length > MAX_MATCH_SEGMENTS) return null
  const segments: string[] = []
  for (const segment of raw) {
    try {
      segments.push(decodeURIComponent(segment))
    } catch {
      return null
    }
  }
  return segments
}

/** A path in its one spelling for lookups: segments encoded, one slash between them, none at the end. */
function canonicalPath(segments: string[]): string {
  return `/${segments.map(encodeURIComponent).join('/')}`
}

function compileFrom(from: string): { segments: Segment[] | null } | { error: string } {
  if (!from.startsWith('/')) return { error: `"${from}" must start with /` }
  const parts = pathSegments(from.split(/[?#]/)[0])
  if (!parts) return { error: `"${from}" is too long or has too many segments` }
  let dynamic = false
  const segments: Segment[] = parts.map((part, index) => {
    if (part === '*' || part === ':splat') {
      dynamic = true
      return index === parts.length - 1 ? { splat: true } : { literal: '\0' }
    }
    if (/^:[A-Za-z_]\w*$/.test(part)) {
      dynamic = true
      return { param: part.slice(1) }
    }
    return { literal: part }
  })
  if (segments.some((segment) => 'literal' in segment && segment.literal === '\0')) {
    return { error: `"${from}": * (or :splat) may only be the last segment` }
  }
  return { segments: dynamic ? segments : null }
}

/** Checks a target: a path on this site or an absolute https URL, placeholders allowed. */
function checkTarget(to: string, params: Set<string>): string | null {
  for (const match of to.matchAll(/:([A-Za-z_]\w*)/g)) {
    if (match[1] !== 'splat' && !params.has(match[1]) && !/^https?$/.test(match[1])) {
      // "https://host:8443" has a port, not a placeholder.
      if (!/^\d/.test(match[1])) return `"${to}" uses :${match[1]}, which "from" does not capture`
    }
  }
  if (/^https:\/\//i.test(to)) {
    try {
      const url = new URL(to.replace(/:splat|:[A-Za-z_]\w*/g, 'x'))
      return url.protocol === 'https:' ? null : `"${to}" is not an https URL`
    } catch {
      return `"${to}" is not a URL`
    }
  }
  const filled = to.replace(/:splat|:[A-Za-z_]\w*|\*/g, 'x')
  if (safeRedirect(filled, '') !== filled) return `"${to}" is neither a path on this site nor an https URL`
  return null
}

/** The rules of a content/redirects text, and what is wrong with its lines. Pure. */
export function parseRedirects(
  text: string,
  file = REDIRECTS_FILE,
): { rules: RedirectRule[]; problems: RedirectProblem[] } {
  const rules: RedirectRule[] = []
  const problems: RedirectProblem[] = []
  const lines = text.split(/\r?\n/)
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1
    const content = lines[index].replace(/(^|\s)#.*$/, '').trim()
    if (!content) continue
    const problem = (message: string) => problems.push({ level: 'error', file, line, message })
    if (lines[index].length > MAX_REDIRECT_LINE_LENGTH) {
      problem(`line is longer than ${MAX_REDIRECT_LINE_LENGTH} characters: ignored`)
      continue
    }
    if (rules.length >= MAX_REDIRECT_RULES) {
      problem(`more than ${MAX_REDIRECT_RULES} redirects: the rest are ignored`)
      break
    }
    const fields = content.split(/\s+/)
    if (fields.length < 2 || fields.length > 3) {
      problem(`expected "/from /to [301|302|308]", found "${content.slice(0, 80)}"`)
      continue
    }
    const [from, to, statusText = '301'] = fields
    const status = Number(statusText)
    if (!STATUSES.has(status)) {
      problem(`status must be 301, 302 or 308, not "${statusText}"`)
      continue
    }
    const compiled = compileFrom(from)
    if ('error' in compiled) {
      problem(compiled.error)
      continue
    }
    const params = new Set((compiled.segments ?? []).flatMap((segment) => ('param' in segment ? [segment.param] : [])))
    const targetError = checkTarget(to, params)
    if (targetError) {
      problem(targetError)
      continue
    }
    rules.push({ from, to, status: status as RedirectStatus, file, line, segments: compiled.segments })
  }
  return { rules, problems }
}

/** An entry's `aliases` as paths: a bare slug is /blog/<slug>, anything else as written. */
export function aliasPaths(aliases: unknown): string[] {
  const list = Array.isArray(aliases) ? aliases : typeof aliases === 'string' ? [aliases] : []
  return list
    .filter((alias): alias is string => typeof alias === 'string' && alias.trim().length > 0)
    .map((alias) => alias.trim())
    .map((alias) => (alias.startsWith('/') ? alias : `/blog/${alias}`))
}

/** The line of `alias` in a source's frontmatter (the `aliases:` line when not found). */
function aliasLine(source: string, alias: string): number | undefined {
  const lines = source.split(/\r?\n/)
  let aliasesLine: number | undefined
  for (let index = 1; index < lines.length && lines[index] !== '---'; index++) {
    if (/^aliases\s*:/.test(lines[index])) aliasesLine = index + 1
    if (aliasesLine && lines[index].includes(alias)) return index + 1
  }
  return aliasesLine
}

export interface AliasSource {
  /** The entry's canonical path. */
  target: string
  aliases: unknown
  file: string
  source?: string
}

export interface RedirectTable {
  exact: Map<string, RedirectRule>
  /** Pattern rules by their first literal segment; '' holds those starting with a placeholder. */
  patterns: Map<string, RedirectRule[]>
  /** Every entry's canonical path: a redirect never answers for one of them. */
  existing: Set<string>
  problems: RedirectProblem[]
  rules: number
}

/**
 * Compiles the rules: aliases first (their entries' own word), then the file. A rule whose
 * `from` is an existing entry, or was already claimed, is reported and dropped.
 */
export function buildRedirectTable(
  fileRules: RedirectRule[],
  aliasSources: AliasSource[],
  existingPaths: Iterable<string>,
  fileProblems: RedirectProblem[] = [],
): RedirectTable {
  const table: RedirectTable = {
    exact: new Map(),
    patterns: new Map(),
    existing: new Set(),
    problems: [...fileProblems],
    rules: 0,
  }
  for (const existing of existingPaths) {
    const segments = pathSegments(existing)
    if (segments) table.existing.add(canonicalPath(segments))
  }
  const add = (rule: RedirectRule) => {
    if (table.rules >= MAX_REDIRECT_RULES) {
      table.problems.push({ level: 'error', file: rule.file, line: rule.line, message: 'too many redirects: ignored' })
      return
    }
    if (rule.segments) {
      const first = rule.segments[0]
      const bucket = first && 'literal' in first ? first.literal : ''
      table.patterns.set(bucket, [...(table.patterns.get(bucket) ?? []), rule])
      table.rules++
      return
    }
    const key = canonicalPath(pathSegments(rule.from) ?? [])
    if (table.existing.has(key)) {
      table.problems.push({
        level: 'error',
        file: rule.file,
        line: rule.line,
        message: `redirect from ${rule.from} collides with an existing post or page there: the post is served`,
      })
      return
    }
    const claimed = table.exact.get(key)
    if (claimed) {
      table.problems.push({
        level: 'error',
        file: rule.file,
        line: rule.line,
        message: `${rule.from} is already redirected by ${claimed.file}:${claimed.line}: ignored`,
      })
      return
    }
    table.exact.set(key, rule)
    table.rules++
  }
  for (const entry of aliasSources) {
    for (const alias of aliasPaths(entry.aliases)) {
      const line = entry.source ? aliasLine(entry.source, alias.replace(/^\/blog\//, '')) : undefined
      const compiled = compileFrom(alias)
      if ('error' in compiled || compiled.segments) {
        table.problems.push({
          level: 'error',
          file: entry.file,
          line,
          message: `alias ${alias} is not a plain path: ignored`,
        })
        continue
      }
      add({ from: alias, to: entry.target, status: 301, file: entry.file, line: line ?? 1, segments: null })
    }
  }
  for (const rule of fileRules) add(rule)
  table.problems.push(...chainProblems(table))
  return table
}

function matchPattern(rule: RedirectRule, segments: string[]): Map<string, string> | null {
  const pattern = rule.segments!
  const captures = new Map<string, string>()
  for (let index = 0; index < pattern.length; index++) {
    const part = pattern[index]
    if ('splat' in part) {
      captures.set('splat', segments.slice(index).map(encodeURIComponent).join('/'))
      return captures
    }
    if (index >= segments.length) return null
    if ('param' in part) captures.set(part.param, encodeURIComponent(segments[index]))
    else if (part.literal !== segments[index]) return null
  }
  return segments.length === pattern.length ? captures : null
}

/** The rule for a path, and its target with the placeholders filled. */
function matchOnce(table: RedirectTable, segments: string[]): { rule: RedirectRule; target: string } | null {
  const exact = table.exact.get(canonicalPath(segments))
  if (exact) return { rule: exact, target: exact.to }
  const candidates = [...(table.patterns.get(segments[0] ?? '') ?? []), ...(table.patterns.get('') ?? [])]
  // In the file's order: the first rule written wins, as in Netlify's _redirects.
  candidates.sort((a, b) => a.line - b.line)
  for (const rule of candidates) {
    const captures = matchPattern(rule, segments)
    if (!captures) continue
    const target = rule.to.replace(/:([A-Za-z_]\w*)|\*/g, (placeholder, name: string | undefined) =>
      placeholder === '*' ? (captures.get('splat') ?? '') : (captures.get(name!) ?? placeholder),
    )
    return { rule, target }
  }
  return null
}

export type RedirectAnswer =
  | { kind: 'redirect'; location: string; status: RedirectStatus; rule: RedirectRule }
  | { kind: 'loop'; rule: RedirectRule }
  | { kind: 'too-long'; rule: RedirectRule }

/**
 * Where a request for `pathname` (an address that has no entry) is sent: the end of its
 * chain of rules, or null when no rule matches. A target on another site ends the chain;
 * one that would leave the site as a path (`//host`, from a wildcard's capture) is no
 * answer at all.
 */
export function resolveRedirect(table: RedirectTable, pathname: string): RedirectAnswer | null {
  let segments = pathSegments(pathname)
  if (!segments) return null
  let first: RedirectRule | null = null
  const seen = new Set<string>([canonicalPath(segments)])
  let location = ''
  for (let hop = 0; hop <= MAX_REDIRECT_HOPS; hop++) {
    const match = matchOnce(table, segments)
    if (!match) return first ? { kind: 'redirect', location, status: first.status, rule: first } : null
    if (hop === MAX_REDIRECT_HOPS) return { kind: 'too-long', rule: first! }
    first ??= match.rule
    if (/^https:\/\//i.test(match.target)) {
      try {
        const url = new URL(match.target)
        const template = new URL(match.rule.to.replace(/:splat|:[A-Za-z_]\w*|\*/g, 'x'))
        if (url.protocol !== 'https:' || url.host !== template.host) return null
        return { kind: 'redirect', location: url.href, status: first.status, rule: first }
      } catch {
        return null
      }
    }
    const safe = safeRedirect(match.target, '')
    if (!safe) return null
    location = safe
    const next = pathSegments(safe.split(/[?#]/)[0])
    if (!next) return null
    const key = canonicalPath(next)
    if (table.existing.has(key)) return { kind: 'redirect', location, status: first.status, rule: first }
    if (seen.has(key)) return { kind: 'loop', rule: first }
    seen.add(key)
    segments = next
  }
  return { kind: 'too-long', rule: first! }
}

/** Loops and over-long chains starting at an exact rule's address, each reported once at its first rule. */
function chainProblems(table: RedirectTable): RedirectProblem[] {
  const problems: RedirectProblem[] = []
  for (const [key, rule] of table.exact) {
    const answer = resolveRedirect(table, key)
    if (answer?.kind === 'loop')
      problems.push({ level: 'error', file: rule.file, line: rule.line, message: `redirect from ${rule.from} loops` })
    if (answer?.kind === 'too-long')
      problems.push({
        level: 'error',
        file: rule.file,
        line: rule.line,
        message: `redirect from ${rule.from} is a chain of more than ${MAX_REDIRECT_HOPS} redirects`,
      })
  }
  return problems
}

/** content/redirects, bounded; '' when there is none. */
function readRedirectsFile(contentDir: string): string {
  const file = path.join(contentDir, REDIRECTS_FILE)
  let fd: number
  try {
    fd = fs.openSync(file, 'r')
  } catch {
    return ''
  }
  try {
    const buffer = Buffer.alloc(Math.min(fs.fstatSync(fd).size, MAX_REDIRECTS_FILE_BYTES))
    const read = fs.readSync(fd, buffer, 0, buffer.length, 0)
    return buffer.subarray(0, read).toString('utf8')
  } finally {
    fs.closeSync(fd)
  }
}

function fileStamp(contentDir: string): string {
  try {
    const stat = fs.statSync(path.join(contentDir, REDIRECTS_FILE))
    return `${stat.mtimeMs}:${stat.size}`
  } catch {
    return 'none'
  }
}

let cached: { key: string; table: RedirectTable } | null = null
let stats = { builds: 0, lookups: 0, redirects: 0 }

/**
 * The table for the index's current version and the redirects file as it is: built once
 * per version, from published entries' aliases (a draft's alias would lead to a 404).
 */
export function redirectTable(db: DB, contentDir: string): RedirectTable {
  const key = `${getIndexVersion(db)}|${fileStamp(contentDir)}`
  if (cached?.key === key) return cached.table
  const { rules, problems } = parseRedirects(readRedirectsFile(contentDir))
  const entries = db.prepare('SELECT kind, slug, path FROM content_entries').all() as {
    kind: 'post' | 'page'
    slug: string
    path: string
  }[]
  const aliased = db
    .prepare(
      `SELECT kind, slug, path, json_extract(frontmatter, '$.aliases') AS aliases FROM published_entries
        WHERE json_extract(frontmatter, '$.aliases') IS NOT NULL ORDER BY kind, slug`,
    )
    .all() as { kind: 'post' | 'page'; slug: string; path: string; aliases: string }[]
  const aliasSources = aliased.map((row) => ({
    target: entryPath(row.kind, row.slug),
    aliases: parseJson(row.aliases),
    file: row.path,
  }))
  const table = buildRedirectTable(
    rules,
    aliasSources,
    entries.map((entry) => entryPath(entry.kind, entry.slug)),
    problems,
  )
  cached = { key, table }
  stats.builds++
  return table
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** A redirect for a request that has no page, or null. Counted for /metrics. */
export function findRedirect(db: DB, contentDir: string, pathname: string) {
  stats.lookups++
  const answer = resolveRedirect(redirectTable(db, contentDir), pathname)
  if (answer?.kind !== 'redirect') return null
  stats.redirects++
  return answer
}

export function redirectStats() {
  return { ...stats, rules: cached?.table.rules ?? 0 }
}

/** For tests: forget the compiled table and the counts. */
export function resetRedirects() {
  cached = null
  stats = { builds: 0, lookups: 0, redirects: 0 }
}

/**
 * What content:check reports about redirects: the file's bad lines, aliases that collide
 * with an entry or each other, loops and long chains, each with its file and line.
 */
export function redirectProblems(contentDir: string, entries: SourceEntry[]): RedirectProblem[] {
  const { rules, problems } = parseRedirects(readRedirectsFile(contentDir))
  const aliasSources: AliasSource[] = []
  for (const entry of entries) {
    try {
      const source = readEntrySource(contentDir, entry.path)
      const { data } = parseFrontmatter(source, { requireDate: false })
      if (data.aliases !== undefined)
        aliasSources.push({
          target: entryPath(entry.kind, entry.slug),
          aliases: data.aliases,
          file: entry.path,
          source,
        })
    } catch {
      // An unreadable entry or bad frontmatter is reported by the entry's own check.
    }
  }
  return buildRedirectTable(
    rules,
    aliasSources,
    entries.map((entry) => entryPath(entry.kind, entry.slug)),
    problems,
  ).problems
}
