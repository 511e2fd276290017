/**
 * `npm run bench:refresh [-- --edits 20]`
 *
 * Edit-to-live time, the author's promise: makes a content repository from the sample
 * blog (a bare remote and an author's clone in a temp folder), starts Kiln on it, then
 * for each edit pushes a change to one post, sends the signed webhook and times until
 * the new text is served. Prints the median and max. Also times the same with
 * CONTENT_WATCH (from the file's save to the new text served).
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { SIGNATURE_HEADER, sign } from '../app/content/webhook-signature.server.ts'
import { errorMessage } from '../app/utils/error-message.ts'
import { git, makeContentRepo } from './lib/git.ts'
import { copyDir, repoRoot, startServer, tempDir, type KilnServer } from './lib/server.ts'

const { values } = parseArgs({ options: { edits: { type: 'string', default: '20' } } })
const edits = Math.max(1, Number(values.edits) || 20)
const SECRET = 'bench-secret'
const SLUG = 'how-posts-work'

async function servedWith(server: KilnServer, marker: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const html = await (await fetch(`${server.url}/blog/${SLUG}`)).text()
    if (html.includes(marker)) return
    if (Date.now() > deadline) throw new Error(`"${marker}" was not served within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

function summary(label: string, times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b)
  return (
    `${label.padEnd(38)} n=${sorted.length}  median ` +
    `${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms  max ` +
    `${sorted[sorted.length - 1].toFixed(0)} ms`
  )
}

async function main() {
  const root = tempDir('kiln-bench-refresh-')
  const repo = makeContentRepo(root)
  const { remote, work } = repo
  copyDir(path.join(repoRoot, 'content'), path.join(work, 'content'))
  repo.push('sample blog')
  const postFile = path.join(work, 'content', 'blog', `${SLUG}.mdx`)
  const original = fs.readFileSync(postFile, 'utf8')

  const server = await startServer({
    contentDir: '/unused',
    databasePath: path.join(root, 'data', 'kiln.db'),
    env: { CONTENT_GIT_URL: `file://${remote}`, REFRESH_SECRET: SECRET, CONTENT_SCAN_INTERVAL_MS: '0' },
  })
  const webhookTimes: number[] = []
  try {
    await servedWith(server, 'How posts work')
    for (let i = 0; i < edits; i++) {
      const marker = `Edit number ${i} of the benchmark.`
      fs.writeFileSync(postFile, `${original}\n${marker}\n`)
      git(work, 'commit', '-q', '-am', `edit ${i}`)
      git(work, 'push', '-q', 'origin', 'main')
      const start = performance.now()
      const response = await fetch(`${server.url}/action/refresh-content`, {
        method: 'POST',
        headers: { [SIGNATURE_HEADER]: sign(SECRET, '{}') },
        body: '{}',
      })
      if (response.status !== 202) throw new Error(`webhook answered ${response.status}`)
      await servedWith(server, marker)
      webhookTimes.push(performance.now() - start)
    }
  } finally {
    await server.stop()
  }

  const watchDir = tempDir('kiln-bench-watch-')
  copyDir(path.join(repoRoot, 'content'), watchDir)
  const watchFile = path.join(watchDir, 'blog', `${SLUG}.mdx`)
  const watched = await startServer({
    contentDir: watchDir,
    env: { CONTENT_WATCH: '1', CONTENT_SCAN_INTERVAL_MS: '0' },
  })
  const watchTimes: number[] = []
  try {
    await servedWith(watched, 'How posts work')
    for (let i = 0; i < edits; i++) {
      const marker = `Saved edit ${i}.`
      const start = performance.now()
      fs.writeFileSync(watchFile, `${original}\n${marker}\n`)
      await servedWith(watched, marker)
      watchTimes.push(performance.now() - start)
    }
  } finally {
    await watched.stop()
  }
  console.log(summary('webhook -> new text served', webhookTimes))
  console.log(summary('CONTENT_WATCH save -> new text served', watchTimes))
  fs.rmSync(root, { recursive: true, force: true })
  fs.rmSync(watchDir, { recursive: true, force: true })
}

main().catch((error: unknown) => {
  console.error(`bench:refresh failed: ${errorMessage(error)}`)
  process.exit(1)
})
