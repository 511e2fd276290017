/**
 * The compile worker: runs mdx-bundler (MDX parsing, remark/rehype, esbuild) on a
 * tinypool thread, so a long compile never stalls the main thread's readers. Code
 * blocks are not highlighted here: each one goes back over the task's MessagePort to the
 * main thread, which owns the highlight pool, so shiki's memory lives and dies with that
 * pool alone and its stats stay in one place.
 *
 * esbuild's JS API runs a child process (`esbuild --service`) per thread. When tinypool
 * ends an idle thread, that child loses its stdin and exits, but the thread that spawned
 * it is gone and nothing reaps it: every idle cycle of the pool used to leave one more
 * zombie `esbuild` under the server. So each compile stops the service before it returns
 * and waits until its child has been reaped by this thread's event loop. A new service
 * starts with the next compile (a few milliseconds; other/bench-compile-esbuild.ts).
 *
 * The same module is also the compile *process* (COMPILE_RUNTIME=process; threads are the
 * default: app/process-pool.server.ts forks it with --kiln-pool-process): it then serves its parent
 * over IPC, one compile at a time, asks for highlighting over the same channel, and keeps
 * one esbuild service for its whole life, stopped when its parent disconnects it as idle.
 */
import fs from 'node:fs'
import { isMainThread, type MessagePort } from 'node:worker_threads'
import * as esbuild from 'esbuild'
import {
  CompileError,
  compileInThisThread,
  type CompileInput,
  type CompiledEntry,
} from '../app/content/compile-mdx.server.ts'
import type { HighlightAnswer, HighlightTask } from '../app/content/highlight.server.ts'
import { getConfig } from '../app/config.server.ts'
import { log } from '../app/logging/logger.server.ts'
import { collectGarbage } from '../app/utils/collect-garbage.ts'
import { POOL_PROCESS_ARG, type PoolProcessMessage } from '../app/process-pool.server.ts'

export interface CompileTask {
  input: Omit<CompileInput, 'highlight'>
  /** Carries { id, task } to the main thread and { id, answer } back. */
  port: MessagePort
}

/** A compile in a compile process: the highlighting goes over the process's IPC channel. */
export interface CompileProcessTask {
  input: Omit<CompileInput, 'highlight'>
}

export type CompileTaskResult =
  | { ok: true; compiled: CompiledEntry }
  | { ok: false; error: { message: string; file?: string; line?: number; column?: number } }

/** This thread's child processes (Linux: the thread's own list in /proc), or null where that cannot be read. */
function threadChildren(): string[] | null {
  try {
    return fs.readFileSync('/proc/thread-self/children', 'utf8').trim().split(/\s+/).filter(Boolean)
  } catch {
    return null
  }
}

/** Stops this thread's esbuild service and waits (up to 5 s) until its process has been reaped. */
export async function stopEsbuild(): Promise<void> {
  await esbuild.stop()
  const deadline = Date.now() + 5000
  for (
    let children = threadChildren();
    children && children.length > 0 && Date.now() < deadline;
    children = threadChildren()
  ) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/**
 * Test-only faults (KILN_TEST_FAULTS=1), so the compile pool's limits are proven with
 * real failures: a post whose source holds `kiln-test-compile-oom` allocates until the
 * thread's heap limit ends it, `kiln-test-compile-hang` never returns, and
 * `kiln-test-compile-slow-<ms>` takes that long before compiling.
 */
async function injectFault(input: Omit<CompileInput, 'highlight'>): Promise<void> {
  if (!getConfig().testFaults) return
  let source = ''
  try {
    source = fs.readFileSync(`${input.contentDir}/${input.entryPath}`, 'utf8')
  } catch {
    return
  }
  if (source.includes('kiln-test-compile-oom')) {
    const hoard: string[][] = []
    for (let i = 0; ; i++) hoard.push(Array.from({ length: 100_000 }, (_, j) => `${i}:${j}`))
  }
  if (source.includes('kiln-test-compile-hang')) for (;;);
  const slow = /kiln-test-compile-slow-(\d+)/.exec(source)
  if (slow) {
    log.info({ file: input.entryPath }, `test fault: ${input.entryPath} compiles slowly (${slow[1]} ms)`)
    await new Promise((resolve) => setTimeout(resolve, Number(slow[1])))
  }
}

/** Compiles one entry with this highlighter; a failure is sent as its fields (errors lose their class crossing). */
async function compileTask(
  input: Omit<CompileInput, 'highlight'>,
  highlight: (task: HighlightTask) => Promise<HighlightAnswer>,
): Promise<CompileTaskResult> {
  try {
    await injectFault(input)
    return { ok: true, compiled: await compileInThisThread({ ...input, highlight }) }
  } catch (error) {
    const failure = CompileError.from(error, input)
    return {
      ok: false,
      error: { message: failure.message, file: failure.file, line: failure.line, column: failure.column },
    }
  } finally {
    // A compile leaves tens of MB of garbage (syntax trees, esbuild's output, strings). V8
    // would let the heap grow toward the thread's limit (512 MB by default) before a full
    // collection; taken now, it costs a few ms while the heap is small and keeps the
    // process's peak low (docs/performance.md, memory).
    collectGarbage()
  }
}

/** Highlighting asked of the side that owns the highlight pool: `send` asks, `answered` takes the answer. */
function remoteHighlighter(send: (question: { id: number; task: HighlightTask }) => void) {
  const waiting = new Map<number, (answer: HighlightAnswer) => void>()
  let nextId = 0
  return {
    highlight: (task: HighlightTask) =>
      new Promise<HighlightAnswer>((resolve) => {
        const id = nextId++
        waiting.set(id, resolve)
        send({ id, task })
      }),
    answered({ id, answer }: { id: number; answer: HighlightAnswer }) {
      waiting.get(id)?.(answer)
      waiting.delete(id)
    },
  }
}

/** Compiles one entry on this thread of the compile pool (tinypool calls the default export). */
export default async function compileOnPoolThread({ input, port }: CompileTask): Promise<CompileTaskResult> {
  const remote = remoteHighlighter((question) => port.postMessage(question))
  port.on('message', remote.answered)
  try {
    return await compileTask(input, remote.highlight)
  } finally {
    port.close()
    await stopEsbuild()
  }
}

/** The compile process's side of its IPC channel (see the header); exits once its parent lets go. */
function serveParentProcess(): void {
  const send = (message: PoolProcessMessage) => process.send?.(message)
  let remote = remoteHighlighter(() => {})
  process.on('message', (message: PoolProcessMessage) => {
    if (message.type === 'message') {
      remote.answered(message.body as { id: number; answer: HighlightAnswer })
    } else if (message.type === 'job') {
      remote = remoteHighlighter((question) => send({ type: 'message', body: question }))
      const { input } = message.task as CompileProcessTask
      void compileTask(input, remote.highlight).then((result) => send({ type: 'result', result }))
    }
  })
  // Idle (or the server gone): stop esbuild's service, so it ends with this process, then exit.
  process.once('disconnect', () => {
    void esbuild.stop().finally(() => process.exit(0))
  })
}

if (isMainThread && process.argv.includes(POOL_PROCESS_ARG) && process.send) serveParentProcess()
