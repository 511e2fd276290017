/**
 * Compiles one post or page with mdx-bundler, in the thread that calls it: a pure
 * function of the files on disk, with no database and no cache, so it runs anywhere (the
 * compile pool's worker, a script, a test). The server compiles in the pool
 * (compile-pool.server.ts), never on the thread that answers readers.
 *
 * This module only wires the pipeline; each step lives in its own file in compile/, one
 * plugin per file as mdx-js lays out its own: the remark and rehype plugins report
 * problems as vfile messages and keep what the page needs besides the code (the table of
 * contents) on the file, and compile-report.ts turns both into the compile's result.
 */
import path from 'node:path'
import { bundleMDX } from 'mdx-bundler'
import rehypeSlug from 'rehype-slug'
import remarkGfm from 'remark-gfm'
import type { VFile } from 'vfile'
import { grayMatterOptions, normalizeFrontmatter } from './frontmatter.ts'
import { CompileError } from './compile/compile-error.ts'
import { compileReport, rehypeHandOver } from './compile/compile-report.ts'
import type { CompiledEntry, CompileInput } from './compile/compiled-entry.ts'
import { checkEntryFile, DEFAULT_MAX_POST_BYTES } from './compile/entry-file.ts'
import { esbuildContentBoundary } from './compile/esbuild-content-boundary.ts'
import { rehypeCodeBlocks } from './compile/rehype-code-blocks.ts'
import { rehypeCollectHeadings } from './compile/rehype-collect-headings.ts'
import { rehypeHeadingAnchors } from './compile/rehype-heading-anchors.ts'
import { remarkAccessibleNames } from './compile/remark-accessible-names.ts'
import { remarkHeadingIds } from './compile/remark-heading-ids.ts'
import { remarkImageAlt } from './compile/remark-image-alt.ts'
import { remarkMissingComponents } from './compile/remark-missing-components.ts'
import { checkSiteComponents, listSiteComponents, siteComponentNames } from './compile/site-component-bundle.ts'
import { siteComponentsOfCode } from './site-components.ts'

export { CompileError }
export type { CompiledEntry, CompileInput, CompileWarning, Heading } from './compile/compiled-entry.ts'

export async function compileInThisThread(input: CompileInput): Promise<CompiledEntry> {
  const { contentDir, entryPath, kind, highlight, maxPostBytes = DEFAULT_MAX_POST_BYTES } = input
  const file = checkEntryFile(contentDir, entryPath, maxPostBytes)
  const files: VFile[] = []
  const read = new Set<string>()
  const siteComponents = listSiteComponents(contentDir, maxPostBytes)
  let result: Awaited<ReturnType<typeof bundleMDX>>
  try {
    result = await bundleMDX({
      file,
      cwd: path.dirname(file),
      grayMatterOptions: (options) => Object.assign(options, grayMatterOptions),
      mdxOptions(options) {
        // .md files are MDX too: a blog's Markdown may hold components.
        options.format = 'mdx'
        options.mdxExtensions = ['.mdx', '.md']
        options.mdExtensions = []
        options.remarkPlugins = [
          ...(options.remarkPlugins ?? []),
          remarkGfm,
          remarkHeadingIds,
          [remarkMissingComponents, { siteComponents: siteComponentNames(siteComponents) }],
          remarkImageAlt,
          remarkAccessibleNames,
        ]
        options.rehypePlugins = [
          ...(options.rehypePlugins ?? []),
          rehypeSlug,
          rehypeCollectHeadings,
          [rehypeCodeBlocks, { highlight, contentDir }],
          rehypeHeadingAnchors,
          [rehypeHandOver, files],
        ]
        return options
      },
      esbuildOptions(options) {
        options.target = 'es2020'
        options.logLevel = 'silent'
        options.plugins = [esbuildContentBoundary(contentDir, read), ...(options.plugins ?? [])]
        return options
      },
    })
  } catch (error) {
    throw CompileError.from(error, input)
  }

  // The site-wide components this post uses must build: a broken one fails the posts that use it, naming its file.
  await checkSiteComponents(contentDir, siteComponents, siteComponentsOfCode(result.code))

  let frontmatter: CompiledEntry['frontmatter']
  try {
    frontmatter = normalizeFrontmatter(result.frontmatter as Record<string, unknown>, { requireDate: kind === 'post' })
  } catch (error) {
    throw CompileError.from(error, input)
  }
  const { warnings, headings, provisional } = compileReport(files, contentDir)
  return { code: result.code, frontmatter, headings, warnings, files: [...read].sort(), provisional }
}
