/**
 * The second half of `npm run build` (after Remix's): the Express server, the worker
 * threads' entries and the operations scripts (migrations, admin:create, backups), bundled
 * by esbuild into build/kiln/ as plain JavaScript, so that `npm start` and the scripts run
 * on Node alone, without tsx (a development dependency). Under tsx the process carries a TypeScript loader (a
 * hooks thread with its own V8 heap, about 30 MB of RSS) for its whole life.
 * Packages stay external: they load from node_modules as usual. The server bundle holds
 * nothing of the app: it reaches the app through the Remix build's entry module at run time
 * (server/index.ts imports only its types), so no app module is bundled twice.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

await build({
  absWorkingDir: root,
  entryPoints: {
    server: 'server/index.ts',
    'workers/compile': 'workers/compile.ts',
    'workers/highlight': 'workers/highlight.ts',
    'workers/heap-summary': 'workers/heap-summary.ts',
    'workers/image-resize': 'workers/image-resize.ts',
    // The operations scripts, so a production install runs them without tsx (other/run-script.mjs).
    migrate: 'other/migrate.ts',
    'admin-create': 'other/admin-create.ts',
    'db-backup': 'other/db-backup.ts',
    'db-restore': 'other/db-restore.ts',
    'config-check': 'other/config-check.ts',
  },
  outdir: 'build/kiln',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
})
console.log('[kiln] bundled the server, its workers and the operations scripts into build/kiln/')
