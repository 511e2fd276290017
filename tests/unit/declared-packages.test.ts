/**
 * Every package Kiln's code imports is declared in package.json, where it belongs: what the
 * server, its workers and its bundled scripts import at run time in `dependencies`, what
 * only types, tests, benchmarks or the build use in `devDependencies`. A package that is
 * only there because another one pulls it in can vanish with that one's next release. And no
 * import reaches into another package's private files (`dist/`, `lib/`): those are not its
 * interface and move without notice.
 */
import fs from 'node:fs'
import { builtinModules } from 'node:module'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { projectRoot } from '../../app/config.server.ts'

const manifest = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
}
const runtime = new Set(Object.keys(manifest.dependencies))
const declared = new Set([...runtime, ...Object.keys(manifest.devDependencies)])
const builtins = new Set(builtinModules)

/** Imported at run time only by development paths: Vite's dev server, tsx's loader for unbundled sources. */
const DEVELOPMENT_ONLY = new Set(['vite', 'tsx'])
/** Run-time folders, and those whose code runs only in development, tests and benchmarks. */
const RUNTIME_DIRS = ['app', 'server', 'workers']
const ALL_DIRS = [...RUNTIME_DIRS, 'other']
/** Scripts bundled into build/kiln/ (other/bundle-server.mjs): they run in production. */
const BUNDLED_SCRIPTS = [
  'other/migrate.ts',
  'other/admin-create.ts',
  'other/db-backup.ts',
  'other/db-restore.ts',
  'other/config-check.ts',
]

interface Use {
  file: string
  specifier: string
  typeOnly: boolean
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(projectRoot, dir), { recursive: true, encoding: 'utf8' }).flatMap((name) => {
    const file = path.join(dir, name)
    return /\.(?:ts|tsx|mjs|js)$/.test(name) && fs.statSync(path.join(projectRoot, file)).isFile() ? [file] : []
  })
}

/** The package specifiers a file imports (static, dynamic, side-effect, re-export), and whether only as types. */
function importsOf(file: string): Use[] {
  const source = fs.readFileSync(path.join(projectRoot, file), 'utf8')
  const uses: Use[] = []
  const patterns = [
    /^\s*(import|export)(\s+type)?\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ]
  for (const match of source.matchAll(patterns[0])) uses.push({ file, specifier: match[3], typeOnly: !!match[2] })
  for (const match of source.matchAll(patterns[1])) uses.push({ file, specifier: match[1], typeOnly: false })
  for (const match of source.matchAll(patterns[2])) uses.push({ file, specifier: match[1], typeOnly: false })
  return uses.filter(({ specifier }) => !/^(?:\.|\/|node:|virtual:)/.test(specifier) && !builtins.has(specifier))
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

/** A type-only import of `mdast` is served by `@types/mdast`. */
function declaredName(name: string): string | undefined {
  if (declared.has(name)) return name
  const types = `@types/${name.replace(/^@/, '').replace('/', '__')}`
  return declared.has(types) ? types : undefined
}

const uses = ALL_DIRS.flatMap(sourceFiles).flatMap(importsOf)

describe('declared packages', () => {
  it('finds the imports it checks', () => {
    expect(uses.length).toBeGreaterThan(100)
    expect(uses.map((use) => packageOf(use.specifier))).toContain('better-sqlite3')
  })

  it('declares every package that is imported', () => {
    const undeclared = uses.filter((use) => !declaredName(packageOf(use.specifier)))
    expect(undeclared.map((use) => `${use.file}: ${use.specifier}`)).toEqual([])
  })

  it('declares what runs in production under dependencies', () => {
    const runsInProduction = (use: Use) =>
      !use.typeOnly &&
      (RUNTIME_DIRS.some((dir) => use.file.startsWith(`${dir}/`)) || BUNDLED_SCRIPTS.includes(use.file))
    const misplaced = uses.filter(
      (use) =>
        runsInProduction(use) &&
        !runtime.has(packageOf(use.specifier)) &&
        !DEVELOPMENT_ONLY.has(packageOf(use.specifier)),
    )
    expect(misplaced.map((use) => `${use.file}: ${use.specifier}`)).toEqual([])
  })

  it("imports no package's private files", () => {
    const privatePaths = uses.filter((use) => /\/(?:dist|lib|build|src)\//.test(`${use.specifier}/`))
    expect(privatePaths.map((use) => `${use.file}: ${use.specifier}`)).toEqual([])
  })

  it('keeps types, tsx and unused adapters out of the production dependencies', () => {
    expect([...runtime].filter((name) => name.startsWith('@types/'))).toEqual([])
    expect(runtime.has('tsx')).toBe(false)
    expect(declared.has('@remix-run/serve')).toBe(false)
    expect(declared.has('@remix-run/express')).toBe(false)
  })
})
