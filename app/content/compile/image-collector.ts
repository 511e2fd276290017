/**
 * The images of one compile: every image the post shows (Markdown, <img>, <Figure>,
 * imports, the frontmatter's cover) is probed once, declared once with the copies the
 * image route may make of it, and handed back with the compile's result. Shared by the
 * remark plugin and the esbuild loader of the same compile.
 */
import fs from 'node:fs'
import path from 'node:path'
import { probeImage, type ImageProbe } from '../../images/image-probe.ts'
import { declareImage, type DeclaredImage } from '../../images/image-variants.ts'
import { contentRoot, isInside, resolveImport } from '../source.server.ts'

export type CollectedImage = { ok: true; image: DeclaredImage } | { ok: false; reason: string }

export class ImageCollector {
  private readonly root: string
  private readonly probes = new Map<string, ImageProbe>()
  private readonly declared = new Map<string, DeclaredImage>()
  /** Images placed on the page so far: the first one loads eagerly. */
  placed = 0

  /**
   * `entryPath` is the post's file, relative to the content folder: a folder post
   * (`<slug>/index.mdx`) may show the files of its folder, whose bytes are part of its
   * version; a post of one file has no folder of its own to take images from.
   */
  constructor(
    contentDir: string,
    private readonly entryPath: string,
    private readonly widths: readonly number[],
  ) {
    this.root = contentRoot(contentDir)
  }

  /** The post's own folder (links resolved), or null for a post of one file. */
  private postFolder(): string | null {
    if (!/(^|\/)index\.mdx?$/.test(this.entryPath)) return null
    try {
      return fs.realpathSync(path.join(this.root, path.dirname(this.entryPath)))
    } catch {
      return null
    }
  }

  /**
   * An image written in the post (`./diagram.png`, relative to the MDX file `fromFile`),
   * which must be a file of the post's own folder.
   */
  resolveInPost(fromFile: string, url: string, { social = false } = {}): CollectedImage {
    let decoded: string
    try {
      decoded = decodeURIComponent(url.replace(/[?#].*$/, ''))
    } catch {
      return { ok: false, reason: 'its path is not valid' }
    }
    const folder = this.postFolder()
    if (!folder)
      return { ok: false, reason: 'images beside a post need a folder post (blog/<slug>/index.mdx with its images)' }
    const target = path.resolve(path.dirname(fromFile), decoded)
    let real: string
    try {
      real = fs.realpathSync(target)
    } catch {
      return { ok: false, reason: 'no such file in the post folder' }
    }
    if (!isInside(folder, real)) return { ok: false, reason: "it leaves the post's folder" }
    return this.collect(real, { social })
  }

  /**
   * An image the post imports (`import photo from '../shared/photo.png'`), shown with
   * `<img src={photo}>`: like any import, it may be anywhere inside the content folder, and
   * the post's version counts it (source.server.ts follows imports).
   */
  resolveImport(fromFile: string, specifier: string): CollectedImage {
    let from = path.dirname(fromFile)
    try {
      from = fs.realpathSync(from)
    } catch {
      // the MDX file's folder as it is
    }
    const resolved = resolveImport(this.root, from, specifier)
    if (!resolved) return { ok: false, reason: 'no such file' }
    if ('outside' in resolved) return { ok: false, reason: 'it is outside the content folder' }
    return this.collect(resolved.path)
  }

  /** A file esbuild resolved for an import (the content boundary has already kept it inside the content folder). */
  collect(real: string, { social = false } = {}): CollectedImage {
    if (!isInside(this.root, real)) return { ok: false, reason: 'it is outside the content folder' }
    let probe = this.probes.get(real)
    if (!probe) {
      probe = probeImage(real, path.relative(this.root, real))
      this.probes.set(real, probe)
    }
    if (!probe.ok) return probe
    const before = this.declared.get(probe.image.hash)
    const image = declareImage(probe.image, this.widths, { social: social || before?.variants.includes('social.jpg') })
    this.declared.set(image.hash, image)
    return { ok: true, image }
  }

  images(): DeclaredImage[] {
    return [...this.declared.values()]
  }
}
