/**
 * The names of the components Kiln gives every post without an import (index.ts holds the
 * components themselves). Kept apart from them so the compiler, which only needs to know
 * that `<Callout>` is not a missing component, never loads React components.
 */
export const KIT_COMPONENT_NAMES = ['Aside', 'Callout', 'Details', 'Embed', 'Figure', 'Kbd', 'YouTube'] as const

export type KitComponentName = (typeof KIT_COMPONENT_NAMES)[number]
