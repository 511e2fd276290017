/**
 * The layout's rules, checked on the source itself so they cannot drift:
 *
 * - no import cycles among Kiln's own modules (a cycle makes load order matter and hides
 *   which module owns what);
 * - `server/` (process start, listen, static files, shutdown) reaches the app only through
 *   the build's entry: it may import types from `app/`, never code, so no app module is
 *   bundled twice and the app's middleware is mounted as one piece.
 *
 * Imports are read with TypeScript's own scanner (`ts.preProcessFile`), which sees every
 * static import and export-from but no strings or comments that merely look like one.
 */
import fs from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')
const SOURCE_FOLDERS = ['app', 'server', 'workers']
const SOURCE_FILE = /\.(?:ts|tsx|mts|mjs|js)$/

function sourceFiles(folder: string): string[] {
  const files: string[] = []
  for (const dirent of fs.readdirSync(path.join(root, folder), { withFileTypes: true })) {
    const relative = path.posix.join(folder, dirent.name)
    if (dirent.isDirectory()) files.push(...sourceFiles(relative))
    else if (SOURCE_FILE.test(dirent.name) && !dirent.name.endsWith('.d.ts')) files.push(relative)
  }
  return files
}

/** A relative import resolved to a file of the tree, or null for a package or a missing file. */
function resolveImport(from: string, specifier: string, known: Set<string>): string | null {
  let base: string
  if (specifier.startsWith('~/')) base = path.posix.join('app', specifier.slice(2))
  else if (specifier.startsWith('.')) base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier))
  else return null
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) {
    if (known.has(candidate)) return candidate
  }
  return null
}

interface Edge {
  to: string
  typeOnly: boolean
}

/** Every file's imports of other files of the tree; `import type` (whole statement) marked as such. */
function importGraph(): Map<string, Edge[]> {
  const files = SOURCE_FOLDERS.flatMap(sourceFiles)
  const known = new Set(files)
  const graph = new Map<string, Edge[]>()
  for (const file of files) {
    const text = fs.readFileSync(path.join(root, file), 'utf8')
    const edges: Edge[] = []
    for (const imported of ts.preProcessFile(text, true, true).importedFiles) {
      const to = resolveImport(file, imported.fileName, known)
      if (!to) continue
      // The statement that holds this specifier: type-only when it starts with `import type` or `export type`.
      const statementStart = Math.max(
        text.lastIndexOf('\nimport', imported.pos),
        text.lastIndexOf('\nexport', imported.pos),
        0,
      )
      const typeOnly = /^\s*(?:import|export)\s+type\s/.test(text.slice(statementStart, imported.pos))
      edges.push({ to, typeOnly })
    }
    graph.set(file, edges)
  }
  return graph
}

/**
 * Cycles through any import, types included: a type-only cycle costs nothing at run time, but
 * it still ties two modules together for a reader (and for tools that draw the graph).
 */
function findCycles(graph: Map<string, Edge[]>): string[][] {
  const cycles: string[][] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const stack: string[] = []
  const visit = (file: string) => {
    state.set(file, 'visiting')
    stack.push(file)
    for (const edge of graph.get(file) ?? []) {
      const seen = state.get(edge.to)
      if (seen === 'visiting') cycles.push([...stack.slice(stack.indexOf(edge.to)), edge.to])
      else if (!seen) visit(edge.to)
    }
    stack.pop()
    state.set(file, 'done')
  }
  for (const file of graph.keys()) if (!state.has(file)) visit(file)
  return cycles
}

describe("Kiln's layout", () => {
  const graph = importGraph()

  it('reads the tree it checks', () => {
    expect(graph.size).toBeGreaterThan(50)
    expect(graph.has('server/index.ts')).toBe(true)
    expect(graph.has('app/entry.server.tsx')).toBe(true)
  })

  it('has no import cycles', () => {
    expect(findCycles(graph).map((cycle) => cycle.join(' -> '))).toEqual([])
  })

  it('finds a cycle when there is one (the check itself works)', () => {
    const looped = new Map<string, Edge[]>([
      ['a.ts', [{ to: 'b.ts', typeOnly: false }]],
      ['b.ts', [{ to: 'a.ts', typeOnly: false }]],
      ['c.ts', [{ to: 'd.ts', typeOnly: true }]],
      ['d.ts', [{ to: 'c.ts', typeOnly: false }]],
    ])
    expect(findCycles(looped)).toEqual([
      ['a.ts', 'b.ts', 'a.ts'],
      ['c.ts', 'd.ts', 'c.ts'],
    ])
  })

  it('lets server/ import nothing from app/ but types', () => {
    const valueImports = [...graph]
      .filter(([file]) => file.startsWith('server/'))
      .flatMap(([file, edges]) =>
        edges.filter((edge) => edge.to.startsWith('app/') && !edge.typeOnly).map((edge) => `${file} -> ${edge.to}`),
      )
    expect(valueImports).toEqual([])
  })
})
