/**
 * Named points where a test can hold a content refresh or a background compile, to act at
 * a known moment instead of hoping the work is slow enough. Off unless KILN_TEST_PAUSE_DIR is
 * set (tests only): then, at step X, while `<dir>/pause-X` exists the refresh writes
 * `<dir>/paused-X` and waits; removing `pause-X` lets it go on.
 */
import fs from 'node:fs'
import path from 'node:path'
import { getConfig } from '../config.server.ts'
import { log } from '../logging/logger.server.ts'

export type PausePoint = 'refresh-started' | 'after-fetch' | 'after-sync' | 'background-compile'

/** Waits at `step` while its gate exists; `paused-<step>` holds `detail` (what is held), else the pid. */
export async function pausePoint(step: PausePoint, detail?: string): Promise<void> {
  const dir = getConfig().testPauseDir
  if (!dir) return
  const gate = path.join(dir, `pause-${step}`)
  if (!fs.existsSync(gate)) return
  fs.writeFileSync(path.join(dir, `paused-${step}`), detail ?? String(process.pid))
  log.info(`test pause point ${step}: waiting for ${gate} to be removed`)
  while (fs.existsSync(gate)) await new Promise((resolve) => setTimeout(resolve, 50))
  fs.rmSync(path.join(dir, `paused-${step}`), { force: true })
}
