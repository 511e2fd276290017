/**
 * What stopping esbuild's service after every compile costs (workers/compile.ts does, so
 * an idle compile thread leaves no process behind): the same small build N times with the
 * service kept, then with a stop after each. Run: npx tsx other/bench-compile-esbuild.ts
 */
import * as esbuild from 'esbuild'

const N = 50
const build = () =>
  esbuild.build({
    stdin: { contents: 'export const answer = 40 + 2', loader: 'js' },
    write: false,
    bundle: true,
    format: 'iife',
  })

async function measure(stopEach: boolean): Promise<number> {
  await build()
  await esbuild.stop()
  const start = performance.now()
  for (let i = 0; i < N; i++) {
    await build()
    if (stopEach) await esbuild.stop()
  }
  return (performance.now() - start) / N
}

const kept = await measure(false)
const stopped = await measure(true)
console.log(
  `per build: service kept ${kept.toFixed(1)} ms, stopped after each ` +
    `${stopped.toFixed(1)} ms (+${(stopped - kept).toFixed(1)} ms)`,
)
process.exit(0)
