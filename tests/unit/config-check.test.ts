/**
 * `npm run config:check` as an operator runs it (other/run-script.mjs, in a child process with
 * the environment it checks): the effective settings with secrets masked and exit 0, or the
 * invalid value named and exit 1.
 */
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { projectRoot } from '../../app/config.server.ts'

function configCheck(env: Record<string, string>) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(?:PORT|SESSION_SECRET|METRICS_TOKEN|SENTRY_DSN)$/.test(name)),
  )
  return spawnSync(process.execPath, [path.join(projectRoot, 'other', 'run-script.mjs'), 'config-check'], {
    cwd: projectRoot,
    env: { ...clean, ...env } as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: 60_000,
  })
}

describe('config:check', () => {
  it('prints the effective configuration with secrets masked and exits 0', () => {
    const secret = 'kiln-session-secret-that-must-not-show'
    const result = configCheck({
      PORT: '4321',
      SESSION_SECRET: secret,
      METRICS_TOKEN: 'metrics-token-that-must-not-show',
      SENTRY_DSN: 'https://abcdef0123456789@errors.example.com/42',
      BACKUP_KEEP: '3',
    })
    expect(result.status, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/^port\s+4321$/m)
    expect(result.stdout).toMatch(/^backupKeep\s+3$/m)
    expect(result.stdout).toMatch(/^logLevel\s+info$/m)
    expect(result.stdout).toMatch(/^sessionSecret\s+kiln…\(38 characters\)$/m)
    expect(result.stdout).toMatch(/^internalToken\s+unset$/m)
    for (const hidden of [secret, 'metrics-token-that-must-not-show', 'abcdef0123456789']) {
      expect(result.stdout + result.stderr).not.toContain(hidden)
    }
    expect(result.stdout).toContain('the configuration is valid')
  })

  it('names an invalid value and exits 1', () => {
    for (const [name, value, expected] of [
      ['PORT', 'eighty', /PORT must be an integer from 0 to 65535, got "eighty"/],
      ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"/],
      ['BACKUP_INTERVAL_HOURS', '-1', /BACKUP_INTERVAL_HOURS must be an integer from 0 to 500/],
      ['SENTRY_DSN', 'not a dsn with secret-part', /SENTRY_DSN must be a DSN/],
    ] as const) {
      const result = configCheck({ [name]: value })
      expect(result.status, `${name}=${value}: ${result.stdout}`).toBe(1)
      expect(result.stderr).toMatch(expected)
    }
    expect(configCheck({ SENTRY_DSN: 'not a dsn with secret-part' }).stderr).not.toContain('secret-part')
  })
})
