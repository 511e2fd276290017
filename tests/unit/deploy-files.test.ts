/**
 * The deployment files, read the way Fly and LiteFS read them: fly.toml with a TOML
 * parser, other/litefs.yml with a YAML parser against the keys LiteFS documents, and the
 * Dockerfile's stages and entrypoint. LiteFS cannot run here; these hold it to paper.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { parse as parseToml } from 'smol-toml'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { repoRoot } from '../helpers/server.ts'

const read = (file: string) => fs.readFileSync(path.join(repoRoot, file), 'utf8')

type Table = Record<string, unknown>

describe('fly.toml', () => {
  const fly = parseToml(read('fly.toml')) as Table
  const env = fly.env as Record<string, string>

  it('names the app, its primary region and the Dockerfile', () => {
    expect(typeof fly.app).toBe('string')
    expect(typeof fly.primary_region).toBe('string')
    expect((fly.build as Table).dockerfile).toBe('Dockerfile')
    // LiteFS's lease only lets machines of the primary region become primary.
    expect(env.PRIMARY_REGION).toBe(fly.primary_region)
  })

  it('puts the database in the LiteFS mount and Kiln’s own files on the volume', () => {
    expect(env.LITEFS_DIR).toBe('/litefs')
    expect(env.DATABASE_FILENAME).toMatch(/^[\w.-]+\.db$/)
    const mounts = (Array.isArray(fly.mounts) ? fly.mounts[0] : fly.mounts) as Table
    expect(typeof mounts.source).toBe('string')
    expect(env.DATA_DIR.startsWith(`${mounts.destination as string}/`)).toBe(true)
    expect(env.LITEFS_DIR.startsWith(`${mounts.destination as string}/`)).toBe(false)
  })

  it('sends traffic to Kiln’s port and checks /healthcheck', () => {
    const service = fly.http_service as Table
    expect(String(service.internal_port)).toBe(env.PORT)
    const checks = service.checks as Table[]
    expect(checks.some((check) => check.path === '/healthcheck' && check.method === 'GET')).toBe(true)
  })

  it('stops machines with SIGTERM and waits longer than Kiln drains', () => {
    expect(fly.kill_signal).toBe('SIGTERM')
    const killSeconds = Number.parseInt(String(fly.kill_timeout), 10)
    expect(killSeconds * 1000).toBeGreaterThan(Number(env.SHUTDOWN_TIMEOUT_MS ?? 10_000))
  })
})

describe('other/litefs.yml', () => {
  const config = parseYaml(read('other/litefs.yml')) as Table
  const DOCUMENTED = new Set([
    'fuse',
    'data',
    'exit-on-error',
    'skip-sync',
    'exec',
    'lease',
    'proxy',
    'http',
    'log',
    'tracing',
    'backup',
    'strict-verify',
  ])

  it('uses only keys LiteFS documents', () => {
    for (const key of Object.keys(config)) expect(DOCUMENTED, key).toContain(key)
    for (const key of Object.keys(config.lease as Table)) {
      expect(
        ['type', 'hostname', 'advertise-url', 'candidate', 'promote', 'demote', 'reconnect-delay', 'consul', 'static'],
        key,
      ).toContain(key)
    }
  })

  it('mounts LITEFS_DIR and keeps its data on the volume', () => {
    expect((config.fuse as Table).dir).toBe('${LITEFS_DIR}')
    const fly = parseToml(read('fly.toml')) as Table
    const mounts = (Array.isArray(fly.mounts) ? fly.mounts[0] : fly.mounts) as Table
    expect(String((config.data as Table).dir).startsWith(`${mounts.destination as string}/`)).toBe(true)
  })

  it('elects the primary with a Consul lease among the primary region’s machines', () => {
    const lease = config.lease as Table
    expect(lease.type).toBe('consul')
    expect(String(lease.candidate)).toContain('PRIMARY_REGION')
    expect(lease.promote).toBe(true)
    expect(String(lease['advertise-url'])).toMatch(/^http:\/\/\$\{HOSTNAME\}\.vm\.\$\{FLY_APP_NAME\}\.internal:20202$/)
    expect((lease.consul as Table).url).toBe('${FLY_CONSUL_URL}')
    expect(typeof (lease.consul as Table).key).toBe('string')
  })

  it('migrates only on the candidate, then starts node last', () => {
    const exec = config.exec as { cmd: string; 'if-candidate'?: boolean }[]
    expect(exec.length).toBeGreaterThanOrEqual(2)
    const migrate = exec.find((step) => step.cmd.includes('migrate'))
    expect(migrate?.['if-candidate']).toBe(true)
    const last = exec[exec.length - 1]
    expect(last.cmd).toMatch(/^node\b.*server\/start\.mjs$/)
    expect(last['if-candidate']).toBeUndefined()
    // The commands it runs exist.
    for (const step of exec) {
      const script = step.cmd.split(' ').find((word) => /\.m?[jt]s$/.test(word))
      expect(script && fs.existsSync(path.join(repoRoot, script)), step.cmd).toBe(true)
    }
  })
})

describe('Dockerfile', () => {
  const lines = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
  const stages = lines
    .filter((line) => /^FROM\s/i.test(line))
    .map((line) => /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line)!)

  it('builds in stages and ends in a runtime stage', () => {
    const names = stages.map((stage) => stage[2])
    expect(names.length).toBeGreaterThanOrEqual(3)
    expect(names).toContain('build')
    expect(names[names.length - 1]).toBe('runtime')
    expect(lines.some((line) => /^RUN npm run build/.test(line))).toBe(true)
    expect(lines.some((line) => /^COPY --from=build \/app\/build/.test(line))).toBe(true)
  })

  it('takes the LiteFS binary from its official image and its config from other/litefs.yml', () => {
    expect(lines).toContain('COPY --from=flyio/litefs:0.5 /usr/local/bin/litefs /usr/local/bin/litefs')
    expect(lines).toContain('COPY other/litefs.yml /etc/litefs.yml')
    expect(lines.some((line) => /apt-get install .*\bfuse3\b/.test(line))).toBe(true)
  })

  it('starts `litefs mount` as its entrypoint (LiteFS then starts node)', () => {
    const entrypoints = lines.filter((line) => /^ENTRYPOINT\s/.test(line))
    expect(entrypoints).toHaveLength(1)
    expect(JSON.parse(entrypoints[0].replace(/^ENTRYPOINT\s+/, ''))).toEqual(['litefs', 'mount'])
    expect(lines.some((line) => /^CMD\s/.test(line))).toBe(false)
  })

  it('checks, as it builds, that its perl has every module the supervisor uses', () => {
    const runtime = lines.slice(lines.findIndex((line) => /^FROM\s.*\sAS runtime$/i.test(line)))
    expect(runtime).toContain('RUN perl -c server/supervisor.pl')
    expect(runtime.findIndex((line) => line === 'COPY server ./server')).toBeLessThan(
      runtime.indexOf('RUN perl -c server/supervisor.pl'),
    )
  })

  it('builds the memory-trim addon with the image headers where a compiler is, and ships only the built file', () => {
    const runtime = lines.slice(lines.findIndex((line) => /^FROM\s.*\sAS runtime$/i.test(line)))
    const beforeRuntime = lines.slice(0, lines.length - runtime.length)
    expect(beforeRuntime).toContain('ENV npm_config_nodedir=/usr/local')
    expect(beforeRuntime.some((line) => /apt-get install .*\bg\+\+/.test(line))).toBe(true)
    // npm ci goes on without the addon when it cannot build it; the image build must not.
    expect(
      beforeRuntime.some((line) =>
        /^RUN npm ci .*&& test -f native\/malloc-trim\/build\/Release\/malloc_trim\.node$/.test(line),
      ),
    ).toBe(true)
    expect(runtime.some((line) => /apt-get install .*\bg\+\+/.test(line))).toBe(false)
    expect(runtime).toContain(
      'COPY --from=deps /app/native/malloc-trim/build/Release/malloc_trim.node ./native/malloc-trim/build/Release/',
    )
  })

  it('keeps the image from inheriting local state (.dockerignore)', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
    for (const entry of ['node_modules', 'build', 'data', '.git']) expect(ignored).toContain(entry)
  })
})

describe('the Node version', () => {
  const release = read('.nvmrc').trim()
  const major = Number(release.split('.')[0])
  const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node
  const floor = Number(/^>=\s*(\d+)$/.exec(engines)?.[1])

  it('is one exact release for CI and the image, on the line package.json allows', () => {
    expect(release).toMatch(/^\d+\.\d+\.\d+$/)
    expect(read('Dockerfile')).toMatch(new RegExp(`^ARG NODE_VERSION=${release.replaceAll('.', '\\.')}$`, 'm'))
    expect(read('Dockerfile')).toMatch(/^FROM node:\$\{NODE_VERSION\}-/m)
    expect(read('.ci/run')).toContain('.nvmrc')
    expect(major).toBeGreaterThanOrEqual(floor)
  })

  it('is one better-sqlite3 runs on', () => {
    const sqlite = JSON.parse(read('node_modules/better-sqlite3/package.json')) as { engines: { node: string } }
    expect(floor).toBeGreaterThanOrEqual(Number(/^>=\s*(\d+)$/.exec(sqlite.engines.node)?.[1]))
  })

  it('is checked by `npm start`, which refuses an older Node with the reason', () => {
    // An older Node, as far as the script can tell: better-sqlite3 would crash on a real one.
    const older = `Object.defineProperty(process.versions, 'node', { value: '${floor - 1}.0.0' })`
    const started = spawnSync(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(older)}`, 'server/start.mjs'],
      { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 },
    )
    expect(started.status).toBe(1)
    expect(started.stderr).toContain(`Kiln needs Node ${floor} or newer`)
  })
})

describe('the supervisor npm start becomes (server/supervisor.pl)', () => {
  /** What Debian's perl-base (in node:*-slim images) has of what a supervisor could want. */
  const PERL_BASE = ['strict', 'warnings', 'Errno', 'Fcntl', 'POSIX', 'Socket', 'IO::Handle', 'IO::Select']

  it('uses only modules of perl-base, and compiles', () => {
    const source = read('server/supervisor.pl')
    const used = [...source.matchAll(/^\s*(?:use|require)\s+([\w:]+)/gm)].map((match) => match[1])
    expect(used.length).toBeGreaterThan(0)
    for (const module of used) expect(PERL_BASE, module).toContain(module)
    const checked = spawnSync('perl', ['-c', path.join(repoRoot, 'server', 'supervisor.pl')], { encoding: 'utf8' })
    expect(checked.stderr).toContain('syntax OK')
    expect(checked.status).toBe(0)
  })

  it('is missing without perl on PATH: npm start refuses with the reason', () => {
    const started = spawnSync(process.execPath, ['server/start.mjs'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, PATH: path.dirname(process.execPath) },
    })
    expect(started.status).toBe(1)
    expect(started.stderr).toContain('needs perl on PATH')
  })
})
