/**
 * Site-wide components (content/components/) at compile time and in a post's version:
 * each case writes a small content folder and compiles or indexes a post in it.
 */
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { getMDXExport } from 'mdx-bundler/client'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CompileError, compileInThisThread } from '../../app/content/compile-mdx.server.ts'
import { bundleSiteComponent, listSiteComponents } from '../../app/content/compile/site-component-bundle.ts'
import { SITE_COMPONENTS_EXPORT, siteComponentsOfCode } from '../../app/content/site-components.ts'
import { hashEntry, importedFiles } from '../../app/content/source.server.ts'
import { makeTempDir, type TempDir } from './temp-dir.ts'

const HEAD = ['---', 'title: Site', 'date: 2026-01-31', '---', ''].join('\n')
const CHART = `import { label } from './_shared/label.js'
export default function Chart({ n }) { return <b className="chart">{label}{n}</b> }
`

let tmp: TempDir

beforeEach(() => {
  tmp = makeTempDir('kiln-site-')
  tmp.write('components/Chart.tsx', CHART)
  tmp.write('components/_shared/label.js', "export const label = 'chart:'\n")
  tmp.write('components/Note.jsx', 'export function Note({ children }) { return <i>{children}</i> }\n')
})

afterEach(() => tmp.cleanup())

const compile = (body: string, entryPath = 'blog/post.mdx') => {
  tmp.write(entryPath, `${HEAD}${body}\n`)
  return compileInThisThread({ contentDir: tmp.root, entryPath, kind: 'post' })
}

describe('site-wide components', () => {
  it('are known to the compiler by file name and named, with their versions, in the post', async () => {
    const compiled = await compile('<Chart n={3} />\n\n<Note>hi</Note>\n\n<Gone />')
    expect(compiled.warnings.flatMap((w) => (w.component ? [w.component] : []))).toEqual(['Gone'])
    const versions = listSiteComponents(tmp.root, 1e6)
    expect(siteComponentsOfCode(compiled.code)).toEqual({
      Chart: versions.get('Chart')!.version,
      Note: versions.get('Note')!.version,
    })
    expect(getMDXExport(compiled.code)[SITE_COMPONENTS_EXPORT]).toMatch(
      /^__kilnSiteComponents=Chart:[\w-]+,Note:[\w-]+$/,
    )
  })

  it("a post's own import or definition wins: the name is not taken from the folder", async () => {
    tmp.write('blog/_mine.jsx', 'export const Chart = () => <s>mine</s>\n')
    const compiled = await compile(
      "import { Chart } from './_mine.jsx'\nexport const Note = () => null\n\n<Chart /><Note />",
    )
    expect(siteComponentsOfCode(compiled.code)).toEqual({})
    const Component = getMDXExport(compiled.code).default
    expect(renderToStaticMarkup(createElement(Component))).toContain('<s>mine</s>')
  })

  it('a post that uses none carries nothing', async () => {
    const compiled = await compile('Just text, and a <Callout>kit one</Callout>.')
    expect(compiled.code).not.toContain(SITE_COMPONENTS_EXPORT)
  })

  it('a component is bundled with its imports, react from the page', async () => {
    const bundle = await bundleSiteComponent(tmp.root, listSiteComponents(tmp.root, 1e6).get('Chart')!)
    expect(bundle.code).toMatch(/["']chart:["']/)
    expect(bundle.code).not.toMatch(/require\(["']react/)
  })

  it('a broken component fails the posts that use it, naming its file and line; others compile', async () => {
    tmp.write('components/Broken.tsx', 'export default function Broken() {\n  return <b>oops</c>\n}\n')
    const error = await compile('<Broken />', 'blog/uses.mdx').then(
      () => null,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(CompileError)
    expect((error as CompileError).file).toBe('components/Broken.tsx')
    expect((error as CompileError).line).toBe(2)
    await expect(compile('<Chart />', 'blog/fine.mdx')).resolves.toBeTruthy()
  })

  it('a component that exports nothing by its name or as default is an error naming it', async () => {
    tmp.write('components/Empty.tsx', 'export const other = 1\n')
    await expect(compile('<Empty />')).rejects.toMatchObject({ file: 'components/Empty.tsx' })
  })

  it("count in the post's version: only the files of the components it uses", () => {
    const source = `${HEAD}<Chart />`
    tmp.write('blog/post.mdx', source)
    const files = importedFiles(tmp.root, 'blog/post.mdx', source, 1e6).map(([file]) => file)
    expect(files).toEqual(['components/Chart.tsx', 'components/_shared/label.js'])
    const version = () =>
      hashEntry(tmp.root, [['blog/post.mdx', 0, 0], ...importedFiles(tmp.root, 'blog/post.mdx', source, 1e6)])
    const before = version()
    tmp.write('components/Note.jsx', 'export const Note = () => <u />\n')
    expect(version()).toBe(before)
    tmp.write('components/_shared/label.js', "export const label = 'changed:'\n")
    expect(version()).not.toBe(before)
  })

  it('a post using a name the folder lacks counts the folder, which moves when a file is added', () => {
    const source = `${HEAD}<Later />`
    tmp.write('blog/post.mdx', source)
    const files = importedFiles(tmp.root, 'blog/post.mdx', source, 1e6)
    expect(files.map(([file]) => file)).toEqual(['components/'])
    const version = hashEntry(tmp.root, [['blog/post.mdx', 0, 0], ...files])
    tmp.write('components/Later.tsx', 'export default () => <b />\n')
    const after = importedFiles(tmp.root, 'blog/post.mdx', source, 1e6)
    expect(after.map(([file]) => file)).toEqual(['components/Later.tsx'])
    expect(hashEntry(tmp.root, [['blog/post.mdx', 0, 0], ...after])).not.toBe(version)
  })
})
