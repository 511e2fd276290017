/**
 * Named points where a test can hold a content refresh, to kill the server at a known
 * moment instead of hoping a refresh is slow enough. Off unless KILN_TEST_PAUSE_DIR is
 * set (tests only): then, at step X, while `<dir>/pause-X` exists the refresh writes
 * `<dir>/paused-X` and waits; removing `pause-X` lets it go on.
 */
import fs from 'node:fs'
import path from 'node:path'
import { getConfig } from '../config.server.ts'
import { log } from '../logging/logger.server.ts'

export type PausePoint = 'refresh-started' | 'after-fetch' | 'after-sync'

export async function pausePoint(step: PausePoint): Promise<void> {
  const dir = getConfig().testPauseDir
  if (!dir) return
  const gate = path.join(dir, `pause-${step}`)
  if (!fs.existsSync(gate)) return
  fs.writeFileSync(path.join(dir, `paused-${step}`), String(process.pid))
  log.info(`test pause point ${step}: waiting for ${gate} to be removed`)
  while (fs.existsSync(gate)) await new Promise((resolve) => setTimeout(resolve, 50))
  fs.rmSync(path.join(dir, `paused-${step}`), { force: true })
}
