/**
 * A deliberate leak, for tests only (KILN_TEST_LEAK=1): every request retains
 * LEAK_PER_REQUEST objects of class KilnTestLeak that nothing ever frees. It proves the
 * snapshot comparison (admin/snapshots/<a>/diff/<b>) names the constructor that leaks:
 * after load between two snapshots, KilnTestLeak must be the first row. Never set in production.
 */
import type express from 'express'

const LEAK_PER_REQUEST = 64

/** The class a leak search must find by name. Eight fields make each instance a fixed, visible size. */
export class KilnTestLeak {
  readonly at = Date.now()
  readonly index: number
  readonly a = 0
  readonly b = 0
  readonly c = 0
  readonly d = 0
  readonly e = 0
  readonly f = 0
  constructor(index: number) {
    this.index = index
  }
}

// Held on globalThis: a module-level array nobody reads would be dropped by the bundler.
const KEY = Symbol.for('kiln.test-leak')
const holder = globalThis as typeof globalThis & { [KEY]?: KilnTestLeak[] }
const retained: KilnTestLeak[] = (holder[KEY] ??= [])

export function retainTestLeak(_req: express.Request, _res: express.Response, next: express.NextFunction): void {
  for (let i = 0; i < LEAK_PER_REQUEST; i++) retained.push(new KilnTestLeak(retained.length))
  next()
}

export function testLeakSize(): number {
  return retained.length
}
