/**
 * The content boundary on the real server, with real symbolic links and real files
 * outside the content folder: nothing outside it is served or bundled, whether reached
 * through a link (an entry, a sibling file, an import) or through an import's path
 * (absolute, climbing out); files shared inside the folder stay importable, and editing
 * one is a new version of every post that imports it, directly or through another file.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { get, logText, makeContentDir, startServer, tempDir, type KilnServer } from '../helpers/server.ts'
import { until } from '../helpers/wait.ts'

const SECRET = 'TOP-SECRET-OUTSIDE-THE-CONTENT-FOLDER'
const post = (title: string, body: string) => `---\ntitle: ${title}\ndate: 2026-03-01\n---\n\n${body}\n`

let server: KilnServer
let content: string
let outside: string

const page = async (pathname: string) => {
  const response = await get(server, pathname)
  return { status: response.status, html: await response.text() }
}

/** Rewrites a file so that its stamp surely moves (size and mtime), whatever the clock's resolution. */
function rewrite(file: string, text: string): void {
  const before = fs.statSync(file)
  fs.writeFileSync(file, text)
  const later = new Date(Math.max(Date.now(), before.mtimeMs + 2000))
  fs.utimesSync(file, later, later)
}

beforeAll(async () => {
  outside = tempDir('kiln-outside-')
  fs.writeFileSync(path.join(outside, 'secret.js'), `export default ${JSON.stringify(SECRET)}\n`)
  fs.writeFileSync(path.join(outside, 'outside.mdx'), post('Outside file post', SECRET))
  fs.mkdirSync(path.join(outside, 'folder'))
  fs.writeFileSync(path.join(outside, 'folder', 'index.mdx'), post('Outside folder post', SECRET))

  content = makeContentDir({
    'blog/good.mdx': post('A good post', 'Nothing to see.'),
    'blog/abs.mdx': post('Absolute import', `Some text.\n\nimport secret from '/etc/passwd'\n\n{secret}`),
    'blog/abs-outside.mdx': post(
      'Absolute import of a temp file',
      `import secret from '${path.join(outside, 'secret.js')}'\n\n{secret}`,
    ),
    'blog/climb.mdx': post('Climbing import', `import secret from '../../../../../../../../../etc/hosts'\n\n{secret}`),
    'blog/climb-outside.mdx': post(
      'Climbing import',
      `import secret from '../../${path.basename(outside)}/secret.js'\n\n{secret}`,
    ),
    'blog/linked-sibling/index.mdx': post('Sibling link', "import secret from './secret.js'\n\n{secret}"),
    'blog/_components/note.jsx':
      "import { label } from './label.js'\nexport function Note({ children }) { " +
      'return <aside className="note">{label}: {children}</aside> }\n',
    'blog/_components/label.js': "export const label = 'LABEL-ONE'\n",
    // Beside the one-file post that imports note.jsx: note.jsx's './label.js' is not this one.
    'blog/label.js': "export const label = 'WRONG-LABEL'\n",
    'shared/real-box.jsx': 'export function Box() { return <b>BOX-ONE</b> }\n',
    'blog/uses-note.mdx': post(
      'Uses the note',
      "import { Note } from './_components/note.jsx'\n\n<Note>NOTE-ONE</Note>",
    ),
    'blog/folder-uses-note/index.mdx': post(
      'Folder uses the note',
      "import { Note } from '../_components/note.jsx'\nimport { Box } from " +
        "'../_components/box.jsx'\n\n<Note>FOLDER</Note> <Box />",
    ),
    'blog/plain.mdx': post('Imports nothing', 'Plain words.'),
    'drafts/inside.mdx': post('A linked post inside', 'Linked from blog/.'),
  })
  fs.symlinkSync('/etc/passwd', path.join(content, 'blog', 'passwd.mdx'))
  fs.symlinkSync(path.join(outside, 'outside.mdx'), path.join(content, 'blog', 'outside-file.mdx'))
  fs.symlinkSync(path.join(outside, 'folder'), path.join(content, 'blog', 'outside-folder'))
  fs.symlinkSync(path.join(outside, 'secret.js'), path.join(content, 'blog', 'linked-sibling', 'secret.js'))
  // Links that stay inside the folder are followed: an entry, and a shared component.
  fs.symlinkSync(path.join(content, 'drafts', 'inside.mdx'), path.join(content, 'blog', 'inside-link.mdx'))
  fs.symlinkSync(path.join('..', '..', 'shared', 'real-box.jsx'), path.join(content, 'blog', '_components', 'box.jsx'))

  server = await startServer({ contentDir: content, env: { CONTENT_SCAN_INTERVAL_MS: '1' } })
}, 120_000)

afterAll(async () => {
  await server?.stop()
})

describe('the content boundary', () => {
  it('does not serve an entry whose link leaves the content folder, and names it in the log', async () => {
    for (const slug of ['passwd', 'outside-file', 'outside-folder']) {
      const { status, html } = await page(`/blog/${slug}`)
      expect(status, slug).toBe(404)
      expect(html).not.toContain(SECRET)
      expect(html).not.toContain('root:x:0')
    }
    const { html: list } = await page('/blog')
    expect(list).toContain('A good post')
    expect(list).not.toContain('Outside file post')
    expect(list).not.toContain('Outside folder post')
    const log = server.output()
    expect(log).toContain('skipped blog/passwd.mdx: is a symbolic link to /etc/passwd, outside the content folder')
    expect(log).toMatch(
      /skipped blog\/outside-file\.mdx: is a symbolic link to .*outside\.mdx, outside the content folder/,
    )
    expect(log).toMatch(/skipped blog\/outside-folder: is a symbolic link to .*, outside the content folder/)
  })

  it('serves an entry linked to a file inside the content folder', async () => {
    const { status, html } = await page('/blog/inside-link')
    expect(status).toBe(200)
    expect(html).toContain('Linked from blog/.')
  })

  it('refuses absolute, climbing and linked-out imports with a compile error at the import line', async () => {
    const cases: [string, string, RegExp][] = [
      ['abs', 'blog/abs.mdx:8:1', /Refused import "\/etc\/passwd": absolute paths/],
      ['abs-outside', 'blog/abs-outside.mdx:6:1', /Refused import ".*secret\.js": absolute paths/],
      ['climb', 'blog/climb.mdx:6:1', /Refused import "(\.\.\/)+etc\/hosts": it leaves the content folder/],
      [
        'climb-outside',
        'blog/climb-outside.mdx:6:1',
        /Refused import "\.\.\/\.\.\/kiln-outside-.*\/secret\.js": it leaves the content folder/,
      ],
      [
        'linked-sibling',
        'blog/linked-sibling/index.mdx:6:1',
        /Refused import "\.\/secret\.js": it is a symbolic link to .*secret\.js, outside the content folder/,
      ],
    ]
    for (const [slug, where, message] of cases) {
      const { status, html } = await page(`/blog/${slug}`)
      expect(status, slug).toBe(500)
      expect(html).not.toContain(SECRET)
      expect(html).not.toContain('root:x:0')
      await until(async () => logText(server).includes(`compile failed: ${where}: `), `the compile error of ${slug}`)
      const line = logText(server)
        .split('\n')
        .find((l) => l.includes(`compile failed: ${where}: `))!
      expect(line, slug).toMatch(message)
    }
  })

  it('bundles shared files from elsewhere in the content folder, linked or not', async () => {
    const one = await page('/blog/uses-note')
    expect(one.status).toBe(200)
    expect(one.html).toContain('LABEL-ONE')
    expect(one.html).toContain('NOTE-ONE')
    expect(one.html).not.toContain('WRONG-LABEL')
    const folder = await page('/blog/folder-uses-note')
    expect(folder.status).toBe(200)
    expect(folder.html).toContain('LABEL-ONE')
    expect(folder.html).toContain('BOX-ONE')
    expect((await page('/blog/_components')).status).toBe(404)
    expect((await page('/blog/note')).status).toBe(404)
  })

  it(
    'serves a new version of each post that imports a shared file ' +
      'when that file changes, directly or through another',
    async () => {
      const compiled = () => (server.output().match(/compiled blog\/plain\.mdx/g) ?? []).length
      expect((await page('/blog/plain')).status).toBe(200)
      const plainCompiles = compiled()

      // label.js is imported by note.jsx, which both posts import.
      rewrite(path.join(content, 'blog', '_components', 'label.js'), "export const label = 'LABEL-TWO-EDITED'\n")
      await until(
        async () => (await page('/blog/uses-note')).html.includes('LABEL-TWO-EDITED'),
        'the one-file post to take the edited label',
      )
      await until(
        async () => (await page('/blog/folder-uses-note')).html.includes('LABEL-TWO-EDITED'),
        'the folder post to take the edited label',
      )

      // box.jsx is a link to shared/real-box.jsx: editing the target is a new version too.
      rewrite(path.join(content, 'shared', 'real-box.jsx'), 'export function Box() { return <b>BOX-TWO-EDITED</b> }\n')
      await until(
        async () => (await page('/blog/folder-uses-note')).html.includes('BOX-TWO-EDITED'),
        'the folder post to take the edited box',
      )

      // The compile read no file that the index had not counted in the post's version.
      expect(server.output()).not.toContain('not counted in the post')
      // A post that imports none of them was not compiled again.
      expect((await page('/blog/plain')).status).toBe(200)
      expect(compiled()).toBe(plainCompiles)
    },
  )
})
