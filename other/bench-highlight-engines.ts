/**
 * `npm run bench:highlight-engines [-- --dir <folder of .md/.mdx>]`
 *
 * shiki's two regex engines, measured in one run on the same code blocks (by default
 * every fenced block of the react.dev corpus): the oniguruma WASM engine and the
 * JavaScript engine. Each engine runs the highlight worker's own function in a fresh
 * child process, so time and peak RSS belong to that engine alone. Prints both and
 * their ratios. The engine Kiln uses is HIGHLIGHT_ENGINE (default: the one this chose).
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { errorMessage } from '../app/utils/error-message.ts'

const here = fileURLToPath(import.meta.url)

interface Block {
  lang: string
  code: string
}

function collectBlocks(dir: string): Block[] {
  const blocks: Block[] = []
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const absolute = path.join(folder, entry.name)
      if (entry.isDirectory()) walk(absolute)
      else if (/\.mdx?$/.test(entry.name)) {
        const text = fs.readFileSync(absolute, 'utf8')
        for (const match of text.matchAll(/^```([A-Za-z0-9+#-]+)[^\n]*\n([\s\S]*?)\n```/gm))
          blocks.push({ lang: match[1], code: match[2] })
      }
    }
  }
  walk(dir)
  return blocks
}

/** Child mode: highlight every block with one engine, print JSON figures. */
async function measure(blocksFile: string): Promise<void> {
  const { default: highlight } = await import('../workers/highlight.ts')
  const blocks = JSON.parse(fs.readFileSync(blocksFile, 'utf8')) as Block[]
  const start = performance.now()
  let highlighted = 0
  let unknown = 0
  for (const block of blocks) {
    const outcome = await highlight({ code: block.code, lang: block.lang })
    if (outcome.ok) highlighted++
    else unknown++
  }
  const ms = performance.now() - start
  console.log(
    JSON.stringify({ ms, highlighted, unknown, peakRssMb: (process.resourceUsage().maxRSS / 1024).toFixed(0) }),
  )
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dir: { type: 'string' }, child: { type: 'string' } } })
  if (values.child) return measure(values.child)

  const dir = path.resolve(values.dir ?? path.join(path.dirname(here), '..', '..', 'shared', 'corpus', 'react.dev'))
  const blocks = collectBlocks(dir)
  const blocksFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-engines-')), 'blocks.json')
  fs.writeFileSync(blocksFile, JSON.stringify(blocks))
  console.log(`${blocks.length} code blocks from ${dir}`)
  const results: Record<string, { ms: number; highlighted: number; unknown: number; peakRssMb: string }> = {}
  for (const engine of ['oniguruma', 'javascript']) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', here, '--child', blocksFile], {
      env: { ...process.env, HIGHLIGHT_ENGINE: engine },
      encoding: 'utf8',
    })
    if (child.status !== 0) throw new Error(`${engine} run failed: ${child.stderr}`)
    results[engine] = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}')
    const r = results[engine]
    console.log(
      `${engine.padEnd(10)}  ${r.ms.toFixed(0).padStart(6)} ms  peak RSS ` +
        `${r.peakRssMb.padStart(4)} MB  (${r.highlighted} highlighted, ${r.unknown} unknown ` +
        `language)`,
    )
  }
  const { oniguruma, javascript } = results
  console.log(
    `javascript / oniguruma: time ${(javascript.ms / oniguruma.ms).toFixed(2)}x, peak RSS ` +
      `${(Number(javascript.peakRssMb) / Number(oniguruma.peakRssMb)).toFixed(2)}x`,
  )
  fs.rmSync(path.dirname(blocksFile), { recursive: true, force: true })
}

main().catch((error: unknown) => {
  console.error(`bench:highlight-engines failed: ${errorMessage(error)}`)
  process.exit(1)
})
