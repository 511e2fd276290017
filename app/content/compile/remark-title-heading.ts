/**
 * A document that names no title in its metadata takes its first `# heading` as the
 * title (frontmatter.ts, metadata/first-heading.ts). The page already shows the title as
 * its own <h1>, so the heading is taken out of the body, as Docusaurus does: one title,
 * shown once, and one <h1> on the page.
 */
import type { Root } from 'mdast'

export function remarkTitleHeading({ enabled }: { enabled: boolean }) {
  return (tree: Root) => {
    if (!enabled) return
    const index = tree.children.findIndex((node) => node.type === 'heading' && node.depth === 1)
    if (index !== -1) tree.children.splice(index, 1)
  }
}
