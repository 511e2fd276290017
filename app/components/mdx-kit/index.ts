/**
 * The component kit: what every post may use by name without importing it. MdxContent
 * (app/content/mdx-component.tsx) passes these to every post as MDX's `components`, so a
 * post's own import or definition of the same name still wins (MDX resolves a name the
 * module binds before it looks in `components`). The compiler knows the names from
 * names.ts and does not report them as missing.
 */
import type { ComponentType } from 'react'
import { Aside } from './aside.tsx'
import { Callout } from './callout.tsx'
import { Details } from './details.tsx'
import { Embed } from './embed.tsx'
import { Figure } from './figure.tsx'
import { Kbd } from './kbd.tsx'
import type { KitComponentName } from './names.ts'
import { YouTube } from './youtube.tsx'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each component has its own props
export const KIT_COMPONENTS: Record<KitComponentName, ComponentType<any>> = {
  Aside,
  Callout,
  Details,
  Embed,
  Figure,
  Kbd,
  YouTube,
}

export { KIT_COMPONENT_NAMES, type KitComponentName } from './names.ts'
