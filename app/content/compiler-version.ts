/**
 * The version of Kiln's compile pipeline (compile-mdx.server.ts, its remark, rehype and
 * esbuild plugins in compile/, the highlighter's output). Stored compiles are keyed by
 * the source's hash, so a change to the pipeline alone would leave every post with its
 * old output until its source changed: the store also records this number and serves
 * only rows made by it.
 *
 * Bump it whenever the compiled output of an unchanged post changes. Kept in its own
 * module so the main process can read it without loading the compiler.
 *
 *   1: image alt (decorative when missing), empty links and untitled iframes named,
 *      focusable labelled heading anchors
 *   2: components missing inside JSX attributes and expressions found (they render as
 *      labelled boxes); a compile with a failed highlight job marked provisional
 *   3: images beside a post as responsive pictures (remark-images.ts), a local frontmatter
 *      image as the social card
 *   4: metadata from TOML, an exported literal, the first heading and the file name's date
 *   5: the component kit's names (Callout, YouTube, …) are no longer reported missing
 *      and shiki's code notations (`// [!code ++]`, `[!code focus]`, …) and `/word/` highlights in the meta
 *   6: a bare file path first in a fence's meta (```js src/App.js) is the block's title, and
 *      a block marked `hidden` is shown collapsed as plain text, never highlighted
 */
export const COMPILER_VERSION = 6
