/**
 * Notices when this instance becomes the primary or stops being it. With a consul lease
 * the `.primary` file can appear or vanish at any moment; FUSE mounts do not reliably
 * report changes to file watchers, so it is polled (one small read a second).
 */
import { readInstanceRole, type InstanceRole } from './instance.server.ts'

const POLL_MS = 1000
let timer: NodeJS.Timeout | undefined

export function watchRole(initial: InstanceRole, onChange: (role: InstanceRole) => void, pollMs = POLL_MS): void {
  stopWatchingRole()
  let wasPrimary = initial.isPrimary
  timer = setInterval(() => {
    const role = readInstanceRole()
    if (role.isPrimary === wasPrimary) return
    wasPrimary = role.isPrimary
    onChange(role)
  }, pollMs)
  timer.unref()
}

export function stopWatchingRole(): void {
  if (timer) clearInterval(timer)
  timer = undefined
}
