/**
 * Components a post uses without defining or importing them. Real content is full of
 * those (documentation written for a site with its own components); each renders as a
 * labelled box instead of failing the page (app/content/mdx-component.tsx), and is
 * reported here, once per name, at its first use.
 *
 * JSX is looked for everywhere MDX resolves components: in the text, and inside
 * expressions and attribute values (component-names.ts).
 */
import type { Root, RootContent } from 'mdast'
import type {} from 'mdast-util-mdx'
import type { Program } from 'estree'
import type { Point } from 'unist'
import { visit } from 'unist-util-visit'
import type { VFile } from 'vfile'
import { KIT_COMPONENT_NAMES } from '../../components/mdx-kit/names.ts'
import { encodeSiteComponents, SITE_COMPONENTS_EXPORT, type SiteComponentVersions } from '../site-components.ts'
import { declaredNames, expressionComponents, isComponentName } from './component-names.ts'

export const MISSING_COMPONENT = 'missing-component'

/** Component names that Kiln itself provides to every post: the component kit (app/components/mdx-kit/). */
export const PROVIDED_COMPONENTS: ReadonlySet<string> = new Set<string>(KIT_COMPONENT_NAMES)

export interface MissingComponentsOptions {
  /**
   * The site-wide components (`content/components/`, name -> version): not missing either.
   * Those the post uses without binding the name itself are named, with their versions,
   * in an export of the post (site-components.ts), which the page reads to load them.
   */
  siteComponents?: SiteComponentVersions
}

/** `export const __kilnSiteComponents = "Chart:v1,…"`, as MDX's ESM node with its estree. */
function siteComponentsExport(value: string): RootContent {
  const declaration = {
    type: 'VariableDeclaration' as const,
    kind: 'const' as const,
    declarations: [
      {
        type: 'VariableDeclarator' as const,
        id: { type: 'Identifier' as const, name: SITE_COMPONENTS_EXPORT },
        init: { type: 'Literal' as const, value },
      },
    ],
  }
  return {
    type: 'mdxjsEsm',
    value: `export const ${SITE_COMPONENTS_EXPORT} = ${JSON.stringify(value)}`,
    data: {
      estree: {
        type: 'Program',
        sourceType: 'module',
        body: [{ type: 'ExportNamedDeclaration', declaration, specifiers: [], source: null, attributes: [] }],
      },
    },
  }
}

export function remarkMissingComponents({ siteComponents = {} }: MissingComponentsOptions = {}) {
  const siteProvided = new Set(Object.keys(siteComponents))
  return (tree: Root, file: VFile) => {
    const declared = new Set<string>()
    /** component name -> first place it was used */
    const used = new Map<string, Point | undefined>()
    const record = (name: string, line?: number, column?: number) => {
      if (!used.has(name)) used.set(name, line === undefined ? undefined : { line, column: column as number })
    }
    const recordExpression = (program: Program | null | undefined, fallback: RootContent) => {
      if (!program) return
      expressionComponents(program, (name, line, column) =>
        record(name, line ?? fallback.position?.start.line, column ?? fallback.position?.start.column),
      )
    }
    visit(tree, (node) => {
      if (node.type === 'mdxjsEsm') {
        const program = node.data?.estree
        if (program) declaredNames(program, declared)
      } else if (node.type === 'mdxFlowExpression' || node.type === 'mdxTextExpression') {
        recordExpression(node.data?.estree, node)
      } else if (node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement') {
        if (node.name && isComponentName(node.name))
          record(node.name, node.position?.start.line, node.position?.start.column)
        for (const attribute of node.attributes) {
          if (attribute.type === 'mdxJsxExpressionAttribute') recordExpression(attribute.data?.estree, node)
          else if (attribute.value && typeof attribute.value === 'object')
            recordExpression(attribute.value.data?.estree, node)
        }
      }
    })
    // Reported after the whole file is read: an export further down defines a name too.
    const usedSite: SiteComponentVersions = {}
    for (const [name, place] of used) {
      const root = name.split('.')[0]
      if (!declared.has(root) && siteProvided.has(root)) usedSite[root] = siteComponents[root]
      if (declared.has(root) || PROVIDED_COMPONENTS.has(root) || siteProvided.has(root) || root === 'props') continue
      const message = file.message(`<${name}> is used but not defined or imported: it renders as a labelled box`, {
        place,
        ruleId: MISSING_COMPONENT,
        source: 'kiln',
      })
      message.actual = name
    }
    if (Object.keys(usedSite).length > 0) tree.children.push(siteComponentsExport(encodeSiteComponents(usedSite)))
  }
}
