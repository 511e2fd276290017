/**
 * Builds Kiln's native helper (native/malloc-trim: glibc's malloc_trim for the idle server)
 * with node-gyp, as `npm ci` finishes (package.json's postinstall; `npm run postinstall`
 * builds it again by hand). It is an optimisation, not a requirement: off Linux with glibc
 * there is nothing to build, and where the build fails (no compiler, no Node headers
 * offline) this says why and exits 0; the server then runs without it
 * (`kiln_memory_trim_available 0` in /metrics).
 *
 * node-gyp is npm's own copy: npm names it to its scripts in npm_config_node_gyp. Node's
 * headers come from npm_config_nodedir when it is set (.ci/run and the Dockerfile set it; no
 * download), or node-gyp fetches them once.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const addonDir = path.join(root, 'native', 'malloc-trim')

function skip(why) {
  console.warn(`kiln: native/malloc-trim not built (${why}); the server runs without it`)
  process.exit(0)
}

// malloc_trim is glibc's: musl (Alpine), macOS and Windows have none.
if (process.platform !== 'linux' || !process.report.getReport().header.glibcVersionRuntime)
  skip('its C library is not glibc')

function nodeGyp() {
  const named = process.env.npm_config_node_gyp
  if (named && fs.existsSync(named)) return named
  // Run by hand, outside npm: the copy of the npm installed beside this node, if any.
  const bundled = path.join(
    path.dirname(path.dirname(process.execPath)),
    'lib',
    'node_modules',
    'npm',
    'node_modules',
    'node-gyp',
    'bin',
    'node-gyp.js',
  )
  return fs.existsSync(bundled) ? bundled : null
}

const gyp = nodeGyp()
if (!gyp) skip('node-gyp not found: run `npm run postinstall`')
const result = spawnSync(process.execPath, [gyp, 'rebuild', '--release'], { cwd: addonDir, encoding: 'utf8' })
if (result.status === 0) {
  console.log('kiln: built native/malloc-trim')
} else {
  const why = (result.stderr || result.error?.message || '').trim().split('\n').slice(-5).join('\n')
  console.warn(`kiln: native/malloc-trim was not built; the server runs without it.\n${why}`)
}
