/**
 * Which names an MDX file binds itself and which components its JSX uses, read from the
 * estree programs MDX attaches to its ESM and expression nodes. remark-missing-components.ts
 * compares the two.
 */
import type { Node as EstreeNode, Program, Pattern, SourceLocation } from 'estree'

/** Names a component reference can have: capitalised (`Note`) or dotted (`Tabs.Tab`); lower-case ones are HTML. */
export function isComponentName(name: string): boolean {
  return /^[A-Z]/.test(name) || name.includes('.')
}

function patternNames(pattern: Pattern | null | undefined, into: Set<string>): void {
  if (!pattern) return
  switch (pattern.type) {
    case 'Identifier':
      into.add(pattern.name)
      break
    case 'ObjectPattern':
      for (const property of pattern.properties) {
        patternNames(property.type === 'RestElement' ? property.argument : property.value, into)
      }
      break
    case 'ArrayPattern':
      for (const element of pattern.elements) patternNames(element, into)
      break
    case 'RestElement':
      patternNames(pattern.argument, into)
      break
    case 'AssignmentPattern':
      patternNames(pattern.left, into)
      break
  }
}

/** Names bound at the top of an MDX file by its import and export statements. */
export function declaredNames(program: Program, into: Set<string>): void {
  for (const statement of program.body) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement
    if (!declaration) continue
    if (declaration.type === 'ImportDeclaration') {
      for (const specifier of declaration.specifiers) into.add(specifier.local.name)
    } else if (declaration.type === 'VariableDeclaration') {
      for (const declarator of declaration.declarations) patternNames(declarator.id, into)
    } else if (
      (declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') &&
      declaration.id
    ) {
      into.add(declaration.id.name)
    }
  }
}

/** The JSX nodes of estree-jsx that are read here (the JSX extension of estree's types). */
type JSXName =
  | { type: 'JSXIdentifier'; name: string }
  | { type: 'JSXMemberExpression'; object: JSXName; property: { name: string } }
  | { type: 'JSXNamespacedName' }
interface JSXOpeningElement {
  type: 'JSXOpeningElement'
  name: JSXName
  loc?: SourceLocation | null
}

/** The dotted name of a JSX element (`Foo`, `Foo.Bar`); null for a namespaced one (`svg:rect`). */
function jsxElementName(name: JSXName): string | null {
  if (name.type === 'JSXIdentifier') return name.name
  if (name.type === 'JSXMemberExpression') {
    const object = jsxElementName(name.object)
    return object === null ? null : `${object}.${name.property.name}`
  }
  return null
}

/** Every estree node under `root` (skipping positions and comments), depth first. */
function* estreeNodes(root: EstreeNode): Generator<EstreeNode> {
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    const value = stack.pop()
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push(value[i])
    } else if (value && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string') {
      yield value as EstreeNode
      for (const [key, child] of Object.entries(value)) {
        if (
          key !== 'loc' &&
          key !== 'range' &&
          key !== 'position' &&
          key !== 'comments' &&
          child &&
          typeof child === 'object'
        )
          stack.push(child)
      }
    }
  }
}

/**
 * Components used by JSX inside an expression: an attribute's value (`image={<BlogImage />}`),
 * `{cond && <Foo />}`, a render prop. MDX resolves those through the same components map
 * as the ones in the text, so a missing one fails the render the same way. Names the
 * expression binds itself (a parameter, a local const) are its own business: over all
 * of the expression, not scope by scope, which errs on the side of no stand-in.
 */
export function expressionComponents(
  program: Program,
  record: (name: string, line?: number, column?: number) => void,
): void {
  const local = new Set<string>()
  const jsx: JSXOpeningElement[] = []
  for (const node of estreeNodes(program)) {
    if ((node as { type: string }).type === 'JSXOpeningElement') jsx.push(node as unknown as JSXOpeningElement)
    else if (node.type === 'VariableDeclarator') patternNames(node.id, local)
    else if (
      node.type === 'FunctionDeclaration' ||
      node.type === 'FunctionExpression' ||
      node.type === 'ArrowFunctionExpression'
    ) {
      for (const param of node.params) patternNames(param, local)
      if ('id' in node && node.id) local.add(node.id.name)
    } else if ((node.type === 'ClassDeclaration' || node.type === 'ClassExpression') && node.id) local.add(node.id.name)
    else if (node.type === 'CatchClause' && node.param) patternNames(node.param, local)
  }
  for (const element of jsx) {
    const name = jsxElementName(element.name)
    if (!name || !isComponentName(name) || local.has(name.split('.')[0])) continue
    const start = element.loc?.start
    record(name, start?.line, start ? start.column + 1 : undefined)
  }
}
