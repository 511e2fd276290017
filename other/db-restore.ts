/**
 * `npm run db:restore -- FILE [--force]`
 *
 * Puts a backup back into the database (DATABASE_PATH, or LITEFS_DIR/DATABASE_FILENAME): the
 * file must pass PRAGMA integrity_check and hold Kiln's schema; then it is written into the
 * database through SQLite in one transaction (app/db/backup.server.ts). Refused while another
 * process (a running server) has the database open, unless --force: under LiteFS that is the
 * way, on the primary, and the replicas follow. Restart the server afterwards.
 */
import path from 'node:path'
import { parseArgs } from 'node:util'
import { getConfig } from '../app/config.server.ts'
import { BackupError, restoreDatabase } from '../app/db/backup.server.ts'
import { errorMessage } from '../app/utils/error-message.ts'

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: { force: { type: 'boolean', default: false } },
    allowPositionals: true,
  })
  if (positionals.length !== 1) {
    console.error('usage: npm run db:restore -- FILE [--force]')
    return 2
  }
  const backup = path.resolve(positionals[0])
  const { databasePath } = getConfig()
  try {
    const { migrations, inUse } = await restoreDatabase(backup, databasePath, { force: values.force })
    console.log(
      `db:restore: ${backup} -> ${databasePath} (${migrations} migrations, integrity ok)` +
        (inUse ? '; the database was open in another process: restart it' : ''),
    )
    return 0
  } catch (error) {
    console.error(`db:restore: ${error instanceof BackupError ? error.message : errorMessage(error)}`)
    return 1
  }
}

process.exitCode = await main()
