/**
 * Components used but never defined, wherever the JSX sits: in the text, inside an
 * attribute (`image={<BlogImage />}`), inside an expression (`{cond && <Foo />}`), in a
 * render prop (`render={() => <B />}`). Each is found at compile time, warned with its
 * place, and renders as the labelled stand-in instead of failing the page.
 */
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { getMDXComponent } from 'mdx-bundler/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compileInThisThread, type CompiledEntry } from '../../app/content/compile-mdx.server.ts'
import { missingComponents } from '../../app/content/mdx-component.tsx'
import { makeTempDir, type TempDir } from './temp-dir.ts'

let tmp: TempDir
let counter = 0

beforeAll(() => {
  tmp = makeTempDir('kiln-missing-')
})

afterAll(() => tmp.cleanup())

const HEAD = ['---', 'title: Missing', 'date: 2026-01-31', '---', ''].join('\n')

async function compileBody(body: string): Promise<CompiledEntry> {
  const entryPath = `blog/case-${counter++}.mdx`
  tmp.write(entryPath, `${HEAD}${body}\n`)
  return compileInThisThread({ contentDir: tmp.root, entryPath, kind: 'post' })
}

const missingNames = (compiled: CompiledEntry) => compiled.warnings.flatMap((w) => (w.component ? [w.component] : []))

function render(compiled: CompiledEntry): string {
  const Component = getMDXComponent(compiled.code)
  return renderToStaticMarkup(
    createElement(Component, { components: missingComponents(missingNames(compiled)) as never }),
  )
}

describe('missing components inside JSX attributes and expressions', () => {
  it('finds one passed as an attribute value, with its line', async () => {
    const compiled = await compileBody('\nText.\n\n<Frame image={<BlogImage src="x.png" />} caption="A caption" />\n')
    expect(missingNames(compiled).sort()).toEqual(['BlogImage', 'Frame'])
    expect(compiled.warnings.find((w) => w.component === 'BlogImage')).toMatchObject({ line: 8 })
    const html = render(compiled)
    expect(html).toContain('data-missing-component="Frame"')
    // Frame is a stand-in too: its image prop is not rendered, but nothing throws.
  })

  it('renders one inside an attribute of a defined component', async () => {
    const compiled = await compileBody(
      'export const Frame = ({ image }) => <figure ' +
        'className="frame">{image}</figure>\n\n<Frame image={<BlogImage ' +
        'src="x.png" />} />\n',
    )
    expect(missingNames(compiled)).toEqual(['BlogImage'])
    const html = render(compiled)
    expect(html).toContain('<figure class="frame">')
    expect(html).toContain('data-missing-component="BlogImage"')
  })

  it('renders one inside a flow expression and a text expression', async () => {
    const compiled = await compileBody(
      '{true && <Foo>flow child</Foo>}\n\nInline {[1].map((n) => <Bar key={n}>bar {n}</Bar>)} here.\n',
    )
    expect(missingNames(compiled).sort()).toEqual(['Bar', 'Foo'])
    const html = render(compiled)
    expect(html).toContain('data-missing-component="Foo"')
    expect(html).toContain('flow child')
    expect(html).toContain('data-missing-component="Bar"')
    expect(html).toContain('bar 1')
  })

  it('renders one inside a render prop, and a member name', async () => {
    const compiled = await compileBody(
      'export const A = ({ render }) => <section ' +
        'className="a">{render()}</section>\n\n<A render={() => <B.Inner>from ' +
        'render</B.Inner>} />\n',
    )
    expect(missingNames(compiled)).toEqual(['B.Inner'])
    const html = render(compiled)
    expect(html).toContain('<section class="a">')
    expect(html).toContain('data-missing-component="B.Inner"')
    expect(html).toContain('from render')
  })

  it('does not flag names bound inside the expression, imported or declared', async () => {
    const compiled = await compileBody(
      [
        'export const Local = ({ children }) => <b>{children}</b>',
        'export const List = ({ item: Item }) => <ul><Item /></ul>',
        '',
        '<List item={() => <Local>in local</Local>} />',
        '',
        '{[Local].map((Comp, i) => <Comp key={i}>mapped</Comp>)}',
        '',
        '<div>{(() => { const Made = () => <i>made</i>; return <Made /> })()}</div>',
      ].join('\n'),
    )
    expect(missingNames(compiled)).toEqual([])
    const html = render(compiled)
    expect(html).toContain('in local')
    expect(html).toContain('mapped')
    expect(html).toContain('<i>made</i>')
  })

  it('names a component missing from both the text and an attribute once', async () => {
    const compiled = await compileBody('<Note>one</Note>\n\n<div title="x">{<Note>two</Note>}</div>\n')
    expect(missingNames(compiled)).toEqual(['Note'])
    const html = render(compiled)
    expect(html.match(/data-missing-component="Note"/g)).toHaveLength(2)
  })
})
