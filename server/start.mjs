/**
 * `npm start`: the production server on plain Node.
 *
 * `npm ci && npm start` must work on a fresh clone: when the build is missing, or older
 * than the sources it is made from, it is made first (about a minute). Then the bundled
 * server (build/kiln/server.mjs, from server/index.ts) runs in this process.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const SOURCES = ['app', 'server', 'workers', 'public', 'vite.config.ts', 'tailwind.config.ts', 'postcss.config.js', 'package.json', 'package-lock.json', 'other/bundle-server.mjs']
const OUTPUTS = [path.join(root, 'build', 'server', 'index.js'), path.join(root, 'build', 'kiln', 'server.mjs')]

function newestMtime(target) {
  if (!fs.existsSync(target)) return 0
  const stat = fs.statSync(target)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)))
  return newest
}

function buildIsCurrent() {
  if (!OUTPUTS.every((file) => fs.existsSync(file))) return false
  const built = Math.min(...OUTPUTS.map((file) => fs.statSync(file).mtimeMs))
  return SOURCES.every((source) => newestMtime(path.join(root, source)) <= built)
}

function run(args, what) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } })
  if (result.status !== 0) {
    console.error(`[kiln] could not start: ${what} failed (exit ${result.status ?? result.signal}); run "npm run build" to see why`)
    process.exit(1)
  }
}

if (!buildIsCurrent()) {
  console.log('[kiln] the production build is missing or older than the sources: building (about a minute)…')
  run([path.join(root, 'node_modules', '@remix-run', 'dev', 'dist', 'cli.js'), 'vite:build'], 'the build')
  run([path.join(root, 'other', 'bundle-server.mjs')], 'bundling the server')
}

await import(pathToFileURL(OUTPUTS[1]).href)
