/**
 * The entry file itself, checked before mdx-bundler reads a byte of it: inside the
 * content folder once its links are followed (docs/security.md), and within
 * MAX_POST_BYTES, so a huge file is refused unread.
 */
import fs from 'node:fs'
import path from 'node:path'
import { errorMessage } from '../../utils/error-message.ts'
import { contentRoot, isInside } from '../source.server.ts'
import { CompileError } from './compile-error.ts'

/** MAX_POST_BYTES's default, for callers without a configuration (scripts, tests). */
export const DEFAULT_MAX_POST_BYTES = 2 * 1024 * 1024

/** The entry's absolute path; throws a CompileError when it may not be compiled. */
export function checkEntryFile(contentDir: string, entryPath: string, maxPostBytes: number): string {
  const file = path.join(contentDir, entryPath)
  try {
    const real = fs.realpathSync(file)
    if (!isInside(contentRoot(contentDir), real))
      throw new CompileError(
        `${entryPath} is a symbolic link to ${real}, outside the content folder: not compiled`,
        entryPath,
      )
    const { size } = fs.statSync(real)
    if (size > maxPostBytes)
      throw new CompileError(
        `the file is ${size} bytes, over MAX_POST_BYTES (${maxPostBytes}): not compiled`,
        entryPath,
      )
  } catch (error) {
    if (error instanceof CompileError) throw error
    // A file missing or unreadable now (a vanished folder, a checkout under way) says
    // nothing about this version: transient, so it is not recorded as its failure.
    throw new CompileError(`could not read ${entryPath}: ${errorMessage(error)}`, entryPath, undefined, undefined, true)
  }
  return file
}
