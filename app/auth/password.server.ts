/**
 * Password hashing with scrypt (memory-hard, in node:crypto). Stored as
 * `scrypt$N$r$p$<salt base64>$<hash base64>`: the parameters travel with the hash, so the
 * cost can be raised while old hashes still verify, and a hash made with less than today's
 * cost is redone on its owner's next successful sign-in (needsRehash).
 *
 * N = 2^17, r = 8, p = 1: OWASP's floor for scrypt. Measured here (other/scrypt-bench.ts,
 * figures in docs/security.md) it costs a few hundred milliseconds and 128 MiB per hash,
 * well inside what a sign-in from a phone can wait for. The memory is why verifications
 * run one at a time (with a short queue): four at once would take half a gigabyte.
 */
import crypto from 'node:crypto'
import { promisify } from 'node:util'

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>

export const SCRYPT_N = 2 ** 17
const R = 8
const P = 1
const KEY_LENGTH = 64
/** Past this cost a stored hash is refused, not computed: a row could otherwise ask for gigabytes. */
const MAX_N = 2 ** 20
export const MIN_PASSWORD_LENGTH = 12
/** Long inputs cost scrypt nothing much, but there is no reason to take megabytes. */
const MAX_PASSWORD_LENGTH = 1024

/** scrypt needs 128·N·r bytes; node's default maxmem (32 MiB) refuses N=2^17. */
const maxmem = (n: number, r: number) => 128 * n * r + 16 * 1024 * 1024

export class PasswordBusyError extends Error {}

/** Hashes at once, and those waiting: more waiting than this is answered "busy" at once. */
const MAX_RUNNING = 1
const MAX_WAITING = 32
let running = 0
const waiting: (() => void)[] = []
const stats = { hashes: 0, verifications: 0, busy: 0 }

/** Counts since start: hashes computed, verifications among them, sign-ins refused as busy. */
export function passwordStats(): Readonly<typeof stats> {
  return stats
}

/** Runs one scrypt at a time: each takes 128 MiB, and a queue costs nothing but time. */
async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_RUNNING) {
    if (waiting.length >= MAX_WAITING) {
      stats.busy++
      throw new PasswordBusyError('too many sign-ins at once')
    }
    await new Promise<void>((resolve) => waiting.push(resolve))
  } else {
    running++
  }
  try {
    stats.hashes++
    return await work()
  } finally {
    // Hand the slot straight to the next in line (running stays the same), or free it.
    const next = waiting.shift()
    if (next) next()
    else running--
  }
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16)
  const hash = await limited(() =>
    scrypt(password, salt, KEY_LENGTH, { N: SCRYPT_N, r: R, p: P, maxmem: maxmem(SCRYPT_N, R) }),
  )
  return ['scrypt', SCRYPT_N, R, P, salt.toString('base64'), hash.toString('base64')].join('$')
}

interface Parsed {
  n: number
  r: number
  p: number
  salt: Buffer
  hash: Buffer
}

function parseHash(stored: string): Parsed | null {
  const [scheme, n, r, p, salt, hash] = stored.split('$')
  const numbers = [Number(n), Number(r), Number(p)]
  if (scheme !== 'scrypt' || !salt || !hash || !numbers.every((x) => Number.isInteger(x) && x > 0)) return null
  const [N, rr, pp] = numbers
  if (N > MAX_N || (N & (N - 1)) !== 0 || rr > 32 || pp > 16) return null
  return { n: N, r: rr, p: pp, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') }
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored)
  if (!parsed || password.length > MAX_PASSWORD_LENGTH) return false
  const { n, r, p, salt, hash } = parsed
  const actual = await limited(() => {
    stats.verifications++
    return scrypt(password, salt, hash.length, { N: n, r, p, maxmem: maxmem(n, r) })
  })
  return actual.length === hash.length && crypto.timingSafeEqual(actual, hash)
}

/** True when the stored hash was made with less than today's cost: redo it on the next sign-in. */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored)
  return !parsed || parsed.n < SCRYPT_N || parsed.r !== R || parsed.p !== P || parsed.hash.length !== KEY_LENGTH
}

/** A hash of nothing anyone knows: verified against when the email is unknown, so both cases cost the same. */
export const DECOY_HASH =
  `scrypt$${SCRYPT_N}$${R}$${P}$` +
  `${Buffer.alloc(16).toString('base64')}$` +
  `${Buffer.alloc(KEY_LENGTH).toString('base64')}`
