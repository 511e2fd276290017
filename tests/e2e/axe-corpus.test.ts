/**
 * axe-core over a sample of the react.dev corpus (the stand-in for a real blog of ~200
 * posts), in the light and dark themes: the largest documents, ones with tables, with
 * images, with many code languages, plus one post written to hold what the corpus lacks
 * (languages it never uses, a wide table, an iframe, repeated headings, a missing
 * component, an <img> with no alt). Every page must have no serious or critical
 * violation. The whole corpus is `npm run axe:sweep -- --dir <folder>`.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { type Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import {
  isSeriousOrCritical,
  listingPathnames,
  summarize,
  sweepPages,
  formatTable,
  SERIOUS_OR_CRITICAL,
} from '../../other/lib/axe.ts'
import { launchChromium } from '../../other/lib/chromium.ts'
import { corpusDir, repoRoot, startServer, tempDir, writeFiles, type KilnServer } from '../helpers/server.ts'
import { stopServer } from '../helpers/fixtures.ts'

const SAMPLE_SIZE = 25
/** The compile and highlight threads of the sweep's server (see beforeAll). */
const COMPILE_THREADS = 2
const haveCorpus = fs.existsSync(corpusDir)

let server: KilnServer
let browser: Browser
let contentDir: string
let sample: string[] = []
/** The sample's posts, longest first: the order the sweep checks them in. */
let postPathnames: string[] = []
/** The compiles asked for ahead of the browser (see warmCompiles). */
let warming: Promise<void> = Promise.resolve()

/** Picks varied documents: the largest, then those with tables, images and the most code languages. */
function pickSample(blogDir: string): string[] {
  const files = fs.readdirSync(blogDir).filter((name) => /\.mdx?$/.test(name))
  const text = new Map(files.map((name) => [name, fs.readFileSync(path.join(blogDir, name), 'utf8')]))
  const languages = (name: string) =>
    new Set([...text.get(name)!.matchAll(/^\s*```(\w+)/gm)].map((match) => match[1])).size
  const chosen = new Set<string>()
  const take = (ranked: string[], count: number) => {
    for (const name of ranked) {
      if (count === 0) break
      if (chosen.has(name)) continue
      chosen.add(name)
      count--
    }
  }
  const bySize = [...files].sort((a, b) => text.get(b)!.length - text.get(a)!.length)
  take(bySize, 8)
  take(
    bySize.filter((name) => /^\|.*\|\s*$\n^\|\s*:?-/m.test(text.get(name)!) || text.get(name)!.includes('<table')),
    5,
  )
  take(
    bySize.filter((name) => /<img\b|!\[/.test(text.get(name)!)),
    6,
  )
  take(
    [...files].sort((a, b) => languages(b) - languages(a)),
    SAMPLE_SIZE - chosen.size,
  )
  return [...chosen]
}

/**
 * Asks the server for every post `threads` at a time, without waiting for the answers to be
 * checked: each first request compiles the post, the longest for tens of seconds, and asked
 * only when the sweep's tab got to it, the tab waited through the compile while the compile
 * threads had sat idle during the checks before it. The sweep still reads every page from
 * the server as it serves it; a post that fails to compile fails there as before.
 */
async function warmCompiles(baseUrl: string, pathnames: string[], threads: number): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: threads }, async () => {
      while (next < pathnames.length) {
        const pathname = pathnames[next++]
        try {
          await (await fetch(baseUrl + pathname)).arrayBuffer()
        } catch {
          // The sweep requests the page again and reports what went wrong.
        }
      }
    }),
  )
}

/** Short programs in languages react.dev never uses: their token colours must read in both themes. */
const SNIPPETS: Record<string, string> = {
  python:
    '@dataclass\nclass Post:\n    """A post."""\n    title: str = "x"  # comment\n    def ' +
    'words(self) -> int:\n        return len(self.title.split()) + 0x1F if True else None',
  rust:
    "#[derive(Debug)]\npub struct Post<'a> { title: &'a str }\nimpl Post<'_> { fn len(&self) -> usize { " +
    'self.title.len() } } // note\nmacro_rules! hi { () => { println!("hi {}", 1u8) } }',
  go: 'package main\n\nimport "fmt"\n\n// main prints.\nfunc main() {\n\tvar n int = 42\n\tfmt.Printf("%d\\n", n)\n}',
  yaml: '# settings\nname: kiln\nreplicas: 3\nenabled: true\nlist:\n  - &anchor a\n  - *anchor\nempty: null',
  sql: '-- newest first\nSELECT id, title FROM posts WHERE draft = 0 AND views > 10 ORDER BY date DESC LIMIT 20;',
  toml: '# app\n[server]\nport = 3000\nname = "kiln"\nenabled = true\ndate = 2024-01-01T00:00:00Z',
  ruby:
    'class Post < Base\n  attr_reader :title # comment\n  def ' +
    'initialize(title) = @title = title\n  def to_s = "#{@title}!"\nend',
  java:
    '@Override\npublic final class Post implements Comparable<Post> {\n  private static final ' +
    'int MAX = 10; // limit\n  public String title() { return "x" + MAX; }\n}',
  c: '#include <stdio.h>\n/* entry */\nint main(void) { printf("%s %d\\n", "x", 42); return 0; }',
  cpp: 'template <typename T>\nconstexpr auto square(T x) -> T { return x * x; } // doc\nstd::vector<int> v{1, 2, 3};',
  php:
    '<?php\nnamespace App;\n// greet\nfunction greet(string $name): string { ' +
    'return "Hello {$name}"; }\n$x = ["a" => 1, \'b\' => true];',
  swift:
    'import Foundation\n/// A post\nstruct Post { let title: String; ' +
    'var views = 0 }\nlet p = Post(title: "x") // comment',
  kotlin: 'data class Post(val title: String, var views: Int = 0)\nfun main() { println("${Post("x")}") } // note',
  scss:
    '$accent: #f0f;\n.post { &:hover { color: darken($accent, 10%); } @media ' +
    '(min-width: 40em) { margin: 0 auto !important; } } // c',
  graphql: 'query Posts($first: Int = 10) @cached {\n  posts(first: $first) { id title ...Meta }\n}\n# comment',
  dockerfile:
    'FROM node:20-slim AS build\n# build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ' +
    'ci && npm run build\nENV PORT=3000\nEXPOSE 3000\nCMD ["npm", "start"]',
  markdown: '# Title\n\n> quote with **bold** and _emphasis_\n\n- [link](https://example.com)\n- `code`',
  xml: '<?xml version="1.0"?>\n<!-- feed -->\n<rss version="2.0"><channel attr="x">&amp; text</channel></rss>',
  shell:
    '#!/usr/bin/env bash\nset -euo pipefail\n# deploy\nfor f in *.md; do echo "$f" ' +
    '| grep -q draft || cp "$f" out/; done\nexport PORT=${PORT:-3000}',
}

const FENCE = '```'
const PROBE_POST =
  `---
title: Everything the corpus lacks
date: 2024-01-01
description: Languages, tables, frames and images a real blog may have.
tags: [probe, code]
---

## Setup

` +
  `${[
    'python',
    'rust',
    'go',
    'yaml',
    'sql',
    'toml',
    'ruby',
    'java',
    'c',
    'cpp',
    'php',
    'swift',
    'kotlin',
    'scss',
    'graphql',
    'dockerfile',
    'markdown',
    'xml',
    'shell',
  ]
    .map((lang) => `${FENCE}${lang}\n${SNIPPETS[lang] ?? 'x = 1'}\n${FENCE}`)
    .join('\n\n')}` +
  `

## Setup

| column one with a long heading | column two with a long heading | column three with a long heading | four | five ` +
  `| six | seven | eight | nine | ten |
|---|---|---|---|---|---|---|---|---|---|
| ${'averyveryverylongwordthatwillnotwrap '.repeat(3)} | b | c | d | e | f | g | h | i | j |

<iframe src="about:blank" width="300" height="100"></iframe>

<img src="/missing-picture.png" />

![](/another-missing-picture.png)

[](https://example.com)

<Sandpack>
${FENCE}js
export default function App() { return <h1>Hello</h1> }
${FENCE}
</Sandpack>

Some \`inline code\` in a paragraph, and a <kbd>Ctrl</kbd> key.
`

beforeAll(async () => {
  if (!haveCorpus) return
  contentDir = tempDir('kiln-axe-corpus-')
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(repoRoot, 'other', 'make-blog-from-corpus.ts'),
      '--from',
      corpusDir,
      '--to',
      contentDir,
    ],
    { cwd: repoRoot, stdio: 'ignore' },
  )
  const blogDir = path.join(contentDir, 'blog')
  sample = pickSample(blogDir)
  // The corpus has no tags; a real blog does, so the sample gets some (and tag pages get checked).
  for (const [index, name] of sample.entries()) {
    const file = path.join(blogDir, name)
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^---\n/, `---\ntags: [sample, group-${index % 3}]\n`))
  }
  for (const name of fs.readdirSync(blogDir))
    if (!sample.includes(name)) fs.rmSync(path.join(blogDir, name), { recursive: true })
  writeFiles(contentDir, {
    'blog/everything-the-corpus-lacks.mdx': PROBE_POST,
    'pages/about.mdx': '---\ntitle: About\n---\n\nA page.\n',
  })
  // Two compiles (and highlight threads) at once: the sweep asks for the sample's posts a
  // few at a time, and with the default single compile thread each waited for the one
  // before it, most of the sweep's time, while Chromium and the second core sat idle.
  // What is checked (the pages as served) does not depend on how many compiles run at once.
  // The compile and highlight limits become hang guards: on a loaded machine the longest
  // posts took over the default 60 s to compile (an error page instead of the post), and a
  // highlight past its limit would leave a block plain, not the page this test checks.
  server = await startServer({
    contentDir,
    env: {
      COMPILE_MAX_THREADS: String(COMPILE_THREADS),
      HIGHLIGHT_MAX_THREADS: String(COMPILE_THREADS),
      COMPILE_TIMEOUT_MS: '600000',
      HIGHLIGHT_TIMEOUT_MS: '120000',
    },
  })
  // The longest posts first (sweepPages checks in this order): axe's time grows with a
  // page's length, and a long post started last would run on alone at the end.
  postPathnames = [...sample, 'everything-the-corpus-lacks.mdx']
    .sort((a, b) => fs.statSync(path.join(blogDir, b)).size - fs.statSync(path.join(blogDir, a)).size)
    .map((name) => `/blog/${name.replace(/\.mdx?$/, '')}`)
  warming = warmCompiles(server.url, postPathnames, COMPILE_THREADS)
  browser = await launchChromium()
}, 300_000)

afterAll(async () => {
  await warming
  await browser?.close()
  await stopServer(server)
  if (contentDir) fs.rmSync(contentDir, { recursive: true, force: true })
})

test.skipIf(!haveCorpus)(
  'a sample of the corpus has no serious or critical axe violations, light and dark',
  async () => {
    expect(sample.length).toBe(SAMPLE_SIZE)
    expect(postPathnames).toHaveLength(SAMPLE_SIZE + 1)
    const pathnames = [...postPathnames, '/about', ...(await listingPathnames(server.url, 'react'))]
    expect(pathnames.filter((pathname) => pathname.startsWith('/tags/')).length).toBeGreaterThanOrEqual(4)
    // Only the rules that can report a serious or critical violation: the others' findings
    // would all be dropped below.
    const results = await sweepPages({
      browser,
      baseUrl: server.url,
      pathnames,
      concurrency: 3,
      impacts: SERIOUS_OR_CRITICAL,
    })
    const unchecked = results
      .filter((result) => result.error || result.status !== 200)
      .map(({ pathname, theme, status, error }) => ({ pathname, theme, status, error }))
    expect(unchecked).toEqual([])
    const failing = results
      .map((result) => ({ ...result, violations: result.violations.filter(isSeriousOrCritical) }))
      .filter((result) => result.violations.length > 0)
    expect(failing.length, formatTable(summarize(failing))).toBe(0)
  },
  // A guard against a hang: on two cores at a load average of 20 the sweep ran past 20 minutes.
  1_800_000,
)
