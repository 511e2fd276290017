/**
 * What the benchmark (other/bench.ts) and the soak (other/soak.ts) share: the posts of a
 * content folder, a load run with autocannon (in this process, never in the server's),
 * a server process's RSS, and a bare node:http server holding pages in memory: the
 * limit Kiln's page cache is measured against.
 *
 * Requests carry a browser's Accept-Encoding, so Kiln answers with its brotli copies, and
 * the bare server is given exactly the bytes Kiln sent.
 */
/**
 * Like `npm start`: glibc keeps fewer malloc arenas, serves allocations over 64 KB from
 * their own mappings and trims free memory past 128 KB, so what rendering and the worker
 * threads freed goes back to the system (on the react.dev blog: a steady RSS of ~140 MB
 * instead of ~220 MB, with the same heap).
 */
export const SERVER_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '65536', MALLOC_TRIM_THRESHOLD_: '131072' }
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import autocannon from 'autocannon'
import { scanContent } from '../app/content/source.server.ts'
import { freePort, tempDir, type KilnServer } from './lib/server.ts'

/** The address of every post in the folder (drafts answer 404 and are dropped by the caller's warm-up). */
export function postPaths(contentDir: string): string[] {
  return scanContent(contentDir)
    .entries.filter((entry) => entry.kind === 'post')
    .map((entry) => `/blog/${entry.slug}`)
}

export interface LoadResult {
  label: string
  requestsPerSecond: number
  p50: number
  p99: number
  requests: number
  non2xx: number
  errors: number
}

/** Runs autocannon against `url`, cycling through `paths` on every connection. */
export async function runLoad(
  label: string,
  url: string,
  paths: string[],
  { connections = 10, seconds = 10, headers = BROWSER_HEADERS as Record<string, string> } = {},
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    headers,
    requests: paths.map((pathname) => ({ method: 'GET' as const, path: pathname })),
  })
  return {
    label,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  }
}

export function formatLoad(result: LoadResult): string {
  const problems = [result.non2xx && `${result.non2xx} non-2xx`, result.errors && `${result.errors} errors`]
    .filter(Boolean)
    .join(', ')
  return (
    `${result.label.padEnd(44)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s   p50 ` +
    `${String(result.p50).padStart(3)} ms   p99 ${String(result.p99).padStart(3)} ` +
    `ms${problems ? `   (${problems})` : ''}`
  )
}

/** Resident set size of a process, from /proc (Linux). */
export function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN) * 1024
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`

export interface BareServer {
  url: string
  stop(): void
  process: ChildProcess
}

/**
 * A bare node:http server, in its own process like Kiln, answering each path with bytes
 * held in memory: the most any Node server can do for these pages on this machine. With
 * `kilnHeaders`, each answer carries the headers Kiln sent with it, not just the three a
 * bare server needs.
 */
export async function startBareServer(
  pages: Map<string, ServedPage>,
  { kilnHeaders = false } = {},
): Promise<BareServer> {
  const dir = tempDir('kiln-bare-')
  const manifest: Record<string, [string, string | undefined, string[] | null]> = {}
  let index = 0
  for (const [pathname, page] of pages) {
    const file = path.join(dir, `${index++}.html`)
    fs.writeFileSync(file, page.body)
    manifest[pathname] = [file, page.encoding, kilnHeaders ? page.headers : null]
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest))
  const port = await freePort()
  const script =
    `
    const fs = require('node:fs'), http = require('node:http')
    const manifest = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'))
    const pages = new Map(Object.entries(manifest).map(([p, [f, encoding, headers]]) => ` +
    `[p, { body: fs.readFileSync(f), encoding, headers }]))
    http.createServer((req, res) => {
      const page = pages.get(req.url)
      if (!page) { res.statusCode = 404; return res.end() }
      if (page.headers) {
        res.writeHead(200, [...page.headers, 'Content-Length', String(page.body.length)])
        return res.end(page.body)
      }
      const headers = { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': page.body.length }
      if (page.encoding) headers['Content-Encoding'] = page.encoding
      res.writeHead(200, headers)
      res.end(page.body)
    }).listen(Number(process.argv[2]), '127.0.0.1', () => console.log('listening'))
  `
  const child = spawn(process.execPath, ['-e', script, path.join(dir, 'manifest.json'), String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve())
    child.once('exit', (code) => reject(new Error(`the bare server exited with ${code}`)))
  })
  return {
    url: `http://127.0.0.1:${port}`,
    process: child,
    stop() {
      child.kill()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** What a browser sends: the benchmarks ask for what readers get. */
export const BROWSER_HEADERS = { 'Accept-Encoding': 'br, gzip' }

/** One GET with node:http, the body as sent (fetch would decompress it). */
export function getRaw(
  baseUrl: string,
  pathname: string,
  headers: Record<string, string> = BROWSER_HEADERS,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; rawHeaders: string[]; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.get(baseUrl + pathname, { headers }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          rawHeaders: response.rawHeaders,
          body: Buffer.concat(chunks),
        }),
      )
      response.on('error', reject)
    })
    request.on('error', reject)
  })
}

export interface ServedPage {
  body: Buffer
  encoding: string | undefined
  /**
   * Kiln's response headers as sent (name, value, name, value...), less those node:http
   * writes itself (Date, Connection, Keep-Alive, Content-Length): for a bare server that
   * sends the same head as well as the same body.
   */
  headers: string[]
}

const WRITTEN_BY_NODE = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'])

function ownHeaders(raw: string[]): string[] {
  const kept: string[] = []
  for (let i = 0; i < raw.length; i += 2) if (!WRITTEN_BY_NODE.has(raw[i].toLowerCase())) kept.push(raw[i], raw[i + 1])
  return kept
}

/** GETs every path as a browser would, `concurrency` at a time; returns the 200s as sent. */
export async function fetchAll(
  baseUrl: string,
  paths: string[],
  concurrency = 2,
  headers: Record<string, string> = BROWSER_HEADERS,
): Promise<Map<string, ServedPage>> {
  const pages = new Map<string, ServedPage>()
  let next = 0
  const worker = async () => {
    while (next < paths.length) {
      const pathname = paths[next++]
      const response = await getRaw(baseUrl, pathname, headers)
      if (response.status === 200)
        pages.set(pathname, {
          body: response.body,
          encoding: response.headers['content-encoding'],
          headers: ownHeaders(response.rawHeaders),
        })
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return pages
}

/** The figures a Prometheus text holds for metric names starting with `prefix`. */
export async function metricsWithPrefix(
  baseUrl: string,
  token: string,
  prefix: string,
): Promise<Record<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`, { headers: { Authorization: `Bearer ${token}` } })).text()
  const figures: Record<string, number> = {}
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue
    const [name, value] = line.split(' ')
    figures[name] = Number(value)
  }
  return figures
}

/** The sum of every series of /metrics whose line starts with `prefix` (all its labels together). */
export async function metricSum(baseUrl: string, token: string, prefix: string): Promise<number> {
  const figures = await metricsWithPrefix(baseUrl, token, prefix)
  return Object.values(figures).reduce((sum, n) => sum + n, 0)
}

/** Worker threads and processes alive now in all of the server's pools, from /metrics. */
export function poolWorkersAlive(baseUrl: string, token: string): Promise<number> {
  return metricSum(baseUrl, token, 'kiln_worker_pool_threads')
}

/**
 * The benches' `--node-args="<flags>"`, as Node options for the server (after its own, so
 * one can turn a default back off). The `=` is needed: parseArgs refuses a separate value
 * that starts with a dash.
 */
export function nodeArgsOption(value: string): string[] {
  return value.split(/\s+/).filter(Boolean)
}

let nextProbeId = 0
/** The server's memory after a forced full GC (server/memory-probe.ts: needs --expose-gc and an IPC channel). */
export function memoryOf(server: KilnServer): Promise<NodeJS.MemoryUsage> {
  const id = nextProbeId++
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not answer the memory probe')), 10_000)
    const onMessage = (message: { type?: string; id?: number; usage?: NodeJS.MemoryUsage }) => {
      if (message?.type !== 'kiln:memory' || message.id !== id || !message.usage) return
      clearTimeout(timer)
      server.process.off('message', onMessage)
      resolve(message.usage)
    }
    server.process.on('message', onMessage)
    server.process.send({ type: 'kiln:memory', id })
  })
}
