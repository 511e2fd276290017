/**
 * The content boundary for imports (docs/security.md): compiling a post reads no file
 * outside the content folder. esbuild would follow an absolute import (`/etc/passwd`), a
 * relative one that climbs out (`../../../x`), a bare package name (into Kiln's own
 * node_modules) or a symbolic link that leads out; this plugin, first in line, refuses
 * each with an error esbuild places at the import, which CompileError.from maps back to
 * the MDX line. Imports of files elsewhere inside the folder (`../_components/note.jsx`)
 * are allowed, and so are the packages mdx-bundler provides (react), which are never read.
 * Every file loaded is checked once more when it is read, whichever plugin resolved it.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Plugin } from 'esbuild'
import { contentRoot, isInside, resolveImport } from '../source.server.ts'

/** `read` collects every file the compile read, relative to the content folder (links resolved). */
export function esbuildContentBoundary(contentDir: string, read: Set<string>): Plugin {
  const root = contentRoot(contentDir)
  const refuse = (specifier: string, why: string) => ({ errors: [{ text: `Refused import "${specifier}": ${why}` }] })
  return {
    name: 'kiln-content-boundary',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point' || (args.pluginData as { kilnBoundary?: boolean } | undefined)?.kilnBoundary)
          return undefined
        const specifier = args.path
        if (path.isAbsolute(specifier) || /^[a-z]+:/i.test(specifier)) {
          if (/^data:/i.test(specifier)) return undefined
          return refuse(
            specifier,
            'absolute paths and URLs are not allowed; import files of the content folder with a relative path',
          )
        }
        if (specifier.startsWith('.') && args.resolveDir) {
          let from = args.resolveDir
          try {
            from = fs.realpathSync(args.resolveDir)
          } catch {
            // resolveDir is a real folder esbuild is reading: keep it as it is
          }
          if (!isInside(root, path.resolve(from, specifier))) return refuse(specifier, 'it leaves the content folder')
          // Relative imports are resolved here, from the importing file's folder, by the
          // function the index uses for a post's version. mdx-bundler's node-resolve
          // plugin would resolve them from the post's folder instead: `./label.js` in
          // `_components/note.jsx` would find the post's own label.js.
          const resolved = resolveImport(root, from, specifier)
          if (resolved && 'path' in resolved) return { path: resolved.path }
          if (resolved)
            return refuse(specifier, `it is a symbolic link to ${resolved.outside}, outside the content folder`)
          if (specifier.startsWith('./') || specifier.startsWith('../'))
            return { errors: [{ text: `Could not resolve "${specifier}"` }] }
        }
        // Let the other plugins and esbuild resolve it, then look at where it leads.
        const resolved = await build.resolve(specifier, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: { kilnBoundary: true },
        })
        if (resolved.errors.length > 0 || resolved.external || resolved.namespace !== 'file' || !resolved.path)
          return undefined
        let real: string
        try {
          real = fs.realpathSync(resolved.path)
        } catch {
          return undefined
        }
        if (!isInside(root, real)) {
          const bare = !specifier.startsWith('.')
          return refuse(
            specifier,
            bare
              ? 'packages are not bundled with posts (only react is ' +
                  'provided); copy what you need into the content folder'
              : `it is a symbolic link to ${real}, outside the content folder`,
          )
        }
        return undefined
      })
      build.onLoad({ filter: /.*/, namespace: 'file' }, (args) => {
        let real: string
        try {
          real = fs.realpathSync(args.path)
        } catch {
          return undefined
        }
        if (!isInside(root, real))
          return { errors: [{ text: `Refused to read ${args.path}: it is outside the content folder` }] }
        read.add(path.relative(root, real))
        return undefined
      })
    },
  }
}
