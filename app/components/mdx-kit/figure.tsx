/**
 * <Figure src="./x.png" alt="…" caption="…">: an image with a caption, as a <figure>. The
 * compile (app/content/compile/remark-images.ts) reads the image beside the post and
 * hands the responsive <picture> it made (sizes, srcsets, lazy loading) over as the
 * children; an image it could not use arrives as a plain link. Without children (a
 * remote src), the image is shown as given.
 */
import type { ReactNode } from 'react'

export interface FigureProps {
  src?: string
  alt?: string
  caption?: ReactNode
  children?: ReactNode
}

export function Figure({ src, alt = '', caption, children }: FigureProps) {
  return (
    <figure className="kiln-figure" data-kit="Figure">
      {children ?? (src ? <img src={src} alt={alt} loading="lazy" decoding="async" /> : null)}
      {caption ? <figcaption>{caption}</figcaption> : null}
    </figure>
  )
}
