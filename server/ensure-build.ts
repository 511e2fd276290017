/**
 * `npm start` must work right after `npm ci`: when the production build is missing, or
 * older than the sources it is made from, build it first.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const SOURCES = ['app', 'vite.config.ts', 'tailwind.config.ts', 'postcss.config.js', 'package-lock.json']

function newestMtime(target: string): number {
  if (!fs.existsSync(target)) return 0
  const stat = fs.statSync(target)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)))
  return newest
}

export function buildIsCurrent(root: string): boolean {
  const output = path.join(root, 'build', 'server', 'index.js')
  if (!fs.existsSync(output)) return false
  const built = fs.statSync(output).mtimeMs
  return SOURCES.every((source) => newestMtime(path.join(root, source)) <= built)
}

export function ensureBuild(root: string): void {
  if (buildIsCurrent(root)) return
  console.log('[kiln] the production build is missing or older than the sources: building (about a minute)…')
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules', '@remix-run', 'dev', 'dist', 'cli.js'), 'vite:build'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  })
  if (result.status !== 0) {
    throw new Error(`the build failed (exit ${result.status ?? result.signal}); run "npm run build" to see why`)
  }
}
