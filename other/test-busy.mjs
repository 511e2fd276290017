/**
 * npm run test:busy: the whole suite (npm test) with two CPU-bound processes beside it.
 *
 * CI machines are shared. A suite that only passes on an idle machine fails there for
 * reasons that have nothing to do with Kiln (CI once had 8 such failures: highlight jobs
 * past a short timeout, the corpus test past its guard, a thread count read too early).
 * This is how a change proves it does not rely on an idle machine: both cores are kept
 * busy for the whole run, so every timing assumption in a test is exposed.
 *
 *   npm run test:busy                       # everything, as npm test
 *   npm run test:busy -- tests/integration  # extra arguments go to vitest
 */
import { spawn } from 'node:child_process'
import os from 'node:os'

const BUSY_PROCESSES = 2
const burners = Array.from({ length: BUSY_PROCESSES }, () =>
  // A pure CPU loop in its own process, at normal priority: it competes with every test
  // process exactly as a neighbour's build would.
  spawn(process.execPath, ['-e', 'for (;;) { Math.sqrt(Math.random()) }'], { stdio: 'ignore' }),
)
console.log(
  `test:busy: ${BUSY_PROCESSES} busy processes ` +
    `(${burners.map((b) => b.pid).join(', ')}) beside the suite on ` +
    `${os.cpus().length} cores`,
)

function stopBurners() {
  for (const burner of burners) if (burner.exitCode === null) burner.kill('SIGKILL')
}
process.on('exit', stopBurners)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopBurners()
    process.exit(130)
  })
}

const extra = process.argv.slice(2)
const started = Date.now()
const suite = spawn('npm', ['test', ...(extra.length ? ['--', ...extra] : [])], { stdio: 'inherit' })
suite.on('exit', (code, signal) => {
  stopBurners()
  console.log(
    `test:busy: suite ended with ${signal ?? code} after ` +
      `${Math.round((Date.now() - started) / 1000)} s beside ${BUSY_PROCESSES} busy ` +
      `processes`,
  )
  process.exit(code ?? 1)
})
