/**
 * `npm run db:migrate`: applies pending migrations to the database and exits.
 *
 * Under LiteFS this runs from litefs.yml's `exec` on the candidate that becomes the
 * primary (`if-candidate: true`), before the server starts, so a schema change lands once
 * and replicates. The server also migrates when it starts as (or becomes) the primary.
 */
import { getConfig } from '../app/config.server.ts'
import { openDatabase } from '../app/db/connection.server.ts'

const config = getConfig()
const db = openDatabase(config.databasePath, config.migrationsDir)
const applied = (db.prepare('SELECT COUNT(*) AS n FROM _kiln_migrations').get() as { n: number }).n
db.close()
console.log(`[kiln] ${config.databasePath}: ${applied} migrations applied, schema up to date`)
