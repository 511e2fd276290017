/**
 * One page of a post list for a route's loader: the page the `page` parameter asks for, or
 * the answer when it asks for none that exists (pagination.ts's rules): a 301 to the
 * list's own address for `?page=1`, a 404 for anything else that is not a page. Both are
 * thrown as responses, which the page cache never keeps.
 */
import { data, redirect } from '@remix-run/node'
import type { DB } from '../db/connection.server.ts'
import type { PostListPage } from '../components/post-list.tsx'
import { toSummary } from '../components/post-list.tsx'
import { countPosts, listPosts } from './content-index.server.ts'
import { pageCount, pageWindow, readPageParam } from './pagination.ts'

export function loadPostListPage(
  db: DB,
  url: URL,
  { base, tag, includeDrafts }: { base: string; tag?: string; includeDrafts: boolean },
): PostListPage {
  const request = readPageParam(url.searchParams.getAll('page'))
  if (request.kind === 'canonical') throw redirect(base, 301)
  if (request.kind === 'not-found') throw data({ message: 'Not found' }, { status: 404 })
  const total = countPosts(db, { tag, includeDrafts })
  const pages = pageCount(total)
  if (request.page > pages) throw data({ message: 'Not found' }, { status: 404 })
  const posts = listPosts(db, { tag, includeDrafts, ...pageWindow(request.page) }).map(toSummary)
  return { posts, page: request.page, pageCount: pages, total }
}
