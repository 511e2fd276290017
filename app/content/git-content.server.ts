/**
 * Kiln's clone of the content repository (CONTENT_GIT_URL): cloned once under the data
 * folder, then moved to the branch's newest commit by each refresh. git runs as a child
 * process with prompts off, so a URL that needs credentials fails with git's message
 * instead of waiting for input.
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { errorMessage } from '../utils/error-message.ts'
import { log } from '../logging/logger.server.ts'

const run = promisify(execFile)

export class GitError extends Error {}

export interface GitSource {
  url: string
  branch: string
  cloneDir: string
}

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, {
      cwd,
      // The ceiling keeps git from walking up to a repository above a clone whose .git is
      // broken (HEAD deleted): a `reset --hard` must never land on some parent checkout.
      env: {
        ...process.env,
        GIT_TERMINAL_PROMPT: '0',
        GIT_ASKPASS: 'echo',
        LC_ALL: 'C',
        GIT_CEILING_DIRECTORIES: path.dirname(path.resolve(cwd)),
      },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 120_000,
    })
    return stdout
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim()
    throw new GitError(`git ${args[0]} failed: ${stderr || errorMessage(error)}`)
  }
}

/** Clones the repository when there is no clone yet (a plain, single-branch clone). */
export async function ensureClone(source: GitSource): Promise<void> {
  if (fs.existsSync(path.join(source.cloneDir, '.git'))) return
  await cloneAgain(source)
}

/**
 * Clones into a folder next to the final place, then swaps it in by renames: a clone
 * interrupted half-way is never mistaken for a finished one, and a broken clone stays in
 * place until a good one is ready. A crash between the two renames leaves no clone at
 * all, which the next refresh clones again; leftovers are removed by `repairClone`.
 */
export async function cloneAgain({ url, branch, cloneDir }: GitSource): Promise<void> {
  fs.mkdirSync(path.dirname(cloneDir), { recursive: true })
  const partial = `${cloneDir}.partial-${process.pid}`
  const old = `${cloneDir}.old-${process.pid}`
  fs.rmSync(partial, { recursive: true, force: true })
  await git(path.dirname(cloneDir), [
    'clone',
    '--quiet',
    '--branch',
    branch,
    '--single-branch',
    '--no-tags',
    url,
    partial,
  ])
  fs.rmSync(old, { recursive: true, force: true })
  if (fs.existsSync(cloneDir)) fs.renameSync(cloneDir, old)
  fs.renameSync(partial, cloneDir)
  fs.rmSync(old, { recursive: true, force: true })
}

/**
 * Process ids of git processes whose working folder is inside `dir`, read from /proc
 * (Linux; elsewhere none are seen). A lock file in the clone is stale when none is alive:
 * the refresh that ran git there was killed (kill -9, a crash, a lost machine).
 */
export function gitProcessesIn(dir: string): number[] {
  let entries: string[]
  try {
    entries = fs.readdirSync('/proc')
  } catch {
    return []
  }
  const root = path.resolve(dir)
  const pids: number[] = []
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (!fs.readFileSync(`/proc/${entry}/comm`, 'utf8').startsWith('git')) continue
      const cwd = fs.readlinkSync(`/proc/${entry}/cwd`)
      if (cwd === root || cwd.startsWith(root + path.sep)) pids.push(Number(entry))
    } catch {
      // ended meanwhile, or not ours to read
    }
  }
  return pids
}

/** git's lock files in a clone: index.lock, HEAD.lock, config.lock, packed-refs.lock, any .lock under refs/. */
function lockFiles(cloneDir: string): string[] {
  const gitDir = path.join(cloneDir, '.git')
  const found: string[] = []
  const walk = (dir: string, deep: boolean) => {
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory() && deep) walk(full, true)
      else if (entry.isFile() && entry.name.endsWith('.lock')) found.push(full)
    }
  }
  walk(gitDir, false)
  walk(path.join(gitDir, 'refs'), true)
  return found
}

/** How long a repair waits for a git process still working in the clone (an orphan of a killed server). */
const LIVE_GIT_WAIT_MS = 30_000

/** Removes lock files no live git process holds; returns their names (relative to the clone). */
async function removeStaleLocks(cloneDir: string): Promise<string[]> {
  if (lockFiles(cloneDir).length === 0) return []
  const deadline = Date.now() + LIVE_GIT_WAIT_MS
  for (let pids = gitProcessesIn(cloneDir), told = false; pids.length > 0; pids = gitProcessesIn(cloneDir)) {
    if (!told)
      log.warn(
        `content clone: waiting for git (process ${pids.join(', ')}) ` +
          `still working in ${cloneDir} before touching its locks`,
      )
    told = true
    if (Date.now() > deadline)
      throw new GitError(`git (process ${pids.join(', ')}) is still working in ${cloneDir}; its locks are left alone`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const locks = lockFiles(cloneDir)
  for (const lock of locks) fs.rmSync(lock, { force: true })
  return locks.map((lock) => path.relative(cloneDir, lock))
}

/**
 * What is wrong with the clone, or null: HEAD must name a commit, and (thorough) every reachable object must be there.
 */
async function cloneProblem(cloneDir: string, thorough: boolean): Promise<string | null> {
  try {
    await git(cloneDir, ['rev-parse', '--verify', 'HEAD^{commit}'])
    if (thorough) await git(cloneDir, ['fsck', '--connectivity-only', '--no-dangling', '--no-progress'])
    return null
  } catch (error) {
    return errorMessage(error)
  }
}

/**
 * Brings a clone left behind by a crash back to a usable state: removes leftover
 * half-made clones, stale lock files (no git process alive in the clone), and clones
 * again when HEAD or the objects are broken. Returns what it did, or null when the
 * clone was fine (or absent: `ensureClone` makes it).
 */
export async function repairClone(source: GitSource): Promise<string | null> {
  const { cloneDir } = source
  const parent = path.dirname(cloneDir)
  const base = path.basename(cloneDir)
  const done: string[] = []
  for (const entry of fs.existsSync(parent) ? fs.readdirSync(parent) : []) {
    const leftover = /^(partial|old)-\d+$/.exec(entry.startsWith(`${base}.`) ? entry.slice(base.length + 1) : '')
    // Refreshes run one at a time, so no clone of ours is in progress while this runs.
    if (leftover) {
      fs.rmSync(path.join(parent, entry), { recursive: true, force: true })
      done.push(`removed the leftover ${entry}`)
    }
  }
  if (!fs.existsSync(cloneDir)) return done.length > 0 ? done.join('; ') : null
  if (fs.existsSync(path.join(cloneDir, '.git'))) {
    const removed = await removeStaleLocks(cloneDir)
    if (removed.length > 0) done.push(`removed stale ${removed.join(', ')}`)
  }
  const problem = fs.existsSync(path.join(cloneDir, '.git')) ? await cloneProblem(cloneDir, true) : 'no .git folder'
  if (problem) {
    await cloneAgain(source)
    done.push(`cloned again (${problem.split('\n')[0]})`)
  }
  return done.length > 0 ? done.join('; ') : null
}

export async function headCommit(cloneDir: string): Promise<string> {
  return (await git(cloneDir, ['rev-parse', 'HEAD'])).trim()
}

/** Fetches the branch; returns the commit it now points to, without moving the work tree. */
export async function fetchBranch({ branch, cloneDir }: GitSource): Promise<string> {
  await git(cloneDir, [
    'fetch',
    '--quiet',
    '--no-tags',
    'origin',
    `+refs/heads/${branch}:refs/remotes/origin/${branch}`,
  ])
  return (await git(cloneDir, ['rev-parse', `refs/remotes/origin/${branch}`])).trim()
}

export interface ChangedFile {
  status: string
  /** Path relative to the repository root (for a rename, the new path). */
  path: string
}

/** `git diff --name-status from to`, renames split into what they mean for posts. */
export async function changedFiles(cloneDir: string, from: string, to: string): Promise<ChangedFile[]> {
  const out = await git(cloneDir, ['diff', '--name-status', '--no-renames', '-z', from, to])
  const fields = out.split('\0').filter(Boolean)
  const changes: ChangedFile[] = []
  for (let i = 0; i + 1 < fields.length; i += 2) changes.push({ status: fields[i], path: fields[i + 1] })
  return changes
}

/** Moves the work tree to a commit, discarding anything else in it. */
export async function checkout(cloneDir: string, commit: string): Promise<void> {
  await git(cloneDir, ['reset', '--quiet', '--hard', commit])
  await git(cloneDir, ['clean', '--quiet', '-fdx'])
}

export async function isAncestor(cloneDir: string, commit: string, of: string): Promise<boolean> {
  try {
    await git(cloneDir, ['merge-base', '--is-ancestor', commit, of])
    return true
  } catch {
    return false
  }
}
