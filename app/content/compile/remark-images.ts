/**
 * Images beside a post become responsive pictures. `![alt](./diagram.png)`,
 * `<img src="./photo.jpg">`, `<img src={photo}>` (photo imported from './photo.jpg') and
 * `<Figure src="./x.png">` are each rewritten, at compile time, to a <picture> with
 * AVIF and WebP sources and the original format, at the widths the image allows, with
 * the intrinsic width and height (no layout shift), lazy loading (the page's first image
 * loads eagerly, at high priority: it is likely the largest paint) and `sizes` for the
 * column. The images found are declared on the collector: the image route makes only
 * those copies.
 *
 * An image that cannot be used (not an image, corrupt, too large, a path that leaves the
 * post's folder) is a warning at its line and renders as a plain link: the post compiles.
 * Absolute URLs (https://…, /favicon.svg) are left as they are.
 */
import type { Root } from 'mdast'
import type { MdxJsxAttribute, MdxJsxFlowElement, MdxJsxTextElement } from 'mdast-util-mdx'
import { SKIP, visit } from 'unist-util-visit'
import type { VFile } from 'vfile'
import { responsivePicture, type DeclaredImage } from '../../images/image-variants.ts'
import type { ImageCollector } from './image-collector.ts'

export const IMAGE_PROBLEM = 'image'

type JsxElement = MdxJsxFlowElement | MdxJsxTextElement

/** A relative path: what the post ships beside it (not a URL, not a path of the site). */
export function isLocalImage(url: string): boolean {
  return !/^(?:[a-z][a-z0-9+.-]*:|\/|#)/i.test(url) && url.trim() !== ''
}

const attribute = (name: string, value: string): MdxJsxAttribute => ({ type: 'mdxJsxAttribute', name, value })

function stringAttribute(node: JsxElement, name: string): string | undefined {
  const found = node.attributes.find((a) => a.type === 'mdxJsxAttribute' && a.name === name)
  return typeof found?.value === 'string' ? found.value : undefined
}

/** The local name of an identifier expression (`{photo}`) given as the attribute's value. */
function identifierAttribute(node: JsxElement, name: string): string | undefined {
  const found = node.attributes.find((a) => a.type === 'mdxJsxAttribute' && a.name === name)
  if (!found || typeof found.value !== 'object' || !found.value) return undefined
  const name_ = found.value.value.trim()
  return /^[A-Za-z_$][\w$]*$/.test(name_) ? name_ : undefined
}

/** Default imports of image files in the file's ESM: local name -> path. */
function imageImports(tree: Root): Map<string, string> {
  const imports = new Map<string, string>()
  visit(tree, 'mdxjsEsm', (node) => {
    for (const statement of node.data?.estree?.body ?? []) {
      if (statement.type !== 'ImportDeclaration' || typeof statement.source.value !== 'string') continue
      for (const specifier of statement.specifiers)
        if (specifier.type === 'ImportDefaultSpecifier') imports.set(specifier.local.name, statement.source.value)
    }
  })
  return imports
}

/** The <picture> of an image, with the <img>'s own attributes (alt, title, className…) kept. */
function pictureElement(
  type: JsxElement['type'],
  image: DeclaredImage,
  eager: boolean,
  kept: JsxElement['attributes'],
  position: JsxElement['position'],
): JsxElement {
  const picture = responsivePicture(image)
  const given = (name: string) =>
    kept.some((a) => a.type === 'mdxJsxAttribute' && a.name.toLowerCase() === name.toLowerCase())
  const img: MdxJsxTextElement = {
    type: 'mdxJsxTextElement',
    name: 'img',
    attributes: [
      ...kept,
      attribute('src', picture.src),
      ...(picture.srcSet ? [attribute('srcSet', picture.srcSet), attribute('sizes', picture.sizes ?? '')] : []),
      ...(given('width') || given('height')
        ? []
        : [attribute('width', String(picture.width)), attribute('height', String(picture.height))]),
      ...(given('loading') ? [] : [attribute('loading', eager ? 'eager' : 'lazy')]),
      ...(given('decoding') ? [] : [attribute('decoding', eager ? 'auto' : 'async')]),
      ...(eager && !given('fetchpriority') ? [attribute('fetchpriority', 'high')] : []),
    ],
    children: [],
  }
  if (picture.sources.length === 0) return { ...img, type, position } as JsxElement
  return {
    type,
    name: 'picture',
    attributes: [],
    children: [
      ...picture.sources.map((source): MdxJsxTextElement => ({
        type: 'mdxJsxTextElement',
        name: 'source',
        attributes: [
          attribute('type', source.type),
          attribute('srcSet', source.srcSet),
          attribute('sizes', picture.sizes ?? ''),
        ],
        children: [],
      })),
      img,
    ],
    position,
  } as JsxElement
}

/** An image that cannot be shown: a link to what the author wrote, named by its alt text. */
function plainLink(type: JsxElement['type'], url: string, alt: string, position: JsxElement['position']): JsxElement {
  return {
    type,
    name: 'a',
    attributes: [attribute('href', url), attribute('className', 'kiln-image-unavailable')],
    children: [{ type: 'text', value: alt.trim() || url }],
    position,
  } as JsxElement
}

export function remarkImages({ collector }: { collector: ImageCollector }) {
  return (tree: Root, file: VFile) => {
    const imports = imageImports(tree)
    const fromFile = file.path
    const use = (url: string, place: JsxElement['position'], imported = false): DeclaredImage | null => {
      const found = imported ? collector.resolveImport(fromFile, url) : collector.resolveInPost(fromFile, url)
      if (found.ok) return found.image
      file.message(`image ${url} is shown as a plain link: ${found.reason}`, {
        place,
        ruleId: IMAGE_PROBLEM,
        source: 'kiln',
      })
      return null
    }
    visit(tree, (node, index, parent) => {
      if (!parent || index === undefined) return
      if (node.type === 'image') {
        if (!isLocalImage(node.url)) return
        const image = use(node.url, node.position)
        const kept = node.title ? [attribute('title', node.title)] : []
        parent.children[index] = image
          ? pictureElement(
              'mdxJsxTextElement',
              image,
              collector.placed++ === 0,
              [attribute('alt', node.alt ?? ''), ...kept],
              node.position,
            )
          : plainLink('mdxJsxTextElement', node.url, node.alt ?? '', node.position)
        return SKIP
      }
      if ((node.type !== 'mdxJsxFlowElement' && node.type !== 'mdxJsxTextElement') || !node.name) return
      if (node.name !== 'img' && node.name !== 'Figure') return
      const name = identifierAttribute(node, 'src')
      const written = stringAttribute(node, 'src')
      const url = written ?? (name ? imports.get(name) : undefined)
      if (!url || !isLocalImage(url)) return
      const image = use(url, node.position, written === undefined)
      const alt = stringAttribute(node, 'alt') ?? ''
      if (node.name === 'img') {
        const kept = node.attributes.filter((a) => a.type !== 'mdxJsxAttribute' || a.name !== 'src')
        parent.children[index] = image
          ? pictureElement(node.type, image, collector.placed++ === 0, kept, node.position)
          : plainLink(node.type, url, alt, node.position)
        return SKIP
      }
      // <Figure src alt caption>: the component frames the picture made here, given as its child.
      const kept = node.attributes.filter((a) => a.type !== 'mdxJsxAttribute' || (a.name !== 'src' && a.name !== 'alt'))
      const inner = image
        ? pictureElement('mdxJsxTextElement', image, collector.placed++ === 0, [attribute('alt', alt)], node.position)
        : plainLink('mdxJsxTextElement', url, alt, node.position)
      node.attributes = [...kept, attribute('alt', alt)]
      node.children = [inner] as typeof node.children
      return SKIP
    })
  }
}
