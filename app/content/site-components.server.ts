/**
 * Site-wide components on the server (app/content/site-components.ts says what they are):
 * each is bundled once per version, kept, evaluated once for server renders and served to
 * browsers as its own module. A post's render is synchronous, so loadEntry awaits
 * `prepareSiteComponents` before a page or a feed renders a post: the components its code
 * names are ready by then.
 *
 * Bundling is esbuild's (its own process; this thread only waits), one at a time per
 * component version. Both caches are bounded; a failed build is kept for a short while
 * only, so a passing failure is retried and a broken file is not rebuilt per request.
 */
import { log } from '../logging/logger.server.ts'
import { LRUCache } from 'lru-cache'
import * as React from 'react'
import * as ReactDOM from 'react-dom'
import * as jsxRuntime from 'react/jsx-runtime'
import type { ComponentType, ReactNode } from 'react'
import { getConfig } from '../config.server.ts'
import { errorMessage } from '../utils/error-message.ts'
import { SingleFlight } from '../utils/single-flight.ts'
import { bundleSiteComponent, findSiteComponent } from './compile/site-component-bundle.ts'
import { setSiteComponentSource } from './mdx-component.tsx'
import type { SiteComponentFile } from './compile/site-component-bundle.ts'
import { SITE_COMPONENT_NAME, SITE_COMPONENTS_FOLDER, siteComponentsOfCode } from './site-components.ts'

type AnyComponent = ComponentType<{ children?: ReactNode }>

interface Built {
  /** The module's function body, for browsers; absent when the build failed. */
  code?: string
  component?: AnyComponent
  error?: string
  /** The version actually built: the file's current one. */
  version: string
}

const MAX_ENTRIES = 200
const MAX_BYTES = 16 * 1024 * 1024
const FAILURE_TTL_MS = 10_000

const built = new LRUCache<string, Built>({
  max: MAX_ENTRIES,
  maxSize: MAX_BYTES,
  sizeCalculation: (entry) => Math.max(1, entry.code?.length ?? entry.error?.length ?? 1),
})
const building = new SingleFlight<Built>()
const counters = { hits: 0, builds: 0, failures: 0 }

export function siteComponentCacheStats() {
  return { maxEntries: MAX_ENTRIES, maxBytes: MAX_BYTES, entries: built.size, bytes: built.calculatedSize, ...counters }
}

function evaluate(name: string, code: string): AnyComponent {
  // The server evaluates content's code, as it does posts' (content is trusted: docs/security.md).
  const factory = new Function('React', 'ReactDOM', '_jsx_runtime', code) as (...globals: unknown[]) => unknown
  const exports = factory(React, ReactDOM, jsxRuntime) as Record<string, unknown>
  const component = exports[name] ?? exports.default
  if (typeof component !== 'function' && (typeof component !== 'object' || component === null))
    throw new Error(`components/${name} exports no component`)
  return component as AnyComponent
}

/** Builds the component as its file is now. */
async function build(component: SiteComponentFile): Promise<Built> {
  counters.builds++
  try {
    const bundle = await bundleSiteComponent(getConfig().contentDir, component)
    return { version: component.version, code: bundle.code, component: evaluate(component.name, bundle.code) }
  } catch (error) {
    counters.failures++
    const message = errorMessage(error)
    const where = (error as { where?: string }).where
    log.error(`site component ${where || component.file} does not build: ${message}`)
    return { version: component.version, error: where ? `${where}: ${message}` : message }
  }
}

/**
 * The component at `version`. Only a file's current version is ever built and kept: a
 * version that is not (an old page, or any string a client sends) gets the current one,
 * so requests cannot make builds or entries of their own.
 */
async function ensure(name: string, version: string): Promise<Built> {
  const known = built.get(`${name}@${version}`)
  if (known) {
    counters.hits++
    return known
  }
  const { contentDir, maxPostBytes } = getConfig()
  const component = findSiteComponent(contentDir, name, maxPostBytes)
  if (!component) return { version, error: `${SITE_COMPONENTS_FOLDER}/${name}.tsx or .jsx is not there` }
  const key = `${name}@${component.version}`
  const current = built.get(key)
  if (current) return current
  return building.run(key, async () => {
    const result = await build(component)
    built.set(key, result, result.error ? { ttl: FAILURE_TTL_MS } : {})
    return result
  })
}

/** Builds (or finds) every site-wide component a post's code names, before the post renders. */
export async function prepareSiteComponents(code: string): Promise<void> {
  const used = siteComponentsOfCode(code)
  await Promise.all(
    Object.entries(used).map(async ([name, version]) => {
      const result = await ensure(name, version)
      // A post older than its component's file (its last good version, served while a newer
      // one fails) renders with the component as it is now; briefly, the post will move.
      if (result.version !== version) built.set(`${name}@${version}`, result, { ttl: FAILURE_TTL_MS })
    }),
  )
}

/**
 * The component's module for browsers: `{ source, current }`, where `current` says the
 * version asked for is the file's version now (an immutable answer); null for a name that
 * is not a component.
 */
export async function siteComponentModule(
  name: string,
  version: string,
): Promise<{ source: string; current: boolean } | null> {
  if (!SITE_COMPONENT_NAME.test(name) || !/^[A-Za-z0-9_-]{1,64}$/.test(version)) return null
  const result = await ensure(name, version)
  if (!result.code) return null
  return {
    source: `export default function (React, ReactDOM, _jsx_runtime) {\n${result.code}\n}\n`,
    current: result.version === version,
  }
}

setSiteComponentSource((name, version) => {
  const known = built.get(`${name}@${version}`)
  if (!known) return undefined
  return known.component ? { component: known.component } : { error: known.error ?? 'not built' }
})
