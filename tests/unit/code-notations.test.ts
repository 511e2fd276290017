/**
 * shiki's code notations, as the highlight worker applies them (workers/highlight.ts runs
 * here in the test's own thread: it is a pure function of its task). Each case highlights
 * a small block and reads the classes of its lines.
 */
import { describe, expect, it } from 'vitest'
import highlight from '../../workers/highlight.ts'
import { metaForWordHighlight } from '../../app/content/code-block.ts'

async function html(code: string, lang = 'ts', meta: string | null = null): Promise<string> {
  const outcome = await highlight({ code, lang, meta })
  if (!outcome.ok) throw new Error(`not highlighted: ${outcome.reason}`)
  return outcome.html
}

/** Each line's classes and its text, in order. */
function lines(markup: string): { classes: string[]; text: string }[] {
  const code = /<code>([\s\S]*)<\/code>/.exec(markup)?.[1] ?? ''
  return code.split('\n').map((line) => ({
    classes: (/^<span class="([^"]*)"/.exec(line)?.[1] ?? '').split(' ').filter(Boolean),
    text: line
      .replace(/<[^>]+>/g, '')
      .replace(/&#x3C;/g, '<')
      .replace(/&gt;/g, '>'),
  }))
}

describe('code notations', () => {
  it('[!code ++] and [!code --] mark added and removed lines, and the comment goes', async () => {
    const markup = await html(['const a = 1 // [!code --]', 'const a = 2 // [!code ++]', 'export { a }'].join('\n'))
    expect(markup).toMatch(/<pre class="shiki[^"]*has-diff/)
    const shown = lines(markup)
    expect(shown.map((line) => line.classes)).toEqual([['line', 'diff', 'remove'], ['line', 'diff', 'add'], ['line']])
    expect(shown[0].text.trim()).toBe('const a = 1')
    expect(markup).not.toContain('[!code')
  })

  it('[!code highlight], [!code focus], [!code error] and [!code warning]', async () => {
    const markup = await html(
      [
        'let a = 1 // [!code highlight]',
        'let b = 2 // [!code focus]',
        'let c: string = 3 // [!code error]',
        'let d = 4 // [!code warning]',
        'let e = 5',
      ].join('\n'),
    )
    expect(markup).toMatch(/<pre class="shiki[^"]*has-focused/)
    expect(lines(markup).map((line) => line.classes)).toEqual([
      ['line', 'highlighted'],
      ['line', 'focused'],
      ['line', 'highlighted', 'error'],
      ['line', 'highlighted', 'warning'],
      ['line'],
    ])
  })

  it('works beside the meta: line ranges, line numbers and a title', async () => {
    const markup = await html(
      ['const x = 1', 'const y = 2 // [!code ++]', 'const z = 3'].join('\n'),
      'ts',
      'title="src/a/b.ts" {1} showLineNumbers',
    )
    expect(markup).toContain('data-line-numbers=""')
    expect(lines(markup).map((line) => line.classes)).toEqual([
      ['line', 'highlighted'],
      ['line', 'diff', 'add'],
      ['line'],
    ])
    // The title's slashes are not words to mark.
    expect(markup).not.toContain('highlighted-word')
  })

  it('/word/ in the meta marks every use of the word', async () => {
    const markup = await html(
      ["import { useState } from 'react'", 'const [n, setN] = useState(0)'].join('\n'),
      'tsx',
      '/useState/ title="counter.tsx"',
    )
    expect(markup.match(/class="highlighted-word"/g)?.length).toBe(2)
    expect(metaForWordHighlight('title="a/b/c.ts" /x/')).not.toContain('a/b')
  })

  it('a bare file path first in the meta is not a word to mark either', async () => {
    const markup = await html('export const components = [1]', 'js', 'src/components/App.js /const/')
    expect(markup.match(/class="highlighted-word"/g)?.length).toBe(1)
    expect(markup).not.toMatch(/highlighted-word[^>]*>components/)
  })

  it('a JSX comment notation works in tsx', async () => {
    const markup = await html(['<div>', '  <p>hi</p> {/* [!code ++] */}', '</div>'].join('\n'), 'tsx')
    expect(lines(markup)[1].classes).toEqual(['line', 'diff', 'add'])
  })

  it('a block with no notation is unchanged: no has-… class, no marked line', async () => {
    const markup = await html('const plain = true')
    expect(markup).not.toMatch(/has-(diff|focused|highlighted)/)
    expect(lines(markup)[0].classes).toEqual(['line'])
  })
})

describe('a line that takes long to tokenize', () => {
  it('is tokenized to its end, so a notation after a long expression still counts', async () => {
    // 200 KB in one line: seconds of tokenizing here, far past the 500 ms after which shiki
    // stops a line by default and leaves its end (here, the comment) untokenized. Kiln sets
    // no such limit: how long the machine is busy must not change what a post shows.
    const markup = await html(`const a = ${'b + '.repeat(50_000)}1 // [!code ++]`)
    expect(markup).toMatch(/<pre class="shiki[^"]*has-diff/)
    expect(lines(markup)[0].classes).toEqual(['line', 'diff', 'add'])
  })
})
