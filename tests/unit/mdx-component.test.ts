import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import {
  MissingComponent,
  componentCacheStats,
  configureComponentCache,
  dropIdleComponents,
  getCachedComponent,
  missingComponents,
} from '../../app/content/mdx-component.tsx'

/** Code in the shape mdx-bundler produces: a function body returning the module's exports. */
function fakeCode(text: string, padTo = 0): string {
  const body =
    `return { default: function MDXContent() { return ` +
    `_jsx_runtime.jsx('p', { children: ${JSON.stringify(text)} }) } }`
  const padding = Math.max(0, padTo - body.length - 5)
  return padding > 0 ? `${body}\n/*${'x'.repeat(padding)}*/` : body
}

function html(component: ReturnType<typeof getCachedComponent>): string {
  return renderToStaticMarkup(createElement(component))
}

const DEFAULTS = { maxEntries: 100, maxBytes: 16 * 1024 * 1024, idleMs: 0 }

beforeEach(() => {
  configureComponentCache(DEFAULTS)
})

afterAll(() => {
  configureComponentCache(DEFAULTS)
})

describe('getCachedComponent', () => {
  it('evaluates code into a component that renders', () => {
    expect(html(getCachedComponent('post:a:h1', fakeCode('hello from a')))).toBe('<p>hello from a</p>')
  })

  it('counts a miss, then a hit, and returns the same component for the same key', () => {
    const before = componentCacheStats()
    const first = getCachedComponent('post:b:h1', fakeCode('b'))
    const afterMiss = componentCacheStats()
    expect(afterMiss.misses).toBe(before.misses + 1)
    expect(afterMiss.hits).toBe(before.hits)
    expect(afterMiss.entries).toBe(1)
    expect(afterMiss.evaluateMsTotal).toBeGreaterThanOrEqual(before.evaluateMsTotal)

    const second = getCachedComponent('post:b:h1', fakeCode('b'))
    const afterHit = componentCacheStats()
    expect(second).toBe(first)
    expect(afterHit.hits).toBe(before.hits + 1)
    expect(afterHit.misses).toBe(before.misses + 1)
    expect(afterHit.entries).toBe(1)
  })

  it('keys by the key, not the code: a new key is a new component', () => {
    const code = fakeCode('same code')
    const a = getCachedComponent('post:c:h1', code)
    const b = getCachedComponent('post:c:h2', code)
    expect(b).not.toBe(a)
    expect(componentCacheStats().entries).toBe(2)
    // and the same key with other code still gives the cached component
    expect(getCachedComponent('post:c:h1', fakeCode('other code'))).toBe(a)
    expect(html(getCachedComponent('post:c:h1', fakeCode('other code')))).toBe('<p>same code</p>')
  })

  it('counts the size of the code behind the cached components', () => {
    const code = fakeCode('sized', 500)
    expect(code.length).toBe(500)
    getCachedComponent('post:d:h1', code)
    expect(componentCacheStats().bytes).toBe(500)
    getCachedComponent('post:d:h2', fakeCode('sized', 300))
    expect(componentCacheStats().bytes).toBe(800)
  })

  it('throws on code that is not valid, and caches nothing', () => {
    const before = componentCacheStats().entries
    expect(() => getCachedComponent('post:bad:h1', 'return {')).toThrow(SyntaxError)
    expect(componentCacheStats().entries).toBe(before)
  })
})

describe('configureComponentCache', () => {
  it('reports its limits and starts empty', () => {
    getCachedComponent('post:e:h1', fakeCode('e'))
    configureComponentCache({ maxEntries: 7, maxBytes: 4096, idleMs: 0 })
    const stats = componentCacheStats()
    expect(stats).toMatchObject({ maxEntries: 7, maxBytes: 4096, entries: 0, bytes: 0 })
  })

  it('bounds the cache by entries, evicting the least recently used', () => {
    configureComponentCache({ maxEntries: 2, maxBytes: 1024 * 1024, idleMs: 0 })
    const one = getCachedComponent('k1', fakeCode('one'))
    getCachedComponent('k2', fakeCode('two'))
    getCachedComponent('k1', fakeCode('one')) // k1 is now the most recent
    getCachedComponent('k3', fakeCode('three'))
    const stats = componentCacheStats()
    expect(stats.entries).toBe(2)

    const misses = stats.misses
    expect(getCachedComponent('k1', fakeCode('one'))).toBe(one) // kept
    expect(componentCacheStats().misses).toBe(misses)
    getCachedComponent('k2', fakeCode('two')) // evicted: evaluated again
    expect(componentCacheStats().misses).toBe(misses + 1)
    expect(componentCacheStats().entries).toBe(2)
  })

  it('bounds the cache by the size of the code, evicting old entries for large code', () => {
    configureComponentCache({ maxEntries: 100, maxBytes: 1000, idleMs: 0 })
    getCachedComponent('small-1', fakeCode('s1', 300))
    getCachedComponent('small-2', fakeCode('s2', 300))
    expect(componentCacheStats()).toMatchObject({ entries: 2, bytes: 600 })

    getCachedComponent('large', fakeCode('large', 800))
    const stats = componentCacheStats()
    expect(stats.bytes).toBeLessThanOrEqual(1000)
    expect(stats.entries).toBe(1)
    expect(stats.bytes).toBe(800)

    const misses = stats.misses
    getCachedComponent('small-1', fakeCode('s1', 300))
    expect(componentCacheStats().misses).toBe(misses + 1)
    expect(componentCacheStats().bytes).toBeLessThanOrEqual(1000)
  })

  it('does not keep code larger than the whole budget, but still returns a working component', () => {
    configureComponentCache({ maxEntries: 100, maxBytes: 1000, idleMs: 0 })
    getCachedComponent('kept', fakeCode('kept', 200))
    const huge = getCachedComponent('huge', fakeCode('huge', 5000))
    expect(html(huge)).toBe('<p>huge</p>')
    const stats = componentCacheStats()
    expect(stats.bytes).toBeLessThanOrEqual(1000)
    expect(stats.entries).toBe(1)
    const misses = stats.misses
    getCachedComponent('kept', fakeCode('kept', 200))
    expect(componentCacheStats().misses).toBe(misses)
  })
})

describe('components not rendered for idleMs', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

  it('are let go and counted, and the next render evaluates the code again', async () => {
    configureComponentCache({ maxEntries: 100, maxBytes: 1024 * 1024, idleMs: 50 })
    const first = getCachedComponent('post:idle:h1', fakeCode('idle'))
    getCachedComponent('post:other:h1', fakeCode('other'))
    const expired = componentCacheStats().expired
    expect(componentCacheStats().entries).toBe(2)
    // Time only moves forward: past 100 ms both are older than their 50 ms.
    await sleep(100)
    expect(dropIdleComponents()).toBe(2)
    expect(componentCacheStats()).toMatchObject({ entries: 0, bytes: 0, expired: expired + 2 })

    const misses = componentCacheStats().misses
    const again = getCachedComponent('post:idle:h1', fakeCode('idle'))
    expect(again).not.toBe(first)
    expect(html(again)).toBe('<p>idle</p>')
    expect(componentCacheStats().misses).toBe(misses + 1)
  })

  it('are kept until evicted with idleMs 0', async () => {
    configureComponentCache({ maxEntries: 100, maxBytes: 1024 * 1024, idleMs: 0 })
    const expired = componentCacheStats().expired
    const kept = getCachedComponent('post:kept:h1', fakeCode('kept'))
    await sleep(100)
    expect(dropIdleComponents()).toBe(0)
    expect(getCachedComponent('post:kept:h1', fakeCode('kept'))).toBe(kept)
    expect(componentCacheStats()).toMatchObject({ entries: 1, expired })
  })
})

describe('missingComponents and MissingComponent', () => {
  it('renders a labelled box that keeps its children', () => {
    const out = renderToStaticMarkup(createElement(MissingComponent, { name: 'Chart' }, 'the data'))
    expect(out).toContain('data-missing-component="Chart"')
    expect(out).toContain('role="note"')
    expect(out).toContain('&lt;Chart&gt;')
    expect(out).toContain('the data')
  })

  it('builds nested stand-ins for member names', () => {
    const map = missingComponents(['Sandpack', 'Foo.Bar', 'Foo.Baz', 'A.B.C'])
    expect(Object.keys(map).sort()).toEqual(['A', 'Foo', 'Sandpack'])
    const foo = map.Foo as Record<string, unknown>
    expect(typeof foo.Bar).toBe('function')
    expect(typeof foo.Baz).toBe('function')
    const bar = foo.Bar as Parameters<typeof createElement>[0]
    expect(renderToStaticMarkup(createElement(bar, null, 'inside'))).toContain('data-missing-component="Foo.Bar"')
    const c = ((map.A as Record<string, unknown>).B as Record<string, unknown>).C as Parameters<typeof createElement>[0]
    expect(renderToStaticMarkup(createElement(c))).toContain('data-missing-component="A.B.C"')
  })

  it('gives an empty map for no names', () => {
    expect(missingComponents([])).toEqual({})
  })
})
