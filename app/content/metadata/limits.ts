/**
 * The bounds every form of metadata is read within (YAML and TOML frontmatter, an exported
 * object literal), and the error that carries a broken rule's line. They live apart from
 * frontmatter.ts so that each reader in this folder can use them without a cycle.
 */

export class FrontmatterError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message)
  }
}

/** Frontmatter is a few fields: a block larger than this is refused before a parser reads it. */
export const MAX_FRONTMATTER_BYTES = 64 * 1024
/**
 * YAML aliases (`*name`) share one value, so a few lines can describe a value of billions
 * of nodes ("billion laughs"): harmless while shared, fatal once copied (JSON, a list of
 * tags, the compiled page). Frontmatter whose value, counted with every alias expanded,
 * holds more nodes than this, or nests deeper, is refused. js-yaml 4 has no alias limit of
 * its own, so the count is taken here, and stops at the limit. TOML and an exported literal
 * have no aliases, but the same count bounds their nesting.
 */
export const MAX_FRONTMATTER_NODES = 10_000
export const MAX_FRONTMATTER_DEPTH = 64

/** The line (1-based, in the YAML text) of the first alias, for an error about aliases. */
function firstAliasLine(text: string): number | undefined {
  const match = /(^|[\s[{,:-])\*[^\s,[\]{}]+/m.exec(text)
  return match ? text.slice(0, match.index + match[1].length).split('\n').length : undefined
}

/** Throws a FrontmatterError when `value`, with every alias expanded, is too large or too deep. */
export function checkExpandedSize(value: unknown, text: string): void {
  let nodes = 0
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }]
  while (stack.length > 0) {
    const { value: node, depth } = stack.pop()!
    if (++nodes > MAX_FRONTMATTER_NODES || depth > MAX_FRONTMATTER_DEPTH) {
      const aliasLine = firstAliasLine(text)
      const reason =
        depth > MAX_FRONTMATTER_DEPTH
          ? `nests deeper than ${MAX_FRONTMATTER_DEPTH} levels`
          : `expands to more than ${MAX_FRONTMATTER_NODES} values`
      // The YAML text begins with the newline after the opening "---": its line n is the file's line n.
      throw new FrontmatterError(
        `frontmatter ${reason}${aliasLine ? ' (through YAML aliases)' : ''}: it is refused`,
        aliasLine ?? 1,
      )
    }
    if (node === null || typeof node !== 'object' || node instanceof Date) continue
    const children = Array.isArray(node) ? node : Object.values(node as Record<string, unknown>)
    for (const child of children) stack.push({ value: child, depth: depth + 1 })
  }
}

/** Refuses a metadata block over MAX_FRONTMATTER_BYTES before anything parses it. */
export function checkBlockSize(text: string, line = 1): void {
  if (Buffer.byteLength(text) > MAX_FRONTMATTER_BYTES) {
    throw new FrontmatterError(`frontmatter is larger than ${MAX_FRONTMATTER_BYTES / 1024} KB: it is refused`, line)
  }
}
