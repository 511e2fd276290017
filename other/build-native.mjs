/**
 * Builds Kiln's native helper (native/malloc-trim: glibc's malloc_trim for the idle server)
 * with node-gyp, as `npm ci` finishes (package.json's postinstall). It is an optimisation,
 * not a requirement: where it cannot be built (no compiler, no Node headers offline, a C
 * library without malloc_trim) this says so and exits 0, and the server runs without it
 * (`kiln_memory_trim_available 0` in /metrics).
 *
 * node-gyp is npm's own copy: npm names it to its scripts in npm_config_node_gyp. Node's
 * headers come from npm_config_nodedir when it is set (.ci/run sets it; no download), or
 * node-gyp fetches them once.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const addonDir = path.join(root, 'native', 'malloc-trim')

function nodeGyp() {
  const named = process.env.npm_config_node_gyp
  if (named && fs.existsSync(named)) return named
  // Outside an npm script: npm's copy beside the npm that runs node, if any.
  const npmCli = process.env.npm_execpath
  if (npmCli) {
    const bundled = path.join(path.dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')
    if (fs.existsSync(bundled)) return bundled
  }
  return null
}

const gyp = nodeGyp()
if (!gyp) {
  console.warn('kiln: node-gyp not found; the native memory trim is not built (the server runs without it)')
  process.exit(0)
}
const result = spawnSync(process.execPath, [gyp, 'rebuild', '--release'], { cwd: addonDir, encoding: 'utf8' })
if (result.status === 0) {
  console.log('kiln: built native/malloc-trim')
} else {
  const why = (result.stderr || result.error?.message || '').trim().split('\n').slice(-5).join('\n')
  console.warn(`kiln: native/malloc-trim was not built; the server runs without it.\n${why}`)
}
