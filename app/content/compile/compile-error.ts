/**
 * A compile that failed, with where it failed, and the one place that turns whatever the
 * compile threw (mdx-bundler, esbuild, the MDX parser, gray-matter, Kiln's own checks)
 * into one. An author needs the line in the file they wrote, not in the JavaScript
 * generated from it: an esbuild "could not resolve" is mapped back to the import's line.
 */
import fs from 'node:fs'
import path from 'node:path'
import { errorMessage } from '../../utils/error-message.ts'
import { FrontmatterError } from '../frontmatter.ts'
import { formatPlace } from '../place.ts'

/** The entry a failure belongs to: the content folder places esbuild's paths, given relative to the post's folder. */
export interface FailedEntry {
  contentDir: string
  /** The entry file, relative to the content folder. */
  entryPath: string
}

interface EsbuildMessage {
  text: string
  location?: { file: string; line: number; column: number } | null
}

/** A compile that failed, with where it failed (relative to the content folder). */
export class CompileError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly column?: number,
    /**
     * Set when the failure says nothing about the post (a crashed or timed-out worker): retry later, do not record it.
     */
    readonly transient = false,
  ) {
    super(message)
    this.name = 'CompileError'
  }

  /** `blog/post.mdx:12:3: message`, the form editors and terminals link. */
  get where(): string {
    if (!this.file) return ''
    return formatPlace(this.file, this.line, this.column)
  }

  /** Turns what a compile of `entry` threw into a CompileError with a place; a CompileError is kept as it is. */
  static from(error: unknown, entry: FailedEntry): CompileError {
    const { entryPath, contentDir } = entry
    if (error instanceof CompileError) return error
    if (error instanceof FrontmatterError) return new CompileError(error.message, entryPath, error.line)
    const yamlMark = (error as { name?: string; mark?: { line?: number } }).mark
    if ((error as { name?: string }).name === 'YAMLException' && typeof yamlMark?.line === 'number') {
      return new CompileError(
        `frontmatter is not valid YAML: ${errorMessage(error).split('\n')[0]}`,
        entryPath,
        yamlMark.line + 1,
      )
    }
    const messages = (error as { errors?: EsbuildMessage[] }).errors
    if (Array.isArray(messages) && messages.length > 0) {
      return fromEsbuild(messages, contentDir, entryPath)
    }
    const vfileMessage = error as { reason?: string; line?: number; column?: number; file?: string }
    if (typeof vfileMessage.reason === 'string') {
      return new CompileError(
        vfileMessage.reason,
        entryPath,
        vfileMessage.line ?? undefined,
        vfileMessage.column ?? undefined,
      )
    }
    return new CompileError(errorMessage(error), entryPath)
  }
}

/** esbuild's first placed message (and how many more there were), placed in the content folder. */
function fromEsbuild(messages: EsbuildMessage[], contentDir: string, entryPath: string): CompileError {
  const first = messages.find((message) => message.location) ?? messages[0]
  const location = first.location
  let file = location?.file ? location.file : entryPath
  // esbuild reports paths relative to the post's folder (its working directory), or
  // prefixed with a plugin namespace.
  file = file.replace(/^[a-z-]+:/, '')
  const absolute = path.isAbsolute(file) ? file : path.resolve(contentDir, path.dirname(entryPath), file)
  const relative = path.relative(contentDir, absolute)
  const more = messages.length > 1 ? ` (and ${messages.length - 1} more)` : ''
  const importLine = sourceLineOfImport(absolute, first.text)
  return new CompileError(
    `${first.text}${more}`,
    relative.startsWith('..') ? file : relative,
    importLine ?? location?.line,
    importLine ? 1 : location ? location.column + 1 : undefined,
  )
}

/**
 * esbuild places errors in an MDX file at a line of the JavaScript generated from it. For
 * an import that cannot be resolved or is refused (esbuild-content-boundary.ts), the
 * import statement in the source is the place the author needs: find it there.
 */
function sourceLineOfImport(absoluteFile: string, text: string): number | undefined {
  const specifier = /(?:Could not resolve|Refused import) "([^"]+)"/.exec(text)?.[1]
  if (!specifier || !/\.mdx?$/.test(absoluteFile)) return undefined
  try {
    const lines = fs.readFileSync(absoluteFile, 'utf8').split('\n')
    const quoted = [`'${specifier}'`, `"${specifier}"`]
    const index = lines.findIndex((line) => /^\s*(import|export)\b/.test(line) && quoted.some((q) => line.includes(q)))
    return index >= 0 ? index + 1 : undefined
  } catch {
    return undefined
  }
}
