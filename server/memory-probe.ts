/**
 * For the soak (other/soak.ts) only: when this process was started with --expose-gc and
 * an IPC channel, a `{ type: 'kiln:memory' }` message forces a full garbage collection
 * and answers with process.memoryUsage(), so the soak compares live memory rather than
 * whatever garbage happened to be waiting. In any other run this module does nothing,
 * and no HTTP route can force a GC.
 */
const forceGc = (globalThis as { gc?: () => void }).gc

if (process.send && forceGc) {
  process.on('message', (message: { type?: string; id?: number }) => {
    if (message?.type !== 'kiln:memory') return
    forceGc()
    process.send?.({ type: 'kiln:memory', id: message.id, usage: process.memoryUsage() })
  })
  // The channel must not keep a stopping server alive.
  process.channel?.unref()
}

export {}
