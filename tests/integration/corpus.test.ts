/**
 * Content Kiln did not write: the react.dev documents in ../shared/corpus (real MDX by
 * other authors, full of components no blog defines). Every document either compiles,
 * with its undefined components as warnings, or fails with a clear message; served by a
 * real server, each answers with its title or a clear error page, and the server keeps
 * answering throughout.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compileInThisThread, CompileError } from '../../app/content/compile-mdx.server.ts'
import { corpusDir, get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'

function corpusDocuments(): string[] {
  const found: string[] = []
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const absolute = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(absolute)
      else if (/\.mdx?$/.test(entry.name) && !['SOURCE.md', 'LICENSE-DOCS.md'].includes(entry.name))
        found.push(path.relative(corpusDir, absolute))
    }
  }
  walk(corpusDir)
  return found.sort()
}

async function inBatches<T, R>(items: T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) {
        const index = next++
        results[index] = await run(items[index])
      }
    }),
  )
  return results
}

const documents = fs.existsSync(corpusDir) ? corpusDocuments() : []

describe('the react.dev corpus', () => {
  it('is beside the checkout, as in CI', () => {
    expect(documents.length).toBeGreaterThan(200)
  })

  it('compiles every document or fails it with a clear CompileError', async () => {
    const outcomes = await inBatches(documents, 4, async (document) => {
      try {
        const compiled = await compileInThisThread({ contentDir: corpusDir, entryPath: document, kind: 'page' })
        return { document, ok: true as const, missing: compiled.warnings.filter((warning) => warning.component).length }
      } catch (error) {
        return { document, ok: false as const, error }
      }
    })
    const compiled = outcomes.filter((outcome) => outcome.ok)
    const failed = outcomes.filter((outcome) => !outcome.ok)
    for (const failure of failed) {
      expect(failure.error, failure.document).toBeInstanceOf(CompileError)
      const error = failure.error as CompileError
      expect(error.file, failure.document).toBe(failure.document)
      expect(error.message.length, failure.document).toBeGreaterThan(10)
    }
    // The documents that fail are exactly those without a title in their frontmatter.
    const untitled = documents.filter(
      (document) => !/^title:/m.test(fs.readFileSync(path.join(corpusDir, document), 'utf8').split('\n---')[0]),
    )
    expect(failed.map((failure) => failure.document).sort()).toEqual(untitled)
    expect(compiled.reduce((sum, outcome) => sum + (outcome.ok ? outcome.missing : 0), 0)).toBeGreaterThan(100)
    console.log(
      `corpus: ${documents.length} documents, ${compiled.length} compiled, ${failed.length} failed with a clear error`,
    )
    // A guard against a hang: 223 compiles in one thread, started first in CI beside the axe sweep.
  }, 900_000)
})

describe('the react.dev corpus served as a blog', () => {
  let server: KilnServer
  // Blog documents (they carry dates) become posts; the rest become pages, which need no date.
  const routes = documents.map((document) => {
    const slug = document.replace(/\.mdx?$/, '').replace(/[/\\]/g, '-')
    return document.startsWith('blog/')
      ? { document, slug, url: `/blog/${slug}`, file: `blog/${slug}.md` }
      : { document, slug, url: `/${slug}`, file: `pages/${slug}.md` }
  })

  beforeAll(async () => {
    const files: Record<string, string> = {}
    for (const route of routes) files[route.file] = fs.readFileSync(path.join(corpusDir, route.document), 'utf8')
    server = await startServer({ contentDir: makeContentDir(files) })
  })
  afterAll(() => server?.stop())

  it('answers every document with its title or a clear error page, and keeps answering', async () => {
    const results = await inBatches(routes, 4, async (route) => {
      const response = await get(server, route.url)
      return { route, status: response.status, html: await response.text() }
    })
    let served = 0
    let failed = 0
    for (const { route, status, html } of results) {
      if (status === 200) {
        served++
        expect(html, route.url).toMatch(/<h1[^>]*>[^<]+<\/h1>/)
      } else {
        failed++
        expect(status, route.url).toBe(500)
        expect(html, route.url).toContain('could not be built')
        expect(html.replace(/<script[\s\S]*?<\/script>/g, ''), route.url).not.toMatch(/at .+\.(ts|js):\d+/)
      }
    }
    expect(served).toBeGreaterThan(200)
    expect((await get(server, '/healthcheck')).status).toBe(200)
    expect(server.process.exitCode).toBeNull()
    console.log(`corpus over HTTP: ${served} served, ${failed} answered with the error page`)
    // A guard against a hang: 223 first compiles share one compile thread, minutes on a busy machine.
  }, 900_000)

  it('renders the components react.dev defines but this blog does not as labelled boxes', async () => {
    const html = await (await get(server, '/blog/blog-2023-03-16-introducing-react-dev')).text()
    expect(html).toContain('data-missing-component="Intro"')
    expect(html).toContain('data-missing-component="Sandpack"')
  })
})
