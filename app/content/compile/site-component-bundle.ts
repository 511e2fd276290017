/**
 * Bundles one site-wide component (`content/components/<Name>.tsx`) with esbuild: a pure
 * function of the files on disk, used by the compile (which checks that the components a
 * post uses build, so a broken one is an error naming its file) and by the server (which
 * serves and evaluates the bundle). React comes from the page, as it does for posts; every
 * other import is held to the content folder (esbuild-content-boundary.ts).
 *
 * The output is a function body of (React, ReactDOM, _jsx_runtime) returning the file's
 * exports, the shape mdx-bundler gives a post, so both are evaluated and served alike.
 */
import fs from 'node:fs'
import path from 'node:path'
import { build, type Plugin } from 'esbuild'
import {
  SITE_COMPONENT_EXTENSIONS,
  SITE_COMPONENT_NAME,
  SITE_COMPONENTS_FOLDER,
  type SiteComponentVersions,
} from '../site-components.ts'
import { contentRoot, hashEntry, importedFiles, isInside, type FileStamp } from '../source.server.ts'
import { CompileError } from './compile-error.ts'
import { esbuildContentBoundary } from './esbuild-content-boundary.ts'

/** A folder of components is small: beyond this many, the rest are left out (and said so). */
export const MAX_SITE_COMPONENTS = 200

export interface SiteComponentFile {
  name: string
  /** Relative to the content folder. */
  file: string
  /** A digest of the file and everything it imports. */
  version: string
}

/**
 * The components in `content/components/`, each with its version. Reads every component
 * (and what it imports) to hash it: a few small files, once per compile.
 */
export function listSiteComponents(contentDir: string, maxBytes: number): Map<string, SiteComponentFile> {
  const found = new Map<string, SiteComponentFile>()
  const folder = path.join(contentDir, SITE_COMPONENTS_FOLDER)
  let names: string[]
  try {
    names = fs.readdirSync(folder).sort()
  } catch {
    return found
  }
  const root = contentRoot(contentDir)
  for (const fileName of names) {
    const ext = path.extname(fileName)
    const name = fileName.slice(0, -ext.length)
    if (!SITE_COMPONENT_EXTENSIONS.includes(ext) || !SITE_COMPONENT_NAME.test(name) || found.has(name)) continue
    if (found.size >= MAX_SITE_COMPONENTS) break
    const file = path.join(SITE_COMPONENTS_FOLDER, fileName)
    try {
      const real = fs.realpathSync(path.join(contentDir, file))
      if (!isInside(root, real) || !fs.statSync(real).isFile()) continue
      found.set(name, { name, file, version: siteComponentVersion(contentDir, file, maxBytes) })
    } catch {
      // Gone or unreadable since the listing: not a component now.
    }
  }
  return found
}

/** One component as its file is now, or null when `components/<name>.tsx|jsx` is not there. */
export function findSiteComponent(contentDir: string, name: string, maxBytes: number): SiteComponentFile | null {
  if (!SITE_COMPONENT_NAME.test(name)) return null
  const root = contentRoot(contentDir)
  for (const ext of SITE_COMPONENT_EXTENSIONS) {
    const file = path.join(SITE_COMPONENTS_FOLDER, name + ext)
    try {
      const real = fs.realpathSync(path.join(contentDir, file))
      if (!isInside(root, real) || !fs.statSync(real).isFile()) continue
      return { name, file, version: siteComponentVersion(contentDir, file, maxBytes) }
    } catch {
      // not this extension
    }
  }
  return null
}

/** The component's files (itself and what it imports), as the post's version counts them (source.server.ts). */
export function siteComponentFiles(contentDir: string, file: string, maxBytes: number): FileStamp[] {
  const absolute = path.join(contentDir, file)
  const stat = fs.statSync(absolute)
  const source = stat.size <= maxBytes ? fs.readFileSync(absolute, 'utf8') : ''
  return [[file, stat.mtimeMs, stat.size], ...importedFiles(contentDir, file, source, maxBytes)]
}

export function siteComponentVersion(contentDir: string, file: string, maxBytes: number): string {
  const digest = hashEntry(contentDir, siteComponentFiles(contentDir, file, maxBytes))
  return Buffer.from(digest.slice(0, 24), 'hex').toString('base64url')
}

/** react, react-dom and the JSX runtime are the page's own: read from the function's parameters. */
function pageGlobals(): Plugin {
  const globals: Record<string, string> = {
    react: 'React',
    'react-dom': 'ReactDOM',
    'react/jsx-runtime': '_jsx_runtime',
    'react/jsx-dev-runtime': '_jsx_runtime',
  }
  return {
    name: 'kiln-page-globals',
    setup(setup) {
      setup.onResolve({ filter: /^react(-dom)?(\/jsx-(dev-)?runtime)?$/ }, (args) =>
        globals[args.path] ? { path: args.path, namespace: 'kiln-global' } : undefined,
      )
      setup.onLoad({ filter: /.*/, namespace: 'kiln-global' }, (args) => ({
        contents: `module.exports = ${globals[args.path]}`,
        loader: 'js',
      }))
    },
  }
}

export interface SiteComponentBundle extends SiteComponentFile {
  /** A function body of (React, ReactDOM, _jsx_runtime) returning the file's exports. */
  code: string
}

/**
 * Bundles `content/components/<name>.tsx|jsx`. Throws a CompileError placed in the
 * component's file when it does not build or exports no component.
 */
export async function bundleSiteComponent(
  contentDir: string,
  component: SiteComponentFile,
): Promise<SiteComponentBundle> {
  const componentsDir = path.join(contentDir, SITE_COMPONENTS_FOLDER)
  const where = { contentDir, entryPath: component.file }
  let code: string
  try {
    const result = await build({
      entryPoints: [path.join(contentDir, component.file)],
      absWorkingDir: componentsDir,
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'neutral',
      target: 'es2020',
      jsx: 'automatic',
      logLevel: 'silent',
      plugins: [pageGlobals(), esbuildContentBoundary(contentDir, new Set())],
    })
    code = result.outputFiles[0].text
  } catch (error) {
    throw CompileError.from(error, where)
  }
  // The name must be exported, by name or as the default: checked in the text esbuild
  // wrote (its export table lists `Name: () => Name` and `default: () => …`).
  if (!new RegExp(`\\b(${component.name}|default):\\s*\\(\\)\\s*=>`).test(code)) {
    throw new CompileError(
      `${component.file} exports no component: export it as default or as ${component.name}`,
      component.file,
    )
  }
  return {
    ...component,
    code: `var module = { exports: {} }, exports = module.exports;\n${code}\nreturn module.exports;`,
  }
}

/** The site components a post may use, as the compiler's missing-component check takes them. */
export function siteComponentNames(components: Map<string, SiteComponentFile>): SiteComponentVersions {
  return Object.fromEntries([...components].map(([name, { version }]) => [name, version]))
}

/**
 * Bundles of this thread, by version: a compile thread compiling many posts that use one
 * component builds it once. Small and bounded; the thread itself ends when idle.
 */
const checked = new Map<string, Promise<SiteComponentBundle>>()
const MAX_CHECKED = 64

/** Builds each used component (once per version in this thread); throws the first one's CompileError. */
export async function checkSiteComponents(
  contentDir: string,
  components: Map<string, SiteComponentFile>,
  used: SiteComponentVersions,
): Promise<void> {
  for (const name of Object.keys(used).sort()) {
    const component = components.get(name)
    if (!component) continue
    const key = `${contentDir}\0${component.file}\0${component.version}`
    let bundling = checked.get(key)
    if (!bundling) {
      bundling = bundleSiteComponent(contentDir, component)
      checked.set(key, bundling)
      if (checked.size > MAX_CHECKED) checked.delete(checked.keys().next().value as string)
    }
    await bundling
  }
}
