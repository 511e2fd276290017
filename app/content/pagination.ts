/**
 * Pages of a post list (/blog, /blog?tag=, /tags/<tag>): 20 posts a page at `?page=N`. Pure
 * functions, so the rules are tested without a server: only a page that exists is a page.
 * `?page=1` moves (301) to the list's own address, so page one has one URL and one cache
 * entry; anything but a positive whole number written plainly (`abc`, `0`, `-1`, `1.5`,
 * `02`, `1e3`, repeated), or past the last page, is a 404 that the page cache never keeps.
 */

export const POSTS_PER_PAGE = 20

/** Larger page numbers are not read (a list that long would take far longer to write than to read). */
const PAGE_NUMBER = /^[1-9]\d{0,5}$/

export type PageRequest = { kind: 'page'; page: number } | { kind: 'canonical' } | { kind: 'not-found' }

/** What the `page` parameter's values ask for: a page number, the list's own address, or nothing that exists. */
export function readPageParam(values: readonly string[]): PageRequest {
  if (values.length === 0) return { kind: 'page', page: 1 }
  if (values.length > 1 || !PAGE_NUMBER.test(values[0])) return { kind: 'not-found' }
  const page = Number(values[0])
  return page === 1 ? { kind: 'canonical' } : { kind: 'page', page }
}

/** How many pages `total` posts make: one at least, so an empty blog still has its page. */
export function pageCount(total: number, perPage = POSTS_PER_PAGE): number {
  return Math.max(1, Math.ceil(total / perPage))
}

/** The rows of a page, for LIMIT and OFFSET. */
export function pageWindow(page: number, perPage = POSTS_PER_PAGE): { limit: number; offset: number } {
  return { limit: perPage, offset: (page - 1) * perPage }
}

/**
 * The page numbers a pager shows: the first, the last, and the current one with a
 * neighbour on each side; `null` marks a gap. 1 … 4 5 6 … 12.
 */
export function pagerItems(current: number, count: number): (number | null)[] {
  const shown = new Set([1, count, current - 1, current, current + 1].filter((page) => page >= 1 && page <= count))
  // A gap of one page is shown as that page rather than as "…".
  for (const page of [2, count - 1]) if (shown.has(page - 1) && shown.has(page + 1)) shown.add(page)
  const pages = [...shown].sort((a, b) => a - b)
  const items: (number | null)[] = []
  pages.forEach((page, index) => {
    if (index > 0 && page - pages[index - 1] === 2) items.push(page - 1)
    else if (index > 0 && page - pages[index - 1] > 2) items.push(null)
    items.push(page)
  })
  return items
}

/** The address of page `page` of a list whose page one is at `base` (which may carry a query). */
export function pageHref(base: string, page: number): string {
  if (page <= 1) return base
  return `${base}${base.includes('?') ? '&' : '?'}page=${page}`
}

/** The `<link rel="prev">` and `<link rel="next">` of page `page` of `count`, for a route's meta. */
export function pageLinkDescriptors(base: string, page: number, count: number) {
  return [
    ...(page > 1 ? [{ tagName: 'link' as const, rel: 'prev', href: pageHref(base, page - 1) }] : []),
    ...(page < count ? [{ tagName: 'link' as const, rel: 'next', href: pageHref(base, page + 1) }] : []),
  ]
}
