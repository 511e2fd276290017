/**
 * Content in any language on the real server: Chinese, Japanese and Thai words found by
 * search inside text written without spaces (1-2 character words too), mixed with English
 * words; reading time of a long Chinese post; `<html lang>` from SITE_LANG or a post's
 * `lang`, and its dates written in that language.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'
import { stopServer } from '../helpers/fixtures.ts'

const post = (fields: Record<string, string>, body: string) =>
  `---\n${Object.entries(fields)
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n')}\n---\n\n${body}\n`

let server: KilnServer

beforeAll(async () => {
  const contentDir = makeContentDir({
    'blog/chinese.mdx': post(
      { title: '全文搜索引擎的原理', date: '2026-03-01', lang: 'zh-CN' },
      '我们的博客现在支持中文全文检索。React 的 useEffect 钩子也能被找到。\n\n' +
        '这是一段很长的中文文字。'.repeat(400),
    ),
    'blog/japanese.mdx': post(
      { title: '日本語の記事', date: '2026-03-02', lang: 'ja' },
      'このブログは東京で書かれました。全文検索ができます。',
    ),
    'blog/thai.mdx': post({ title: 'บทความภาษาไทย', date: '2026-03-03' }, 'ภาษาไทยไม่มีช่องว่างระหว่างคำ'),
    'blog/english.mdx': post({ title: 'Plain English', date: '2026-03-04' }, 'Search engines and hooks.'),
    'blog/draft-chinese.mdx': post({ title: '草稿', date: '2026-03-05', draft: 'true' }, '全文搜索的草稿'),
  })
  server = await startServer({ contentDir, env: { SITE_LANG: 'en' } })
})

afterAll(async () => {
  await stopServer(server)
})

async function found(query: string): Promise<string[]> {
  const response = await get(server, `/search?q=${encodeURIComponent(query)}`)
  expect(response.status).toBe(200)
  const html = await response.text()
  const list = /data-testid="search-results"[\s\S]*?<\/ol>/.exec(html)?.[0] ?? ''
  return [...list.matchAll(/href="\/blog\/([^"]+)"/g)].map((match) => match[1])
}

describe('search in any language', () => {
  it('finds Chinese words inside a sentence, marked in the snippet, never in drafts', async () => {
    expect(await found('检索')).toEqual(['chinese'])
    expect(await found('搜索引擎')).toEqual(['chinese'])
    // A two-character word (LIKE), in both posts: the one with it in its title first.
    expect(await found('全文')).toEqual(['chinese', 'japanese'])
    const html = await (await get(server, `/search?q=${encodeURIComponent('中文全文检索')}`)).text()
    expect(html).toMatch(/<mark[^>]*>中文全文检索<\/mark>/)
  })

  it('finds Japanese and Thai words, and one-character words', async () => {
    expect(await found('東京')).toEqual(['japanese'])
    expect(await found('全文検索')).toEqual(['japanese'])
    expect(await found('ช่องว่าง')).toEqual(['thai'])
    expect(await found('京')).toEqual(['japanese'])
  })

  it('ANDs CJK words with English words, and finds nothing for a word no post has', async () => {
    expect(await found('useEffect 钩子')).toEqual(['chinese'])
    expect(await found('hooks 钩子')).toEqual([])
    expect(await found('不存在的词')).toEqual([])
    expect(await found('hooks')).toEqual(['english'])
  })
})

describe('language of a page', () => {
  it('reads a long Chinese post at a CJK reading speed', async () => {
    const html = await (await get(server, '/blog/chinese')).text()
    // 4,800 characters at about 460 a minute.
    expect(html).toMatch(/>(1[01])<!-- --> min read</)
  })

  it('takes <html lang> from SITE_LANG, or from the post, with its dates in that language', async () => {
    const english = await (await get(server, '/blog/english')).text()
    expect(english).toMatch(/<html lang="en"/)
    expect(english).toContain('4 March 2026')
    const chinese = await (await get(server, '/blog/chinese')).text()
    expect(chinese).toMatch(/<html lang="zh-CN"/)
    expect(chinese).toContain('2026年3月1日')
    const japanese = await (await get(server, '/blog/japanese')).text()
    expect(japanese).toMatch(/<html lang="ja"/)
    expect(japanese).toContain('2026年3月2日')
  })
})
