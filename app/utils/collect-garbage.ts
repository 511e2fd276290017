/**
 * A full garbage collection on demand, for the few moments Kiln knows a heap holds mostly
 * garbage that V8 would otherwise keep for a long while: after a compile on a compile
 * thread or process, and once the server's worker pools fall idle after a burst of
 * compiles. Measured on the react.dev blog (docs/performance.md, memory): the idle server
 * held 111 MB of heap of which 56 MB was live; V8's memory reducer had not collected it
 * 10 s after the last job, and RSS fell 52 MB when it was.
 *
 * V8 only offers this through --expose-gc, which would put a `gc` global in every context,
 * a post's code included. Instead the flag is on for the moment it takes to make one new
 * context and take its `gc`, then off again: no other context sees it.
 */
import v8 from 'node:v8'
import vm from 'node:vm'

let gc: (() => void) | undefined

export function collectGarbage(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc')
    try {
      gc = vm.runInNewContext('gc') as () => void
    } finally {
      v8.setFlagsFromString('--no-expose-gc')
    }
  }
  gc()
}
