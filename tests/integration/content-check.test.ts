/**
 * `npm run content:check -- --dir D --from …` on small sites written for other engines
 * (tests/fixtures/engines/<engine>): what it serves at which address, what it ignores and
 * why with file and line, the advice for CONTENT_DIR, and the exit code (1 only on errors).
 * The real command in its own process, as an author runs it.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { makeContentDir, repoRoot } from '../helpers/server.ts'

const fixture = (engine: string) => path.join(repoRoot, 'tests', 'fixtures', 'engines', engine)

async function contentCheck(...args: string[]): Promise<{ status: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'other', 'content-check.ts'), ...args],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  // A guard against a hang only.
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
  const status = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => resolve(code))
  }).finally(() => clearTimeout(timer))
  return { status, output }
}

/** The table row that starts with `first` (address or level) and mentions `rest`. */
const row = (output: string, first: string, ...rest: string[]) =>
  output.split('\n').find((line) => line.startsWith(first) && rest.every((part) => line.includes(part)))

describe('content:check --from', () => {
  it('reads a Jekyll site from _posts/, names each Liquid tag with its line, and exits 1', async () => {
    const { status, output } = await contentCheck('--dir', fixture('jekyll'), '--from', 'auto')
    expect(status, output).toBe(1)
    expect(output).toContain('written for jekyll (_config.yml)')
    // The server reads _posts/ where it is (CONTENT_LAYOUT=auto): no link to make.
    expect(output).toContain(`to serve it so: set CONTENT_DIR=${fixture('jekyll')}\n`)
    expect(output).not.toContain('ln -s')
    expect(row(output, '/blog/plain', '_posts/2020-02-02-plain.md', 'A plain post (2020-02-02)')).toBeDefined()
    expect(row(output, 'error', '_posts/2019-04-01-welcome-to-jekyll.md:9', 'Liquid tag {% highlight %}')).toBeDefined()
    expect(row(output, 'error', '_posts/2019-04-01-welcome-to-jekyll.md:13', '{% endhighlight %}')).toBeDefined()
    expect(
      row(output, 'ignored', '2020-03-03-old-format.markdown', 'rename it to 2020-03-03-old-format.md'),
    ).toBeDefined()
    // The site's own pages where Jekyll keeps them, at the address Jekyll gave them; a README is none.
    expect(output).toContain('pages from pages/ and the Markdown files of the site’s top folder (one level deep)')
    expect(row(output, '/about ', 'about.md', 'About this Jekyll site')).toBeDefined()
    expect(row(output, '/contact ', 'contact/index.markdown', 'Contact')).toBeDefined()
    expect(row(output, 'ignored', 'README.md', "not served: README.md is the repository's")).toBeDefined()
    expect(row(output, 'ignored', 'index.md', "the site's home page")).toBeDefined()
    expect(row(output, 'ignored', 'about.md', 'frontmatter "permalink"', '/<name>')).toBeDefined()
    expect(output).not.toContain('move them there')
    expect(output).toMatch(/3 served \(1 posts, 2 pages, 0 drafts\) of 4 found, .*: 2 errors, 0 warnings, \d+ ignored/)
  })

  it("serves a Hugo site's content/about.md and a section's _index.md, and says what it passes over", async () => {
    const { status, output } = await contentCheck('--dir', fixture('hugo'))
    expect(status, output).toBe(1)
    expect(row(output, '/about ', 'content/about.md', 'About this Hugo site')).toBeDefined()
    expect(row(output, '/docs ', 'content/docs/_index.md', 'Documentation')).toBeDefined()
    expect(row(output, 'ignored', 'content/docs ', 'pages are read one level deep')).toBeDefined()
    expect(row(output, 'ignored', 'content/README.md', "README.md is the repository's")).toBeDefined()
    expect(row(output, 'ignored', 'content/_index.md', "the site's home page")).toBeDefined()
    expect(output).not.toContain('install.md')
    expect(output).toMatch(/3 served \(1 posts, 2 pages, 0 drafts\) of 4 found, .*: 1 errors/)
  })

  it('serves an Astro site from src/content/blog with pubDate, and exits 0', async () => {
    const { status, output } = await contentCheck('--dir', fixture('astro'))
    expect(status, output).toBe(0)
    expect(output).toContain('written for astro (astro.config.mjs)')
    expect(row(output, '/blog/first-post', 'src/content/blog/first-post.md', '(2022-07-08)')).toBeDefined()
    expect(row(output, '/blog/using-mdx', '(2024-06-01)')).toBeDefined()
    expect(output).toMatch(/: 0 errors, 0 warnings/)
  })

  it('names the line of exported metadata that is no literal, and both files that share an address', async () => {
    const next = await contentCheck('--dir', fixture('next'), '--from', 'next')
    expect(next.status, next.output).toBe(1)
    expect(row(next.output, '/blog/hello', 'posts/hello.mdx', 'Hello from Next.js (2023-05-05)')).toBeDefined()
    expect(row(next.output, 'error', 'posts/computed.mdx:4', 'not a plain literal')).toBeDefined()

    const docusaurus = await contentCheck('--dir', fixture('docusaurus'), '--from', 'docusaurus')
    expect(docusaurus.status, docusaurus.output).toBe(1)
    expect(
      row(docusaurus.output, 'error', 'blog/first-blog-post.md', 'blog/2019-05-28-first-blog-post.md'),
    ).toBeDefined()
    expect(row(docusaurus.output, 'error', 'blog/2021-08-26-welcome/index.md:11', 'HTML comment')).toBeDefined()
    expect(row(docusaurus.output, 'ignored', 'docs', 'not read')).toBeDefined()
  })

  it('lists every address of the mixed blog with title and date, warns only, and exits 0', async () => {
    const { status, output } = await contentCheck('--dir', fixture('mixed'))
    expect(status, output).toBe(0)
    for (const [address, title] of [
      ['/blog/hugo/toml-post', 'A post in TOML (2022-11-05)'],
      ['/blog/hugo', 'Notes from Hugo'],
      ['/blog/welcome', 'Welcome to Docusaurus (2021-08-26)'],
      ['/blog/2020/12/21/data-fetching-with-react-server-components', '(2020-12-21)'],
      ['/blog/hugo/hidden-post', '[draft: hidden from readers]'],
    ]) {
      expect(row(output, address, title), address).toBeDefined()
    }
    expect(output).toMatch(/11 served \(9 posts, 2 pages, 1 drafts\) of 11 found, .*: 0 errors, \d+ warnings/)
  })

  it('serves a post at its slug field, suggests an alias for the old address, names a bad or taken slug', async () => {
    const post = (title: string, extra = '') => `---\ntitle: ${title}\ndate: 2023-05-01\n${extra}---\n\nWords.\n`
    const dir = makeContentDir({
      'blog/2023/old-name.mdx': post('Moved', 'slug: new-name\n'),
      'blog/aliased.mdx': post('Aliased', 'slug: fresh\naliases: [aliased]\n'),
      'blog/bad.mdx': post('Bad slug', 'slug: ../up\n'),
      'blog/a.mdx': post('Wants b', 'slug: b\n'),
      'blog/b.mdx': post('Is b'),
    })
    try {
      const { status, output } = await contentCheck('--dir', dir, '--from', 'kiln')
      expect(status, output).toBe(1)
      expect(row(output, '/blog/2023/new-name', 'blog/2023/old-name.mdx', 'Moved')).toBeDefined()
      expect(
        row(output, 'warning', 'blog/2023/old-name.mdx:4', 'add aliases: [/blog/2023/old-name] so it redirects'),
      ).toBeDefined()
      expect(row(output, '/blog/fresh', 'blog/aliased.mdx')).toBeDefined()
      expect(output).not.toMatch(/warning .*blog\/aliased\.mdx/)
      expect(row(output, '/blog/bad', 'blog/bad.mdx', 'Bad slug')).toBeDefined()
      expect(
        row(output, 'error', 'blog/bad.mdx:4', '"slug: ../up" is not a valid slug', 'served at /blog/bad'),
      ).toBeDefined()
      expect(row(output, '/blog/a ', 'Wants b')).toBeDefined()
      expect(row(output, '/blog/b ', 'Is b')).toBeDefined()
      expect(row(output, 'error', 'blog/a.mdx:4', 'already taken by blog/b.mdx', 'served at /blog/a')).toBeDefined()
      expect(output).toMatch(/5 served \(5 posts, 0 pages, 0 drafts\) of 5 found, .*: 2 errors, 1 warnings/)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses an unknown --from with exit 2', async () => {
    const { status, output } = await contentCheck('--dir', fixture('mixed'), '--from', 'wordpress')
    expect(status).toBe(2)
    expect(output).toMatch(/--from must be auto, kiln or one of jekyll, hugo, astro, next, docusaurus/)
  })
})
