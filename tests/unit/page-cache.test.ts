import { describe, expect, it } from 'vitest'
import { readCookie } from '../../app/http/cookies.ts'
import zlib from 'node:zlib'
import { compactBuffer } from '../../app/utils/compact-buffer.ts'
import {
  buildPage,
  cacheableUrl,
  dependsOf,
  MAX_KEY_URL_LENGTH,
  noneMatchHits,
  PAGE_ENTRY_HEADER,
  PageStore,
  preferredEncoding,
  themeOf,
  type CachedPage,
} from '../../app/http/page-cache.server.ts'

describe('preferredEncoding', () => {
  it('prefers brotli, then gzip', () => {
    expect(preferredEncoding('gzip, deflate, br')).toBe('br')
    expect(preferredEncoding('gzip, deflate')).toBe('gzip')
    expect(preferredEncoding('x-gzip')).toBe('gzip')
    expect(preferredEncoding('br;q=0.5, gzip;q=0.9')).toBe('gzip')
    expect(preferredEncoding('*')).toBe('br')
    expect(preferredEncoding('*, br;q=0')).toBe('gzip')
  })

  it('serves identity for absent, odd or refused values', () => {
    expect(preferredEncoding(undefined)).toBe('identity')
    expect(preferredEncoding('')).toBe('identity')
    expect(preferredEncoding('identity')).toBe('identity')
    expect(preferredEncoding('deflate, compress')).toBe('identity')
    expect(preferredEncoding('br;q=0, gzip;q=0')).toBe('identity')
    expect(preferredEncoding('gzip;q=banana')).toBe('identity')
    expect(preferredEncoding('gzip;q=2')).toBe('identity')
    expect(preferredEncoding(';;,,, =')).toBe('identity')
    expect(preferredEncoding('\u0000br')).toBe('identity')
  })

  it('reads a header sent more than once', () => {
    expect(preferredEncoding(['identity', 'gzip'])).toBe('gzip')
  })
})

describe('noneMatchHits', () => {
  const tags = ['"abc"', '"abc-br"', '"abc-gz"']
  it('matches one tag, a list, weak tags and *', () => {
    expect(noneMatchHits('"abc-br"', tags)).toBe(true)
    expect(noneMatchHits('"x", "y", "abc-gz"', tags)).toBe(true)
    expect(noneMatchHits('W/"abc"', tags)).toBe(true)
    expect(noneMatchHits('*', tags)).toBe(true)
  })
  it('does not match other tags, garbage or nothing', () => {
    expect(noneMatchHits(undefined, tags)).toBe(false)
    expect(noneMatchHits('"abcd"', tags)).toBe(false)
    expect(noneMatchHits('abc', tags)).toBe(false)
    expect(noneMatchHits('W/ "abc', tags)).toBe(false)
  })
})

describe('cacheableUrl', () => {
  const TAG = new Set(['tag'])
  const NONE = new Set<string>()
  it('keys the query parameters a page reads, in a canonical form', () => {
    expect(cacheableUrl('/blog?tag=react', TAG)).toBe('/blog?tag=react')
    expect(cacheableUrl('/blog?tag=a%20b', TAG)).toBe('/blog?tag=a+b')
    expect(cacheableUrl('/blog?', TAG)).toBe('/blog')
    expect(cacheableUrl('/blog/post', NONE)).toBe('/blog/post')
    // Repeated values keep their order: searchParams.get sees the first one.
    expect(cacheableUrl('/blog?tag=b&tag=a', TAG)).toBe('/blog?tag=b&tag=a')
    expect(cacheableUrl('/blog?tag=a&tag=b', TAG)).not.toBe(cacheableUrl('/blog?tag=b&tag=a', TAG))
  })
  it('drops the parameters a page does not read (random or tracking ones): the page is the same', () => {
    expect(cacheableUrl('/?r=123', NONE)).toBe('/')
    expect(cacheableUrl('/blog?tag=react&utm_source=x', TAG)).toBe('/blog?tag=react')
    expect(cacheableUrl('/blog?utm_source=x&tag=react&r=1', TAG)).toBe('/blog?tag=react')
    // ?tag= is read by /blog only: anywhere else it would key copies of one page.
    expect(cacheableUrl('/?tag=react', NONE)).toBe('/')
    expect(cacheableUrl('/blog/post?tag=react', NONE)).toBe('/blog/post')
    expect(cacheableUrl('/blog/rss.xml?tag=react', NONE)).toBe('/blog/rss.xml')
  })
  it('refuses long URLs and many parameters', () => {
    expect(cacheableUrl(`/blog?q=${'x'.repeat(MAX_KEY_URL_LENGTH)}`, TAG)).toBeNull()
    expect(cacheableUrl(`/blog?${Array.from({ length: 40 }, (_, i) => `p${i}=1`).join('&')}`, TAG)).toBeNull()
  })
})

describe('cookies', () => {
  it('reads one cookie and keeps only real themes', () => {
    expect(readCookie('a=1; kiln_session=xyz; b=2', 'kiln_session')).toBe('xyz')
    expect(readCookie('kiln_sessionx=1', 'kiln_session')).toBeUndefined()
    expect(themeOf('kiln_theme=dark; kiln_visitor=123')).toBe('dark')
    expect(themeOf('kiln_theme=light')).toBe('light')
    expect(themeOf('kiln_theme=<script>')).toBe('')
    expect(themeOf(undefined)).toBe('')
  })
})

function page(bytes: number, stamp = '1', etag = '"x"'): CachedPage {
  const body = Buffer.alloc(bytes)
  return {
    status: 200,
    headers: [],
    variants: { br: null, gzip: null, identity: body },
    identityLength: bytes,
    etags: { identity: etag, br: etag, gzip: etag },
    depends: '*',
    stamp,
    bytes,
  }
}

describe('what a cached page holds', () => {
  const ownsExactly = (buffer: Buffer | null) => buffer !== null && buffer.buffer.byteLength === buffer.length

  it("keeps each compressed copy in memory of its own size, not in zlib's 64 KB output chunk", async () => {
    const html = Buffer.from('<!doctype html><p>' + 'A small page. '.repeat(300) + '</p>')
    // What zlib hands back for a small page: a slice of a far larger chunk.
    expect(ownsExactly(zlib.brotliCompressSync(html))).toBe(false)
    const page = await buildPage(html, new Headers({ 'Content-Type': 'text/html' }), { depends: '', stamp: '' })
    expect(page.variants.br!.length).toBeLessThan(1000)
    expect(ownsExactly(page.variants.br)).toBe(true)
    expect(ownsExactly(page.variants.gzip)).toBe(true)
    expect(zlib.brotliDecompressSync(page.variants.br!)).toEqual(html)
    expect(zlib.gunzipSync(page.variants.gzip!)).toEqual(html)
  })

  it('compactBuffer copies a slice into memory of its own, and leaves a Buffer that has it alone', () => {
    const pooled = Buffer.from('a few bytes')
    expect(ownsExactly(pooled)).toBe(false)
    const compact = compactBuffer(pooled)
    expect(ownsExactly(compact)).toBe(true)
    expect(compact.toString()).toBe('a few bytes')
    const own = Buffer.allocUnsafeSlow(16).fill(1)
    expect(compactBuffer(own)).toBe(own)
  })
})

describe('PageStore', () => {
  it('evicts the least recently used and never exceeds its bound', () => {
    const store = new PageStore(1000)
    store.set('a', page(400))
    store.set('b', page(400))
    store.get('a') // a is now the most recent
    store.set('c', page(400))
    expect(store.get('b')).toBeUndefined()
    expect(store.get('a')).toBeDefined()
    expect(store.get('c')).toBeDefined()
    expect(store.stats()).toEqual({
      entries: 2,
      bytes: 800,
      maxBytes: 1000,
      evictions: 1,
      plainCopies: 0,
      plainBytes: 0,
    })
    for (let i = 0; i < 50; i++) {
      store.set(`k${i}`, page(10 + ((i * 37) % 300)))
      expect(store.stats().bytes).toBeLessThanOrEqual(1000)
    }
  })

  it('refuses a page larger than the whole bound', () => {
    const store = new PageStore(1000)
    store.set('a', page(500))
    expect(store.set('huge', page(1001))).toBe(false)
    expect(store.get('a')).toBeDefined()
    expect(store.stats().entries).toBe(1)
  })

  it('replaces a key without counting it twice', () => {
    const store = new PageStore(1000)
    store.set('a', page(300))
    store.set('a', page(500))
    expect(store.stats()).toMatchObject({ entries: 1, bytes: 500 })
  })

  it('keeps plain copies inside its bound: a quarter together, dropped with their page', () => {
    const store = new PageStore(1600)
    for (const key of ['a', 'b', 'c', 'd', 'e']) store.set(key, page(100))
    const plain = (bytes: number) => Buffer.alloc(bytes, 'x')
    expect(store.keepPlainCopy('a', store.get('a')!, plain(401))).toBe(false) // over a quarter on its own
    expect(store.keepPlainCopy('a', store.get('a')!, plain(100))).toBe(true)
    expect(store.keepPlainCopy('a', store.get('a')!, plain(100))).toBe(false) // one per page
    expect(store.plainCopy('a', store.get('a')!)?.length).toBe(100)
    expect(store.keepPlainCopy('b', store.get('b')!, plain(100))).toBe(true)
    expect(store.keepPlainCopy('c', store.get('c')!, plain(100))).toBe(true)
    expect(store.keepPlainCopy('d', store.get('d')!, plain(100))).toBe(true)
    expect(store.keepPlainCopy('e', store.get('e')!, plain(100))).toBe(false) // a quarter is 400
    expect(store.plainCopy('e', store.get('e')!)).toBeNull()
    expect(store.stats()).toEqual({
      entries: 5,
      bytes: 900,
      maxBytes: 1600,
      evictions: 0,
      plainCopies: 4,
      plainBytes: 400,
    })
    // A change that moves every page's stamp makes every page and copy stale: all are dropped.
    const a = store.get('a')!
    store.dropStale(() => 'next')
    expect(store.stats()).toMatchObject({ entries: 0, bytes: 0, plainCopies: 0, plainBytes: 0 })
    expect(store.plainCopy('a', a)).toBeNull()
  })

  it('drops only the pages whose stamp moved', () => {
    const store = new PageStore(1000)
    store.set('a', page(100, '1'))
    store.set('b', page(100, '2'))
    expect(store.dropStale(() => '2')).toBe(1)
    expect(store.stats()).toMatchObject({ entries: 1, bytes: 100 })
    expect(store.get('b')).toBeDefined()
  })

  it('never serves the plain copy of an older page kept under the same key', () => {
    const store = new PageStore(1600)
    store.set('a', page(100, '1', '"old"'))
    expect(store.keepPlainCopy('a', store.get('a')!, Buffer.from('old page'))).toBe(true)
    const renderedAgain = page(100, '2', '"new"')
    store.set('a', renderedAgain)
    expect(store.plainCopy('a', renderedAgain)).toBeNull()
    expect(store.stats()).toMatchObject({ entries: 1, plainCopies: 0, plainBytes: 0 })
  })
})

describe('dependsOf', () => {
  const headers = (entry?: string) => new Headers(entry ? { [PAGE_ENTRY_HEADER]: entry } : {})
  it('is everything for a route that declares nothing', () => {
    expect(dependsOf({ pageCache: true }, headers())).toBe('*')
    expect(dependsOf({ pageCache: true, pageCacheDepends: [] }, headers('post/a'))).toBe('*')
  })
  it('names the entry the answer shows', () => {
    expect(dependsOf({ pageCache: true, pageCacheDepends: ['site', 'entry'] }, headers('post/a'))).toBe(
      'site entry:post/a',
    )
    expect(dependsOf({ pageCache: true, pageCacheDepends: ['listing'] }, headers())).toBe('listing')
  })
  it('falls back to everything when the answer names no entry, or a malformed one', () => {
    expect(dependsOf({ pageCache: true, pageCacheDepends: ['site', 'entry'] }, headers())).toBe('*')
    expect(dependsOf({ pageCache: true, pageCacheDepends: ['entry'] }, headers('post/a listing'))).toBe('*')
  })
})
