import { describe, expect, it } from 'vitest'
import {
  pageCount,
  pageHref,
  pageLinkDescriptors,
  pagerItems,
  pageWindow,
  readPageParam,
} from '../../app/content/pagination.ts'

describe('readPageParam', () => {
  it('reads a plain positive whole number as a page, no value as page one', () => {
    expect(readPageParam([])).toEqual({ kind: 'page', page: 1 })
    expect(readPageParam(['2'])).toEqual({ kind: 'page', page: 2 })
    expect(readPageParam(['999999'])).toEqual({ kind: 'page', page: 999_999 })
  })

  it('sends ?page=1 to the list’s own address', () => {
    expect(readPageParam(['1'])).toEqual({ kind: 'canonical' })
  })

  it('finds nothing for anything else', () => {
    for (const value of ['', '0', '-1', '1.5', '02', '1e3', 'abc', ' 2', '2 ', '0x10', '1000000', '９']) {
      expect(readPageParam([value]), JSON.stringify(value)).toEqual({ kind: 'not-found' })
    }
    expect(readPageParam(['2', '3'])).toEqual({ kind: 'not-found' })
  })
})

describe('page arithmetic', () => {
  it('counts pages of 20, one at least', () => {
    expect(pageCount(0)).toBe(1)
    expect(pageCount(20)).toBe(1)
    expect(pageCount(21)).toBe(2)
    expect(pageCount(45)).toBe(3)
    expect(pageCount(7, 3)).toBe(3)
  })

  it('gives each page its rows', () => {
    expect(pageWindow(1)).toEqual({ limit: 20, offset: 0 })
    expect(pageWindow(3)).toEqual({ limit: 20, offset: 40 })
  })

  it('writes page one as the list itself and others with ?page= or &page=', () => {
    expect(pageHref('/blog', 1)).toBe('/blog')
    expect(pageHref('/blog', 2)).toBe('/blog?page=2')
    expect(pageHref('/blog?tag=css', 3)).toBe('/blog?tag=css&page=3')
  })

  it('links the previous and next pages that exist', () => {
    expect(pageLinkDescriptors('/blog', 1, 1)).toEqual([])
    expect(pageLinkDescriptors('/blog', 1, 3).map((link) => [link.rel, link.href])).toEqual([['next', '/blog?page=2']])
    expect(pageLinkDescriptors('/blog', 2, 3).map((link) => [link.rel, link.href])).toEqual([
      ['prev', '/blog'],
      ['next', '/blog?page=3'],
    ])
  })
})

describe('pagerItems', () => {
  it('shows the first, the last and the neighbours of the current page, with gaps', () => {
    expect(pagerItems(1, 1)).toEqual([1])
    expect(pagerItems(1, 3)).toEqual([1, 2, 3])
    expect(pagerItems(5, 12)).toEqual([1, null, 4, 5, 6, null, 12])
    expect(pagerItems(1, 12)).toEqual([1, 2, null, 12])
    expect(pagerItems(12, 12)).toEqual([1, null, 11, 12])
  })

  it('shows a single missing page instead of a gap', () => {
    expect(pagerItems(4, 7)).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(pagerItems(3, 5)).toEqual([1, 2, 3, 4, 5])
  })
})
