/**
 * Waiting for a real server, process or file to reach a state, on Vitest's own vi.waitFor:
 * one way to poll instead of a loop in each test file. Every timeout guards against a hang,
 * never a speed limit: the suite runs on a busy machine.
 */
import { vi } from 'vitest'

/**
 * Resolves with the first value `read` gives that `done` accepts; throws naming `what` (and the last value) after
 * `timeout` ms.
 */
export async function waitForValue<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  what: string | (() => string),
  timeout = 60_000,
  interval = 100,
): Promise<T> {
  let last: T | undefined
  try {
    return await vi.waitFor(
      async () => {
        last = await read()
        if (!done(last)) throw new Error('not yet')
        return last
      },
      { timeout, interval },
    )
  } catch {
    const last_ = last === undefined ? '' : `; last: ${JSON.stringify(last)?.slice(0, 500)}`
    throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}${last_}`)
  }
}

/** Resolves once `check` holds; throws naming `what` after `timeout` ms. */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeout = 60_000,
): Promise<void> {
  await waitForValue(check, Boolean, what, timeout)
}

/** Resolves with the first value `read` gives that is not undefined; throws naming `what` after `timeout` ms. */
export function defined<T>(
  read: () => T | undefined | Promise<T | undefined>,
  what: string | (() => string),
  timeout = 60_000,
): Promise<T> {
  return waitForValue(read, (value) => value !== undefined, what, timeout) as Promise<T>
}

/** Whether `check` came to hold within `timeout` ms: for a test that asserts on the outcome itself. */
export async function holdsWithin(check: () => boolean, timeout: number): Promise<boolean> {
  try {
    await waitForValue(check, Boolean, '', timeout, 50)
    return true
  } catch {
    return false
  }
}

/**
 * Lets this process's event loop turn a few times: timers run and what arrived meanwhile is
 * read. A test that just blocked (spawnSync of admin:create, a synchronous git push) may hold
 * a kept-alive connection the server closed while it was blocked; fetch would pick it and
 * fail with "other side closed". After the loop has turned, fetch's own idle timer and the
 * server's close have both been seen, and the request goes out on a live connection.
 */
export async function settleConnections(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) await new Promise<void>((resolve) => setImmediate(resolve))
}
