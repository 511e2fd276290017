/**
 * The answer for an address with nothing at it: a redirect when a rule or an alias names
 * it (redirects.server.ts), else a 404 that suggests the posts whose titles are closest
 * to the address. Called only once a route knows there is no page, so a redirect never
 * shadows a post. Thrown, as Remix loaders answer early.
 */
import { data, redirect } from '@remix-run/node'
import { getConfig } from '../config.server.ts'
import { getDb } from '../db/connection.server.ts'
import { suggestPosts, type PostSuggestion } from '../search/search-index.server.ts'
import { findRedirect, REDIRECT_CACHE_CONTROL } from './redirects.server.ts'

/** What the 404 page receives: the root error boundary shows the suggestions. */
export interface NotFoundData {
  message: string
  suggestions: PostSuggestion[]
}

export function throwNotFound(request: Request): never {
  const { pathname } = new URL(request.url)
  const db = getDb()
  const answer = findRedirect(db, getConfig().contentDir, pathname)
  if (answer) {
    // Cacheable by browsers and CDNs; Kiln's page cache keeps only 200s, so never under a post's key.
    throw redirect(answer.location, { status: answer.status, headers: { 'Cache-Control': REDIRECT_CACHE_CONTROL } })
  }
  throw data({ message: 'Not found', suggestions: suggestPosts(db, pathname) } satisfies NotFoundData, {
    status: 404,
  })
}
