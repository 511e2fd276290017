/**
 * Starts the real, built Kiln server as a child process, with its own SQLite file and
 * content folder, the way `npm start` runs it. Shared by the tests (tests/helpers/) and the
 * benchmark, soak and axe scripts here, so each measures the server the tests check.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const sampleContentDir = path.join(repoRoot, 'content')
/** ../shared beside the checkout, as in CI. */
export const corpusDir = path.resolve(repoRoot, '..', 'shared', 'corpus', 'react.dev')

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

function readStatus(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  } catch {
    return ''
  }
}

export function tempDir(prefix = 'kiln-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

export function copyDir(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true })
}

export interface KilnServer {
  url: string
  port: number
  databasePath: string
  contentDir: string
  /** Everything the process printed so far. */
  output(): string
  /** What the process printed on standard output only (the server's log: JSON lines). */
  stdout(): string
  stop(): Promise<void>
  /** `npm start`'s process: server/start.mjs, replaced by its supervisor (server/supervisor.pl). Signals go here. */
  process: ChildProcess
  /** The server process itself (the supervisor's child, a new one after a restart): for its RSS or threads. */
  serverPid(): number
  /** kill -9 of the server itself and of its supervisor at once (a crash: nothing restarts it). */
  kill9(): Promise<void>
}

export interface StartOptions {
  contentDir: string
  databasePath?: string
  env?: Record<string, string>
  /** Extra Node options for the server process (the soak's --expose-gc). */
  nodeArgs?: string[]
  /** Open an IPC channel to the server (for server/memory-probe.ts). */
  ipc?: boolean
  /**
   * Standard output goes straight to this file instead of a pipe this process reads (as a
   * log collector takes it): for load runs, where reading every access line would take CPU
   * from the load generator, and a slow reader would hold the server's log writes.
   */
  logFile?: string
  /** In a process group of its own, as a shell starts a command: for signals sent to the group (Ctrl-C). */
  detached?: boolean
}

export async function startServer({
  contentDir,
  databasePath,
  env = {},
  nodeArgs = [],
  ipc = false,
  logFile,
  detached = false,
}: StartOptions): Promise<KilnServer> {
  if (
    !fs.existsSync(path.join(repoRoot, 'build', 'server', 'index.js')) ||
    !fs.existsSync(path.join(repoRoot, 'build', 'kiln', 'server.mjs'))
  ) {
    throw new Error('no production build: run "npm run build" first (npm test does)')
  }
  const dbPath = databasePath ?? path.join(tempDir('kiln-db-'), 'kiln.db')
  let output = ''
  let stdout = ''
  const logFd = logFile === undefined ? undefined : fs.openSync(logFile, 'w')
  const child = spawn(process.execPath, [...nodeArgs, path.join(repoRoot, 'server', 'start.mjs')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      // Port 0: the kernel picks a free port as the server binds it, so two servers can never
      // race for one; the supervisor keeps it for a restarted server (server/start.mjs).
      PORT: '0',
      CONTENT_DIR: contentDir,
      DATABASE_PATH: dbPath,
      // A guard against a hung highlight job, not a speed limit: on a busy machine the first
      // job of a fresh thread (loading shiki) can take seconds. Tests of the timeout set their own.
      HIGHLIGHT_TIMEOUT_MS: '30000',
      // Compiles happen when a test asks for a post, unless it tests the background compiles:
      // a compile nobody asked for would change what tests count (compiles, failures, timings).
      BACKGROUND_COMPILES: '0',
      ...env,
    },
    stdio: ['ignore', logFd ?? 'pipe', 'pipe', ...(ipc ? (['ipc'] as const) : [])],
    detached,
  })
  // The child has its own copy of the descriptor.
  if (logFd !== undefined) fs.closeSync(logFd)
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
    stdout += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))

  const deadline = Date.now() + 60_000
  let port = 0
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Kiln exited with ${child.exitCode} before listening:\n${output}`)
    const printed = logFile === undefined ? output : `${fs.readFileSync(logFile, 'utf8')}${output}`
    port = Number(/listening on http:\/\/localhost:(\d+)/.exec(printed)?.[1] ?? 0)
    if (port) break
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`Kiln did not start within 60 s:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const url = `http://127.0.0.1:${port}`
  const entry = path.join('build', 'kiln', 'server.mjs')
  /**
   * The real server's pid: the process of the tree this test started (the supervisor,
   * server/supervisor.pl, and with an IPC channel server/start.mjs above it) that runs
   * build/kiln/server.mjs, the newest one after a restart.
   */
  function serverPid(): number {
    const top = child.pid!
    const queue = [top]
    let found = 0
    while (queue.length > 0) {
      const pid = queue.shift()!
      let children: number[] = []
      try {
        children = fs
          .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
          .trim()
          .split(/\s+/)
          .filter(Boolean)
          .map(Number)
      } catch {
        // gone already, or no /proc
      }
      for (const pid of children) {
        let args: string[] = []
        try {
          args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
        } catch {
          continue
        }
        // The supervisor's own command line names the entry file too, after its script.
        const isServer = args.some((arg) => arg.endsWith(entry)) && !args.some((arg) => arg.endsWith('supervisor.pl'))
        if (isServer) found = Math.max(found, pid)
        else queue.push(pid)
      }
    }
    // Not found (between a death and its restart): the supervisor's own pid is the best answer left.
    return found || top
  }
  return {
    url,
    port,
    databasePath: dbPath,
    contentDir,
    output: () => output,
    stdout: () => stdout,
    process: child,
    serverPid,
    async kill9() {
      const server = serverPid()
      // The supervisor first: killed after the server, it could start a new one in between.
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL')
        await exited
      }
      try {
        if (server !== child.pid) process.kill(server, 'SIGKILL')
      } catch {
        // already gone
      }
      // The server is not the test's child: wait until the kernel has it gone (port, database).
      for (
        let tries = 0;
        tries < 600 && fs.existsSync(`/proc/${server}`) && !/^State:\s+Z/m.test(readStatus(server));
        tries++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(timer)
      }
    },
  }
}
