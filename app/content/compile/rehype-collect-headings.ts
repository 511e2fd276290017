/**
 * The table of contents: every h2-h4 with an id (rehype-slug gives one to each, or
 * remark-heading-ids.ts the author's own), in document order, kept on the file as
 * `file.data.headings` for the compile to return.
 */
import type { Element, Root } from 'hast'
import { toString as hastToString } from 'hast-util-to-string'
import { visit } from 'unist-util-visit'
import type { VFile } from 'vfile'
import type { Heading } from './compiled-entry.ts'

declare module 'vfile' {
  interface DataMap {
    /** The file's table of contents (rehype-collect-headings.ts). */
    headings: Heading[]
  }
}

export function rehypeCollectHeadings() {
  return (tree: Root, file: VFile) => {
    const headings: Heading[] = []
    visit(tree, 'element', (node: Element) => {
      const match = /^h([2-4])$/.exec(node.tagName)
      const id = node.properties?.id
      // GFM's footnotes section has a visually hidden heading: not part of the contents.
      const hidden = Array.isArray(node.properties?.className) && node.properties.className.includes('sr-only')
      if (match && typeof id === 'string' && !hidden) {
        headings.push({ depth: Number(match[1]), id, text: hastToString(node).trim() })
      }
    })
    file.data.headings = headings
  }
}
