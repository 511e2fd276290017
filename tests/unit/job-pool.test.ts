import vm from 'node:vm'
import { describe, expect, it } from 'vitest'
import { JobPool } from '../../app/job-pool.server.ts'
import { collectGarbage } from '../../app/utils/collect-garbage.ts'

/** An object only a WeakRef points to; the WeakRef is only cleared by a full collection after this turn. */
async function garbage(): Promise<WeakRef<object>> {
  const ref = new WeakRef({ payload: new Array(1000).fill('kiln') })
  // A WeakRef's target is kept until the end of the turn that made or read it.
  await new Promise((resolve) => setImmediate(resolve))
  return ref
}

/** A pool whose jobs run right here: only the bookkeeping of JobPool is under test. */
class InlinePool extends JobPool {
  liveWorkers(): number {
    return 0
  }
  run<Result>(job: () => Promise<Result>): Promise<Result> {
    return this.admit(job)
  }
}

describe('collectGarbage', () => {
  it('collects what nothing reaches, and gives no context a gc global', async () => {
    const ref = await garbage()
    collectGarbage()
    expect(ref.deref()).toBeUndefined()
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined()
    expect(vm.runInNewContext('typeof gc')).toBe('undefined')
    // A second call reuses the function it took.
    const again = await garbage()
    collectGarbage()
    expect(again.deref()).toBeUndefined()
  })
})

describe('JobPool', () => {
  it('runs at most maxWorkers jobs at once, the rest in arrival order, and counts them', async () => {
    const pool = new InlinePool('inline', { maxWorkers: 1, idleMs: 20 })
    const order: string[] = []
    let release!: () => void
    const first = pool.run(() => new Promise<void>((resolve) => (release = resolve)).then(() => order.push('first')))
    const second = pool.run(async () => order.push('second'))
    const third = pool.run(() => Promise.reject(new Error('third failed')))
    await Promise.resolve()
    expect(pool.stats()).toMatchObject({ queued: 2, jobs: 0, maxThreads: 1, idleMs: 20 })
    release()
    await Promise.all([first, second])
    await expect(third).rejects.toThrow('third failed')
    expect(order).toEqual(['first', 'second'])
    expect(pool.stats()).toMatchObject({ name: 'inline', threads: 0, queued: 0, jobs: 3, failures: 1 })
    expect(pool.stats().lastJobAt).not.toBeNull()
  })

  it('collects the heap once every pool has been idle past its idle time', async () => {
    const pool = new InlinePool('inline', { maxWorkers: 1, idleMs: 10 })
    await pool.run(async () => 'done')
    const ref = await garbage()
    // Nothing else here allocates enough for V8 to collect on its own meanwhile.
    for (let waited = 0; ref.deref() && waited < 10_000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50))
    expect(ref.deref()).toBeUndefined()
  })
})
