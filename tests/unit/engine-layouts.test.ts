import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { detectEngine, engineLayout, foreignSyntax } from '../../other/lib/engine-layouts.ts'

const fixture = (engine: string) => path.join(import.meta.dirname, '..', 'fixtures', 'engines', engine)

describe('detectEngine', () => {
  it.each([
    ['jekyll', '_config.yml'],
    ['hugo', 'hugo.toml'],
    ['astro', 'astro.config.mjs'],
    ['next', 'next.config.mjs'],
    ['docusaurus', 'docusaurus.config.js'],
    ['mixed', 'no other engine’s configuration file'],
  ])('recognises %s by %s', (name, evidence) => {
    expect(detectEngine(fixture(name))).toEqual({ engine: name === 'mixed' ? 'kiln' : name, evidence })
  })
})

describe('engineLayout', () => {
  it('finds where each engine keeps its posts', () => {
    expect(engineLayout(fixture('hugo'), 'hugo', 'x')).toMatchObject({ contentRoot: 'content', posts: 'posts' })
    expect(engineLayout(fixture('astro'), 'astro', 'x')).toMatchObject({ contentRoot: 'src/content', posts: 'blog' })
    expect(engineLayout(fixture('jekyll'), 'jekyll', 'x')).toMatchObject({ contentRoot: '', posts: '_posts' })
    expect(engineLayout(fixture('next'), 'next', 'x')).toMatchObject({ contentRoot: '', posts: 'posts' })
  })
})

describe('foreignSyntax', () => {
  it('names Liquid tags and output, Hugo shortcodes and HTML comments with their lines', () => {
    const source = [
      'Text',
      '{% include note.html %}',
      '{{ page.title }}',
      '{{< youtube abc >}}',
      '{{% notice %}}',
      '<!-- truncate -->',
      'A {/* MDX comment */} and {props.value}',
    ].join('\n')
    expect(foreignSyntax(source).map((found) => [found.line, found.message.split(' (')[0].split(':')[0]])).toEqual([
      [2, 'Liquid tag {% include %}'],
      [3, 'Liquid output {{ … }}'],
      [4, 'Hugo shortcode {{< youtube >}}'],
      [5, 'Hugo shortcode {{< notice >}}'],
      [6, 'HTML comment'],
    ])
  })

  it('leaves code blocks alone, and stops at its limit', () => {
    expect(foreignSyntax('```liquid\n{% if x %}\n<!-- y -->\n```\n')).toEqual([])
    expect(foreignSyntax('<!-- a -->\n'.repeat(100), 5)).toHaveLength(5)
  })
})
