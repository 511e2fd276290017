/**
 * A heading ending in an MDX comment holding only an id, `## Title {/ * my-id * /}`
 * written without the spaces, gives a heading a stable id of the author's choosing (a
 * convention of MDX documentation sites); other headings get one from their text
 * (rehype-slug).
 */
import type { Root } from 'mdast'
import type {} from 'mdast-util-mdx'
import type {} from 'mdast-util-to-hast'
import { visit } from 'unist-util-visit'

export function remarkHeadingIds() {
  return (tree: Root) => {
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
