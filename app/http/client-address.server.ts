/**
 * The client's address, for the sign-in lockout. Fly-Client-IP and X-Forwarded-For are
 * headers anyone can send: they are believed only with TRUST_PROXY (on by default on
 * Fly, whose proxy sets Fly-Client-IP and appends to X-Forwarded-For). Otherwise, or when
 * they hold no address, it is the socket's peer.
 *
 * Of X-Forwarded-For only the right-most entry counts (what Express's `trust proxy` 1
 * picks): the one hop in front appended it; anything to its left came from the client
 * and may be invented.
 */
import net from 'node:net'
import type express from 'express'

export function clientAddress(req: express.Request, trustProxy: boolean): string {
  const socket = req.socket.remoteAddress ?? 'unknown'
  if (!trustProxy) return socket
  const fly = req.headers['fly-client-ip']
  const flyAddress = typeof fly === 'string' ? fly.trim() : ''
  if (net.isIP(flyAddress)) return flyAddress
  const forwarded = req.headers['x-forwarded-for']
  const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',')
  const last = hops[hops.length - 1]?.trim() ?? ''
  return net.isIP(last) ? last : socket
}
