/**
 * Turns every fenced code block into a KilnCodeBlock holding the block's HTML:
 * highlighted by shiki in the highlight pool when the language is known, escaped plain
 * text with the same frame otherwise. Meta (title, {1,3-5}, showLineNumbers) is read here
 * (code-block.ts); a block that cannot be highlighted is reported and never fails the post.
 * A block marked `hidden` (a file an example needs but does not show) is framed as plain
 * text and shown collapsed: it is never highlighted, so it costs neither a job nor a page
 * of token elements.
 */
import path from 'node:path'
import type { Element, Root } from 'hast'
import { toHtml } from 'hast-util-to-html'
import { toString as hastToString } from 'hast-util-to-string'
import type { MdxJsxAttribute, MdxJsxFlowElementHast } from 'mdast-util-mdx-jsx'
import { visit } from 'unist-util-visit'
import type { VFile } from 'vfile'
import { collapsedCodeBlock, parseCodeMeta, plainCodeBlock, type CodeMeta } from '../code-block.ts'
import type { Highlight } from '../highlight.server.ts'
import { log } from '../../logging/logger.server.ts'

/** Blocks larger than this are framed as plain text: tokenizing them costs memory out of all proportion. */
export const MAX_HIGHLIGHT_BYTES = 256 * 1024
/** Blocks of one post sent for highlighting at a time, so a post with thousands of blocks stays bounded. */
const HIGHLIGHT_CONCURRENCY = 4

/** The component every code block becomes (app/components/code-block.tsx). */
export const CODE_BLOCK_COMPONENT = 'KilnCodeBlock'

/**
 * The rule of a block that could not be highlighted for a passing reason (a timeout, a
 * crashed thread): the compile is provisional, made again later (DESIGN.md, decision 10).
 */
export const HIGHLIGHT_FAILED = 'highlight-failed'

export interface CodeBlockOptions {
  /** Highlights one block (in the highlight pool); without it every block is framed as plain text. */
  highlight?: Highlight
  /** The content folder: the log line of a failed highlight job names the post relative to it. */
  contentDir?: string
}

function codeBlockElement(html: string, lang: string | undefined, meta: CodeMeta): MdxJsxFlowElementHast {
  const attribute = (name: string, value: string | null): MdxJsxAttribute => ({ type: 'mdxJsxAttribute', name, value })
  const attributes = [attribute('html', html)]
  if (lang) attributes.push(attribute('lang', lang))
  if (meta.title) attributes.push(attribute('title', meta.title))
  if (meta.hidden) attributes.push(attribute('collapsed', null))
  return { type: 'mdxJsxFlowElement', name: CODE_BLOCK_COMPONENT, attributes, children: [] }
}

export function rehypeCodeBlocks({ highlight, contentDir }: CodeBlockOptions = {}) {
  return async (tree: Root, file: VFile) => {
    const where = file.path && contentDir !== undefined ? path.relative(contentDir, file.path) : undefined
    const blocks: { parent: Root | Element; index: number; code: Element; pre: Element }[] = []
    visit(tree, 'element', (node: Element, index, parent) => {
      if (node.tagName !== 'pre' || index === undefined || !parent) return
      const code = node.children.find((child): child is Element => child.type === 'element' && child.tagName === 'code')
      if (code) blocks.push({ parent: parent as Root | Element, index, code, pre: node })
    })
    let next = 0
    const work = async () => {
      for (let i = next++; i < blocks.length; i = next++) {
        const { parent, index, code, pre } = blocks[i]
        const className = Array.isArray(code.properties?.className) ? code.properties.className : []
        const lang = className
          .map(String)
          .find((name) => name.startsWith('language-'))
          ?.slice('language-'.length)
        const metaString = (code.data as { meta?: string } | undefined)?.meta ?? null
        const meta = parseCodeMeta(metaString)
        const text = hastToString(code)
        const warn = (message: string, ruleId: string) =>
          file.message(message, { place: pre.position, ruleId, source: 'kiln' })
        let html: string | undefined
        if (meta.hidden) {
          // Collapsed and plain (code-block.ts): nothing to warn about, nothing to highlight.
          html = toHtml(collapsedCodeBlock(text.replace(/\n$/, ''), lang))
        } else if (!lang || lang === 'text' || lang === 'txt' || lang === 'plaintext') {
          if (!lang) warn('code block has no language: shown as plain text', 'code-language')
        } else if (Buffer.byteLength(text) > MAX_HIGHLIGHT_BYTES) {
          warn(`code block (${lang}) is larger than ${MAX_HIGHLIGHT_BYTES / 1024} KB: shown as plain text`, 'code-size')
        } else if (highlight) {
          const answer = await highlight({ code: text.replace(/\n$/, ''), lang, meta: metaString })
          if (answer.ok) html = answer.html
          else if (answer.reason === 'unknown-language')
            warn(`code block language "${lang}" is not one shiki knows: shown as plain text`, 'code-language')
          else {
            warn(
              `code block (${lang}) could not be highlighted (${answer.message}): shown as plain text`,
              HIGHLIGHT_FAILED,
            )
            log.error(
              { file: where },
              `highlight ${answer.reason === 'timeout' ? 'timed out' : 'failed'}: ` +
                `${where ?? 'post'}:${pre.position?.start.line ?? '?'} (${lang}): ${answer.message}`,
            )
          }
        }
        html ??= toHtml(plainCodeBlock(text.replace(/\n$/, ''), lang, meta))
        parent.children[index] = codeBlockElement(html, lang, meta)
      }
    }
    await Promise.all(Array.from({ length: Math.min(HIGHLIGHT_CONCURRENCY, blocks.length) }, work))
  }
}
