/**
 * `tsx other/bench-limits.ts`
 *
 * How the limits at the door (server/request-limits.ts) behave in time and memory on this
 * machine, with the default timeouts: the time from a 150 MB upload's headers to its 413
 * and the server's RSS before and after; how long a connection trickling its headers, and
 * one trickling its body, stays open; and how long a client that pipelines 3000 requests
 * and never reads is kept (cut by the pipelining limit of 32).
 */
import fs from 'node:fs'
import net from 'node:net'
import { sampleContentDir, startServer, type KilnServer } from './lib/server.ts'

const MB = 1024 * 1024

function rss(server: KilnServer): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${server.process.pid}/status`, 'utf8'))![1]) / 1024
}

/** Opens a connection, runs `drive` on it, and resolves with the milliseconds until the server closed it. */
function timeToClose(server: KilnServer, drive: (socket: net.Socket) => void): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now()
    const socket = net.connect(server.port, '127.0.0.1', () => drive(socket))
    socket.on('error', () => {})
    socket.once('close', () => resolve(performance.now() - started))
  })
}

async function upload413(server: KilnServer): Promise<{ ms: number; sentMb: number }> {
  return new Promise((resolve) => {
    const socket = net.connect(server.port, '127.0.0.1')
    socket.on('error', () => {})
    const started = performance.now()
    let sent = 0
    let answeredAt = 0
    const piece = Buffer.alloc(256 * 1024, 0x61)
    socket.on('data', () => {
      if (!answeredAt) answeredAt = performance.now()
    })
    socket.write(`POST /blog HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${150 * MB}\r\n\r\n`)
    const pump = () => {
      while (!answeredAt && !socket.destroyed && sent < 150 * MB) {
        sent += piece.length
        if (!socket.write(piece)) return void socket.once('drain', pump)
      }
    }
    pump()
    socket.once('close', () => resolve({ ms: answeredAt - started, sentMb: sent / MB }))
  })
}

async function main() {
  const server = await startServer({ contentDir: sampleContentDir, env: { RESPONSE_IDLE_TIMEOUT_MS: '5000' } })
  try {
    await fetch(`${server.url}/blog`)
    const before = rss(server)
    const upload = await upload413(server)
    console.log(
      `150 MB upload: 413 after ${upload.ms.toFixed(0)} ms, ${upload.sentMb.toFixed(1)} MB ` +
        `sent by then; RSS ${before.toFixed(0)} -> ${rss(server).toFixed(0)} MB`,
    )

    const headers = await timeToClose(server, (socket) => {
      socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n')
      const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write('X-Slow: a\r\n')), 1000)
    })
    console.log(
      `headers trickled one line a second: closed after ` +
        `${(headers / 1000).toFixed(1)} s (REQUEST_HEADERS_TIMEOUT_MS 10 s)`,
    )

    const body = await timeToClose(server, (socket) => {
      socket.write(
        'POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: ' +
          'application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n',
      )
      const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write('a')), 1000)
    })
    console.log(`body trickled one byte a second: closed after ${(body / 1000).toFixed(1)} s (REQUEST_TIMEOUT_MS 20 s)`)

    const stalled = await timeToClose(server, (socket) => {
      socket.pause()
      socket.write('GET /blog HTTP/1.1\r\nHost: localhost\r\n\r\n'.repeat(3000))
      // The close is only seen once the client reads again.
      setTimeout(() => socket.resume(), 500)
    })
    console.log(
      `a reader that pipelines 3000 requests and never reads: cut after ` +
        `${(stalled / 1000).toFixed(1)} s (over 32 waiting)`,
    )
  } finally {
    await server.stop()
  }
}

await main()
