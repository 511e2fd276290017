/** Temporary folders for unit tests: each test file makes its own and removes it afterwards. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const realMigrationsDir = path.join(repoRoot, 'prisma', 'migrations')

export interface TempDir {
  root: string
  /** Writes a file (creating its folders), relative to the root; returns its absolute path. */
  write(relative: string, contents: string | Buffer): string
  read(relative: string): string
  remove(relative: string): void
  abs(relative: string): string
  cleanup(): void
}

export function makeTempDir(prefix = 'kiln-unit-'): TempDir {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  const abs = (relative: string) => path.join(root, relative)
  return {
    root,
    abs,
    write(relative, contents) {
      const file = abs(relative)
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fs.writeFileSync(file, contents)
      return file
    },
    read: (relative) => fs.readFileSync(abs(relative), 'utf8'),
    remove: (relative) => fs.rmSync(abs(relative), { recursive: true, force: true }),
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  }
}

/** A post's source with frontmatter; `extra` lines go inside the YAML block. */
export function post(title: string, date: string, body = 'Some words here.', extra: string[] = []): string {
  return ['---', `title: ${title}`, `date: ${date}`, ...extra, '---', '', body, ''].join('\n')
}
