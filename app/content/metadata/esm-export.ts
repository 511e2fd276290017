/**
 * Metadata given as an ESM export of a plain object literal, as Next.js and the mdx-js
 * site write it:
 *
 *   export const metadata = { title: 'Hello', date: new Date('2018-08-11'), tags: ['mdx'] }
 *
 * (`metadata`, `meta`, `frontmatter` or `info`). It is read from the syntax tree when the
 * post is indexed, never by running the post: the index must know a post's title and date
 * without executing its code, and a literal is all a list of posts needs. Strings,
 * numbers, booleans, null, arrays and objects of those, template literals without
 * `${}`, and `new Date('…')` with one string literal (taken as that date) are literal;
 * anything else (`build()`, a variable, a spread) is an error naming its line. The export
 * stays in the compiled module: MDX exports are ordinary module exports.
 *
 * Bounded like frontmatter: the literal is parsed from a slice of at most
 * MAX_FRONTMATTER_BYTES, and its node count and depth are checked as YAML's are.
 */
import { parseExpressionAt, type Node } from 'acorn'
import { checkExpandedSize, FrontmatterError, MAX_FRONTMATTER_BYTES } from './limits.ts'
import { linesOutsideFences } from './markdown-lines.ts'

export const METADATA_EXPORT_NAMES = ['metadata', 'meta', 'frontmatter', 'info'] as const

const EXPORT_LINE = new RegExp(`^export\\s+(?:const|let|var)\\s+(${METADATA_EXPORT_NAMES.join('|')})\\s*=\\s*`)

export interface ExportedMetadata {
  /** The exported name (`metadata`, …). */
  name: string
  /** The line of the `export` statement. */
  line: number
  data: Record<string, unknown>
}

interface EsNode extends Node {
  [key: string]: unknown
}

/** The value of a literal node, or an error naming the line of the first thing that is not one. */
function literalValue(node: EsNode, lineOffset: number): unknown {
  const fail = (what: string): never => {
    const line = (node.loc?.start.line ?? 1) + lineOffset
    throw new FrontmatterError(
      `the exported metadata is not a plain literal: ${what} at line ${line} cannot be read without running ` +
        `the post (write a string, number, list or object)`,
      line,
    )
  }
  switch (node.type) {
    case 'Literal': {
      const value = node.value
      if (value instanceof RegExp || typeof value === 'bigint') return fail('a regular expression or bigint')
      return value
    }
    case 'TemplateLiteral': {
      const quasis = node.quasis as { value: { cooked: string | null } }[]
      if ((node.expressions as unknown[]).length > 0) return fail('a template literal with ${…}')
      return quasis.map((quasi) => quasi.value.cooked ?? '').join('')
    }
    case 'UnaryExpression': {
      const argument = node.argument as EsNode
      if ((node.operator === '-' || node.operator === '+') && argument.type === 'Literal') {
        if (typeof argument.value === 'number') return node.operator === '-' ? -argument.value : argument.value
      }
      return fail(`"${String(node.operator)}…"`)
    }
    case 'ArrayExpression':
      return (node.elements as (EsNode | null)[]).map((element) => {
        if (!element) return null
        if (element.type === 'SpreadElement') return fail('a spread (...)')
        return literalValue(element, lineOffset)
      })
    case 'ObjectExpression': {
      const result: Record<string, unknown> = {}
      for (const property of node.properties as EsNode[]) {
        if (property.type !== 'Property') return fail('a spread (...)')
        if (property.computed || property.kind !== 'init' || property.method) {
          return fail('a computed key, getter or method')
        }
        const key = property.key as EsNode
        const name =
          key.type === 'Identifier' ? (key.name as string) : key.type === 'Literal' ? String(key.value) : null
        if (name === null) return fail('a key that is not a name or a string')
        if (property.shorthand) return fail(`the shorthand property "${name}"`)
        // A literal object gets the key as an own property, never as its prototype.
        Object.defineProperty(result, name, {
          value: literalValue(property.value as EsNode, lineOffset),
          enumerable: true,
          writable: true,
          configurable: true,
        })
      }
      return result
    }
    case 'NewExpression': {
      const callee = node.callee as EsNode
      const args = node.arguments as EsNode[]
      if (callee.type === 'Identifier' && callee.name === 'Date' && args.length === 1) {
        const arg = args[0]
        if (arg.type === 'Literal' && typeof arg.value === 'string') return arg.value
        if (arg.type === 'TemplateLiteral' && (arg.expressions as unknown[]).length === 0) {
          return literalValue(arg, lineOffset)
        }
      }
      return fail("a `new` expression other than new Date('2018-08-11')")
    }
    case 'Identifier':
      if (node.name === 'undefined') return null
      return fail(`the name "${String(node.name)}"`)
    case 'CallExpression':
      return fail('a function call')
    default:
      return fail(`an expression (${node.type})`)
  }
}

/**
 * Parses the expression at `start` the way MDX delimits an ESM block: up to a blank line,
 * or past it when what came before does not parse yet (a literal with a blank line inside).
 * acorn reads one token beyond an expression, and the Markdown after the block is no
 * JavaScript (`# Heading` reads as a private name): the block's end keeps it from trying.
 * Bounded: nothing beyond MAX_FRONTMATTER_BYTES after the export is ever parsed.
 */
function parseLiteralBlock(source: string, start: number, name: string, line: number): EsNode {
  const limit = Math.min(source.length, start + MAX_FRONTMATTER_BYTES)
  const blankLine = /\n[ \t]*\r?\n/g
  blankLine.lastIndex = start
  for (;;) {
    const found = blankLine.exec(source)
    const end = found && found.index < limit ? found.index : limit
    try {
      return parseExpressionAt(source.slice(start, end), 0, {
        ecmaVersion: 'latest',
        sourceType: 'module',
        locations: true,
      }) as EsNode
    } catch (error) {
      const parseError = error as { pos?: number; loc?: { line: number } }
      // Ran out of text at a blank line: the block goes on after it.
      if (end < limit && (parseError.pos ?? 0) >= end - start) continue
      if (end === limit && limit < source.length) {
        // Cut off by the bound: whatever acorn says, the literal is too large to read.
        throw new FrontmatterError(
          `the exported ${name} is larger than ${MAX_FRONTMATTER_BYTES / 1024} KB: it is refused`,
          line,
        )
      }
      const at = parseError.loc
      throw new FrontmatterError(
        `the exported ${name} does not parse: ${(error as Error).message.replace(/\s*\(\d+:\d+\)$/, '')}`,
        at ? line + at.line - 1 : line,
      )
    }
  }
}

/**
 * The first `export const metadata|meta|frontmatter|info = …` outside code blocks, read
 * statically; null when there is none. Throws a FrontmatterError with the line when the
 * value is not a plain literal or does not parse.
 */
export function readExportedMetadata(source: string, fromOffset = 0): ExportedMetadata | null {
  for (const { line, text, offset } of linesOutsideFences(source, fromOffset)) {
    const match = EXPORT_LINE.exec(text)
    if (!match) continue
    const start = offset + match[0].length
    const node = parseLiteralBlock(source, start, match[1], line)
    if (node.type !== 'ObjectExpression') {
      const what = node.type === 'CallExpression' ? 'a function call' : `an expression (${node.type})`
      throw new FrontmatterError(
        `the exported ${match[1]} is not a plain literal: ${what} at line ${line} cannot be read without ` +
          `running the post (write an object literal: { title: '…', date: '2026-01-31' })`,
        line,
      )
    }
    const data = literalValue(node, line - 1) as Record<string, unknown>
    checkExpandedSize(data, '')
    return { name: match[1], line, data }
  }
  return null
}
