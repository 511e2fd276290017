/**
 * The database's health, with real faults on the real server's SQLite file: a damaged,
 * unreadable or read-only file stops start-up with a message naming the path and what to
 * do; /healthcheck answers 503 with the reason while the database cannot be written; and
 * pages already cached keep being served when the file is replaced under a running server.
 *
 * chmod does not stop root. When the tests run as root, the start-ups that need a
 * permission fault run the server as the unprivileged user `nobody` instead.
 */
import { spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, get, repoRoot, sampleContentDir, startServer, tempDir, type KilnServer } from '../helpers/server.ts'
import { waitForValue } from '../helpers/wait.ts'

const NOBODY = 65534
const isRoot = process.getuid?.() === 0

/** Starts the built server expecting it to refuse to start; its exit code and output. */
async function failedStart(
  databasePath: string,
  { asNobody = false } = {},
): Promise<{ code: number | null; output: string }> {
  const port = await freePort()
  const child = spawn(process.execPath, [path.join(repoRoot, 'server', 'start.mjs')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      CONTENT_DIR: sampleContentDir,
      DATABASE_PATH: databasePath,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(asNobody ? { uid: NOBODY, gid: NOBODY } : {}),
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  // A child that cannot even be started (Node's binary not executable by that user) is an
  // error event, not an exit: it fails the test with the reason instead of hanging it.
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('exit', (exitCode) => resolve(exitCode))
    child.once('error', (error) => reject(new Error(`could not start ${process.execPath}: ${error.message}`)))
  }).finally(() => clearTimeout(timer))
  return { code, output }
}

/**
 * Lets `nobody` reach the checkout (and the Node binary, which may live in its node_modules)
 * when a folder above it is closed to others, as a `mktemp -d` folder (0700) is: adds the
 * search bit (o+x, not read) to each such folder and gives back a function that restores the
 * modes. Without it the server run as nobody cannot load its own code, and the test would
 * fail on that instead of on the database's permissions.
 */
function openPathForNobody(...targets: string[]): () => void {
  const changed = new Map<string, number>()
  for (const target of targets)
    for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
      const mode = fs.statSync(dir).mode & 0o7777
      if (!(mode & 0o001) && !changed.has(dir)) {
        changed.set(dir, mode)
        fs.chmodSync(dir, mode | 0o001)
      }
      if (dir === path.dirname(dir)) break
    }
  return () => {
    for (const [dir, mode] of changed) fs.chmodSync(dir, mode)
  }
}

let restoreModes = () => {}
beforeAll(() => {
  if (isRoot) restoreModes = openPathForNobody(path.join(repoRoot, 'server', 'start.mjs'), process.execPath)
})
afterAll(() => restoreModes())

/** A fresh folder for one database; owned by `nobody` when the server will run as nobody. */
function databaseDir(): string {
  const dir = tempDir('kiln-dbhealth-')
  if (isRoot) fs.chownSync(dir, NOBODY, NOBODY)
  return dir
}

/** A real Kiln database file (migrated by a server that started and stopped on it). */
async function realDatabase(): Promise<string> {
  const file = path.join(databaseDir(), 'kiln.db')
  const server = await startServer({ contentDir: sampleContentDir, databasePath: file })
  await server.stop()
  if (isRoot)
    for (const name of fs.readdirSync(path.dirname(file)))
      fs.chownSync(path.join(path.dirname(file), name), NOBODY, NOBODY)
  return file
}

const hash = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')

describe('a database file that cannot be used stops start-up with the path and what to do', () => {
  it('damaged: garbage bytes where the database should be, left untouched', async () => {
    const file = path.join(databaseDir(), 'kiln.db')
    fs.writeFileSync(file, Buffer.concat([Buffer.from('not a database at all\n'), crypto.randomBytes(64 * 1024)]))
    const before = hash(file)
    const { code, output } = await failedStart(file)
    expect(code).toBe(1)
    expect(output).toContain(`could not start: The database ${file} is damaged or is not a SQLite database`)
    expect(output).toMatch(/Restore it from a backup, or stop Kiln and move it aside/)
    expect(hash(file)).toBe(before)
  })

  it('damaged: a real database whose pages were overwritten', async () => {
    const file = await realDatabase()
    const bytes = fs.readFileSync(file)
    // Keep the 100-byte header, wreck everything after it.
    crypto.randomFillSync(bytes, 100)
    fs.writeFileSync(file, bytes)
    const { code, output } = await failedStart(file)
    expect(code).toBe(1)
    expect(output).toContain(`The database ${file} is damaged or is not a SQLite database`)
  })

  it('a folder in place of the file', async () => {
    const file = path.join(databaseDir(), 'kiln.db')
    fs.mkdirSync(file)
    const { code, output } = await failedStart(file)
    expect(code).toBe(1)
    expect(output).toContain(`could not start: The database ${file} is a folder, not a file`)
  })

  it('unreadable: chmod 000, for a user that is not root', async () => {
    const file = await realDatabase()
    fs.chmodSync(file, 0o000)
    const { code, output } = await failedStart(file, { asNobody: isRoot })
    expect(code).toBe(1)
    expect(output).toMatch(
      new RegExp(
        `could not start: The database ${file} cannot be read by the user running Kiln \\(uid \\d+\\).*chmod 600`,
      ),
    )
  })

  it('read-only: the file, or the folder its -wal and -shm go in', async () => {
    const file = await realDatabase()
    fs.chmodSync(file, 0o444)
    const readOnlyFile = await failedStart(file, { asNobody: isRoot })
    expect(readOnlyFile.code).toBe(1)
    expect(readOnlyFile.output).toContain(`could not start: The database ${file} is read-only`)
    expect(readOnlyFile.output).toContain('Make the file and its folder writable by the user running Kiln')

    fs.chmodSync(file, 0o644)
    for (const name of fs.readdirSync(path.dirname(file)))
      if (name !== 'kiln.db') fs.rmSync(path.join(path.dirname(file), name), { recursive: true })
    fs.chmodSync(path.dirname(file), 0o555)
    const readOnlyFolder = await failedStart(file, { asNobody: isRoot })
    expect(readOnlyFolder.code).toBe(1)
    expect(readOnlyFolder.output).toContain(`The database ${file} is read-only (${path.dirname(file)} is not writable`)
    expect(readOnlyFolder.output).toContain('kiln.db-wal and kiln.db-shm')
  })
})

const health = async (server: KilnServer) => {
  const response = await get(server, '/healthcheck')
  return { status: response.status, body: await response.text() }
}

describe('a running server', () => {
  let server: KilnServer
  beforeAll(async () => {
    server = await startServer({ contentDir: sampleContentDir })
  })
  afterAll(() => server?.stop())

  it('answers /healthcheck 200 after a real write to the probe row', async () => {
    expect(await health(server)).toEqual({ status: 200, body: 'OK' })
    const db = new Database(server.databasePath, { readonly: true })
    try {
      const row = db.prepare('SELECT probed_at FROM db_probe WHERE id = 1').get() as { probed_at: string } | undefined
      expect(row).toBeDefined()
      expect(Date.now() - Date.parse(row!.probed_at)).toBeLessThan(60_000)
    } finally {
      db.close()
    }
  })

  it(
    'answers 503 naming the file while another process holds the write ' +
      'lock, serves pages meanwhile, and 200 once it is released',
    async () => {
      const other = new Database(server.databasePath)
      other.exec('BEGIN IMMEDIATE')
      try {
        const locked = await waitForValue(
          () => health(server),
          (answer) => answer.status === 503,
          'a 503 from /healthcheck',
        )
        expect(locked.body).toContain(`database: The database ${server.databasePath} is locked by another process`)
        expect((await get(server, '/blog')).status).toBe(200)
      } finally {
        other.exec('ROLLBACK')
        other.close()
      }
      await waitForValue(
        () => health(server),
        (answer) => answer.status === 200,
        'a 200 from /healthcheck',
      )
      expect(server.output()).toContain('database healthy again')
    },
  )

  it(
    'keeps serving cached pages when the file is replaced under it; /healthcheck names ' +
      'it; a restart refuses the folder, and the file put back loses nothing',
    async () => {
      for (const pathname of ['/', '/blog/welcome-to-kiln']) {
        await get(server, pathname)
        const warm = await get(server, pathname)
        expect(warm.headers.get('x-kiln-cache')).toBe('hit')
      }
      const file = server.databasePath
      const moved = `${file}.moved`
      fs.renameSync(file, moved)
      fs.mkdirSync(file)

      const broken = await waitForValue(
        () => health(server),
        (answer) => answer.status === 503,
        'a 503 from /healthcheck',
      )
      expect(broken.body).toContain(`database: The database ${file} was replaced by a folder while Kiln was running`)
      expect(broken.body).toContain('Restart Kiln')
      for (const pathname of ['/', '/blog/welcome-to-kiln']) {
        const cached = await get(server, pathname)
        expect(cached.status, pathname).toBe(200)
        expect(cached.headers.get('x-kiln-cache'), pathname).toBe('hit')
        expect(await cached.text()).toContain('<html')
      }
      // A page that needs the database fails alone; the server goes on serving.
      const uncached = await get(server, '/blog/how-posts-work')
      expect(uncached.status).not.toBe(200)
      expect((await get(server, '/')).status).toBe(200)

      await server.stop()
      await expect(startServer({ contentDir: sampleContentDir, databasePath: file })).rejects.toThrow(
        `The database ${file} is a folder, not a file`,
      )

      fs.rmdirSync(file)
      fs.renameSync(moved, file)
      server = await startServer({ contentDir: sampleContentDir, databasePath: file })
      expect(await health(server)).toEqual({ status: 200, body: 'OK' })
      expect(await (await get(server, '/blog/welcome-to-kiln')).text()).toContain('<html')
    },
  )
})

describe('the health probe', () => {
  let server: KilnServer
  beforeAll(async () => {
    server = await startServer({ contentDir: sampleContentDir })
  })
  afterAll(() => server?.stop())

  it('writes at most once a second however often /healthcheck is asked', async () => {
    const db = new Database(server.databasePath, { readonly: true })
    const probedAt = () =>
      (db.prepare('SELECT probed_at FROM db_probe WHERE id = 1').get() as { probed_at: string } | undefined)?.probed_at
    try {
      const seen = new Set<string>()
      const started = Date.now()
      let answers = 0
      while (answers < 40) {
        expect((await health(server)).status).toBe(200)
        answers++
        const at = probedAt()
        if (at) seen.add(at)
      }
      const seconds = (Date.now() - started) / 1000
      expect(seen.size).toBeLessThanOrEqual(Math.ceil(seconds) + 1)
    } finally {
      db.close()
    }
  })
})
