/**
 * The README's configuration table is the operator's list of settings; app/config.server.ts
 * is the one place that reads them. This test reads both as text and keeps them equal: every
 * variable the module reads has a row, every row names a variable the module reads, and a
 * default the table states as a value is the default the module uses.
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_CSP_FRAME_SRC, projectRoot } from '../../app/config.server.ts'

const configSource = fs.readFileSync(path.join(projectRoot, 'app', 'config.server.ts'), 'utf8')
const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8')

interface Row {
  name: string
  /** The default cell's leading `value`, when the cell starts with one; null for prose. */
  stated: string | null
}

/** The rows of the table under "## Configuration", up to the next section. */
function readmeRows(): Row[] {
  const start = readme.indexOf('\n## Configuration\n')
  expect(start, 'README has a "## Configuration" section').toBeGreaterThan(-1)
  const end = readme.indexOf('\n## ', start + 1)
  const section = readme.slice(start, end === -1 ? undefined : end)
  return section
    .split('\n')
    .filter((line) => /^\| `[A-Z][A-Z0-9_]*` \|/.test(line))
    .map((line) => {
      const cells = line.split('|').slice(1, -1)
      const name = cells[0].trim().replaceAll('`', '')
      const stated = /^`([^`]*)`/.exec(cells[cells.length - 1].trim())
      return { name, stated: stated ? stated[1] : null }
    })
}

/** Every variable config.server.ts reads: by name through one of its helpers, or as process.env.NAME. */
function configVariables(): Set<string> {
  const names = new Set<string>()
  for (const match of configSource.matchAll(/\b[a-zA-Z]+\(\s*'([A-Z][A-Z0-9_]*)'/g)) names.add(match[1])
  for (const match of configSource.matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) names.add(match[1])
  return names
}

/** A numeric literal such as `64 * 1024 * 1024` or `60_000`; null for anything computed otherwise. */
function numberLiteral(expression: string): number | null {
  if (!/^[\d_]+(?:\s*\*\s*[\d_]+)*$/.test(expression.trim())) return null
  return expression
    .split('*')
    .map((factor) => Number(factor.trim().replaceAll('_', '')))
    .reduce((product, factor) => product * factor, 1)
}

/** Each literal default in config.server.ts, as the README would write it, by variable. */
function literalDefaults(): [name: string, value: string][] {
  const defaults: [string, string][] = []
  for (const [, name, fallback] of configSource.matchAll(/\binteger\(\s*'([A-Z][A-Z0-9_]*)',\s*([^,]+),/g)) {
    const value = numberLiteral(fallback)
    if (value !== null) defaults.push([name, String(value)])
  }
  for (const [, name, fallback] of configSource.matchAll(
    /\b(?:text|safeRelative)\(\s*'([A-Z][A-Z0-9_]*)',\s*'([^']*)'\)/g,
  ))
    defaults.push([name, fallback])
  for (const [, name, fallback] of configSource.matchAll(
    /\boneOf\(\s*'([A-Z][A-Z0-9_]*)',[^)]*\],?\s*(?:as const,\s*)?'([^']*)'\)/g,
  ))
    defaults.push([name, fallback])
  for (const [, name, fallback] of configSource.matchAll(/\bflag\(\s*'([A-Z][A-Z0-9_]*)',\s*(true|false)\)/g))
    defaults.push([name, fallback === 'true' ? '1' : '0'])
  defaults.push(['CSP_FRAME_SRC', DEFAULT_CSP_FRAME_SRC.join(' ')])
  return defaults
}

/** Source files below `folder` (relative to the project root), recursively. */
function sourceFiles(folder: string): string[] {
  return fs
    .readdirSync(path.join(projectRoot, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(?:[cm]?[jt]sx?)$/.test(file))
    .map((file) => path.join(folder, file))
}

describe('reading the environment', () => {
  it('happens in app/config.server.ts only, in the app and its workers', () => {
    const readers = [...sourceFiles('app'), ...sourceFiles('workers')].filter(
      (file) =>
        file !== path.join('app', 'config.server.ts') &&
        // A read names a variable; handing the whole environment to a child process (`...process.env`) is not one.
        /process\.env\s*(?:\.|\[)/.test(fs.readFileSync(path.join(projectRoot, file), 'utf8')),
    )
    expect(readers).toEqual([])
  })
})

describe("the README's configuration table", () => {
  const rows = readmeRows()

  it('has one row per variable', () => {
    const names = rows.map((row) => row.name)
    expect(names.length).toBeGreaterThan(30)
    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([])
  })

  it('lists exactly the variables config.server.ts reads', () => {
    expect(rows.map((row) => row.name).sort()).toEqual([...configVariables()].sort())
  })

  it('reads dynamic names only through its helpers, so the list above misses none', () => {
    const dynamic = [...configSource.matchAll(/process\.env\[([^\]]+)\]/g)].map((match) => match[1])
    expect(new Set(dynamic)).toEqual(new Set(['name']))
  })

  it('states the defaults config.server.ts uses', () => {
    const stated = new Map(rows.map((row) => [row.name, row.stated]))
    const checked = literalDefaults().filter(([name]) => stated.get(name) != null)
    // Most rows state their default as a value: a parser that found none would prove nothing.
    expect(checked.length).toBeGreaterThan(25)
    for (const [name, value] of checked) expect(`${name} = ${stated.get(name)}`).toBe(`${name} = ${value}`)
  })
})
