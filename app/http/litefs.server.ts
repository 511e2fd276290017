/**
 * LiteFS at the HTTP door: one primary takes every write, replicas serve reads.
 *
 * - A write (any method but GET, HEAD, OPTIONS) reaching a replica is answered 409 with
 *   `fly-replay: instance=<primary>` before anything reads its body or touches the
 *   database; Fly's proxy then replays it on the primary. Bodies over 1 MB cannot be
 *   replayed by Fly, so those get 413 here instead.
 * - After a write on the primary the response sets the `txnum` cookie to the transaction
 *   just written (read when the headers go out, so after the action committed).
 * - A read carrying `txnum` newer than this replica has waits up to 500 ms for
 *   replication, then is replayed on the primary: a reader always sees their own writes.
 *
 * GETs never write in Kiln (session renewal and download records are skipped on a
 * replica, compiles stay in memory there), so the method is the whole rule.
 */
import type express from 'express'
import onHeaders from 'on-headers'
import { getConfig } from '../config.server.ts'
import {
  deleteTxCookieHeader,
  instanceRole,
  parseTxCookie,
  readInstanceRole,
  readTxNumber,
  txCookieHeader,
  waitForTxNumber,
  type InstanceRole,
} from '../replication/instance.server.ts'

/** The most a fly-replay can carry: a larger write is refused on the replica. */
export const MAX_REPLAY_BODY_BYTES = 1024 * 1024
/** How long a replica waits to catch up with a reader's own write before replaying it. */
export const TX_WAIT_MS = 500

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

function replayOnPrimary(role: Extract<InstanceRole, { isPrimary: false }>, res: express.Response, why: string) {
  res.setHeader('Cache-Control', 'no-store')
  if (!role.primaryInstance) {
    // No primary to send it to (the lease is moving, or .primary is unreadable): the
    // client may retry in a moment; nothing was written.
    res.setHeader('Retry-After', '2')
    res
      .status(503)
      .type('text/plain')
      .send(
        `This instance is a replica and cannot tell which instance is the ` +
          `primary (${role.problem}). Please try again in a moment.`,
      )
    return
  }
  res.setHeader('fly-replay', `instance=${role.primaryInstance}`)
  res
    .status(409)
    .type('text/plain')
    .send(`${why} This instance is a read replica; the request is replayed on the primary (${role.primaryInstance}).`)
}

export function primaryWritesOnly(req: express.Request, res: express.Response, next: express.NextFunction) {
  if (READ_METHODS.has(req.method)) return next()
  const role = readInstanceRole()
  if (role.isPrimary) {
    if (getConfig().litefsEnabled) {
      onHeaders(res, () => {
        res.append('Set-Cookie', txCookieHeader(readTxNumber() ?? 0))
      })
    }
    return next()
  }
  // A body of unknown length (chunked) cannot be known to fit a replay: refused like a large one.
  const chunked = req.headers['content-length'] === undefined && req.headers['transfer-encoding'] !== undefined
  const length = Number(req.headers['content-length'] ?? 0)
  if (chunked || length > MAX_REPLAY_BODY_BYTES) {
    res.setHeader('Connection', 'close')
    res
      .status(413)
      .type('text/plain')
      .send(
        `This request's body is larger than ${MAX_REPLAY_BODY_BYTES} bytes (or ` +
          `of unknown length), too large to replay on the primary.`,
      )
    return
  }
  replayOnPrimary(role, res, 'Writes go to the primary.')
}

export async function readYourOwnWrites(req: express.Request, res: express.Response, next: express.NextFunction) {
  const cookie = parseTxCookie(req.headers.cookie)
  if (cookie.kind === 'absent') return next()
  const isRead = READ_METHODS.has(req.method)
  if (cookie.kind === 'invalid') {
    // A cookie we did not write: drop it, serve the request as if it were not there.
    if (isRead) res.append('Set-Cookie', deleteTxCookieHeader())
    return next()
  }
  const role = instanceRole()
  if (role.isPrimary) {
    // The primary has every transaction. A write sets a fresh value instead.
    if (isRead) res.append('Set-Cookie', deleteTxCookieHeader())
    return next()
  }
  try {
    if (await waitForTxNumber(cookie.value, TX_WAIT_MS)) {
      res.append('Set-Cookie', deleteTxCookieHeader())
      return next()
    }
  } catch (error) {
    return next(error)
  }
  replayOnPrimary(role, res, 'This instance has not caught up with your last change yet.')
}
