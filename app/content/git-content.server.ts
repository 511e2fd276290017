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
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'echo', LC_ALL: 'C' },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 120_000,
    })
    return stdout
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim()
    throw new GitError(`git ${args[0]} failed: ${stderr || (error as Error).message}`)
  }
}

/** Clones the repository when there is no clone yet (a plain, single-branch clone). */
export async function ensureClone({ url, branch, cloneDir }: GitSource): Promise<void> {
  if (fs.existsSync(path.join(cloneDir, '.git'))) return
  fs.mkdirSync(path.dirname(cloneDir), { recursive: true })
  // Clone next to the final place, then rename: a clone interrupted half-way is never
  // mistaken for a finished one.
  const partial = `${cloneDir}.partial-${process.pid}`
  fs.rmSync(partial, { recursive: true, force: true })
  await git(path.dirname(cloneDir), ['clone', '--quiet', '--branch', branch, '--single-branch', '--no-tags', url, partial])
  fs.rmSync(cloneDir, { recursive: true, force: true })
  fs.renameSync(partial, cloneDir)
}

export async function headCommit(cloneDir: string): Promise<string> {
  return (await git(cloneDir, ['rev-parse', 'HEAD'])).trim()
}

/** Fetches the branch; returns the commit it now points to, without moving the work tree. */
export async function fetchBranch({ branch, cloneDir }: GitSource): Promise<string> {
  await git(cloneDir, ['fetch', '--quiet', '--no-tags', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`])
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
