/**
 * A content repository made with real git: a bare "remote" and a working clone that
 * pushes to it, so Kiln clones and pulls it as it would a hosted one (CONTENT_GIT_URL is
 * its file:// address). Shared by the tests and the refresh benchmark.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Author',
  GIT_COMMITTER_EMAIL: 'author@example.com',
}

/** Runs git in `cwd` as a fixed author; returns what it printed. */
export const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' })

export interface ContentRepo {
  /** The bare repository Kiln clones. */
  remote: string
  /** file:// address of the remote, for CONTENT_GIT_URL. */
  url: string
  /** The author's working clone. */
  work: string
  /** Writes a file (path relative to the working clone), creating its folders. */
  write(file: string, content: string): void
  /** Commits everything and pushes; returns the new HEAD. */
  push(message: string): string
}

/** A bare remote at <root>/remote.git and its working clone at <root>/work, on branch main. */
export function makeContentRepo(root: string): ContentRepo {
  const remote = path.join(root, 'remote.git')
  const work = path.join(root, 'work')
  git(root, 'init', '-q', '--bare', '-b', 'main', remote)
  git(root, 'clone', '-q', remote, work)
  git(work, 'checkout', '-q', '-b', 'main')
  return {
    remote,
    url: `file://${remote}`,
    work,
    write(file, content) {
      fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true })
      fs.writeFileSync(path.join(work, file), content)
    },
    push(message) {
      git(work, 'add', '-A')
      git(work, 'commit', '-q', '-m', message)
      git(work, 'push', '-q', 'origin', 'main')
      return git(work, 'rev-parse', 'HEAD').trim()
    },
  }
}
