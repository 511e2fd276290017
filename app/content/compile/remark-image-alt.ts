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
import type { Root } from 'mdast'
import type {} from 'mdast-util-mdx'
import { visit } from 'unist-util-visit'
import type { VFile } from 'vfile'

export function remarkImageAlt() {
  return (tree: Root, file: VFile) => {
    visit(tree, (node) => {
      let missing = false
      let what = ''
      if (node.type === 'image') {
        missing = !node.alt?.trim()
        what = `image ${node.url}`
      } else if ((node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement') && node.name === 'img') {
        missing = !node.attributes.some(
          (attribute) => attribute.type === 'mdxJsxExpressionAttribute' || attribute.name === 'alt',
        )
        const src = node.attributes.find(
          (attribute) => attribute.type === 'mdxJsxAttribute' && attribute.name === 'src',
        )?.value
        what = `<img>${typeof src === 'string' ? ` ${src}` : ''}`
      }
      if (missing) {
        if (node.type === 'image') node.alt = ''
        else if (node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement')
          node.attributes.push({ type: 'mdxJsxAttribute', name: 'alt', value: '' })
        file.message(`${what} has no alt text: describe it for readers who cannot see it`, {
          place: node.position,
          ruleId: 'image-alt',
          source: 'kiln',
        })
      }
    })
  }
}
