/**
 * The compile worker: runs mdx-bundler (MDX parsing, remark/rehype, esbuild) on a
 * tinypool thread, so a long compile never stalls the main thread's readers. Code
 * blocks are not highlighted here: each one goes back over the task's MessagePort to the
 * main thread, which owns the highlight pool, so shiki's memory lives and dies with that
 * pool alone and its stats stay in one place.
 */
import type { MessagePort } from 'node:worker_threads'
import { CompileError, compileMdx, type CompileInput, type CompiledEntry } from '../app/content/compile-mdx.server.ts'
import type { HighlightAnswer, HighlightTask } from '../app/content/highlight.server.ts'

export interface CompileTask {
  input: Omit<CompileInput, 'highlight'>
  /** Carries { id, task } to the main thread and { id, answer } back. */
  port: MessagePort
}

export type CompileTaskResult =
  | { ok: true; compiled: CompiledEntry }
  | { ok: false; error: { message: string; file?: string; line?: number; column?: number } }

export default async function compile({ input, port }: CompileTask): Promise<CompileTaskResult> {
  const waiting = new Map<number, (answer: HighlightAnswer) => void>()
  let nextId = 0
  port.on('message', ({ id, answer }: { id: number; answer: HighlightAnswer }) => {
    waiting.get(id)?.(answer)
    waiting.delete(id)
  })
  const highlight = (task: HighlightTask) =>
    new Promise<HighlightAnswer>((resolve) => {
      const id = nextId++
      waiting.set(id, resolve)
      port.postMessage({ id, task })
    })
  try {
    return { ok: true, compiled: await compileMdx({ ...input, highlight }) }
  } catch (error) {
    // Errors lose their class crossing threads: send the fields.
    const failure = error instanceof CompileError ? error : new CompileError(String((error as Error)?.message ?? error), input.entryPath)
    return { ok: false, error: { message: failure.message, file: failure.file, line: failure.line, column: failure.column } }
  } finally {
    port.close()
  }
}
