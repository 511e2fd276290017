/**
 * What the crash-recovery checks of the content clone cost (app/content/git-content.server.ts):
 * a content repository of 200 posts and 200 commits, then, timed in one run:
 *   - the /proc scan for live git processes (done only when a lock file is found)
 *   - `rev-parse --verify HEAD^{commit}` and `fsck --connectivity-only` (the thorough check
 *     the first refresh of a process runs, and any refresh after a git failure)
 *   - `reset --hard` + `clean -fdx` when the work tree is already there (now run by every refresh)
 *   - a fresh clone (what a broken clone costs)
 *
 *   npx tsx other/bench-clone-repair.ts [posts] [commits]
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gitProcessesIn } from '../app/content/git-content.server.ts'

const posts = Number(process.argv[2] ?? 200)
const commits = Number(process.argv[3] ?? 200)
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'a',
  GIT_AUTHOR_EMAIL: 'a@example.com',
  GIT_COMMITTER_NAME: 'a',
  GIT_COMMITTER_EMAIL: 'a@example.com',
}
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-clone-'))
const remote = path.join(root, 'remote.git')
const work = path.join(root, 'work')
git(root, 'init', '-q', '--bare', '-b', 'main', remote)
git(root, 'clone', '-q', remote, work)
git(work, 'checkout', '-q', '-b', 'main')
const body = 'Lorem ipsum dolor sit amet. '.repeat(200)
for (let i = 0; i < posts; i++) {
  fs.mkdirSync(path.join(work, 'content/blog'), { recursive: true })
  fs.writeFileSync(
    path.join(work, `content/blog/post-${i}.mdx`),
    `---\ntitle: Post ${i}\ndate: 2026-01-01\n---\n\n${body}\n`,
  )
}
git(work, 'add', '-A')
git(work, 'commit', '-q', '-m', 'posts')
for (let c = 1; c < commits; c++) {
  fs.appendFileSync(path.join(work, `content/blog/post-${c % posts}.mdx`), `\nEdit ${c}.\n`)
  git(work, 'commit', '-q', '-am', `edit ${c}`)
}
git(work, 'push', '-q', 'origin', 'main')
const clone = path.join(root, 'clone')
git(root, 'clone', '-q', '--single-branch', '--no-tags', `file://${remote}`, clone)

function time(label: string, runs: number, work: () => void): void {
  work()
  const started = process.hrtime.bigint()
  for (let i = 0; i < runs; i++) work()
  const ms = Number(process.hrtime.bigint() - started) / 1e6 / runs
  console.log(`${label.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms`)
}

console.log(
  `content repository: ${posts} posts, ${commits} commits, ` +
    `${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`,
)
time('/proc scan for live git processes', 20, () => gitProcessesIn(clone))
time('rev-parse --verify HEAD^{commit}', 10, () => git(clone, 'rev-parse', '--verify', 'HEAD^{commit}'))
time('fsck --connectivity-only', 5, () => git(clone, 'fsck', '--connectivity-only', '--no-dangling', '--no-progress'))
time('reset --hard + clean -fdx (nothing to do)', 5, () => {
  git(clone, 'reset', '--quiet', '--hard', 'HEAD')
  git(clone, 'clean', '--quiet', '-fdx')
})
time('fresh clone (a broken clone replaced)', 3, () => {
  const again = path.join(root, 'again')
  fs.rmSync(again, { recursive: true, force: true })
  git(root, 'clone', '-q', '--single-branch', '--no-tags', `file://${remote}`, again)
})
fs.rmSync(root, { recursive: true, force: true })
