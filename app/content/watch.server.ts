/**
 * CONTENT_WATCH=1: every save under the content folder starts a refresh, so the edited
 * post is compiled and served within about a second. Saves are gathered for a moment
 * first (an editor writes a file in several steps, a checkout writes many files), and
 * refreshes coalesce while one runs.
 */
import fs from 'node:fs'
import { requestRefresh } from './refresh.server.ts'
import { errorMessage } from '../utils/error-message.ts'
import { log } from '../logging/logger.server.ts'

const SETTLE_MS = 100

let watcher: fs.FSWatcher | null = null
let timer: NodeJS.Timeout | null = null

export function startWatching(contentDir: string): void {
  if (watcher) return
  if (!fs.existsSync(contentDir)) {
    log.error(`CONTENT_WATCH: ${contentDir} does not exist, nothing to watch`)
    return
  }
  watcher = fs.watch(contentDir, { recursive: true, persistent: false }, (_event, file) => {
    // Editor swap and backup files are not content.
    if (file && /(^|\/)(\.[^/]*\.sw[a-p]|[^/]*~|\.#[^/]*|4913)$/.test(String(file))) return
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = null
      try {
        requestRefresh('watch')
      } catch (error) {
        // A full or read-only disk must not end the process from a timer: the next save tries again.
        log.error(`CONTENT_WATCH: could not queue a refresh: ${errorMessage(error)}`)
      }
    }, SETTLE_MS)
  })
  watcher.on('error', (error) => log.error(`CONTENT_WATCH stopped: ${error.message}`))
  log.info(`watching ${contentDir} for changes`)
}

export function stopWatching(): void {
  if (timer) clearTimeout(timer)
  timer = null
  watcher?.close()
  watcher = null
}
