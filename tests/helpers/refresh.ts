/**
 * The content webhook as a git host or a CI sends it, the signed status reads that follow
 * a refresh, and the git-backed server those tests start: one client for every test of
 * refreshes, so the signing and the status route are spelled in one place.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { expect } from 'vitest'
import { sign, signStatusRead } from '../../app/content/webhook-signature.server.ts'
import { repoRoot, startServer, type KilnServer } from './server.ts'
import { settleConnections, waitForValue } from './wait.ts'

/** What GET /action/refresh-content/:id answers. */
export interface RefreshStatus {
  id: string
  status: string
  commit: string | null
  error?: string
  interruptedAt?: string
  posts: { slug: string; result: string; error?: string }[]
}

export interface Delivery {
  body?: string
  /** The X-Hub-Signature-256 header: the body signed with the secret unless given; '' sends none. */
  signature?: string
  /** The X-GitHub-Delivery header; none when null. */
  deliveryId?: string | null
}

/** POSTs the webhook to `server`, signed with `secret`. */
export async function postWebhook(
  server: KilnServer,
  secret: string,
  { body = '{}', signature = sign(secret, body), deliveryId = null }: Delivery = {},
): Promise<Response> {
  await settleConnections()
  return fetch(`${server.url}/action/refresh-content`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(signature ? { 'X-Hub-Signature-256': signature } : {}),
      ...(deliveryId === null ? {} : { 'X-GitHub-Delivery': deliveryId }),
    },
    body,
  })
}

/** The status read of refresh `id`, with a fresh signature of its path unless `headers` replace it. */
export function readRefreshStatus(
  server: KilnServer,
  secret: string,
  id: string,
  headers: Record<string, string> = { 'X-Kiln-Signature': signStatusRead(secret, `/action/refresh-content/${id}`) },
): Promise<Response> {
  return fetch(`${server.url}/action/refresh-content/${id}`, { headers })
}

/** Refresh `id` as it stands now (the read must succeed). */
export async function refreshStatus(server: KilnServer, secret: string, id: string): Promise<RefreshStatus> {
  const response = await readRefreshStatus(server, secret, id)
  expect(response.status).toBe(200)
  return (await response.json()) as RefreshStatus
}

/** Refresh `id` once it is neither queued nor running. */
export function refreshFinished(server: KilnServer, secret: string, id: string): Promise<RefreshStatus> {
  return waitForValue(
    () => refreshStatus(server, secret, id),
    (record) => record.status !== 'queued' && record.status !== 'running',
    `refresh ${id}`,
  )
}

/**
 * Starts a server whose content is a clone of the repository at `gitUrl` (its clone and
 * database in `dataDir`), refreshed by the webhook signed with `secret`, never by a scan.
 */
export function startGitServer(
  gitUrl: string,
  dataDir: string,
  secret: string,
  env: Record<string, string> = {},
): Promise<KilnServer> {
  return startServer({
    contentDir: '/nonexistent-ignored-with-git',
    databasePath: path.join(dataDir, 'kiln.db'),
    env: { CONTENT_GIT_URL: gitUrl, REFRESH_SECRET: secret, CONTENT_SCAN_INTERVAL_MS: '0', ...env },
  })
}

/**
 * Runs `npm run content:refresh` (other/content-refresh.ts) against `server`, as a CI job does,
 * without blocking this process: a blocking wait (seconds on a busy machine) longer than the
 * server's keep-alive left fetch's pool holding a connection the server had closed, and the
 * next test's first request failed with "fetch failed".
 */
export async function runContentRefresh(
  server: KilnServer,
  secret: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'other', 'content-refresh.ts')], {
    cwd: repoRoot,
    env: { ...process.env, KILN_URL: server.url, REFRESH_SECRET: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  // A guard against a hang only, as spawnSync's timeout was.
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const status = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => resolve(code))
  }).finally(() => clearTimeout(timer))
  return { status, stdout, stderr }
}
