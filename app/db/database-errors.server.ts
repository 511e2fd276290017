/**
 * What is wrong with the database file, said so that an operator can act on it: the path,
 * the problem in plain words, and what to do. Used at start-up (a damaged, unreadable or
 * read-only file stops Kiln with this message instead of a bare SQLITE_NOTADB) and by the
 * health probe behind /healthcheck.
 */
import fs from 'node:fs'
import path from 'node:path'
import { errorMessage } from '../utils/error-message.ts'

export class DatabaseFileError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly code: string | null,
  ) {
    super(message)
    this.name = 'DatabaseFileError'
  }
}

function errorCode(error: unknown): string | null {
  for (
    let current = error as { code?: unknown; cause?: unknown } | undefined;
    current;
    current = current.cause as typeof current
  ) {
    if (typeof current.code === 'string') return current.code
  }
  return null
}

function user(): string {
  return typeof process.getuid === 'function' ? `uid ${process.getuid()}` : 'this user'
}

/** The operator's version of any error met while opening, reading or writing `file`. */
export function describeDatabaseError(error: unknown, file: string): DatabaseFileError {
  if (error instanceof DatabaseFileError) return error
  const code = errorCode(error)
  const detail = errorMessage(error)
  const base = path.basename(file)
  const sideFiles = `${base}-wal and ${base}-shm`
  let message: string
  if (code === 'SQLITE_NOTADB' || code?.startsWith('SQLITE_CORRUPT')) {
    message =
      `The database ${file} is damaged or is not a SQLite database (${detail}). ` +
      `Restore it from a backup, or stop Kiln and move it aside with its ` +
      `${sideFiles} files: Kiln then starts with a new database, ` +
      're-indexes the content and compiles posts again, but the accounts, ' +
      'sessions and view counts kept in the old one are lost.'
  } else if (code?.startsWith('SQLITE_READONLY') || code === 'EROFS') {
    message =
      `The database ${file} is read-only (${detail}). Make the file and its ` +
      `folder writable by the user running Kiln (${user()}): ` +
      `SQLite also writes ${sideFiles} beside it.`
  } else if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    message =
      `The disk holding the database ${file} is full (${detail}). Free ` +
      `some space; Kiln keeps serving what it has meanwhile.`
  } else if (code?.startsWith('SQLITE_BUSY') || code?.startsWith('SQLITE_LOCKED')) {
    message =
      `The database ${file} is locked by another process (${detail}). Find ` +
      `it with \`fuser ${file}\` and let it finish or stop it.`
  } else if (code?.startsWith('SQLITE_IOERR') || code === 'EIO') {
    message =
      `Reading or writing the database ${file} failed (${detail}): the disk or file system is failing. ` +
      `Check the system log (dmesg), then restore the file from a backup if it is damaged.`
  } else if (code?.startsWith('SQLITE_CANTOPEN') || code === 'EACCES' || code === 'EPERM' || code === 'EISDIR') {
    message =
      `The database ${file} cannot be opened (${detail}). It must be a regular ` +
      `file that the user running Kiln (${user()}) can read and write, ` +
      'in a folder that user can write; DATABASE_PATH names it.'
  } else {
    message = `The database ${file} cannot be used (${detail}).`
  }
  return new DatabaseFileError(message, file, code)
}

/** True when the error is about the file or the disk (as opposed to a mistake in SQL, such as a migration's). */
export function isFileProblem(error: unknown): boolean {
  if (error instanceof DatabaseFileError) return true
  const code = errorCode(error)
  return (
    code !== null && /^(?:SQLITE_(?:NOTADB|CORRUPT|READONLY|FULL|BUSY|LOCKED|IOERR|CANTOPEN|PERM)|E[A-Z]+$)/.test(code)
  )
}

/**
 * Checks the file before SQLite opens it, for the faults SQLite reports vaguely (a folder in
 * its place, no permission: all "unable to open database file"). A missing file is fine: it
 * is created. `forWriting`: the primary also needs to write the file and its folder.
 */
export function checkDatabaseFile(file: string, { forWriting }: { forWriting: boolean }): void {
  let stat: fs.Stats
  try {
    stat = fs.statSync(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw describeDatabaseError(error, file)
  }
  if (stat.isDirectory()) {
    throw new DatabaseFileError(
      `The database ${file} is a folder, not a file. Move the folder aside, or ` +
        `set DATABASE_PATH to the database file, and start Kiln again.`,
      file,
      'EISDIR',
    )
  }
  if (!stat.isFile()) {
    throw new DatabaseFileError(
      `The database ${file} is not a regular file. Set DATABASE_PATH to a database file and start Kiln again.`,
      file,
      null,
    )
  }
  try {
    fs.accessSync(file, fs.constants.R_OK)
  } catch (error) {
    throw new DatabaseFileError(
      `The database ${file} cannot be read by the user running Kiln (${user()}): ${errorMessage(error)}. ` +
        `Give that user read and write access to it (for example \`chown\` it to that user and \`chmod 600\` it).`,
      file,
      'EACCES',
    )
  }
  if (!forWriting) return
  for (const target of [file, path.dirname(file)]) {
    try {
      fs.accessSync(target, fs.constants.W_OK)
    } catch (error) {
      throw describeDatabaseError(
        Object.assign(new Error(`${target} is not writable: ${errorMessage(error)}`), { code: 'EROFS' }),
        file,
      )
    }
  }
}
