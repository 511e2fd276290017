/**
 * Turning compiled MDX code into a React component, on the server and in the browser.
 *
 * Evaluating the code (`getMDXComponent`, a `new Function`) is the costly step, so the
 * component is cached by kind, slug and source hash: a new version of a post has a new
 * key and the old one simply ages out. The cache is bounded by entry count and by the
 * total size of the code behind its components, and counts its hits and misses.
 *
 * A component is needed only to render, and a page is rendered once per version: the
 * page cache answers after that. So a component not rendered for `idleMs` is let go, as
 * the worker pools let their threads go: after serving every post of a 223-post blog the
 * cache's 50 components held 8 MB of the server's heap for nothing (docs/performance.md,
 * memory). A render after that evaluates the code again (about 12 ms).
 */
import { LRUCache } from 'lru-cache'
import { getMDXComponent } from 'mdx-bundler/client'
import * as React from 'react'
import { useMemo, type ComponentType, type ReactNode } from 'react'
import * as ReactDOM from 'react-dom'
import * as jsxRuntime from 'react/jsx-runtime'
import { KilnCodeBlock } from '../components/code-block.tsx'
import { KIT_COMPONENTS } from '../components/mdx-kit/index.ts'
import {
  decodeSiteComponents,
  SITE_COMPONENTS_EXPORT,
  siteComponentModulePath,
  siteComponentsOfCode,
} from './site-components.ts'

type MDXComponent = ReturnType<typeof getMDXComponent>

export interface ComponentCacheLimits {
  maxEntries: number
  maxBytes: number
  /** A component not rendered for this long is let go (0: kept until evicted). */
  idleMs: number
}

export interface ComponentCacheStats extends ComponentCacheLimits {
  entries: number
  bytes: number
  hits: number
  misses: number
  /** Components let go after `idleMs` without a render. */
  expired: number
  evaluateMsTotal: number
}

interface CachedComponent {
  component: MDXComponent
  /** The length of the code it was made from: a fair stand-in for the closures it keeps alive. */
  size: number
}

function createCache({ maxEntries, maxBytes, idleMs }: ComponentCacheLimits) {
  return new LRUCache<string, CachedComponent>({
    max: maxEntries,
    maxSize: maxBytes,
    sizeCalculation: (value) => value.size,
    // The age counts from the last render (a get), not from the evaluation.
    ...(idleMs > 0 ? { ttl: idleMs, updateAgeOnGet: true } : {}),
    dispose: (_value, _key, reason) => {
      if (reason === 'expire') counters.expired++
    },
  })
}

const counters = { hits: 0, misses: 0, expired: 0, evaluateMsTotal: 0 }
let limits: ComponentCacheLimits = { maxEntries: 100, maxBytes: 16 * 1024 * 1024, idleMs: 0 }
let cache = createCache(limits)

/** Sets the bounds (the server does this once at start-up from its configuration). */
export function configureComponentCache(next: ComponentCacheLimits): void {
  limits = next
  cache.clear()
  cache = createCache(limits)
}

/**
 * Lets go of the components not rendered for `idleMs`, and says how many went. (lru-cache
 * only notices an entry's age when it is read; nothing reads an idle cache.)
 */
export function dropIdleComponents(): number {
  const before = counters.expired
  cache.purgeStale()
  return counters.expired - before
}

export function componentCacheStats(): ComponentCacheStats {
  return { ...limits, entries: cache.size, bytes: cache.calculatedSize, ...counters }
}

export function getCachedComponent(key: string, code: string): MDXComponent {
  const hit = cache.get(key)
  if (hit) {
    counters.hits++
    return hit.component
  }
  counters.misses++
  const start = performance.now()
  const component = getMDXComponent(code)
  counters.evaluateMsTotal += performance.now() - start
  // A component larger than the whole cache is not kept (lru-cache refuses it): it is
  // evaluated per render, which is slow but bounded.
  cache.set(key, { component, size: Math.max(1, code.length) })
  return component
}

/** Stands in for a component the post uses but nobody defined: its children stay readable. */
export function MissingComponent({ name, children }: { name: string; children?: ReactNode }) {
  return (
    <span className="kiln-missing not-prose" data-missing-component={name} role="note">
      <span className="kiln-missing-label">
        Missing component <code>{`<${name}>`}</code>
      </span>
      {children ? <span className="kiln-missing-body prose dark:prose-invert">{children}</span> : null}
    </span>
  )
}

type AnyComponent = ComponentType<{ children?: ReactNode }>

/**
 * The components map for names the post uses without defining. `Foo.Bar` needs `Foo` to
 * be an object holding `Bar`, so member names build nested stand-ins.
 */
export function missingComponents(names: string[]): Record<string, unknown> {
  const map: Record<string, unknown> = {}
  const make = (name: string): AnyComponent => {
    const Stand = ({ children }: { children?: ReactNode }) => (
      <MissingComponent name={name}>{children}</MissingComponent>
    )
    Stand.displayName = `Missing(${name})`
    return Stand
  }
  for (const name of names) {
    const parts = name.split('.')
    let parent: Record<string, unknown> = map
    parts.forEach((part, index) => {
      const path = parts.slice(0, index + 1).join('.')
      if (!parent[part]) parent[part] = make(path)
      parent = parent[part] as Record<string, unknown>
    })
  }
  return map
}

/**
 * Told when a post's component starts and ends rendering, on the server only
 * (render-guard.server.ts sets it; in the browser it stays null). A watchdog thread reads
 * what it records to find the post that blocks the main thread.
 */
export interface RenderProbe {
  begin(cacheKey: string): void
  end(): void
}

let renderProbe: RenderProbe | null = null

export function setRenderProbe(probe: RenderProbe | null): void {
  renderProbe = probe
}

/** Marks that no post is rendering (after a render that threw, which skips RenderEnd). */
export function endPostRender(): void {
  renderProbe?.end()
}

/** Rendered after the post's component: its subtree has rendered by then (no Suspense in it). */
function RenderEnd() {
  renderProbe?.end()
  return null
}

/**
 * Site-wide components (app/content/site-components.ts), by `name@version`. On the server
 * they come from site-components.server.ts, which bundles and evaluates them before the
 * page renders (it sets this source); in the browser from their modules, imported with
 * the post's own (loadMdxModule).
 */
export type SiteComponentLookup = (
  name: string,
  version: string,
) => { component: AnyComponent } | { error: string } | undefined

let serverSiteComponents: SiteComponentLookup = () => undefined

export function setSiteComponentSource(lookup: SiteComponentLookup): void {
  serverSiteComponents = lookup
}

const browserSiteComponents = new Map<string, AnyComponent>()

/** Stands in for a site-wide component that could not be built or loaded: the rest of the post renders. */
function SiteComponentUnavailable({ name, error }: { name: string; error: string }) {
  return (
    <span className="kiln-missing not-prose" data-site-component-error={name} role="note">
      <span className="kiln-missing-label">
        Component <code>{`<${name}>`}</code> could not be shown
      </span>
      <span className="kiln-missing-body">{error}</span>
    </span>
  )
}

function siteComponents(code: string): Record<string, AnyComponent> {
  const map: Record<string, AnyComponent> = {}
  for (const [name, version] of Object.entries(siteComponentsOfCode(code))) {
    const known =
      typeof document === 'undefined'
        ? serverSiteComponents(name, version)
        : browserSiteComponents.has(`${name}@${version}`)
          ? { component: browserSiteComponents.get(`${name}@${version}`)! }
          : undefined
    if (known && 'component' in known) {
      map[name] = known.component
    } else {
      const error = known?.error ?? `components/${name} was not loaded`
      const Unavailable = () => <SiteComponentUnavailable name={name} error={error} />
      map[name] = Unavailable
    }
  }
  return map
}

type ModuleExports = Record<string, unknown>

/** Imports a site-wide component's module (once per version) and keeps its component. */
async function loadSiteComponent(name: string, version: string): Promise<void> {
  const key = `${name}@${version}`
  if (browserSiteComponents.has(key)) return
  const module = (await import(/* @vite-ignore */ siteComponentModulePath(name, version))) as {
    default: (...globals: unknown[]) => ModuleExports
  }
  const exports = module.default(React, ReactDOM, jsxRuntime)
  const component = (exports[name] ?? exports.default) as AnyComponent | undefined
  if (component) browserSiteComponents.set(key, component)
}

/**
 * In the browser the code arrives as a module from this site (/mdx/…, see
 * app/content/mdx-module.server.ts), never through `new Function`: the Content-Security-Policy
 * allows no eval. A page's module is imported before hydration (app/entry.client.tsx, from
 * the article's `data-mdx-module`) and before a client navigation renders it (the routes'
 * clientLoader), so the component is at hand when React renders it.
 */
interface BrowserModule {
  promise: Promise<void>
  component?: MDXComponent
  error?: unknown
}
/** Modules of this browsing session's pages, the most recent kept: a reader's session stays small. */
const browserModules = new Map<string, BrowserModule>()
const MAX_BROWSER_MODULES = 32

export function loadMdxModule(url: string): Promise<void> {
  const known = browserModules.get(url)
  if (known) return known.promise
  const loading: BrowserModule = {
    promise: import(/* @vite-ignore */ url).then(
      async (module: { default: (...globals: unknown[]) => { default: MDXComponent } & ModuleExports }) => {
        const exports = module.default(React, ReactDOM, jsxRuntime)
        // The site-wide components it uses come as their own modules, shared by every post.
        const used = decodeSiteComponents(String(exports[SITE_COMPONENTS_EXPORT] ?? ''))
        // One that fails to load is shown as unavailable; the post itself still comes to life.
        await Promise.allSettled(Object.entries(used).map(([name, version]) => loadSiteComponent(name, version)))
        loading.component = exports.default
      },
      (error: unknown) => {
        loading.error = error
        // A later render tries again (the network may be back).
        browserModules.delete(url)
      },
    ),
  }
  browserModules.set(url, loading)
  if (browserModules.size > MAX_BROWSER_MODULES) browserModules.delete(browserModules.keys().next().value as string)
  return loading.promise
}

function browserComponent(url: string): MDXComponent {
  const module = browserModules.get(url)
  if (module?.component) return module.component
  if (module?.error) throw module.error
  // Not imported yet (neither path above took it): suspends until it is.
  throw module?.promise ?? loadMdxModule(url)
}

export interface MdxContentProps {
  cacheKey: string
  code: string
  /** The code as a module from this site (for the browser); without it, the code is evaluated. */
  moduleUrl?: string
  missing: string[]
}

export function MdxContent({ cacheKey, code, moduleUrl, missing }: MdxContentProps) {
  renderProbe?.begin(cacheKey)
  const Component =
    typeof document !== 'undefined' && moduleUrl ? browserComponent(moduleUrl) : getCachedComponent(cacheKey, code)
  // The kit after the stand-ins: a row compiled before a kit name existed renders the kit's component.
  // A site-wide component after the kit: a site may replace a kit component with its own.
  const components = useMemo(
    () => ({ ...missingComponents(missing), ...KIT_COMPONENTS, ...siteComponents(code), KilnCodeBlock }),
    [missing, code],
  )
  return (
    <>
      <Component components={components as never} />
      <RenderEnd />
    </>
  )
}
