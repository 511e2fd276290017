/**
 * `npm run db:backup -- [--to FILE]`
 *
 * A consistent copy of the database (DATABASE_PATH, or LITEFS_DIR/DATABASE_FILENAME) while the
 * server runs and writes: SQLite's VACUUM INTO, one read transaction beside the server's
 * writes (app/db/backup.server.ts). Without --to, the copy goes into BACKUP_DIR under a new
 * name, beside the scheduled ones. The copy is checked (integrity_check) before this exits 0.
 */
import path from 'node:path'
import { parseArgs } from 'node:util'
import { getConfig } from '../app/config.server.ts'
import { BackupError, backupDatabaseFile, backupName, checkBackupFile } from '../app/db/backup.server.ts'
import { errorMessage } from '../app/utils/error-message.ts'

function main(): number {
  const { values } = parseArgs({ options: { to: { type: 'string' } } })
  const config = getConfig()
  const to = path.resolve(values.to ?? path.join(config.backupDir, backupName()))
  try {
    backupDatabaseFile(config.databasePath, to)
    const { migrations } = checkBackupFile(to)
    console.log(`db:backup: ${config.databasePath} -> ${to} (${migrations} migrations, integrity ok)`)
    return 0
  } catch (error) {
    console.error(`db:backup: ${error instanceof BackupError ? error.message : errorMessage(error)}`)
    return 1
  }
}

process.exitCode = main()
