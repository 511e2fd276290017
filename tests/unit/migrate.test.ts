import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { migrate, readMigrations } from '../../app/db/migrate.server.ts'
import { makeTempDir, realMigrationsDir, type TempDir } from './temp-dir.ts'

let tmp: TempDir
const open: Database.Database[] = []

function openDb(name = 'test.db'): Database.Database {
  const db = new Database(tmp.abs(name))
  open.push(db)
  return db
}

function tableNames(db: Database.Database): string[] {
  return (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]
  ).map((row) => row.name)
}

function recorded(db: Database.Database): { name: string; applied_at: string }[] {
  return db.prepare('SELECT name, applied_at FROM _kiln_migrations ORDER BY name').all() as {
    name: string
    applied_at: string
  }[]
}

beforeEach(() => {
  tmp = makeTempDir('kiln-migrate-')
})

afterEach(() => {
  for (const db of open.splice(0)) db.close()
  tmp.cleanup()
})

describe('readMigrations', () => {
  it('gives nothing for a folder that does not exist', () => {
    expect(readMigrations(tmp.abs('nope'))).toEqual([])
  })

  it('reads migration folders in name order, ignoring plain files', () => {
    tmp.write('m/20260301000000_third/migration.sql', 'CREATE TABLE c (id INTEGER);')
    tmp.write('m/20260101000000_first/migration.sql', 'CREATE TABLE a (id INTEGER);')
    tmp.write('m/20260201000000_second/migration.sql', 'CREATE TABLE b (id INTEGER);')
    tmp.write('m/migration_lock.toml', 'provider = "sqlite"\n')
    const migrations = readMigrations(tmp.abs('m'))
    expect(migrations.map((m) => m.name)).toEqual([
      '20260101000000_first',
      '20260201000000_second',
      '20260301000000_third',
    ])
    expect(migrations[0].sql).toBe('CREATE TABLE a (id INTEGER);')
  })

  it.each(['init', '2026_init', '20260101000000_Init', '20260101000000-init', '202601010000_init'])(
    'throws on the badly named folder %j',
    (name) => {
      tmp.write(`m/${name}/migration.sql`, 'SELECT 1;')
      expect(() => readMigrations(tmp.abs('m'))).toThrow(new RegExp(`Migration folder "${name}" must be named`))
    },
  )

  it('throws when a folder has no migration.sql', () => {
    tmp.write('m/20260101000000_ok/migration.sql', 'SELECT 1;')
    tmp.write('m/20260201000000_empty/readme.md', 'nothing here')
    expect(() => readMigrations(tmp.abs('m'))).toThrow('Migration "20260201000000_empty" has no migration.sql')
  })
})

describe('migrate', () => {
  const first = {
    name: '20260101000000_first',
    sql: 'CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL);',
  }
  const second = {
    name: '20260201000000_second',
    sql: "CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER);\nINSERT INTO authors (name) VALUES ('Ada');",
  }

  it('applies each migration once, in order, and records it', () => {
    const db = openDb()
    const before = new Date().toISOString()
    expect(migrate(db, [first, second])).toEqual([first.name, second.name])
    expect(tableNames(db)).toEqual(expect.arrayContaining(['_kiln_migrations', 'authors', 'books']))
    expect(db.prepare('SELECT name FROM authors').all()).toEqual([{ name: 'Ada' }])
    const rows = recorded(db)
    expect(rows.map((row) => row.name)).toEqual([first.name, second.name])
    for (const row of rows) {
      expect(Number.isNaN(Date.parse(row.applied_at))).toBe(false)
      expect(row.applied_at >= before).toBe(true)
    }
  })

  it('applies nothing the second time, also from a new connection', () => {
    const db = openDb()
    migrate(db, [first, second])
    expect(migrate(db, [first, second])).toEqual([])
    db.close()
    const again = openDb()
    expect(migrate(again, [first, second])).toEqual([])
    // the INSERT of the second migration ran once only
    expect(again.prepare('SELECT COUNT(*) AS n FROM authors').get()).toEqual({ n: 1 })
    expect(recorded(again)).toHaveLength(2)
  })

  it('applies only the new migration when one is added later', () => {
    const db = openDb()
    expect(migrate(db, [first])).toEqual([first.name])
    expect(migrate(db, [first, second])).toEqual([second.name])
  })

  it('rolls a failing migration back entirely and names it in the error', () => {
    const db = openDb()
    const broken = {
      name: '20260301000000_broken',
      sql:
        'CREATE TABLE partial_table (x INTEGER);\nINSERT INTO authors (name) ' +
        "VALUES ('Grace');\nINSERT INTO no_such_table VALUES (1);",
    }
    const later = { name: '20260401000000_later', sql: 'CREATE TABLE later_table (x INTEGER);' }
    expect(() => migrate(db, [first, second, broken, later])).toThrow(
      /Migration 20260301000000_broken failed and was rolled back: .*no_such_table/,
    )
    // the earlier migrations stay applied and recorded
    expect(recorded(db).map((row) => row.name)).toEqual([first.name, second.name])
    // nothing of the broken one is left behind
    expect(tableNames(db)).not.toContain('partial_table')
    expect(db.prepare('SELECT name FROM authors ORDER BY id').all()).toEqual([{ name: 'Ada' }])
    // and the runner stopped there
    expect(tableNames(db)).not.toContain('later_table')

    // once fixed, it and the later one apply
    const fixed = { ...broken, sql: 'CREATE TABLE partial_table (x INTEGER);' }
    expect(migrate(db, [first, second, fixed, later])).toEqual([fixed.name, later.name])
    expect(tableNames(db)).toEqual(expect.arrayContaining(['partial_table', 'later_table']))
  })

  it('rolls back a migration whose failure is a constraint, not a missing table', () => {
    const db = openDb()
    migrate(db, [first])
    const dup = {
      name: '20260501000000_dup',
      sql: 'CREATE TABLE t (x INTEGER UNIQUE);\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (1);',
    }
    expect(() => migrate(db, [first, dup])).toThrow(/20260501000000_dup/)
    expect(tableNames(db)).not.toContain('t')
    expect(recorded(db).map((row) => row.name)).toEqual([first.name])
  })
})

describe('the real migrations folder', () => {
  it('applies cleanly to a fresh database and creates the content tables', () => {
    const migrations = readMigrations(realMigrationsDir)
    expect(migrations.length).toBeGreaterThan(0)
    const db = openDb('fresh.db')
    expect(migrate(db, migrations)).toEqual(migrations.map((m) => m.name))
    expect(tableNames(db)).toEqual(
      expect.arrayContaining(['content_entries', 'compiled_entries', 'compile_failures', '_kiln_migrations']),
    )
    expect(migrate(db, migrations)).toEqual([])
    const columns = (
      db.prepare("SELECT name FROM pragma_table_info('content_entries')").all() as { name: string }[]
    ).map((c) => c.name)
    expect(columns).toEqual(
      expect.arrayContaining(['kind', 'slug', 'path', 'source_hash', 'files', 'frontmatter_error']),
    )
  })

  it('enforces the kind check on content_entries', () => {
    const db = openDb('fresh.db')
    migrate(db, readMigrations(realMigrationsDir))
    const insert = db.prepare(
      'INSERT INTO content_entries (kind, slug, path, source_hash, files, ' +
        "indexed_at) VALUES (?, 'a', 'blog/a.mdx', 'h', '[]', 'now')",
    )
    expect(() => insert.run('post')).not.toThrow()
    expect(() => insert.run('snippet')).toThrow(/CHECK constraint failed/)
  })
})
