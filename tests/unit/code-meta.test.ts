/**
 * How a fence's meta is read (app/content/code-block.ts), in the forms real posts use:
 * options as Kiln's docs spell them, and the multi-file examples' form (react.dev's
 * Sandpack blocks) where a bare file path comes first and `hidden` marks a supporting file.
 */
import { describe, expect, it } from 'vitest'
import { parseCodeMeta } from '../../app/content/code-block.ts'

describe('parseCodeMeta', () => {
  it('reads title, line ranges and line numbers', () => {
    expect(parseCodeMeta('title="app.ts" {1,3-4} showLineNumbers')).toEqual({
      title: 'app.ts',
      highlightLines: [1, 3, 4],
      showLineNumbers: true,
      hidden: false,
    })
  })

  it('takes a bare file path first as the title', () => {
    expect(parseCodeMeta('src/App.js').title).toBe('src/App.js')
    expect(parseCodeMeta('package.json hidden')).toMatchObject({ title: 'package.json', hidden: true })
    expect(parseCodeMeta('public/index.html active {2}')).toMatchObject({
      title: 'public/index.html',
      highlightLines: [2],
      hidden: false,
    })
    expect(parseCodeMeta('@scope/pkg/index.d.ts').title).toBe('@scope/pkg/index.d.ts')
  })

  it('prefers an explicit title to a bare path', () => {
    expect(parseCodeMeta('src/App.js title="The app"').title).toBe('The app')
  })

  it('does not take options, line ranges or words to mark for a path', () => {
    for (const meta of ['showLineNumbers', '{1,2}', '/useState/', '/a.b/', 'hidden', '[[1, 2, "x"]]', 'v1.2 notes']) {
      expect(parseCodeMeta(meta).title, meta).toBeUndefined()
    }
  })

  it('reads hidden as a word of its own, not inside a path or a title', () => {
    expect(parseCodeMeta('src/hidden.js').hidden).toBe(false)
    expect(parseCodeMeta('title="hidden"').hidden).toBe(false)
    expect(parseCodeMeta('hiddenFiles').hidden).toBe(false)
    expect(parseCodeMeta('src/data.js hidden').hidden).toBe(true)
  })

  // The timeout guards against a pattern that backtracks (quadratic here is hours); the
  // bounded reading takes milliseconds.
  it('costs little on a hostile meta: a first word of 200,000 characters', { timeout: 60_000 }, () => {
    const meta = `${'a.'.repeat(100_000)}! hidden`
    expect(parseCodeMeta(meta)).toMatchObject({ hidden: true })
    expect(parseCodeMeta(`${'a/'.repeat(100_000)}b.js`).title).toBeUndefined()
  })
})
