/**
 * Notices when this instance becomes the primary or stops being it. With a consul lease
 * the `.primary` file can appear or vanish at any moment; FUSE mounts do not reliably
 * report changes to file watchers, so it is polled (one small read a second).
 */
import { readInstanceRole, type InstanceRole } from './instance.server.ts'

const POLL_MS = 1000
const RETRY_MS = 10_000
let timer: NodeJS.Timeout | undefined

/**
 * Calls `onChange` when the role flips; and, while this instance is the primary but
 * `needsRetry()` says its work did not start (a database not writable yet just after the
 * lease moved), again every RETRY_MS.
 */
export function watchRole(
  initial: InstanceRole,
  onChange: (role: InstanceRole) => void,
  needsRetry: () => boolean = () => false,
  pollMs = POLL_MS,
): void {
  stopWatchingRole()
  let wasPrimary = initial.isPrimary
  let lastCall = Date.now()
  timer = setInterval(() => {
    const role = readInstanceRole()
    const retry = role.isPrimary && wasPrimary && needsRetry() && Date.now() - lastCall >= RETRY_MS
    if (role.isPrimary === wasPrimary && !retry) return
    wasPrimary = role.isPrimary
    lastCall = Date.now()
    onChange(role)
  }, pollMs)
  timer.unref()
}

export function stopWatchingRole(): void {
  if (timer) clearInterval(timer)
  timer = undefined
}
