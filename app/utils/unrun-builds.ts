/**
 * React's packages choose their build when first required: `react-dom/index.js` requires
 * `cjs/react-dom.production.min.js` or `cjs/react-dom.development.js` by NODE_ENV. Node's ESM
 * loader, finding the exports of such a CommonJS module for an `import`, reads both files
 * and leaves a record of each in the require cache holding its source, run or not. The
 * build a process never runs stayed there for its life: in the production server, React's
 * development build of react-dom, 2 MB of the heap's 26 MB after start
 * (docs/performance.md, memory).
 */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/** A build file of a package that picks one by NODE_ENV (React's `cjs/<name>.development.js` and the like). */
const CONDITIONAL_BUILD = /[\\/]cjs[\\/][^\\/]+\.(?:development|production(?:\.min)?)\.js$/

/**
 * Drops the require cache's records of such build files that were read but never run, and
 * returns how many. A record that never ran is only the loader's note of the file's exports:
 * if the file is ever required after all, Node reads it again.
 */
export function forgetUnrunBuilds(): number {
  let forgotten = 0
  for (const [file, record] of Object.entries(require.cache)) {
    if (!record || record.loaded || !CONDITIONAL_BUILD.test(file)) continue
    delete require.cache[file]
    forgotten++
  }
  return forgotten
}
