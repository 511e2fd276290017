/**
 * `npm run db:migrate`, `admin:create`, `db:backup`, `db:restore`, `config:check`: runs the
 * operations script other/<name>.ts. In a checkout with the development dependencies, from
 * its source through tsx (always the current code); in a production install (no tsx: it is a
 * development dependency), the bundle `npm run build` made of it, build/kiln/<name>.mjs, on
 * plain Node, like the server.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const name = process.argv[2]
if (!name || !/^[a-z-]+$/.test(name) || !fs.existsSync(path.join(root, 'other', `${name}.ts`))) {
  console.error(`run-script: no operations script other/${name}.ts`)
  process.exit(2)
}
// The script reads its own arguments from process.argv.slice(2).
process.argv.splice(2, 1)

let tsx = null
try {
  tsx = await import('tsx/esm/api')
} catch {
  // a production install: run the bundle
}
if (tsx) {
  tsx.register()
  await import(pathToFileURL(path.join(root, 'other', `${name}.ts`)).href)
} else {
  const bundle = path.join(root, 'build', 'kiln', `${name}.mjs`)
  if (!fs.existsSync(bundle)) {
    console.error(`run-script: ${path.relative(root, bundle)} is missing: run "npm run build" first`)
    process.exit(1)
  }
  await import(pathToFileURL(bundle).href)
}
