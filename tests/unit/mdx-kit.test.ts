/**
 * The component kit (app/components/mdx-kit/): every post may use it without an import.
 * Each case compiles a small post that uses a component and renders it the way MdxContent
 * does, so the compiler's view (not missing) and the render agree.
 */
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { embedTarget } from '../../app/components/mdx-kit/embed-url.ts'
import { KIT_COMPONENT_NAMES, KIT_COMPONENTS } from '../../app/components/mdx-kit/index.ts'
import { compileInThisThread, type CompiledEntry } from '../../app/content/compile-mdx.server.ts'
import { MdxContent } from '../../app/content/mdx-component.tsx'
import { makeTempDir, type TempDir } from './temp-dir.ts'

let tmp: TempDir
let counter = 0

beforeAll(() => {
  tmp = makeTempDir('kiln-kit-')
})

afterAll(() => tmp.cleanup())

const HEAD = ['---', 'title: Kit', 'date: 2026-01-31', '---', ''].join('\n')

async function compileBody(body: string): Promise<CompiledEntry> {
  const entryPath = `blog/kit-${counter++}.mdx`
  tmp.write(entryPath, `${HEAD}${body}\n`)
  return compileInThisThread({ contentDir: tmp.root, entryPath, kind: 'post' })
}

const missingNames = (compiled: CompiledEntry) => compiled.warnings.flatMap((w) => (w.component ? [w.component] : []))

/** Renders as the page does: through MdxContent, with the stored missing names. */
function render(compiled: CompiledEntry): string {
  return renderToStaticMarkup(
    createElement(MdxContent, {
      cacheKey: `post:kit-${counter++}`,
      code: compiled.code,
      missing: missingNames(compiled),
    }),
  )
}

async function compileAndRender(body: string): Promise<string> {
  const compiled = await compileBody(body)
  expect(missingNames(compiled)).toEqual([])
  return render(compiled)
}

describe('the component kit', () => {
  it('has a component for every name the compiler knows', () => {
    expect(Object.keys(KIT_COMPONENTS).sort()).toEqual([...KIT_COMPONENT_NAMES].sort())
  })

  it('Callout: each type with its title, the type said in words, an unknown type a note', async () => {
    const html = await compileAndRender(
      [
        '<Callout type="note" title="Heads up">A **note**.</Callout>',
        '<Callout type="tip">A tip.</Callout>',
        '<Callout type="warning" title="Careful">Mind the gap.</Callout>',
        '<Callout type="danger">\n\nDo not.\n\n- really\n\n</Callout>',
        '<Callout type="shout">Unknown.</Callout>',
      ].join('\n\n'),
    )
    expect(html.match(/data-callout="(\w+)"/g)).toEqual([
      'data-callout="note"',
      'data-callout="tip"',
      'data-callout="warning"',
      'data-callout="danger"',
      'data-callout="note"',
    ])
    expect(html).toContain('<span class="sr-only">Note: </span>Heads up')
    expect(html).toContain('<span>Tip</span>')
    expect(html).toContain('<strong>note</strong>')
    expect(html).toContain('<li>really</li>')
    expect(html).not.toContain('data-missing-component')
  })

  it('YouTube: a poster and a link to the video before the page hydrates, no player', async () => {
    const html = await compileAndRender('<YouTube id="dQw4w9WgXcQ" start={30} title="A talk" />')
    expect(html).toContain('src="https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg"')
    expect(html).toContain('href="https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=30s"')
    expect(html).toContain('Watch on YouTube: A talk')
    expect(html).not.toContain('<iframe')
    expect(html).not.toContain('youtube-nocookie')
  })

  it('YouTube: an id that is not one is a labelled box, never a URL', async () => {
    const html = await compileAndRender('<YouTube id={"x\\" onerror=\\"alert(1)"} />')
    expect(html).toContain('data-kit-error="YouTube"')
    expect(html).not.toContain('ytimg')
  })

  it('Embed: a static card with a link for each kind of URL, no script or frame', async () => {
    const html = await compileAndRender(
      [
        '<Embed url="https://x.com/jack/status/20">just setting up my twttr</Embed>',
        '<Embed url="https://twitter.com/jack/status/20" />',
        '<Embed url="https://mastodon.social/@Gargron/1" />',
        '<Embed url="https://codepen.io/ada/pen/abcDEF" />',
        '<Embed url="https://codepen.io/team/codepen/pen/PNaGbb" />',
        '<Embed url="https://codesandbox.io/p/sandbox/react-x1y2z3" />',
        '<Embed url="https://example.com/page" />',
      ].join('\n\n'),
    )
    expect(html.match(/data-embed="(\w+)"/g)).toEqual([
      'data-embed="x"',
      'data-embed="x"',
      'data-embed="mastodon"',
      'data-embed="codepen"',
      'data-embed="codepen"',
      'data-embed="codesandbox"',
      'data-embed="link"',
    ])
    expect(html).toContain('Post by @jack')
    expect(html).toContain('<blockquote class="kiln-embed-quote" cite="https://x.com/jack/status/20">')
    expect(html).toContain('Post by @Gargron@mastodon.social')
    expect(html).toContain('href="https://codepen.io/ada/pen/abcDEF"')
    expect(html).not.toMatch(/<script|<iframe/)
  })

  it('Embed: only http(s) URLs become links', async () => {
    const html = await compileAndRender('<Embed url="javascript:alert(1)" />')
    expect(html).toContain('data-kit-error="Embed"')
    expect(html).not.toContain('href="javascript')
    expect(embedTarget('not a url')).toHaveProperty('error')
  })

  it('Details, Kbd and Aside', async () => {
    const html = await compileAndRender(
      [
        '<Details summary="Show the answer">\n\nIt is **42**.\n\n</Details>',
        'Press <Kbd>Ctrl+K</Kbd> or <Kbd>/</Kbd> to search.',
        '<Aside title="By the way">A side note.</Aside>',
      ].join('\n\n'),
    )
    expect(html).toContain('<details class="kiln-details" data-kit="Details">')
    expect(html).toContain('<summary class="kiln-details-summary">Show the answer</summary>')
    expect(html).toContain('<strong>42</strong>')
    expect(html).toContain('<kbd class="kiln-kbd">Ctrl</kbd><span class="kiln-kbd-plus">+</span>')
    expect(html).toContain('<kbd class="kiln-kbd" data-kit="Kbd">/</kbd>')
    expect(html).toContain('role="note" aria-label="By the way"')
  })

  it("a post's own import or definition of a kit name wins over the kit's", async () => {
    tmp.write(
      'blog/_parts/callout.jsx',
      'export const Callout = ({ children }) => <b className="imported">{children}</b>',
    )
    const defined = await compileAndRender(
      'export const Kbd = ({ children }) => <i className="own">{children}</i>\n\n<Kbd>X</Kbd>',
    )
    expect(defined).toContain('<i class="own">X</i>')
    expect(defined).not.toContain('kiln-kbd')
    const imported = await compileAndRender("import { Callout } from './_parts/callout.jsx'\n\n<Callout>Mine</Callout>")
    expect(imported).toContain('<b class="imported">Mine</b>')
    expect(imported).not.toContain('kiln-callout')
  })

  it('a name outside the kit is still a missing component', async () => {
    const compiled = await compileBody('<Callout>fine</Callout>\n\n<Tweet id="1" />')
    expect(missingNames(compiled)).toEqual(['Tweet'])
    expect(render(compiled)).toContain('data-missing-component="Tweet"')
  })
})
