/**
 * `npm run config:check`: prints the configuration Kiln would run with (app/config.server.ts,
 * from the environment and the defaults), with secrets masked, and exits 0; or names the
 * first invalid value and exits 1, before anything is started. Run it with the environment
 * the server gets (`fly ssh console -C "npm run config:check"`, or after editing `.env`).
 */
import { ConfigError, configWarnings, getConfig, mask, type Config } from '../app/config.server.ts'
import { errorMessage } from '../app/utils/error-message.ts'

/** Settings whose value is a secret: shown by their first characters and length only. */
const SECRETS = new Set<keyof Config>(['internalToken', 'refreshSecret', 'sessionSecret', 'metricsToken', 'sentryDsn'])

function show(key: keyof Config, value: unknown): string {
  if (value === null || value === undefined) return 'unset'
  if (SECRETS.has(key)) return typeof value === 'string' ? mask(value) : '****'
  return typeof value === 'string' ? value : JSON.stringify(value)
}

function main(): number {
  let config: Config
  try {
    config = getConfig()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(`config:check: invalid configuration: ${errorMessage(error)}`)
    return 1
  }
  const keys = Object.keys(config) as (keyof Config)[]
  const width = Math.max(...keys.map((key) => key.length))
  for (const key of keys) console.log(`${key.padEnd(width)}  ${show(key, config[key])}`)
  for (const warning of configWarnings()) console.warn(`config:check: warning: ${warning}`)
  console.log('config:check: the configuration is valid')
  return 0
}

process.exitCode = main()
