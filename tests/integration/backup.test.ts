/**
 * Backups and restore against the real server: the scheduled backup at start-up, a backup
 * taken by `db:backup` while the server takes view beacons and sign-ins, `db:restore`
 * refusing a database a server holds, and the restored database served again, with its
 * admin signing in and downloading the newest backup from /admin.
 */
import { spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdmin, signIn } from '../helpers/auth.ts'
import { stopServer } from '../helpers/fixtures.ts'
import { get, makeContentDir, repoRoot, startServer, tempDir, type KilnServer } from '../helpers/server.ts'
import { BROWSER, postView } from '../helpers/views.ts'
import { defined } from '../helpers/wait.ts'

const PASSWORD = 'correct horse battery staple'
const SLUGS = ['first', 'second']

/** Runs one of Kiln's scripts (other/<name>.ts) against `databasePath`; its exit code and output. */
async function runScript(
  name: 'db-backup' | 'db-restore',
  args: string[],
  databasePath: string,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'other', `${name}.ts`), ...args], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_PATH: databasePath },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve)).finally(() =>
    clearTimeout(timer),
  )
  return { code, output }
}

function readDatabase<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    return read(db)
  } finally {
    db.close()
  }
}

const integrity = (db: Database.Database) => db.pragma('integrity_check', { simple: true })
const admins = (db: Database.Database) =>
  (db.prepare('SELECT email FROM users WHERE is_admin = 1 ORDER BY email').all() as { email: string }[]).map(
    (row) => row.email,
  )
const views = (db: Database.Database, slug: string) =>
  (db.prepare('SELECT views FROM post_views WHERE slug = ?').get(slug) as { views: number } | undefined)?.views ?? 0
const visits = (db: Database.Database, slug: string) =>
  (db.prepare('SELECT COUNT(*) AS n FROM post_view_visits WHERE slug = ?').get(slug) as { n: number }).n

let server: KilnServer | undefined
let restoredServer: KilnServer | undefined
let contentDir: string
const work = tempDir('kiln-backup-')

beforeAll(async () => {
  contentDir = makeContentDir(
    Object.fromEntries(
      SLUGS.map((slug, i) => [`blog/${slug}.mdx`, `---\ntitle: ${slug}\ndate: 2026-01-0${i + 1}\n---\n\nRead me.\n`]),
    ),
  )
  // TRUST_PROXY: each beacon names its own client address, as many readers' would.
  server = await startServer({ contentDir, env: { TRUST_PROXY: '1' } })
})

afterAll(async () => {
  await stopServer(restoredServer)
  await stopServer(server)
  fs.rmSync(work, { recursive: true, force: true })
})

/** One reader's beacon: a new visitor, address and browser each time, so every one is counted. */
async function beacon(target: KilnServer, slug: string, n: number): Promise<number> {
  const response = await postView(target, slug, {
    cookie: `kiln_visitor=${crypto.randomUUID()}`,
    agent: `${BROWSER} reader-${n}`,
    address: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
  })
  const body = (await response.json()) as { views: number; counted: boolean }
  if (response.status !== 200 || !body.counted) throw new Error(`beacon not counted: ${JSON.stringify(body)}`)
  return body.views
}

describe('backups', () => {
  it('the primary backs up at start-up into DATA_DIR/backups', async () => {
    const dir = path.join(path.dirname(server!.databasePath), 'backups')
    // The log line comes once the backup is whole; the file exists from its first page on,
    // so a loaded machine could see the file before the line (and read a backup being written).
    const file = await defined(
      () => /backed up the database to (\S+)/.exec(server!.output())?.[1],
      () => `the start-up backup's log line; server output:\n${server!.output()}`,
    )
    expect(path.dirname(file)).toBe(dir)
    expect(path.basename(file)).toMatch(/^kiln-\d{8}T\d{6}Z\.db$/)
    expect(readDatabase(file, integrity)).toBe('ok')
  })

  const backupFile = path.join(work, 'during-writes.db')
  /** Counted views per slug acknowledged before the backup started, and all counted by the end. */
  const before = new Map<string, number>()
  const sent = new Map<string, number>(SLUGS.map((slug) => [slug, 0]))

  it('db:backup copies the database consistently while the server writes', async () => {
    await createAdmin(server!, 'first@example.com', PASSWORD)
    let writing = true
    let n = 0
    const readers = SLUGS.map(async (slug) => {
      while (writing) {
        await beacon(server!, slug, ++n)
        sent.set(slug, sent.get(slug)! + 1)
      }
    })
    let sessions = 0
    const signIns = (async () => {
      while (writing) {
        await signIn(server!, 'first@example.com', PASSWORD)
        sessions++
      }
    })()
    // Writes are in flight before the backup starts and go on until it has finished.
    await defined(() => (n >= 20 && sessions >= 1 ? true : undefined), 'twenty beacons counted and a sign-in')
    const sessionsBefore = sessions
    for (const slug of SLUGS) before.set(slug, sent.get(slug)!)
    const beforeBackup = n
    const backup = await runScript('db-backup', ['--to', backupFile], server!.databasePath)
    const duringBackup = n
    writing = false
    await Promise.all([...readers, signIns])
    expect(backup.code, backup.output).toBe(0)
    expect(backup.output).toContain('integrity ok')
    expect(duringBackup, 'beacons were counted while db:backup ran').toBeGreaterThan(beforeBackup)

    readDatabase(backupFile, (db) => {
      expect(integrity(db)).toBe('ok')
      expect(admins(db)).toEqual(['first@example.com'])
      expect((db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n).toBeGreaterThanOrEqual(
        sessionsBefore,
      )
      for (const slug of SLUGS) {
        // One moment's database: each counted view is there with its visit, none half-written.
        expect(views(db, slug)).toBe(visits(db, slug))
        expect(views(db, slug)).toBeGreaterThanOrEqual(before.get(slug)!)
        expect(views(db, slug)).toBeLessThanOrEqual(sent.get(slug)!)
      }
    })
  })

  it('db:backup refuses to overwrite a file', async () => {
    const again = await runScript('db-backup', ['--to', backupFile], server!.databasePath)
    expect(again.code).toBe(1)
    expect(again.output).toContain('already exists')
  })

  it('db:restore refuses a file that is not a sound Kiln database', async () => {
    const damaged = path.join(work, 'damaged.db')
    const bytes = fs.readFileSync(backupFile)
    bytes.fill(0x55, 4096, bytes.length)
    fs.writeFileSync(damaged, bytes)
    const result = await runScript('db-restore', [damaged], path.join(work, 'target.db'))
    expect(result.code).toBe(1)
    expect(result.output).toMatch(/integrity_check|not a readable SQLite database/)
    expect(fs.existsSync(path.join(work, 'target.db'))).toBe(false)
  })

  it('db:restore refuses while the server holds the database, and restores once it has stopped', async () => {
    const refused = await runScript('db-restore', [backupFile], server!.databasePath)
    expect(refused.code, refused.output).toBe(1)
    expect(refused.output).toContain('open in another process')
    // --force writes into the live database through SQLite (LiteFS's way, on the primary).
    const forced = await runScript('db-restore', [backupFile, '--force'], server!.databasePath)
    expect(forced.code, forced.output).toBe(0)
    expect(forced.output).toContain('restart it')
    const answer = await postView(server!, SLUGS[0], { address: '192.0.2.1' })
    expect(answer.status).toBe(200)
    await server!.stop()
    readDatabase(server!.databasePath, (db) => expect(integrity(db)).toBe('ok'))

    const restored = await runScript('db-restore', [backupFile], server!.databasePath)
    expect(restored.code, restored.output).toBe(0)
    const expected = readDatabase(backupFile, (db) => SLUGS.map((slug) => views(db, slug)))
    readDatabase(server!.databasePath, (db) => {
      expect(integrity(db)).toBe('ok')
      expect(admins(db)).toEqual(['first@example.com'])
      expect(SLUGS.map((slug) => views(db, slug))).toEqual(expected)
      // The live database had more views than the backup: they are gone, as a restore means.
      expect(SLUGS.map((slug) => views(db, slug))).not.toEqual(SLUGS.map((slug) => sent.get(slug)))
    })
  })

  it('the restored database serves again: its admin signs in and downloads the newest backup', async () => {
    const backupDir = path.join(work, 'restored-backups')
    restoredServer = await startServer({
      contentDir,
      databasePath: server!.databasePath,
      env: { BACKUP_DIR: backupDir },
    })
    const expected = readDatabase(backupFile, (db) => SLUGS.map((slug) => views(db, slug)))
    // The start-up backup of the restored database: made before we look, so it holds no later write.
    await defined(() => (fs.existsSync(backupDir) && fs.readdirSync(backupDir).length > 0 ? true : undefined), 'backup')

    const anonymous = await get(restoredServer, '/admin/backup', { redirect: 'manual' })
    expect(anonymous.status).toBe(302)
    const cookie = await signIn(restoredServer, 'first@example.com', PASSWORD)
    const crossSite = await get(restoredServer, '/admin/backup', {
      headers: { Cookie: cookie, 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate' },
      redirect: 'manual',
    })
    expect(crossSite.status).toBe(403)

    const status = await get(restoredServer, '/admin/backup?status=1', { headers: { Cookie: cookie } })
    expect(status.status).toBe(200)
    const listed = (await status.json()) as { backups: { name: string }[]; keep: number; primary: boolean }
    expect(listed.keep).toBe(7)
    expect(listed.primary).toBe(true)
    expect(listed.backups).toHaveLength(1)

    const download = await get(restoredServer, '/admin/backup', { headers: { Cookie: cookie } })
    expect(download.status).toBe(200)
    expect(download.headers.get('content-disposition')).toContain(`filename="${listed.backups[0].name}"`)
    const downloaded = path.join(work, 'downloaded.db')
    fs.writeFileSync(downloaded, Buffer.from(await download.arrayBuffer()))
    readDatabase(downloaded, (db) => {
      expect(integrity(db)).toBe('ok')
      expect(admins(db)).toEqual(['first@example.com'])
      expect(SLUGS.map((slug) => views(db, slug))).toEqual(expected)
    })
  })
})
