/**
 * The compile and highlight pools with real worker threads: code blocks highlighted in
 * the worker, every fault made to happen for real (an unknown language, a worker that
 * throws, one that dies, one that hangs past its timeout) ending in a plain-text block
 * and a compiled post, and the threads gone once the pools have been idle.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeContentDir } from '../helpers/server.ts'
import { holdsWithin } from '../helpers/wait.ts'

// Read once by the configuration module, on first use: set before anything asks.
process.env.HIGHLIGHT_IDLE_MS = '300'
process.env.COMPILE_IDLE_MS = '300'
// Long enough that a real job never reaches it on a loaded machine (the first job of a
// thread loads shiki); the hang and exit faults wait it out on purpose.
process.env.HIGHLIGHT_TIMEOUT_MS = '10000'
process.env.KILN_TEST_FAULTS = '1'

const { compileInThisThread } = await import('../../app/content/compile-mdx.server.ts')
const { MAX_HIGHLIGHT_BYTES } = await import('../../app/content/compile/rehype-code-blocks.ts')
const { compileInPool, destroyCompilePool, getCompilePool } = await import('../../app/content/compile-pool.server.ts')
const { destroyHighlightPool, getHighlightPool, highlightInPool } =
  await import('../../app/content/highlight.server.ts')
const { trimStats } = await import('../../app/utils/return-freed-memory.ts')

function threadCount(): number {
  return Number(/^Threads:\s+(\d+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1])
}

const post = (body: string) => `---\ntitle: Code\ndate: 2026-01-01\n---\n\n${body}\n`
const fence = (lang: string, code: string, meta = '') => `\`\`\`${lang}${meta ? ` ${meta}` : ''}\n${code}\n\`\`\``

let contentDir: string

beforeAll(() => {
  contentDir = makeContentDir({
    'blog/highlighted.mdx': post(
      `${fence('ts', 'const answer: number = 42', 'title="answer.ts" {1} showLineNumbers')}` +
        `\n\n${fence('diff', '-old\n+new\n same')}`,
    ),
    'blog/faults.mdx': post(
      [
        fence('kiln-no-such-lang', '<b>not bold</b>'),
        fence('', 'no language here'),
        fence('kiln-test-throw', 'x'),
        fence('ts', 'let fine = 1'),
      ].join('\n\n'),
    ),
    'blog/crash.mdx': post(`${fence('kiln-test-crash', 'crash()')}\n\n${fence('js', 'after()')}`),
    'blog/hang.mdx': post(`${fence('kiln-test-hang', 'loop()')}\n\n${fence('js', 'afterHang()')}`),
    'blog/exit.mdx': post(`${fence('kiln-test-exit', 'exit()')}\n\n${fence('js', 'afterExit()')}`),
    'blog/huge.mdx': post(fence('js', `// ${'x'.repeat(1024 * 1024)}`)),
    'blog/many.mdx': post(Array.from({ length: 1500 }, (_, i) => fence('js', `const n${i} = ${i}`)).join('\n\n')),
  })
})

afterAll(async () => {
  await Promise.all([destroyCompilePool(), destroyHighlightPool()])
})

const compile = (entryPath: string) =>
  compileInThisThread({ contentDir, entryPath, kind: 'post', highlight: highlightInPool })

describe('highlighting in the worker', () => {
  it('highlights known languages with both themes as CSS variables, and applies the meta', async () => {
    const compiled = await compile('blog/highlighted.mdx')
    expect(compiled.code).toContain('--shiki-light')
    expect(compiled.code).toContain('--shiki-dark')
    expect(compiled.code).toContain('answer.ts')
    expect(compiled.code).toContain('line highlighted')
    expect(compiled.code).toContain('data-line-numbers')
    expect(compiled.code).toContain('line diff add')
    expect(compiled.code).toContain('line diff remove')
    expect(compiled.warnings).toEqual([])
  })

  it(
    'falls back to plain text with a warning for an unknown ' + 'language, no language and a worker that throws',
    async () => {
      const failuresBefore = getHighlightPool().stats().failures
      const compiled = await compile('blog/faults.mdx')
      const messages = compiled.warnings.map((warning) => warning.message)
      expect(messages.some((message) => message.includes('"kiln-no-such-lang" is not one shiki knows'))).toBe(true)
      expect(messages.some((message) => message.includes('no language'))).toBe(true)
      expect(messages.some((message) => message.includes('(kiln-test-throw) could not be highlighted'))).toBe(true)
      for (const warning of compiled.warnings) expect(warning.line).toBeGreaterThan(0)
      expect(compiled.code).toContain('shiki plain')
      // the last block, after the faults, is still highlighted
      expect(compiled.code).toContain('--shiki-light')
      expect(getHighlightPool().stats().failures).toBe(failuresBefore + 1)
    },
  )

  it(
    'survives a worker thread that dies mid-job: the block is ' + 'plain at once, the next job gets a new thread',
    async () => {
      const compiled = await compile('blog/crash.mdx')
      expect(
        compiled.warnings.some((warning) =>
          warning.message.includes('(kiln-test-crash) could not be highlighted (highlight worker crashed on purpose)'),
        ),
      ).toBe(true)
      expect(compiled.code).toContain('crash()')
      expect(compiled.code).toContain('--shiki-light') // the js block after it
    },
  )

  it('abandons a job past HIGHLIGHT_TIMEOUT_MS, ends its thread and carries on', async () => {
    const compiled = await compile('blog/hang.mdx')
    expect(compiled.warnings.some((warning) => warning.message.includes('took longer than 10000 ms'))).toBe(true)
    expect(compiled.code).toContain('afterHang')
    expect(compiled.code).toContain('--shiki-light')
    const again = await highlightInPool({ code: 'let ok = true', lang: 'ts' })
    expect(again.ok).toBe(true)
  })

  it('catches a thread that exits mid-job by the timeout', async () => {
    const compiled = await compile('blog/exit.mdx')
    expect(
      compiled.warnings.some((warning) =>
        warning.message.includes('(kiln-test-exit) could not be highlighted (took longer than 10000 ms)'),
      ),
    ).toBe(true)
    expect(compiled.code).toContain('afterExit')
    expect(compiled.code).toContain('--shiki-light')
  })

  it('frames a block over the size bound as plain text instead of tokenizing it', async () => {
    const compiled = await compile('blog/huge.mdx')
    expect(
      compiled.warnings.some((warning) => warning.message.includes(`larger than ${MAX_HIGHLIGHT_BYTES / 1024} KB`)),
    ).toBe(true)
    expect(compiled.code.length).toBeGreaterThan(1024 * 1024)
  })

  it('compiles a post with 1,500 code blocks', async () => {
    const compiled = await compile('blog/many.mdx')
    expect(compiled.warnings).toEqual([])
    expect(compiled.code.split('--shiki-light').length).toBeGreaterThan(1500)
  })
})

describe('compiling in the worker', () => {
  it(
    'compiles in the compile pool with highlighting, and reports ' + 'a broken post as a CompileError with a place',
    async () => {
      const good = await compileInPool({ contentDir, entryPath: 'blog/highlighted.mdx', kind: 'post' })
      expect(good.code).toContain('--shiki-dark')
      expect(good.frontmatter.title).toBe('Code')
      fs.writeFileSync(path.join(contentDir, 'blog/broken.mdx'), post('text {oops'))
      await expect(compileInPool({ contentDir, entryPath: 'blog/broken.mdx', kind: 'post' })).rejects.toMatchObject({
        name: 'CompileError',
        file: 'blog/broken.mdx',
        transient: false,
      })
      expect(getCompilePool().stats().jobs).toBeGreaterThanOrEqual(2)
    },
  )
})

describe('spinning down', () => {
  it(
    'leaves no pool thread alive once both pools have been idle, the process thread count where it started, ' +
      "and the allocator's free memory handed back after the idle collection",
    async () => {
      await Promise.all([destroyCompilePool(), destroyHighlightPool()])
      await holdsWithin(() => false, 200)
      const baseline = threadCount()
      const trimsBefore = trimStats().trims

      await compileInPool({ contentDir, entryPath: 'blog/highlighted.mdx', kind: 'post' })
      expect(getCompilePool().stats().jobs).toBe(1)
      expect(getHighlightPool().stats().jobs).toBe(2)
      expect(threadCount()).toBeGreaterThan(baseline)

      const spunDown = await holdsWithin(
        () => getCompilePool().stats().threads === 0 && getHighlightPool().stats().threads === 0,
        60_000,
      )
      expect(spunDown).toBe(true)
      expect(await holdsWithin(() => threadCount() <= baseline, 60_000)).toBe(true)
      // The collection once every pool has been idle past its idle time ends with malloc_trim.
      expect(trimStats().available).toBe(true)
      expect(await holdsWithin(() => trimStats().trims > trimsBefore, 60_000)).toBe(true)
    },
  )
})
