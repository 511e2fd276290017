/**
 * The "#" link after every heading (rehype-autolink-headings), accessible: a real,
 * focusable link named after its section; the "#" itself is hidden from screen readers,
 * which read the label instead.
 */
import type { Element } from 'hast'
import { toString as hastToString } from 'hast-util-to-string'
import rehypeAutolinkHeadings, { type Options } from 'rehype-autolink-headings'

const options: Options = {
  behavior: 'append',
  properties: (heading: Element) => ({
    className: ['heading-anchor'],
    ariaLabel: `Link to the section “${hastToString(heading).trim()}”`,
  }),
  content: {
    type: 'element',
    tagName: 'span',
    properties: { ariaHidden: 'true' },
    children: [{ type: 'text', value: '#' }],
  },
}

/** rehype-autolink-headings with Kiln's options, as an entry of a plugin list. */
export const rehypeHeadingAnchors = [rehypeAutolinkHeadings, options] as const
