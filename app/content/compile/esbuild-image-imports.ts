/**
 * `import photo from './photo.jpg'` in a post: esbuild has no loader for images, so
 * without this plugin the import fails the compile ("No loader is configured"). The
 * imported value describes the responsive picture (src, width, height, srcSet, sources,
 * sizes) and turns into its src where a string is expected (`<img src={photo}>`, which
 * remark-images.ts rewrites into a full <picture> besides). The image is declared on the
 * compile's collector like any other, so the image route may make its copies.
 *
 * The content boundary plugin runs first and has already refused an import that leaves
 * the content folder; this one only loads what it let through.
 */
import fs from 'node:fs'
import type { Plugin } from 'esbuild'
import { IMAGE_EXTENSION_PATTERN } from '../../images/image-probe.ts'
import { responsivePicture } from '../../images/image-variants.ts'
import type { ImageCollector } from './image-collector.ts'

export function esbuildImageImports(collector: ImageCollector): Plugin {
  return {
    name: 'kiln-image-imports',
    setup(build) {
      build.onLoad({ filter: IMAGE_EXTENSION_PATTERN, namespace: 'file' }, (args) => {
        let real = args.path
        try {
          real = fs.realpathSync(args.path)
        } catch {
          // the boundary plugin reports a file that vanished
        }
        const found = collector.collect(real)
        if (!found.ok) {
          const value = { src: '', width: 0, height: 0, unavailable: found.reason }
          return {
            contents: `export default ${JSON.stringify(value)}`,
            loader: 'js',
            warnings: [{ text: `image ${args.path}: ${found.reason}` }],
          }
        }
        const { image } = found
        const value = { ...responsivePicture(image), format: image.format }
        return {
          contents:
            `const image = ${JSON.stringify(value)}\n` +
            `Object.defineProperty(image, 'toString', { value: () => image.src })\n` +
            'export default image\n',
          loader: 'js',
        }
      })
    },
  }
}
