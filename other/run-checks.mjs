/**
 * `npm test`'s first half: the type check, the lint, the format check and the build, at
 * once rather than one after the other. Each is mostly one thread (tsc, eslint, prettier,
 * vite), so on CI's two cores the four take about half their sum; none reads what another
 * writes (tsc, eslint and prettier all leave build/ alone). Each one's output is printed
 * whole when it ends, with its time; the exit code is 1 when any failed.
 */
import { spawn } from 'node:child_process'

const SCRIPTS = ['typecheck', 'lint', 'format:check', 'build']
const npm = process.env.npm_execpath

const results = await Promise.all(
  SCRIPTS.map(
    (script) =>
      new Promise((resolve) => {
        const started = performance.now()
        // npm's own script runner (the one running this file when it is `npm test`), else npm on PATH.
        const child = npm
          ? spawn(process.execPath, [npm, 'run', '--silent', script], { stdio: ['ignore', 'pipe', 'pipe'] })
          : spawn('npm', ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'pipe'] })
        let output = ''
        child.stdout.on('data', (chunk) => (output += chunk))
        child.stderr.on('data', (chunk) => (output += chunk))
        child.on('close', (code) => {
          const seconds = ((performance.now() - started) / 1000).toFixed(1)
          process.stdout.write(
            `\n> ${script}: ${code === 0 ? 'ok' : `failed (exit ${code})`} in ${seconds} s\n${output}`,
          )
          resolve(code === 0)
        })
      }),
  ),
)
process.exitCode = results.every(Boolean) ? 0 : 1
