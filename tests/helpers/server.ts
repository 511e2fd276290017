/**
 * HTTP and content-folder helpers for tests, beside the server starter they share with
 * other/ (other/lib/server.ts, re-exported here).
 */
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { tempDir, type KilnServer } from '../../other/lib/server.ts'
import { settleConnections } from './wait.ts'

export * from '../../other/lib/server.ts'

/**
 * The server's log as readable text: each JSON line's message (and the file it names, as
 * `file:` when given), other lines as they are. For tests that look for what the log said.
 */
export function logText(server: KilnServer): string {
  return server
    .output()
    .split('\n')
    .map((line) => {
      if (!line.startsWith('{')) return line
      try {
        const entry = JSON.parse(line) as { msg?: string }
        return entry.msg ?? line
      } catch {
        return line
      }
    })
    .join('\n')
}

/** Writes files (path relative to the folder -> text) into a new temporary content folder. */
export function makeContentDir(files: Record<string, string>): string {
  const dir = tempDir('kiln-content-')
  writeFiles(dir, files)
  return dir
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [relative, text] of Object.entries(files)) {
    const file = path.join(dir, relative)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, text)
  }
}

/** Fetch that never follows redirects, so tests see exactly what the server answered. */
export async function get(server: KilnServer, pathname: string, init: RequestInit = {}): Promise<Response> {
  await settleConnections()
  return fetch(server.url + pathname, { redirect: 'manual', ...init })
}

/** The names in a Server-Timing header. */
export function timingNames(response: Response): string[] {
  return (response.headers.get('server-timing') ?? '')
    .split(',')
    .map((part) => part.trim().split(';')[0])
    .filter(Boolean)
}

/** A GET whose path goes out byte for byte (fetch would resolve "..", which hides what a raw client sends). */
export function rawGet(server: KilnServer, rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port: server.port, path: rawPath, method: 'GET' }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
    })
    request.on('error', reject)
    request.end()
  })
}
