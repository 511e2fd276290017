/**
 * A link with no text (`[](https://…)`, `<a href="…"></a>`) is announced as "link" and
 * nothing more, and an <iframe> with no title as "frame": both are serious failures
 * for a screen reader's user, and both are easy to write by accident. Kiln names them
 * with what it knows, the link's address as its visible text and "Embedded content
 * from <host>" as the frame's title, and warns so the author can write better ones.
 */
import type { Root, RootContent } from 'mdast'
import type { MdxJsxAttribute } from 'mdast-util-mdx-jsx'
import type {} from 'mdast-util-mdx'
import { visit } from 'unist-util-visit'
import type { VFile } from 'vfile'

/** True when a link's content gives it a name: some text, or an image with alt text. */
function hasAccessibleText(node: RootContent): boolean {
  if ((node.type === 'text' || node.type === 'inlineCode') && node.value.trim() !== '') return true
  if (node.type === 'image') return Boolean(node.alt?.trim())
  if (
    (node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement') &&
    node.attributes.some((a) => a.type === 'mdxJsxExpressionAttribute' || a.name === 'aria-label' || a.name === 'alt')
  )
    return true
  // An expression ({title}) may well render text: give it the benefit of the doubt.
  if (node.type === 'mdxTextExpression' || node.type === 'mdxFlowExpression') return true
  return 'children' in node && (node.children as RootContent[]).some(hasAccessibleText)
}

function jsxAttribute(
  node: { attributes: (MdxJsxAttribute | { type: 'mdxJsxExpressionAttribute' })[] },
  name: string,
): string | undefined {
  const found = node.attributes.find(
    (a): a is MdxJsxAttribute => a.type === 'mdxJsxAttribute' && a.name === name,
  )?.value
  return typeof found === 'string' ? found : undefined
}

export function remarkAccessibleNames() {
  return (tree: Root, file: VFile) => {
    const warn = (node: RootContent, message: string, ruleId: string) =>
      file.message(message, { place: node.position, ruleId, source: 'kiln' })
    visit(tree, (node) => {
      if (node.type === 'link' && !hasAccessibleText(node)) {
        node.children.push({ type: 'text', value: node.url })
        warn(node, `link to ${node.url} has no text: its address is shown instead`, 'link-text')
      } else if (
        (node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement') &&
        node.name === 'a' &&
        !hasAccessibleText(node)
      ) {
        const href = jsxAttribute(node, 'href')
        if (href === undefined) return
        ;(node.children as RootContent[]).push({ type: 'text', value: href })
        warn(node, `<a> to ${href} has no text: its address is shown instead`, 'link-text')
      } else if ((node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement') && node.name === 'iframe') {
        if (
          node.attributes.some(
            (a) => a.type === 'mdxJsxExpressionAttribute' || a.name === 'title' || a.name === 'aria-label',
          )
        )
          return
        const src = jsxAttribute(node, 'src') ?? ''
        let host = ''
        try {
          host = new URL(src, 'https://invalid.invalid').host
        } catch {
          // A src that is no URL: the title names no host.
        }
        const title = host && host !== 'invalid.invalid' ? `Embedded content from ${host}` : 'Embedded content'
        node.attributes.push({ type: 'mdxJsxAttribute', name: 'title', value: title })
        warn(
          node,
          `<iframe>${src ? ` ${src}` : ''} has no title: "${title}" is used; describe what it shows`,
          'iframe-title',
        )
      }
    })
  }
}
