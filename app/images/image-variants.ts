/**
 * Which copies of an image a post declares, and their URLs: a pure function of the image
 * (format, size, animation) and IMAGE_WIDTHS. The compile writes the list beside the post
 * (app/images/declared-images.server.ts) and the image route makes only what is on it, so
 * a request cannot make the server resize an image to a size or format nobody asked for.
 *
 * URLs are content-addressed, `/images/<hash of the file's bytes>/<width>.<ext>`: a new
 * version of an image is a new URL, so every copy can be cached for a year, immutable.
 */

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'avif' | 'gif' | 'svg'

/** An image a compile found beside a post: what its page and the image route need to know. */
export interface ImageInfo {
  /** The first 20 hex digits of the SHA-256 of the file's bytes. */
  hash: string
  /** The file, relative to the content folder. */
  path: string
  format: ImageFormat
  /** Intrinsic size as displayed (EXIF rotation applied). */
  width: number
  height: number
  /** More than one frame: served as it is (a resized copy would lose the animation or cost too much). */
  animated: boolean
}

/** An image a compile declared: its info and the file names the image route may answer for it. */
export interface DeclaredImage extends ImageInfo {
  variants: string[]
}

/** The column posts are set in, in CSS pixels (app/components/article.tsx: the prose column within max-w-3xl). */
export const COLUMN_WIDTH = 720
/** The `sizes` every responsive image carries: the column, or the whole viewport on a narrower screen. */
export const IMAGE_SIZES = `(min-width: ${COLUMN_WIDTH + 48}px) ${COLUMN_WIDTH}px, 100vw`
/** The social card's size (Open Graph's recommended 1.91:1). */
export const SOCIAL_WIDTH = 1200
export const SOCIAL_HEIGHT = 630
export const SOCIAL_VARIANT = 'social.jpg'

const EXTENSIONS: Record<ImageFormat, string> = {
  png: 'png',
  jpeg: 'jpg',
  webp: 'webp',
  avif: 'avif',
  gif: 'gif',
  svg: 'svg',
}

export const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif',
  svg: 'image/svg+xml',
}

/** The hash in an image URL, and a variant's file name: what the route accepts before it looks anything up. */
export const IMAGE_HASH_PATTERN = /^[0-9a-f]{20}$/
export const VARIANT_PATTERN = /^(?:[1-9]\d{0,4}|original|social)\.(?:png|jpg|webp|avif|gif|svg)$/

/**
 * The widths made of an image: each configured width narrower than the image, and the
 * image's own width when it is narrower than the widest configured one, so a 500 px
 * image gets 320 and 500, never an upscaled 640.
 */
export function declaredWidths(intrinsicWidth: number, widths: readonly number[]): number[] {
  const fit = widths.filter((width) => width < intrinsicWidth)
  if (fit.length < widths.length) fit.push(intrinsicWidth)
  return fit
}

/** True when the image is served only as it is: SVG (any size already) and animations. */
export function servedAsIs(image: ImageInfo): boolean {
  return image.format === 'svg' || image.animated
}

/** The formats offered, best first: AVIF and WebP, then the original's own format as the fallback. */
export function variantFormats(image: ImageInfo): string[] {
  return [...new Set(['avif', 'webp', EXTENSIONS[image.format]])]
}

export function imageUrl(hash: string, variant: string): string {
  return `/images/${hash}/${variant}`
}

export function originalVariant(image: ImageInfo): string {
  return `original.${EXTENSIONS[image.format]}`
}

/** Every file name the image route may make for this image (the social card only when asked). */
export function declareImage(image: ImageInfo, widths: readonly number[], { social = false } = {}): DeclaredImage {
  const variants = servedAsIs(image)
    ? [originalVariant(image)]
    : variantFormats(image).flatMap((ext) => declaredWidths(image.width, widths).map((width) => `${width}.${ext}`))
  if (social && image.format !== 'svg') variants.push(SOCIAL_VARIANT)
  return { ...image, variants }
}

export interface PictureSource {
  type: string
  srcSet: string
}

/** What a <picture> needs: a <source> per modern format and the <img>'s own src and srcset. */
export interface ResponsivePicture {
  sources: PictureSource[]
  src: string
  srcSet?: string
  sizes?: string
  width: number
  height: number
}

/**
 * The picture of a declared image. The <img>'s src (for the rare browser without srcset)
 * is the original format at the first width that fills the column on a 1x screen.
 */
export function responsivePicture(image: DeclaredImage): ResponsivePicture {
  const { width, height } = image
  if (servedAsIs(image)) return { sources: [], src: imageUrl(image.hash, originalVariant(image)), width, height }
  const srcSetOf = (ext: string) =>
    image.variants
      .filter((variant) => variant.endsWith(`.${ext}`) && /^\d/.test(variant))
      .map((variant) => `${imageUrl(image.hash, variant)} ${parseInt(variant, 10)}w`)
      .join(', ')
  const [own, ...modern] = variantFormats(image).reverse()
  const ownWidths = image.variants.filter((variant) => variant.endsWith(`.${own}`)).map((v) => parseInt(v, 10))
  const fallbackWidth = ownWidths.find((w) => w >= COLUMN_WIDTH) ?? ownWidths[ownWidths.length - 1]
  return {
    sources: modern.reverse().map((ext) => ({ type: CONTENT_TYPES[ext], srcSet: srcSetOf(ext) })),
    src: imageUrl(image.hash, `${fallbackWidth}.${own}`),
    srcSet: srcSetOf(own),
    sizes: IMAGE_SIZES,
    width,
    height,
  }
}
