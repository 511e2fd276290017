/**
 * The images stored compiles show, in SQLite (`entry_images`): written with each compile,
 * in the same transaction (compiled-store.server.ts), so on every instance (LiteFS
 * replicates the table) the image route knows exactly which copies of which image a page
 * asked for, and refuses the rest. A row counts only while its compile is the stored one.
 */
import type { DB } from '../db/connection.server.ts'
import type { EntryKind } from '../content/source.server.ts'
import type { DeclaredImage, ImageFormat } from './image-variants.ts'

interface ImageRow {
  path: string
  format: ImageFormat
  width: number
  height: number
  variants: string
}

/** Replaces the entry's image rows with those of its new compile; rows of compiles no longer stored go too. */
export function saveDeclaredImages(
  db: DB,
  entry: { kind: EntryKind; slug: string; sourceHash: string },
  images: readonly DeclaredImage[],
): void {
  db.prepare('DELETE FROM entry_images WHERE kind = ? AND slug = ?').run(entry.kind, entry.slug)
  const insert = db.prepare(
    `INSERT OR REPLACE INTO entry_images (kind, slug, source_hash, image_hash, path, format, width, height, variants)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  for (const image of images)
    insert.run(
      entry.kind,
      entry.slug,
      entry.sourceHash,
      image.hash,
      image.path,
      image.format,
      image.width,
      image.height,
      JSON.stringify(image.variants),
    )
  db.prepare(
    `DELETE FROM entry_images WHERE NOT EXISTS (SELECT 1 FROM compiled_entries c WHERE c.kind = entry_images.kind
       AND c.slug = entry_images.slug AND c.source_hash = entry_images.source_hash)`,
  ).run()
}

export interface ImageSource {
  hash: string
  path: string
  format: ImageFormat
  width: number
  height: number
}

/** The image behind `/images/<hash>/<variant>`, when a stored compile declared that variant; otherwise null. */
export function findDeclaredImage(db: DB, hash: string, variant: string): ImageSource | null {
  const rows = db
    .prepare(
      `SELECT i.path, i.format, i.width, i.height, i.variants FROM entry_images i
       JOIN compiled_entries c ON c.kind = i.kind AND c.slug = i.slug AND c.source_hash = i.source_hash
       WHERE i.image_hash = ?`,
    )
    .all(hash) as ImageRow[]
  for (const row of rows) {
    if (!(JSON.parse(row.variants) as string[]).includes(variant)) continue
    return { hash, path: row.path, format: row.format, width: row.width, height: row.height }
  }
  return null
}

/** How many images the stored compiles declare (for /admin and /metrics). */
export function declaredImageCount(db: DB): number {
  return (db.prepare('SELECT COUNT(DISTINCT image_hash) AS n FROM entry_images').get() as { n: number }).n
}
