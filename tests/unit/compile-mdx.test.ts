/**
 * The MDX compiler in this thread: each case writes a small inline source beside its
 * assertions into a temporary folder (the `makeTempDir` fixture) and compiles it. A source
 * several cases read is compiled once, in its describe's beforeAll.
 */
import fs from 'node:fs'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { getMDXComponent } from 'mdx-bundler/client'
import { beforeAll, describe, expect } from 'vitest'
import { CompileError, compileInThisThread, type CompiledEntry } from '../../app/content/compile-mdx.server.ts'
import { missingComponents } from '../../app/content/mdx-component.tsx'
import type { Highlight } from '../../app/content/highlight.server.ts'
import { KilnCodeBlock } from '../../app/components/code-block.tsx'
import highlightOnPoolThread from '../../workers/highlight.ts'
import { test as base } from '../helpers/fixtures.ts'
import { tempDir, writeFiles } from '../helpers/server.ts'

type Kind = 'post' | 'page'
type Files = Record<string, string>

const HEAD = ['---', 'title: Test post', 'date: 2026-01-31', '---', ''].join('\n')

/** Writes `files` into `dir` and compiles `entryPath` (the first file unless named). */
function compileIn(dir: string, files: Files, entryPath = Object.keys(files)[0], kind: Kind = 'post') {
  writeFiles(dir, files)
  return compileInThisThread({ contentDir: dir, entryPath, kind })
}

/** For a source several cases share: compiles it in a folder removed at once (the result is in memory). */
async function compileShared(files: Files, entryPath?: string): Promise<CompiledEntry> {
  const dir = tempDir('kiln-compile-')
  try {
    return await compileIn(dir, files, entryPath)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const test = base.extend<{ compileSource: (files: Files, entryPath?: string, kind?: Kind) => Promise<CompiledEntry> }>({
  compileSource: async ({ makeTempDir }, provide) => {
    await provide((files, entryPath, kind) => compileIn(makeTempDir('kiln-compile-'), files, entryPath, kind))
  },
})

function render(code: string, components?: Record<string, unknown>): string {
  const Component = getMDXComponent(code)
  return renderToStaticMarkup(createElement(Component, { components: components as never }))
}

async function compileError(compiling: Promise<CompiledEntry>): Promise<CompileError> {
  const error = await compiling.then(
    () => null,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(CompileError)
  return error as CompileError
}

describe('compileInThisThread: markdown features', () => {
  let compiled: CompiledEntry
  let html: string

  beforeAll(async () => {
    compiled = await compileShared({
      'blog/gfm.mdx': `${HEAD}
## First heading

| Left | Right |
|------|-------|
| one  | two   |

- [x] done item
- [ ] open item

Text with a footnote[^note] and ~~struck out~~ words.

### Custom {/*my-id*/}

#### Deep *emphasis*

##### Too deep for the TOC

[^note]: The footnote text.
`,
    })
    html = render(compiled.code)
  })

  test('gives the normalised frontmatter', () => {
    expect(compiled.frontmatter).toMatchObject({ title: 'Test post', date: '2026-01-31', tags: [], draft: false })
    expect(compiled.warnings).toEqual([])
  })

  test('renders GFM tables', () => {
    expect(html).toMatch(/<table>.*<th>Left<\/th>.*<td>two<\/td>.*<\/table>/s)
  })

  test('renders task lists as checkboxes', () => {
    expect(html).toContain('contains-task-list')
    expect(html).toMatch(/<input type="checkbox" disabled="" checked=""\/> done item/)
    expect(html).toMatch(/<input type="checkbox" disabled=""\/> open item/)
  })

  test('renders footnotes and strikethrough', () => {
    expect(html).toMatch(/<sup><a href="#user-content-fn-note"[^>]*data-footnote-ref/)
    expect(html).toContain('data-footnotes')
    expect(html).toContain('The footnote text.')
    expect(html).toContain('<del>struck out</del>')
  })

  test('collects headings of depth 2 to 4 with their ids and text, without the anchor', () => {
    // GFM's hidden "Footnotes" heading is not one of the post's headings.
    expect(compiled.headings).toEqual([
      { depth: 2, id: 'first-heading', text: 'First heading' },
      { depth: 3, id: 'my-id', text: 'Custom' },
      { depth: 4, id: 'deep-emphasis', text: 'Deep emphasis' },
    ])
    for (const heading of compiled.headings) expect(heading.text).not.toContain('#')
    expect(compiled.headings.some((h) => h.text.includes('Too deep'))).toBe(false)
  })

  test('gives headings ids and appended anchors in the HTML, a custom id replacing the generated one', () => {
    // The anchor is a focusable link named after its section; its "#" is hidden from screen readers.
    expect(html).toContain(
      '<h2 id="first-heading">First heading<a class="heading-anchor" ' +
        'aria-label="Link to the section “First heading”" href="#first-heading">' +
        '<span aria-hidden="true">#</span></a></h2>',
    )
    expect(html).not.toMatch(/heading-anchor[^>]*tabindex/i)
    expect(html).toContain('<h3 id="my-id">Custom<a')
    expect(html).not.toContain('id="custom')
    expect(html).not.toContain('/*my-id*/')
    expect(html).toContain('<h5 id="too-deep-for-the-toc">')
  })
})

describe('compileInThisThread: imports and formats', () => {
  test('bundles a folder post’s sibling component and what it imports', async ({ compileSource }) => {
    const compiled = await compileSource({
      'blog/folder/index.mdx': `---
title: Folder post
date: 2026-02-01
tags: [Demo]
---
import Widget from './widget.tsx'

## Intro

<Widget name="kiln" />
`,
      'blog/folder/widget.tsx': `import { greet } from './lib/greet.ts'
export default function Widget({ name }: { name: string }) {
  return <strong className="widget">{greet(name)}</strong>
}
`,
      'blog/folder/lib/greet.ts': "export const greet = (name: string): string => 'Hello from ' + name\n",
    })
    expect(compiled.warnings).toEqual([])
    expect(compiled.frontmatter.tags).toEqual(['demo'])
    expect(compiled.headings).toEqual([{ depth: 2, id: 'intro', text: 'Intro' }])
    expect(render(compiled.code)).toContain('<strong class="widget">Hello from kiln</strong>')
  })

  test('compiles a .md file as MDX, JSX and exports included', async ({ compileSource }) => {
    const compiled = await compileSource({
      'blog/plain.md': `${HEAD}
export const Shout = ({ children }) => <em className="shout">{children}!</em>

A markdown file with <Shout>jsx inside</Shout>.
`,
    })
    expect(compiled.warnings).toEqual([])
    const html = render(compiled.code)
    expect(html).toContain('<em class="shout">jsx inside!</em>')
    expect(html).not.toContain('&lt;Shout')
  })

  test('compiles a page, which needs no date', async ({ compileSource }) => {
    const compiled = await compileSource(
      { 'pages/about.mdx': '---\ntitle: About\n---\n\n## Who\n\nUs.\n' },
      undefined,
      'page',
    )
    expect(compiled.frontmatter.date).toBeNull()
    expect(compiled.headings).toEqual([{ depth: 2, id: 'who', text: 'Who' }])
  })
})

describe('compileInThisThread: multi-file examples', () => {
  test('a bare file path is the title; a hidden file is collapsed, plain and never highlighted', async ({
    makeTempDir,
  }) => {
    const asked: (string | null | undefined)[] = []
    const highlight: Highlight = (task) => {
      asked.push(task.meta)
      return highlightOnPoolThread(task)
    }
    const dir = makeTempDir('kiln-compile-')
    writeFiles(dir, {
      'blog/example.mdx': `${HEAD}
<Sandpack>

\`\`\`js src/App.js
export default function App() { return <Greeting /> }
\`\`\`

\`\`\`js src/data.js hidden
export const names = ['Ada', 'Grace']
\`\`\`

</Sandpack>
`,
    })
    const compiled = await compileInThisThread({
      contentDir: dir,
      entryPath: 'blog/example.mdx',
      kind: 'post',
      highlight,
    })
    expect(asked).toEqual(['src/App.js'])
    const html = render(compiled.code, { ...missingComponents(['Sandpack']), KilnCodeBlock })
    // The shown file: a figure captioned with its path, highlighted.
    expect(html).toMatch(/<figure class="code-block"[^>]*><figcaption class="code-title">src\/App.js<\/figcaption>/)
    expect(html).toMatch(/<figure[^>]*>(?:(?!<\/figure>)[\s\S])*--shiki-light/)
    // The hidden one: a closed <details> named after the file, its code plain text.
    const hidden = /<details class="code-block code-block-collapsed"[\s\S]*?<\/details>/.exec(html)?.[0] ?? ''
    expect(hidden).toMatch(/<summary class="code-title">src\/data.js <span/)
    expect(hidden).not.toMatch(/<details[^>]* open/)
    expect(hidden).toContain('class="shiki plain"')
    expect(hidden).not.toContain('--shiki-light')
    // One text node, no span per line: a hidden file has no marks to carry.
    expect(hidden).toContain("<code>export const names = ['Ada', 'Grace']</code>")
  })
})

describe('compileInThisThread: images without alt text', () => {
  test(
    'warns with the line for a markdown image with empty alt and an <img> without alt, ' +
      'not for described or decorative ones',
    async ({ compileSource }) => {
      const compiled = await compileSource({
        'blog/images.mdx': `${HEAD}
![](/no-alt.png)

![A kiln at night](/described.png)

<img src="/jsx-no-alt.png" />

<img src="/decorative.png" alt="" />
`,
      })
      const alt = compiled.warnings.filter((warning) => warning.message.includes('alt text'))
      expect(alt.map((warning) => [warning.message.split(' has ')[0], warning.line, warning.file])).toEqual([
        ['image /no-alt.png', 6, 'blog/images.mdx'],
        ['<img> /jsx-no-alt.png', 10, 'blog/images.mdx'],
      ])
      // Rendered as decoration (alt=""), not announced by file name.
      const html = render(compiled.code)
      expect(html).toContain('<img src="/jsx-no-alt.png" alt=""/>')
      expect(html).toContain('<img src="/no-alt.png" alt=""/>')
      expect(html).toContain('alt="A kiln at night"')
    },
  )
})

describe('compileInThisThread: links without text and frames without a title', () => {
  test(
    'shows the address as the text of an empty link and titles a frame by its host, ' + 'with a warning for each',
    async ({ compileSource }) => {
      // One paragraph on one line: the warnings' line numbers below count on it.
      const links =
        'An [](https://example.com/empty) link, a [named](https://example.com/named) one, ' +
        'an image link [![A kiln](/k.png)](https://example.com/image).'
      const compiled = await compileSource({
        'blog/names.mdx': `${HEAD}
${links}

<a href="https://example.com/jsx"></a>

<iframe src="https://www.youtube.com/embed/xyz"></iframe>

<iframe src="https://example.com/titled" title="A titled demo"></iframe>
`,
      })
      expect(compiled.warnings.map((warning) => [warning.message, warning.line])).toEqual([
        ['link to https://example.com/empty has no text: its address is shown instead', 6],
        ['<a> to https://example.com/jsx has no text: its address is shown instead', 8],
        [
          '<iframe> https://www.youtube.com/embed/xyz has no title: ' +
            '"Embedded content from www.youtube.com" is used; describe what it shows',
          10,
        ],
      ])
      const html = render(compiled.code)
      expect(html).toContain('<a href="https://example.com/empty">https://example.com/empty</a>')
      expect(html).toContain('<a href="https://example.com/jsx">https://example.com/jsx</a>')
      expect(html).toContain('<a href="https://example.com/named">named</a>')
      expect(html).toContain(
        '<iframe src="https://www.youtube.com/embed/xyz" title="Embedded content from www.youtube.com"></iframe>',
      )
      expect(html).toContain('title="A titled demo"')
    },
  )
})

describe('compileInThisThread: undefined components', () => {
  let compiled: CompiledEntry

  beforeAll(async () => {
    compiled = await compileShared({
      'blog/missing.mdx': `${HEAD}
import { Imported } from './parts.tsx'
export const Local = ({ children }) => <b className="local">{children}</b>
export function Declared() { return <i>declared</i> }

Intro paragraph.

<Sandpack>sandpack children text</Sandpack>

<Foo.Bar>foo bar children</Foo.Bar>

<Local>local text</Local> <Imported /> <Declared />

<Sandpack>used twice</Sandpack>
`,
      'blog/parts.tsx': 'export function Imported() { return <u>imported</u> }\n',
    })
  })

  test('warns once per component used but not defined, with its place', () => {
    expect(compiled.warnings.map((w) => w.component)).toEqual(['Sandpack', 'Foo.Bar'])
    const [sandpack, fooBar] = compiled.warnings
    // 4 lines of frontmatter and a blank line; the imports and exports take lines 6-8, the intro is line 10.
    expect(sandpack).toMatchObject({ file: 'blog/missing.mdx', line: 12, column: 1 })
    expect(fooBar).toMatchObject({ file: 'blog/missing.mdx', line: 14, column: 1 })
    expect(sandpack.message).toContain('<Sandpack>')
  })

  test('does not warn for imported components or ones declared in the file', () => {
    const names = compiled.warnings.map((w) => w.component)
    expect(names).not.toContain('Local')
    expect(names).not.toContain('Imported')
    expect(names).not.toContain('Declared')
  })

  test('cannot render without stand-ins', () => {
    // MDX checks member objects first: `Foo` of <Foo.Bar> is the first it misses
    expect(() => render(compiled.code)).toThrow(/Expected (object|component) `(Foo|Sandpack)` to be defined/)
  })

  test('renders with the stand-ins from missingComponents, children included', () => {
    const names = compiled.warnings.flatMap((w) => (w.component ? [w.component] : []))
    const html = render(compiled.code, missingComponents(names))
    expect(html).toContain('data-missing-component="Sandpack"')
    expect(html).toContain('sandpack children text')
    expect(html).toContain('used twice')
    expect(html).toContain('data-missing-component="Foo.Bar"')
    expect(html).toContain('foo bar children')
    expect(html).toContain('<b class="local">local text</b>')
    expect(html).toContain('<u>imported</u>')
    expect(html).toContain('<i>declared</i>')
  })
})

describe('compileInThisThread: errors', () => {
  test('gives a syntax error with the relative file, line and a clear message', async ({ compileSource }) => {
    const error = await compileError(compileSource({ 'blog/bad.mdx': `${HEAD}\nHello\n\n<div>\n  unclosed {\n` }))
    expect(error.name).toBe('CompileError')
    expect(error.file).toBe('blog/bad.mdx')
    // "  unclosed {" is line 9 of the file (4 lines of frontmatter, a blank line, Hello, a blank line, <div>)
    expect(error.line).toBe(9)
    expect(error.column).toBeGreaterThan(0)
    expect(error.message).toMatch(/closing brace/)
    expect(error.where).toBe(`blog/bad.mdx:9:${error.column}`)
  })

  test('names a missing npm package', async ({ compileSource }) => {
    const source = `${HEAD}\nimport thing from 'no-such-package-kiln'\n\nHi {thing}\n`
    const error = await compileError(compileSource({ 'blog/npm.mdx': source }))
    expect(error.message).toContain('no-such-package-kiln')
    expect(error.message).toMatch(/Could not resolve/)
    expect(error.file).toBe('blog/npm.mdx')
    // The line of the import in the MDX source, not of the JavaScript made from it.
    const lines = source.split('\n')
    expect(error.line).toBe(lines.findIndex((line) => line.includes("from 'no-such-package-kiln'")) + 1)
  })

  test('names the sibling file that imports a missing package', async ({ compileSource }) => {
    const error = await compileError(
      compileSource({
        'blog/deep-npm/index.mdx': `${HEAD}\nimport W from './w.tsx'\n\n<W />\n`,
        'blog/deep-npm/w.tsx':
          "import y from 'no-such-package-kiln'\nexport default function W() { return <b>{String(y)}</b> }\n",
      }),
    )
    expect(error.message).toContain('no-such-package-kiln')
    expect(error.file).toBe('blog/deep-npm/w.tsx')
    expect(error.line).toBe(1)
    expect(error.where).toMatch(/^blog\/deep-npm\/w\.tsx:1:\d+$/)
  })

  test('fails on a missing title', async ({ compileSource }) => {
    const error = await compileError(
      compileSource({ 'blog/no-title.mdx': '---\ndate: 2026-01-31\n---\n\nNo title.\n' }),
    )
    expect(error.message).toMatch(/"title" is required/)
    expect(error.file).toBe('blog/no-title.mdx')
  })

  test('fails on a post without a date, not on a page without one', async ({ compileSource }) => {
    const files = { 'blog/no-date.mdx': '---\ntitle: No date\n---\n\nNo date.\n' }
    const error = await compileError(compileSource(files))
    expect(error.message).toMatch(/"date" is required/)
    await expect(compileSource(files, undefined, 'page')).resolves.toMatchObject({
      frontmatter: { title: 'No date', date: null },
    })
  })

  test('fails on a file that does not exist', async ({ compileSource }) => {
    const error = await compileError(compileSource({}, 'blog/ghost.mdx'))
    expect(error.file).toBe('blog/ghost.mdx')
    expect(error.message).toMatch(/ENOENT|no such file/)
  })
})

describe('CompileError.where', () => {
  test('joins the parts that are known', () => {
    expect(new CompileError('x', 'blog/a.mdx', 3, 7).where).toBe('blog/a.mdx:3:7')
    expect(new CompileError('x', 'blog/a.mdx', 3).where).toBe('blog/a.mdx:3')
    expect(new CompileError('x', 'blog/a.mdx').where).toBe('blog/a.mdx')
    expect(new CompileError('x').where).toBe('')
  })
})
