/**
 * The memory promise, on every change: a 90-second soak of the real server (started with
 * --expose-gc for this run only) on the sample blog, with load on every post, cache misses
 * and content edits mixed in. other/soak.ts exits non-zero when the heap, measured after a
 * forced GC, grew more than 5% after the warm-up.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { expect, it } from 'vitest'
import { repoRoot, sampleContentDir } from '../helpers/server.ts'

it(
  'keeps the heap flat under 90 seconds of load, cache misses and content refreshes',
  async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(repoRoot, 'other', 'soak.ts'),
        '--minutes',
        '1.5',
        '--dir',
        sampleContentDir,
        '--max-growth',
        '5',
      ],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    console.log(output)
    expect(output, output).toMatch(/after the warm-up \(\d+ samples/)
    expect(output).toMatch(/0 errors/)
    expect(code, output).toBe(0)
    expect(output).toContain('PASS')
  },
  5 * 60_000,
)
