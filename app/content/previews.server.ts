/**
 * Preview links: an admin shares a draft or scheduled post with someone who has no account
 * (a reviewer, an editor) through an address that works without signing in. A link is an
 * unguessable token (256 random bits) that expires (7 days unless said otherwise, 90 at
 * most) and can be revoked from /admin. The table keeps only the token's SHA-256, as the
 * sessions table does, so a copy of the database opens no preview; the full address is
 * shown once, when the link is made.
 *
 * A preview page is never kept by the page cache or any other cache, and is kept out of
 * search engines (app/routes/preview.$token.tsx).
 */
import crypto from 'node:crypto'
import type { DB } from '../db/connection.server.ts'
import { getEntry } from './content-index.server.ts'
import { isValidSlug } from './slug.ts'

export const PREVIEW_DEFAULT_DAYS = 7
export const PREVIEW_MAX_DAYS = 90
/** Live links at most: making one more is refused until one expires or is revoked. */
export const PREVIEW_MAX_LIVE_LINKS = 200
/** Expired and revoked links are kept this long (shown as such), then deleted. */
const PRUNE_AFTER_MS = 30 * 86_400_000
const DAY_MS = 86_400_000

/** The token's form: 32 bytes in base64url. Anything else is not looked up at all. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/

export class PreviewLinkError extends Error {}

export interface PreviewLink {
  id: number
  slug: string
  title: string
  createdAt: string
  expiresAt: string
}

const tokenHash = (token: string) => crypto.createHash('sha256').update(token).digest('hex')

/**
 * Makes a link to the post `slug`, which must be hidden from readers now (a draft or
 * scheduled); returns the token, to be shown once.
 */
export function createPreviewLink(
  db: DB,
  slug: string,
  { days = PREVIEW_DEFAULT_DAYS, now = Date.now() }: { days?: number; now?: number } = {},
): { token: string; link: PreviewLink } {
  if (!Number.isInteger(days) || days < 1 || days > PREVIEW_MAX_DAYS)
    throw new PreviewLinkError(`A preview link lasts from 1 to ${PREVIEW_MAX_DAYS} days.`)
  const entry = isValidSlug(slug) ? getEntry(db, 'post', slug) : null
  if (!entry || entry.frontmatterError) throw new PreviewLinkError(`There is no post “${slug}” to preview.`)
  if (!entry.draft) throw new PreviewLinkError(`“${entry.title}” is published already: share its own address.`)
  const token = crypto.randomBytes(32).toString('base64url')
  const expiresAt = now + days * DAY_MS
  const id = db
    .transaction(() => {
      db.prepare('DELETE FROM preview_links WHERE MAX(expires_at, COALESCE(revoked_at, expires_at)) < ?').run(
        now - PRUNE_AFTER_MS,
      )
      const live = db
        .prepare('SELECT COUNT(*) FROM preview_links WHERE revoked_at IS NULL AND expires_at > ?')
        .pluck()
        .get(now) as number
      if (live >= PREVIEW_MAX_LIVE_LINKS)
        throw new PreviewLinkError(`There are ${live} live preview links already: revoke some first.`)
      return Number(
        db
          .prepare(
            `INSERT INTO preview_links (token_hash, kind, slug, created_at, expires_at) VALUES (?, 'post', ?, ?, ?)`,
          )
          .run(tokenHash(token), slug, now, expiresAt).lastInsertRowid,
      )
    })
    .immediate()
  return {
    token,
    link: {
      id,
      slug,
      title: entry.title,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(expiresAt).toISOString(),
    },
  }
}

/** The post a token opens now, or null: a malformed, unknown, expired or revoked token opens nothing. */
export function findPreview(db: DB, token: string, now = Date.now()): { slug: string; expiresAt: string } | null {
  if (!TOKEN.test(token)) return null
  const row = db
    .prepare(`SELECT slug, expires_at, revoked_at FROM preview_links WHERE token_hash = ? AND kind = 'post'`)
    .get(tokenHash(token)) as { slug: string; expires_at: number; revoked_at: number | null } | undefined
  if (!row || row.revoked_at !== null || row.expires_at <= now) return null
  return { slug: row.slug, expiresAt: new Date(row.expires_at).toISOString() }
}

/** Revokes a link at once; false when there was no live link of that id. */
export function revokePreviewLink(db: DB, id: number, now = Date.now()): boolean {
  return (
    db
      .prepare('UPDATE preview_links SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL AND expires_at > ?')
      .run(now, id, now).changes > 0
  )
}

/** The live links, newest first, with their post's title (for /admin). */
export function listLivePreviewLinks(db: DB, now = Date.now()): PreviewLink[] {
  const rows = db
    .prepare(
      `SELECT p.id, p.slug, COALESCE(e.title, p.slug) AS title, p.created_at, p.expires_at
        FROM preview_links p LEFT JOIN content_entries e ON e.kind = p.kind AND e.slug = p.slug
        WHERE p.revoked_at IS NULL AND p.expires_at > ? ORDER BY p.created_at DESC, p.id DESC LIMIT ?`,
    )
    .all(now, PREVIEW_MAX_LIVE_LINKS) as {
    id: number
    slug: string
    title: string
    created_at: number
    expires_at: number
  }[]
  return rows.map((row) => ({
    id: row.id,
    slug: row.slug,
    title: row.title,
    createdAt: new Date(row.created_at).toISOString(),
    expiresAt: new Date(row.expires_at).toISOString(),
  }))
}

/** Posts a link may be made for: drafts and scheduled posts, newest first. */
export function listPreviewablePosts(db: DB): { slug: string; title: string; scheduledAt: string | null }[] {
  const rows = db
    .prepare(
      `SELECT slug, COALESCE(title, slug) AS title, draft, publish_at FROM valid_entries
        WHERE kind = 'post' AND (draft = 1 OR publish_at > ?) ORDER BY date DESC, slug LIMIT 500`,
    )
    .all(Date.now()) as { slug: string; title: string; draft: number; publish_at: number | null }[]
  return rows.map((row) => ({
    slug: row.slug,
    title: row.title,
    scheduledAt: row.draft === 0 && row.publish_at !== null ? new Date(row.publish_at).toISOString() : null,
  }))
}
