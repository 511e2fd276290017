/**
 * Compiles one post or page with mdx-bundler: a pure function of the files on disk,
 * with no database and no cache, so it can run anywhere (a script, a worker).
 *
 * The remark/rehype steps also gather what the page needs besides the code: the
 * headings for a table of contents, and the components the post uses without defining
 * them (real content is full of those; they render as a labelled box, not a crash).
 */
import path from 'node:path'
import { bundleMDX } from 'mdx-bundler'
import rehypeAutolinkHeadings from 'rehype-autolink-headings'
import rehypeSlug from 'rehype-slug'
import remarkGfm from 'remark-gfm'
import { toString as hastToString } from 'hast-util-to-string'
import { visit } from 'unist-util-visit'
import type { Root as HastRoot, Element } from 'hast'
import type { Root as MdastRoot, RootContent as MdastNode } from 'mdast'
import type { Node as EstreeNode, Program, Pattern, SourceLocation } from 'estree'
import type {} from 'mdast-util-mdx'
import type {} from 'mdast-util-to-hast'
import fs from 'node:fs'
import { toHtml } from 'hast-util-to-html'
import type { MdxJsxAttribute, MdxJsxFlowElementHast } from 'mdast-util-mdx-jsx'
import { parseCodeMeta, plainCodeBlock } from './code-block.ts'
import { formatPlace } from './place.ts'
import type { Highlight } from './highlight.server.ts'
import { grayMatterOptions, normalizeFrontmatter, FrontmatterError, type Frontmatter } from './frontmatter.ts'
import { contentRoot, isInside, resolveImport } from './source.server.ts'
import type { Plugin as EsbuildPlugin } from 'esbuild'

/** MAX_POST_BYTES's default, for callers without a configuration (scripts, tests). */
const DEFAULT_MAX_POST_BYTES = 2 * 1024 * 1024

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
}

/** A compile that failed, with where it failed (relative to the content folder). */
export class CompileError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly column?: number,
    /** Set when the failure says nothing about the post (a crashed or timed-out worker): retry later, do not record it. */
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

/** Blocks larger than this are framed as plain text: tokenizing them costs memory out of all proportion. */
export const MAX_HIGHLIGHT_BYTES = 256 * 1024
/** Blocks of one post sent for highlighting at a time, so a post with thousands of blocks stays bounded. */
const HIGHLIGHT_CONCURRENCY = 4

/** Component names that Kiln itself provides to every post (none yet besides HTML). */
export const PROVIDED_COMPONENTS = new Set<string>()

function patternNames(pattern: Pattern | null | undefined, into: Set<string>): void {
  if (!pattern) return
  switch (pattern.type) {
    case 'Identifier':
      into.add(pattern.name)
      break
    case 'ObjectPattern':
      for (const property of pattern.properties) {
        patternNames(property.type === 'RestElement' ? property.argument : property.value, into)
      }
      break
    case 'ArrayPattern':
      for (const element of pattern.elements) patternNames(element, into)
      break
    case 'RestElement':
      patternNames(pattern.argument, into)
      break
    case 'AssignmentPattern':
      patternNames(pattern.left, into)
      break
  }
}

/** Names bound at the top of an MDX file by its import and export statements. */
function declaredNames(program: Program, into: Set<string>): void {
  for (const statement of program.body) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement
    if (!declaration) continue
    if (declaration.type === 'ImportDeclaration') {
      for (const specifier of declaration.specifiers) into.add(specifier.local.name)
    } else if (declaration.type === 'VariableDeclaration') {
      for (const declarator of declaration.declarations) patternNames(declarator.id, into)
    } else if ((declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') && declaration.id) {
      into.add(declaration.id.name)
    }
  }
}

interface Collected {
  headings: Heading[]
  /** component name -> first place it was used */
  used: Map<string, { file?: string; line?: number; column?: number }>
  declared: Set<string>
}

function isComponentName(name: string): boolean {
  return /^[A-Z]/.test(name) || name.includes('.')
}

/** The JSX nodes of estree-jsx that are read here (the JSX extension of estree's types). */
type JSXName =
  | { type: 'JSXIdentifier'; name: string }
  | { type: 'JSXMemberExpression'; object: JSXName; property: { name: string } }
  | { type: 'JSXNamespacedName' }
interface JSXOpeningElement {
  type: 'JSXOpeningElement'
  name: JSXName
  loc?: SourceLocation | null
}

/** The dotted name of a JSX element (`Foo`, `Foo.Bar`); null for a namespaced one (`svg:rect`). */
function jsxElementName(name: JSXName): string | null {
  if (name.type === 'JSXIdentifier') return name.name
  if (name.type === 'JSXMemberExpression') {
    const object = jsxElementName(name.object)
    return object === null ? null : `${object}.${name.property.name}`
  }
  return null
}

/** Every estree node under `root` (skipping positions and comments), depth first. */
function* estreeNodes(root: EstreeNode): Generator<EstreeNode> {
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    const value = stack.pop()
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push(value[i])
    } else if (value && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string') {
      yield value as EstreeNode
      for (const [key, child] of Object.entries(value)) {
        if (key !== 'loc' && key !== 'range' && key !== 'position' && key !== 'comments' && child && typeof child === 'object') stack.push(child)
      }
    }
  }
}

/**
 * Components used by JSX inside an expression: an attribute's value (`image={<BlogImage />}`),
 * `{cond && <Foo />}`, a render prop. MDX resolves those through the same components map
 * as the ones in the text, so a missing one fails the render the same way. Names the
 * expression binds itself (a parameter, a local const) are its own business: over all
 * of the expression, not scope by scope, which errs on the side of no stand-in.
 */
function collectExpressionComponents(program: Program, record: (name: string, line?: number, column?: number) => void): void {
  const local = new Set<string>()
  const jsx: JSXOpeningElement[] = []
  for (const node of estreeNodes(program)) {
    if ((node as { type: string }).type === 'JSXOpeningElement') jsx.push(node as unknown as JSXOpeningElement)
    else if (node.type === 'VariableDeclarator') patternNames(node.id, local)
    else if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression') {
      for (const param of node.params) patternNames(param, local)
      if ('id' in node && node.id) local.add(node.id.name)
    } else if ((node.type === 'ClassDeclaration' || node.type === 'ClassExpression') && node.id) local.add(node.id.name)
    else if (node.type === 'CatchClause' && node.param) patternNames(node.param, local)
  }
  for (const element of jsx) {
    const name = jsxElementName(element.name)
    if (!name || !isComponentName(name) || local.has(name.split('.')[0])) continue
    const start = element.loc?.start
    record(name, start?.line, start ? start.column + 1 : undefined)
  }
}

function remarkCollectComponents(collected: Collected, contentDir: string) {
  return () => (tree: MdastRoot, file: { path?: string }) => {
    const where = file.path ? path.relative(contentDir, file.path) : undefined
    const record = (name: string, line?: number, column?: number) => {
      if (!collected.used.has(name)) collected.used.set(name, { file: where, line, column })
    }
    const recordExpression = (program: Program | null | undefined, fallback: MdastNode) => {
      if (!program) return
      collectExpressionComponents(program, (name, line, column) => record(name, line ?? fallback.position?.start.line, column ?? fallback.position?.start.column))
    }
    visit(tree, (node) => {
      if (node.type === 'mdxjsEsm') {
        const program = node.data?.estree
        if (program) declaredNames(program, collected.declared)
      } else if (node.type === 'mdxFlowExpression' || node.type === 'mdxTextExpression') {
        recordExpression(node.data?.estree, node)
      } else if (node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement') {
        if (node.name && isComponentName(node.name)) record(node.name, node.position?.start.line, node.position?.start.column)
        for (const attribute of node.attributes) {
          if (attribute.type === 'mdxJsxExpressionAttribute') recordExpression(attribute.data?.estree, node)
          else if (attribute.value && typeof attribute.value === 'object') recordExpression(attribute.value.data?.estree, node)
        }
      }
    })
  }
}

/**
 * An image without alt text is invisible to a reader using a screen reader: a markdown
 * image with empty alt (`![](x.png)`) or an <img> with no `alt` attribute is a warning
 * (content:check lists it with its line). `<img alt="">` is left alone: an author who
 * writes it has marked the image as decoration on purpose.
 *
 * The page still renders such an image with `alt=""`: without the attribute a screen
 * reader announces the file name ("react_foundation_logo dot webp"), which is noise,
 * and axe counts it as a critical failure. Decorative is the lesser harm until the
 * author writes a description; the warning keeps asking for one.
 */
function remarkImageAltWarnings(warnings: CompileWarning[], contentDir: string) {
  return () => (tree: MdastRoot, file: { path?: string }) => {
    const where = file.path ? path.relative(contentDir, file.path) : undefined
    visit(tree, (node) => {
      let missing = false
      let what = ''
      if (node.type === 'image') {
        missing = !node.alt?.trim()
        what = `image ${node.url}`
      } else if ((node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement') && node.name === 'img') {
        missing = !node.attributes.some((attribute) => attribute.type === 'mdxJsxExpressionAttribute' || attribute.name === 'alt')
        const src = node.attributes.find((attribute) => attribute.type === 'mdxJsxAttribute' && attribute.name === 'src')?.value
        what = `<img>${typeof src === 'string' ? ` ${src}` : ''}`
      }
      if (missing) {
        if (node.type === 'image') node.alt = ''
        else if (node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement') node.attributes.push({ type: 'mdxJsxAttribute', name: 'alt', value: '' })
        warnings.push({
          message: `${what} has no alt text: describe it for readers who cannot see it`,
          file: where,
          line: node.position?.start.line,
          column: node.position?.start.column,
        })
      }
    })
  }
}

/** True when a link's content gives it a name: some text, or an image with alt text. */
function hasAccessibleText(node: MdastNode): boolean {
  if ((node.type === 'text' || node.type === 'inlineCode') && node.value.trim() !== '') return true
  if (node.type === 'image') return Boolean(node.alt?.trim())
  if ((node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement') && node.attributes.some((a) => a.type === 'mdxJsxExpressionAttribute' || a.name === 'aria-label' || a.name === 'alt')) return true
  // An expression ({title}) may well render text: give it the benefit of the doubt.
  if (node.type === 'mdxTextExpression' || node.type === 'mdxFlowExpression') return true
  return 'children' in node && (node.children as MdastNode[]).some(hasAccessibleText)
}

function jsxAttribute(node: { attributes: (MdxJsxAttribute | { type: 'mdxJsxExpressionAttribute' })[] }, name: string): string | undefined {
  const found = node.attributes.find((a): a is MdxJsxAttribute => a.type === 'mdxJsxAttribute' && a.name === name)?.value
  return typeof found === 'string' ? found : undefined
}

/**
 * A link with no text (`[](https://…)`, `<a href="…"></a>`) is announced as "link" and
 * nothing more, and an <iframe> with no title as "frame": both are serious failures
 * for a screen reader's user, and both are easy to write by accident. Kiln names them
 * with what it knows, the link's address as its visible text and "Embedded content
 * from <host>" as the frame's title, and warns so the author can write better ones.
 */
function remarkAccessibleNames(warnings: CompileWarning[], contentDir: string) {
  return () => (tree: MdastRoot, file: { path?: string }) => {
    const where = file.path ? path.relative(contentDir, file.path) : undefined
    const warn = (node: MdastNode, message: string) =>
      warnings.push({ message, file: where, line: node.position?.start.line, column: node.position?.start.column })
    visit(tree, (node) => {
      if (node.type === 'link' && !hasAccessibleText(node)) {
        node.children.push({ type: 'text', value: node.url })
        warn(node, `link to ${node.url} has no text: its address is shown instead`)
      } else if ((node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement') && node.name === 'a' && !hasAccessibleText(node)) {
        const href = jsxAttribute(node, 'href')
        if (href === undefined) return
        ;(node.children as MdastNode[]).push({ type: 'text', value: href })
        warn(node, `<a> to ${href} has no text: its address is shown instead`)
      } else if ((node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement') && node.name === 'iframe') {
        if (node.attributes.some((a) => a.type === 'mdxJsxExpressionAttribute' || a.name === 'title' || a.name === 'aria-label')) return
        const src = jsxAttribute(node, 'src') ?? ''
        let host = ''
        try {
          host = new URL(src, 'https://invalid.invalid').host
        } catch {
          // A src that is no URL: the title names no host.
        }
        const title = host && host !== 'invalid.invalid' ? `Embedded content from ${host}` : 'Embedded content'
        node.attributes.push({ type: 'mdxJsxAttribute', name: 'title', value: title })
        warn(node, `<iframe>${src ? ` ${src}` : ''} has no title: "${title}" is used; describe what it shows`)
      }
    })
  }
}

/**
 * A heading ending in an MDX comment holding only an id, `## Title {/ * my-id * /}`
 * written without the spaces, gives a heading a stable id of the author's choosing (a
 * convention of MDX documentation sites); other headings get one from their text.
 */
function remarkHeadingIds() {
  return (tree: MdastRoot) => {
    visit(tree, 'heading', (node) => {
      const last = node.children[node.children.length - 1]
      if (last?.type !== 'mdxTextExpression') return
      const match = /^\s*\/\*\s*([A-Za-z0-9_-]+)\s*\*\/\s*$/.exec(last.value)
      if (!match) return
      node.children.pop()
      const previous = node.children[node.children.length - 1]
      if (previous?.type === 'text') previous.value = previous.value.trimEnd()
      node.data = { ...node.data, hProperties: { ...node.data?.hProperties, id: match[1] } }
    })
  }
}

function rehypeCollectHeadings(collected: Collected) {
  return () => (tree: HastRoot) => {
    visit(tree, 'element', (node: Element) => {
      const match = /^h([2-4])$/.exec(node.tagName)
      const id = node.properties?.id
      // GFM's footnotes section has a visually hidden heading: not part of the contents.
      const hidden = Array.isArray(node.properties?.className) && node.properties.className.includes('sr-only')
      if (match && typeof id === 'string' && !hidden) {
        collected.headings.push({ depth: Number(match[1]), id, text: hastToString(node).trim() })
      }
    })
  }
}

/** The component every code block becomes (app/components/code-block.tsx). */
export const CODE_BLOCK_COMPONENT = 'KilnCodeBlock'

function codeBlockElement(html: string, lang: string | undefined, title: string | undefined): MdxJsxFlowElementHast {
  const attribute = (name: string, value: string): MdxJsxAttribute => ({ type: 'mdxJsxAttribute', name, value })
  const attributes = [attribute('html', html)]
  if (lang) attributes.push(attribute('lang', lang))
  if (title) attributes.push(attribute('title', title))
  return { type: 'mdxJsxFlowElement', name: CODE_BLOCK_COMPONENT, attributes, children: [] }
}

/**
 * Turns every fenced code block into a KilnCodeBlock holding the block's HTML:
 * highlighted by shiki in the worker when the language is known, escaped plain text
 * with the same frame otherwise. Meta (title, {1,3-5}, showLineNumbers) is read here; a
 * block that cannot be highlighted adds a warning and never fails the post.
 */
function rehypeCodeBlocks(highlight: Highlight | undefined, warnings: CompileWarning[], contentDir: string, degraded: { provisional: boolean }) {
  return () => async (tree: HastRoot, file: { path?: string }) => {
    const where = file.path ? path.relative(contentDir, file.path) : undefined
    const blocks: { parent: HastRoot | Element; index: number; code: Element; pre: Element }[] = []
    visit(tree, 'element', (node: Element, index, parent) => {
      if (node.tagName !== 'pre' || index === undefined || !parent) return
      const code = node.children.find((child): child is Element => child.type === 'element' && child.tagName === 'code')
      if (code) blocks.push({ parent: parent as HastRoot | Element, index, code, pre: node })
    })
    let next = 0
    const work = async () => {
      for (let i = next++; i < blocks.length; i = next++) {
        const { parent, index, code, pre } = blocks[i]
        const className = Array.isArray(code.properties?.className) ? code.properties.className : []
        const lang = className.map(String).find((name) => name.startsWith('language-'))?.slice('language-'.length)
        const metaString = (code.data as { meta?: string } | undefined)?.meta ?? null
        const meta = parseCodeMeta(metaString)
        const text = hastToString(code)
        const line = pre.position?.start.line
        const warn = (message: string) => warnings.push({ message, file: where, line, column: pre.position?.start.column })
        let html: string | undefined
        if (!lang || lang === 'text' || lang === 'txt' || lang === 'plaintext') {
          if (!lang) warn('code block has no language: shown as plain text')
        } else if (Buffer.byteLength(text) > MAX_HIGHLIGHT_BYTES) {
          warn(`code block (${lang}) is larger than ${MAX_HIGHLIGHT_BYTES / 1024} KB: shown as plain text`)
        } else if (highlight) {
          const answer = await highlight({ code: text.replace(/\n$/, ''), lang, meta: metaString })
          if (answer.ok) html = answer.html
          else if (answer.reason === 'unknown-language') warn(`code block language "${lang}" is not one shiki knows: shown as plain text`)
          else {
            degraded.provisional = true
            warn(`code block (${lang}) could not be highlighted (${answer.message}): shown as plain text`)
            console.error(`[kiln] highlight ${answer.reason === 'timeout' ? 'timed out' : 'failed'}: ${where ?? 'post'}:${line ?? '?'} (${lang}): ${answer.message}`)
          }
        }
        html ??= toHtml(plainCodeBlock(text.replace(/\n$/, ''), lang, meta))
        parent.children[index] = codeBlockElement(html, lang, meta.title)
      }
    }
    await Promise.all(Array.from({ length: Math.min(HIGHLIGHT_CONCURRENCY, blocks.length) }, work))
  }
}

interface EsbuildMessage {
  text: string
  location?: { file: string; line: number; column: number } | null
}

/**
 * esbuild places errors in an MDX file at a line of the JavaScript generated from it. For
 * an import that cannot be resolved or is refused (contentBoundary), the import statement
 * in the source is the place the author needs: find it there.
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

/** Turns what mdx-bundler, esbuild or the MDX parser threw into a CompileError with a place. */
function toCompileError(error: unknown, contentDir: string, entryPath: string): CompileError {
  if (error instanceof CompileError) return error
  if (error instanceof FrontmatterError) return new CompileError(error.message, entryPath, error.line)
  const yamlMark = (error as { name?: string; mark?: { line?: number } }).mark
  if ((error as { name?: string }).name === 'YAMLException' && typeof yamlMark?.line === 'number') {
    return new CompileError(`frontmatter is not valid YAML: ${(error as Error).message.split('\n')[0]}`, entryPath, yamlMark.line + 1)
  }
  const messages = (error as { errors?: EsbuildMessage[] }).errors
  if (Array.isArray(messages) && messages.length > 0) {
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
  const vfileMessage = error as { reason?: string; line?: number; column?: number; file?: string }
  if (typeof vfileMessage.reason === 'string') {
    return new CompileError(vfileMessage.reason, entryPath, vfileMessage.line ?? undefined, vfileMessage.column ?? undefined)
  }
  return new CompileError(error instanceof Error ? error.message : String(error), entryPath)
}

/**
 * The content boundary for imports (docs/security.md): compiling a post reads no file
 * outside the content folder. esbuild would follow an absolute import (`/etc/passwd`), a
 * relative one that climbs out (`../../../x`), a bare package name (into Kiln's own
 * node_modules) or a symbolic link that leads out; this plugin, first in line, refuses
 * each with an error esbuild places at the import, which toCompileError maps back to the
 * MDX line. Imports of files elsewhere inside the folder (`../_components/note.jsx`) are
 * allowed, and so are the packages mdx-bundler provides (react), which are never read.
 * Every file loaded is checked once more when it is read, whichever plugin resolved it.
 */
function contentBoundary(contentDir: string, read: Set<string>): EsbuildPlugin {
  const root = contentRoot(contentDir)
  const refuse = (specifier: string, why: string) => ({ errors: [{ text: `Refused import "${specifier}": ${why}` }] })
  return {
    name: 'kiln-content-boundary',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point' || (args.pluginData as { kilnBoundary?: boolean } | undefined)?.kilnBoundary) return undefined
        const specifier = args.path
        if (path.isAbsolute(specifier) || /^[a-z]+:/i.test(specifier)) {
          if (/^data:/i.test(specifier)) return undefined
          return refuse(specifier, 'absolute paths and URLs are not allowed; import files of the content folder with a relative path')
        }
        if (specifier.startsWith('.') && args.resolveDir) {
          let from = args.resolveDir
          try {
            from = fs.realpathSync(args.resolveDir)
          } catch {
            // resolveDir is a real folder esbuild is reading: keep it as it is
          }
          if (!isInside(root, path.resolve(from, specifier))) return refuse(specifier, 'it leaves the content folder')
          // Relative imports are resolved here, from the importing file's folder, by the
          // function the index uses for a post's version. mdx-bundler's node-resolve
          // plugin would resolve them from the post's folder instead: `./label.js` in
          // `_components/note.jsx` would find the post's own label.js.
          const resolved = resolveImport(root, from, specifier)
          if (resolved && 'path' in resolved) return { path: resolved.path }
          if (resolved) return refuse(specifier, `it is a symbolic link to ${resolved.outside}, outside the content folder`)
          if (specifier.startsWith('./') || specifier.startsWith('../')) return { errors: [{ text: `Could not resolve "${specifier}"` }] }
        }
        // Let the other plugins and esbuild resolve it, then look at where it leads.
        const resolved = await build.resolve(specifier, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { kilnBoundary: true } })
        if (resolved.errors.length > 0 || resolved.external || resolved.namespace !== 'file' || !resolved.path) return undefined
        let real: string
        try {
          real = fs.realpathSync(resolved.path)
        } catch {
          return undefined
        }
        if (!isInside(root, real)) {
          const bare = !specifier.startsWith('.')
          return refuse(specifier, bare ? 'packages are not bundled with posts (only react is provided); copy what you need into the content folder' : `it is a symbolic link to ${real}, outside the content folder`)
        }
        return undefined
      })
      build.onLoad({ filter: /.*/, namespace: 'file' }, (args) => {
        let real: string
        try {
          real = fs.realpathSync(args.path)
        } catch {
          return undefined
        }
        if (!isInside(root, real)) return { errors: [{ text: `Refused to read ${args.path}: it is outside the content folder` }] }
        read.add(path.relative(root, real))
        return undefined
      })
    },
  }
}

export async function compileMdx({ contentDir, entryPath, kind, highlight, maxPostBytes = DEFAULT_MAX_POST_BYTES }: CompileInput): Promise<CompiledEntry> {
  const file = path.join(contentDir, entryPath)
  // The entry itself: inside the folder once its links are followed, and within the size
  // limit, checked before mdx-bundler reads a byte of it.
  try {
    const real = fs.realpathSync(file)
    if (!isInside(contentRoot(contentDir), real)) throw new CompileError(`${entryPath} is a symbolic link to ${real}, outside the content folder: not compiled`, entryPath)
    const { size } = fs.statSync(real)
    if (size > maxPostBytes) throw new CompileError(`the file is ${size} bytes, over MAX_POST_BYTES (${maxPostBytes}): not compiled`, entryPath)
  } catch (error) {
    if (error instanceof CompileError) throw error
    // A file missing or unreadable now (a vanished folder, a checkout under way) says
    // nothing about this version: transient, so it is not recorded as its failure.
    throw new CompileError(`could not read ${entryPath}: ${(error as Error).message}`, entryPath, undefined, undefined, true)
  }
  const collected: Collected = { headings: [], used: new Map(), declared: new Set() }
  const warnings: CompileWarning[] = []
  const read = new Set<string>()
  const degraded = { provisional: false }
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
        options.remarkPlugins = [...(options.remarkPlugins ?? []), remarkGfm, remarkHeadingIds, remarkCollectComponents(collected, contentDir), remarkImageAltWarnings(warnings, contentDir), remarkAccessibleNames(warnings, contentDir)]
        options.rehypePlugins = [
          ...(options.rehypePlugins ?? []),
          rehypeSlug,
          rehypeCollectHeadings(collected),
          rehypeCodeBlocks(highlight, warnings, contentDir, degraded),
          // The "#" link is a real, focusable link named after its section; the "#"
          // itself is hidden from screen readers, which read the label instead.
          [
            rehypeAutolinkHeadings,
            {
              behavior: 'append',
              properties: (heading: Element) => ({ className: ['heading-anchor'], ariaLabel: `Link to the section “${hastToString(heading).trim()}”` }),
              content: { type: 'element', tagName: 'span', properties: { ariaHidden: 'true' }, children: [{ type: 'text', value: '#' }] },
            },
          ],
        ]
        return options
      },
      esbuildOptions(options) {
        options.target = 'es2020'
        options.logLevel = 'silent'
        options.plugins = [contentBoundary(contentDir, read), ...(options.plugins ?? [])]
        return options
      },
    })
  } catch (error) {
    throw toCompileError(error, contentDir, entryPath)
  }

  let frontmatter: Frontmatter
  try {
    frontmatter = normalizeFrontmatter(result.frontmatter as Record<string, unknown>, { requireDate: kind === 'post' })
  } catch (error) {
    if (error instanceof FrontmatterError) throw new CompileError(error.message, entryPath, error.line)
    throw error
  }

  for (const [name, where] of collected.used) {
    const root = name.split('.')[0]
    if (collected.declared.has(root) || PROVIDED_COMPONENTS.has(root) || root === 'props') continue
    warnings.push({ message: `<${name}> is used but not defined or imported: it renders as a labelled box`, component: name, ...where })
  }
  return { code: result.code, frontmatter, headings: collected.headings, warnings, files: [...read].sort(), provisional: degraded.provisional }
}
