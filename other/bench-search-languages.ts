/**
 * `npm run bench:search-languages -- --dir <content folder> [--cjk N] [--runs N]`
 *
 * What search in scripts written without spaces costs: the content folder (the react.dev
 * corpus made into a blog by other/make-blog-from-corpus.ts, say) plus N generated
 * Chinese and Japanese posts (about 3,000 characters each, words drawn from a fixed
 * vocabulary with a seeded generator) are indexed into a fresh SQLite file. It prints
 * the size of the unicode61 table (search_index) and of the trigram table
 * (search_trigram, which holds only the CJK documents), and the median and
 * 95th-percentile time of English, long CJK (trigram index), short CJK (LIKE over the
 * CJK documents' first 64 KB) and mixed queries. Figures only; it asserts nothing.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { getConfig } from '../app/config.server.ts'
import { syncContentIndex } from '../app/content/content-index.server.ts'
import { openDatabase } from '../app/db/connection.server.ts'
import { searchEntries } from '../app/search/search-index.server.ts'
import { copyDir } from './lib/server.ts'

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    cjk: { type: 'string', default: '100' },
    runs: { type: 'string', default: '200' },
  },
})
const sourceDir = values.dir ? path.resolve(values.dir) : getConfig().contentDir
const cjkPosts = Math.max(0, Number(values.cjk) || 0)
const runs = Math.max(1, Number(values.runs) || 200)

const CHINESE = (
  '我们 的 博客 服务器 支持 全文 搜索 引擎 数据库 组件 状态 函数 钩子 渲染 页面 用户 浏览器 网络 ' +
  '缓存 性能 内存 线程 编译 代码 文章 作者 读者 标签 系列 中文 日期 时间 问题 方法 结果 原因 因为 所以 ' +
  '但是 如果 可以 需要 已经 没有 一个 这个 那个 什么 怎么 为什么 开发 测试 部署 服务 请求 响应'
).split(' ')
const JAPANESE = (
  'これは ブログ の 記事 です 東京 で 書かれました 全文検索 が できます コンポーネント 状態 関数 ' +
  'フック レンダリング ページ ユーザー ブラウザ ネットワーク キャッシュ 性能 メモリ スレッド コンパイル ' +
  'コード 作者 読者 タグ シリーズ 日本語 日付 時間 問題 方法 結果 理由 しかし もし 必要 開発 テスト'
).split(' ')

/** A small deterministic generator (mulberry32), so every run indexes the same text. */
function random(seed: number) {
  return () => {
    seed |= 0
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function prose(words: string[], chars: number, next: () => number): string {
  let text = ''
  while (text.length < chars) {
    const sentence = Array.from({ length: 8 + Math.floor(next() * 10) }, () => words[Math.floor(next() * words.length)])
    text += `${sentence.join('')}。`
    if (next() < 0.2) text += '\n\n'
  }
  return text
}

const ms = (value: number) => `${value.toFixed(2)} ms`
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]

function tableBytes(db: ReturnType<typeof openDatabase>, prefix: string): number {
  return (
    db.prepare('SELECT COALESCE(SUM(pgsize), 0) AS bytes FROM dbstat WHERE name LIKE ?').get(`${prefix}%`) as {
      bytes: number
    }
  ).bytes
}

const QUERIES = [
  'react',
  'effect cleanup',
  '全文搜索',
  '搜索引擎数据库',
  '東京',
  '内存',
  '缓',
  '全文検索',
  'react 组件',
]

function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-languages-'))
  try {
    const contentDir = path.join(dir, 'content')
    copyDir(sourceDir, contentDir)
    fs.mkdirSync(path.join(contentDir, 'blog'), { recursive: true })
    const next = random(42)
    for (let i = 0; i < cjkPosts; i++) {
      const japanese = i % 2 === 1
      const words = japanese ? JAPANESE : CHINESE
      const title = Array.from({ length: 4 }, () => words[Math.floor(next() * words.length)]).join('')
      fs.writeFileSync(
        path.join(contentDir, 'blog', `cjk-${i}.mdx`),
        `---\ntitle: ${title}\ndate: 2026-01-${String((i % 28) + 1).padStart(2, '0')}\n` +
          `lang: ${japanese ? 'ja' : 'zh-CN'}\n---\n\n${prose(words, 3000, next)}`,
      )
    }
    const db = openDatabase(path.join(dir, 'kiln.db'), getConfig().migrationsDir)
    let start = performance.now()
    const result = syncContentIndex(db, contentDir)
    const syncMs = performance.now() - start
    db.pragma('wal_checkpoint(TRUNCATE)')
    const trigramDocs = (db.prepare('SELECT COUNT(*) AS n FROM search_trigram').get() as { n: number }).n
    console.log(`content: ${sourceDir} + ${cjkPosts} generated Chinese/Japanese posts of ~3,000 characters`)
    console.log(`entries: ${result.added.length}; cold sync (index + both search tables): ${ms(syncMs)}`)
    console.log(
      `search_index (unicode61): ${(tableBytes(db, 'search_index') / 1024 / 1024).toFixed(2)} MB; ` +
        `search_trigram (${trigramDocs} CJK documents): ` +
        `${(tableBytes(db, 'search_trigram') / 1024 / 1024).toFixed(2)} MB`,
    )
    console.log(`queries, ${runs} runs each:`)
    for (const query of QUERIES) {
      const times: number[] = []
      let hits = ''
      for (let i = 0; i < runs; i++) {
        start = performance.now()
        const found = searchEntries(db, query)
        hits = `${found.hits.length}/${found.total}`
        times.push(performance.now() - start)
      }
      times.sort((a, b) => a - b)
      console.log(
        `  ${JSON.stringify(query).padEnd(20)} ${hits.padStart(7)} shown/matched   median ` +
          `${ms(percentile(times, 0.5))}   p95 ${ms(percentile(times, 0.95))}`,
      )
    }
    db.close()
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main()
