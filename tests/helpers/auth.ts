/**
 * Admin accounts and sign-in for tests, through Kiln's own parts: `npm run admin:create`
 * (its script, against the server's database) and the real /login form.
 */
import { spawn, spawnSync } from 'node:child_process'
import path from 'node:path'
import { repoRoot, type KilnServer } from './server.ts'
import { settleConnections } from './wait.ts'

export function runAdminCreate(databasePath: string, email: string, password: string) {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'other', 'admin-create.ts'), '--email', email],
    {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_PATH: databasePath },
      input: `${password}\n`,
      encoding: 'utf8',
      timeout: 60_000,
    },
  )
}

/**
 * Creates (or resets) an admin with the real script, without blocking this process: a
 * blocking wait longer than the server's keep-alive (scrypt at N=2^17 plus tsx on a busy
 * machine can take that long) would leave fetch's pool holding a connection the server
 * has already closed, and the next request would fail with "other side closed".
 */
export async function createAdmin(server: KilnServer, email: string, password: string): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'other', 'admin-create.ts'), '--email', email],
    {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_PATH: server.databasePath },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stdin.end(`${password}\n`)
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', resolve)
  })
  if (code !== 0) throw new Error(`admin:create failed (${code}): ${output}`)
}

/** Posts the login form the way a browser on this site would. */
export async function postLogin(
  server: KilnServer,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  await settleConnections()
  return fetch(`${server.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url, ...headers },
    body: new URLSearchParams(fields).toString(),
  })
}

/** Creates an admin on `server` with the real script and signs in: the session's Cookie header. */
export async function createAdminAndSignIn(server: KilnServer, email: string, password: string): Promise<string> {
  await createAdmin(server, email, password)
  return signIn(server, email, password)
}

/** Signs in; returns the Cookie header value that carries the session. */
export async function signIn(server: KilnServer, email: string, password: string): Promise<string> {
  const response = await postLogin(server, { email, password })
  if (response.status !== 302) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`)
  const setCookie = response.headers.get('set-cookie') ?? ''
  const match = /kiln_session=[^;]*/.exec(setCookie)
  if (!match) throw new Error(`sign-in set no session cookie: ${setCookie}`)
  return match[0]
}
