/**
 * What a compile takes and gives back: the contract between the compile pipeline (its
 * plugins in this folder, wired by compile-mdx.server.ts) and everything that stores,
 * sends or serves its result. Types only, so the main process can name them without
 * loading the compiler.
 */
import type { Highlight } from '../highlight.server.ts'
import type { Frontmatter } from '../frontmatter.ts'
import type { DeclaredImage } from '../../images/image-variants.ts'

export interface Heading {
  depth: number
  id: string
  text: string
}

export interface CompileWarning {
  message: string
  file?: string
  line?: number
  column?: number
  /** Set for a component used but never defined or imported. */
  component?: string
}

export interface CompiledEntry {
  code: string
  frontmatter: Frontmatter
  headings: Heading[]
  warnings: CompileWarning[]
  /** Every file the compile read, relative to the content folder (links resolved). */
  files?: string[]
  /**
   * Set when a code block could not be highlighted for a passing reason (the highlight
   * job timed out or its thread crashed, unlike an unknown language): the output is
   * served, but stored as provisional and compiled again later.
   */
  provisional: boolean
  /** The images the page shows, with the copies of each the image route may make. */
  images?: DeclaredImage[]
}

export interface CompileInput {
  contentDir: string
  /** The entry file, relative to the content folder. */
  entryPath: string
  kind: 'post' | 'page'
  /** The largest entry file compiled (MAX_POST_BYTES); a larger one is refused unread. */
  maxPostBytes?: number
  /** Highlights one code block (in a worker); without it every block is framed as plain text. */
  highlight?: Highlight
}
