/**
 * forgetUnrunBuilds in a real Node process started as the production server is (NODE_ENV=production):
 * an `import` of react-dom leaves a record of its development build, read and never run, in the
 * require cache; the function drops exactly that one, and react-dom keeps working as the same module.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { expect, it } from 'vitest'
import { repoRoot, tempDir } from '../helpers/server.ts'

it('drops the record of the React build a production process never ran, and only that one', () => {
  const script = path.join(tempDir('kiln-unrun-'), 'probe.mjs')
  const url = (relative: string) => pathToFileURL(path.join(repoRoot, relative)).href
  fs.writeFileSync(
    script,
    `
import { createRequire } from 'node:module'
import * as ReactDOM from ${JSON.stringify(url('node_modules/react-dom/index.js'))}
import { forgetUnrunBuilds } from ${JSON.stringify(url('app/utils/unrun-builds.ts'))}
const require = createRequire(${JSON.stringify(url('package.json'))})
const unrun = () => Object.entries(require.cache).filter(([, m]) => !m.loaded).map(([file]) => path(file))
const path = (file) => file.slice(file.indexOf('node_modules'))
const before = unrun()
const loadedBefore = Object.keys(require.cache).length - before.length
const forgotten = forgetUnrunBuilds()
const after = unrun()
const loadedAfter = Object.keys(require.cache).length - after.length
// Had the production build's record been dropped, requiring it would run it again: another module.
const same = require('react-dom') === require(${JSON.stringify(
      path.join(repoRoot, 'node_modules/react-dom/cjs/react-dom.production.min.js'),
    )})
console.log(JSON.stringify({ before, forgotten, after, loadedBefore, loadedAfter, same,
  portal: typeof ReactDOM.createPortal, version: require('react-dom').version }))
`,
  )
  const output = execFileSync(process.execPath, ['--import', 'tsx', script], {
    cwd: repoRoot,
    env: { ...process.env, NODE_ENV: 'production' },
    encoding: 'utf8',
  })
  const result = JSON.parse(output.trim().split('\n').at(-1)!)
  expect(result.before).toContain('node_modules/react-dom/cjs/react-dom.development.js')
  expect(result.forgotten).toBeGreaterThanOrEqual(1)
  expect(result.after).not.toContain('node_modules/react-dom/cjs/react-dom.development.js')
  // What ran stays: the production build and everything else loaded.
  expect(result.loadedAfter).toBe(result.loadedBefore)
  expect(result.same).toBe(true)
  expect(result.portal).toBe('function')
  expect(result.version).toMatch(/^18\./)
})
