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
import fs from 'node:fs'
import path from 'node:path'
import { bundleMDX } from 'mdx-bundler'
import rehypeSlug from 'rehype-slug'
import remarkGfm from 'remark-gfm'
import type { PluggableList as PluginList } from 'unified'
import type { VFile } from 'vfile'
import { getConfig } from '../config.server.ts'
import {
  grayMatterOptions,
  loadYaml,
  parseFrontmatter,
  readEntryMetadata,
  tomlGrayMatterOptions,
} from './frontmatter.ts'
import { loadToml, startsWithTomlFence } from './metadata/toml.ts'
import { CompileError } from './compile/compile-error.ts'
import { compileReport, rehypeHandOver } from './compile/compile-report.ts'
import type { CompiledEntry, CompileInput } from './compile/compiled-entry.ts'
import { checkEntryFile, DEFAULT_MAX_POST_BYTES } from './compile/entry-file.ts'
import { esbuildContentBoundary } from './compile/esbuild-content-boundary.ts'
import { esbuildImageImports } from './compile/esbuild-image-imports.ts'
import { ImageCollector } from './compile/image-collector.ts'
import { imageUrl, SOCIAL_VARIANT } from '../images/image-variants.ts'
import { rehypeCodeBlocks } from './compile/rehype-code-blocks.ts'
import { rehypeCollectHeadings } from './compile/rehype-collect-headings.ts'
import { rehypeHeadingAnchors } from './compile/rehype-heading-anchors.ts'
import { remarkAccessibleNames } from './compile/remark-accessible-names.ts'
import { remarkHeadingIds } from './compile/remark-heading-ids.ts'
import { remarkImageAlt } from './compile/remark-image-alt.ts'
import { isLocalImage, remarkImages } from './compile/remark-images.ts'
import { remarkMissingComponents } from './compile/remark-missing-components.ts'
import { remarkTitleHeading } from './compile/remark-title-heading.ts'
import { checkSiteComponents, listSiteComponents, siteComponentNames } from './compile/site-component-bundle.ts'
import { siteComponentsOfCode } from './site-components.ts'

export { CompileError }
export type { CompiledEntry, CompileInput, CompileWarning, Heading } from './compile/compiled-entry.ts'

/**
 * mdx-bundler's own frontmatter plugins, told about TOML (`+++`, taken off the page like
 * YAML) and given Kiln's bounded readers. remark-mdx-frontmatter always exports the data
 * as `frontmatter`: a post that exports its own `frontmatter` (the ESM-export metadata
 * form) gets it under another name, so the two exports do not collide.
 */
function frontmatterPlugins(plugins: PluginList, source: string): PluginList {
  const exportsFrontmatter = /^export\s+(?:const|let|var|function)\s+frontmatter\b/m.test(source)
  return plugins.map((plugin) => {
    if (typeof plugin === 'function' && plugin.name === 'remarkFrontmatter') return [plugin, ['yaml', 'toml']]
    if (Array.isArray(plugin) && (plugin[1] as { name?: string } | undefined)?.name === 'frontmatter') {
      const name = exportsFrontmatter ? 'kilnFrontmatter' : 'frontmatter'
      return [plugin[0], { name, parsers: { yaml: loadYaml, toml: loadToml } }]
    }
    return plugin
  })
}

export async function compileInThisThread(input: CompileInput): Promise<CompiledEntry> {
  const { contentDir, entryPath, kind, highlight, maxPostBytes = DEFAULT_MAX_POST_BYTES } = input
  const file = checkEntryFile(contentDir, entryPath, maxPostBytes)
  const files: VFile[] = []
  const read = new Set<string>()
  const images = new ImageCollector(contentDir, entryPath, getConfig().imageWidths)
  // The metadata is read by the same function as the index's (frontmatter.ts), from the
  // same bytes: TOML, an exported literal, the first heading and the file name's date too.
  const source = fs.readFileSync(file, 'utf8')
  const matterOptions = startsWithTomlFence(source) ? tomlGrayMatterOptions : grayMatterOptions
  // Broken metadata is reported after the bundle, as before; here it only means "no heading to drop".
  let titleFromHeading = false
  try {
    titleFromHeading = readEntryMetadata(source, { requireDate: false, entryPath }).titleFromHeading
  } catch {
    titleFromHeading = false
  }
  const siteComponents = listSiteComponents(contentDir, maxPostBytes)
  let result: Awaited<ReturnType<typeof bundleMDX>>
  try {
    result = await bundleMDX({
      file,
      cwd: path.dirname(file),
      grayMatterOptions: (options) => Object.assign(options, matterOptions),
      mdxOptions(options) {
        // .md files are MDX too: a blog's Markdown may hold components.
        options.format = 'mdx'
        options.mdxExtensions = ['.mdx', '.md', '.markdown']
        options.mdExtensions = []
        options.remarkPlugins = [
          ...frontmatterPlugins(options.remarkPlugins ?? [], source),
          remarkGfm,
          remarkHeadingIds,
          [remarkMissingComponents, { siteComponents: siteComponentNames(siteComponents) }],
          remarkImageAlt,
          remarkAccessibleNames,
          [remarkImages, { collector: images }],
          [remarkTitleHeading, { enabled: titleFromHeading }],
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
        options.plugins = [
          esbuildContentBoundary(contentDir, read),
          esbuildImageImports(images),
          ...(options.plugins ?? []),
        ]
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
    frontmatter = parseFrontmatter(source, { requireDate: kind === 'post', entryPath })
  } catch (error) {
    throw CompileError.from(error, input)
  }
  const { warnings, headings, provisional } = compileReport(files, contentDir)
  // A cover beside the post (`image: ./cover.png`) becomes its 1200x630 social card; a URL stays as it is.
  if (frontmatter.image && isLocalImage(frontmatter.image)) {
    const cover = images.resolveInPost(file, frontmatter.image, { social: true })
    if (cover.ok) frontmatter = { ...frontmatter, image: imageUrl(cover.image.hash, SOCIAL_VARIANT) }
    else {
      warnings.push({ message: `frontmatter image ${frontmatter.image} is not used: ${cover.reason}`, file: entryPath })
      frontmatter = { ...frontmatter, image: null }
    }
  }
  return {
    code: result.code,
    frontmatter,
    headings,
    warnings,
    files: [...read].sort(),
    provisional,
    images: images.images(),
  }
}
