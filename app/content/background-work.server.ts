/**
 * Work that writes the database: indexing the content folder, watching it, refreshing from
 * git and compiling after a refresh. Only the primary does it; an instance that becomes
 * the primary starts it, one that stops being the primary stops it. It is content work that
 * follows the lease, not replication itself (LiteFS replicates): it lives with the content.
 */
import { getConfig } from '../config.server.ts'
import { migrateNow } from '../db/connection.server.ts'
import type { InstanceRole } from '../replication/instance.server.ts'
import { collectSoon } from '../job-pool.server.ts'
import { errorMessage } from '../utils/error-message.ts'
import { startCatchUp, stopCatchUp } from './catch-up-compiles.server.ts'
import { syncContent } from './content.server.ts'
import { recoverInterruptedRefreshes, whenRefreshesSettled } from './refresh.server.ts'
import { startWatching, stopWatching } from './watch.server.ts'
import { log } from '../logging/logger.server.ts'

let backgroundWork = false

export function startBackgroundWork(): void {
  if (backgroundWork) return
  backgroundWork = true
  const config = getConfig()
  migrateNow()
  // Skipped and invalid entries are logged by the sync itself, each once.
  syncContent()
  // Indexing every entry leaves its garbage on the main thread's heap.
  collectSoon()
  if (config.contentWatch) startWatching(config.contentDir)
  // Catch up on whatever was pushed while no instance of ours was the primary, and on
  // refreshes a crash cut short (marked interrupted).
  recoverInterruptedRefreshes(Boolean(config.contentGitUrl))
  // After a deploy with a new compiler, or on an empty store: every entry compiled again in
  // the background, the most-read first, while readers get the stored earlier version.
  if (config.backgroundCompiles)
    startCatchUp().catch((error: unknown) => log.error(`background compiles stopped: ${errorMessage(error)}`))
}

export function stopBackgroundWork(): void {
  if (!backgroundWork) return
  backgroundWork = false
  stopWatching()
  stopCatchUp()
  // A refresh waiting in the queue would write as a replica: drop it (a running one ends on its own).
  void whenRefreshesSettled(0)
}

export function onRoleChange(role: InstanceRole): void {
  if (role.isPrimary) {
    log.info('this instance is now the primary: starting background work (index, watch, refresh)')
    try {
      startBackgroundWork()
    } catch (error) {
      backgroundWork = false
      log.error(`could not start background work as the new primary: ${errorMessage(error)}`)
    }
  } else {
    log.info(
      `this instance is now a replica of ` +
        `${role.primaryInstance ?? 'an unknown primary'}: background work ` +
        `stopped`,
    )
    stopBackgroundWork()
  }
}

export function isDoingBackgroundWork(): boolean {
  return backgroundWork
}
