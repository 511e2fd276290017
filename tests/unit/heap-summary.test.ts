/**
 * The streaming snapshot parser and the summary: a small hand-made snapshot fed one byte at
 * a time (every boundary falls inside a number, a key and an escaped string), a real
 * snapshot of this process fed in odd-sized chunks and checked against JSON.parse, and the
 * files that are not snapshots.
 */
import v8 from 'node:v8'
import { describe, expect, it } from 'vitest'
import { HeapSnapshotParser, SnapshotFormatError } from '../../app/diagnostics/heap-snapshot-parser.ts'
import { diffHeapSummaries, summarizeHeapSnapshot } from '../../app/diagnostics/heap-summary.ts'

const META = {
  node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'detachedness'],
  node_types: [
    [
      'hidden',
      'array',
      'string',
      'object',
      'code',
      'closure',
      'regexp',
      'number',
      'native',
      'synthetic',
      'concatenated string',
      'sliced string',
      'symbol',
      'bigint',
      'object shape',
    ],
    'string',
    'number',
    'number',
    'number',
    'number',
  ],
  edge_fields: ['type', 'name_or_index', 'to_node'],
  edge_types: [
    ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'],
    'string_or_number',
    'node',
  ],
}

/**
 * root(synthetic) -> global(object "Window") -> .leaks: Array -> elements (array) -> 3 x Leak,
 * plus two copies of the string "dup \"quoted\" é" and one "once".
 */
function tinySnapshot(leaks = 3): string {
  const strings = ['', '(GC roots)', 'Window', 'leaks', 'Array', 'elements', 'Leak', 'dup "quoted" é', 'once', 's']
  const nodes: number[][] = []
  const edges: number[][] = []
  const F = 6
  const node = (type: number, name: number, size: number, out: [number, number, number][]) => {
    nodes.push([type, name, nodes.length * 2 + 1, size, out.length, 0])
    edges.push(...out.map(([t, n, to]) => [t, n, to * F]))
  }
  // 0 root, 1 global, 2 Array, 3 elements, 4.. leaks, then strings
  const firstLeak = 4
  const firstString = firstLeak + leaks
  node(9, 1, 0, [[2, 2, 1]])
  node(3, 2, 40, [
    [2, 3, 2],
    [2, 9, firstString],
    [2, 9, firstString + 1],
    [2, 9, firstString + 2],
  ])
  node(3, 4, 32, [[3, 5, 3]])
  node(
    1,
    0,
    16 + 8 * leaks,
    Array.from({ length: leaks }, (_, i): [number, number, number] => [1, i, firstLeak + i]),
  )
  for (let i = 0; i < leaks; i++) node(3, 6, 24, [])
  node(2, 7, 20, [])
  node(2, 7, 20, [])
  node(2, 8, 20, [])
  return (
    `{"snapshot":{"meta":${JSON.stringify(META)},"node_count":${nodes.length},"edge_count":${edges.length},` +
    `"trace_function_count":0},\n"nodes":[${nodes.map((n) => n.join(',')).join(',\n')}],\n` +
    `"edges":[${edges.map((e) => e.join(',')).join(',\n')}],\n"trace_function_infos":[],\n"trace_tree":[],\n` +
    `"samples":[],\n"locations":[],\n"strings":[${strings.map((s) => JSON.stringify(s)).join(',\n')}]}`
  )
}

function parseInChunks(text: string | Buffer, size: number) {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text)
  const parser = new HeapSnapshotParser()
  for (let i = 0; i < bytes.length; i += size) parser.push(bytes.subarray(i, i + size))
  return parser.end()
}

describe('the streaming heap snapshot parser', () => {
  it('reads a snapshot fed one byte at a time exactly as JSON.parse does', () => {
    const text = tinySnapshot()
    const parsed = parseInChunks(text, 1)
    const json = JSON.parse(text) as { nodes: number[]; edges: number[]; strings: string[] }
    expect([...parsed.nodes]).toEqual(json.nodes)
    expect([...parsed.edges]).toEqual(json.edges)
    expect(parsed.strings).toEqual(json.strings)
  })

  it('reads a real snapshot of this process in odd-sized chunks exactly as JSON.parse does', async () => {
    const chunks: Buffer[] = []
    for await (const chunk of v8.getHeapSnapshot()) chunks.push(chunk as Buffer)
    const whole = Buffer.concat(chunks)
    const parsed = parseInChunks(whole, 65_521)
    const json = JSON.parse(whole.toString('utf8')) as { nodes: number[]; edges: number[]; strings: string[] }
    expect(parsed.nodes.length).toBe(json.nodes.length)
    expect(parsed.edges.length).toBe(json.edges.length)
    expect(parsed.nodes.every((value, i) => value === json.nodes[i])).toBe(true)
    expect(parsed.edges.every((value, i) => value === json.edges[i])).toBe(true)
    expect(parsed.strings).toEqual(json.strings)
    const summary = summarizeHeapSnapshot(parsed)
    expect(summary.totals.total).toBe(
      summary.totals.code +
        summary.totals.strings +
        summary.totals.jsArrays +
        summary.totals.typedArrays +
        summary.totals.system +
        summary.totals.other,
    )
    expect(summary.totals.code).toBeGreaterThan(0)
    expect(summary.bySize).toHaveLength(30)
  })

  it('says a file is not a snapshot, or is cut short, or disagrees with its header', () => {
    const notSnapshot = () => parseInChunks('{"name": "kiln", "version": "1"}', 5)
    expect(notSnapshot).toThrow(SnapshotFormatError)
    expect(notSnapshot).toThrow(/not a heap snapshot/)
    expect(() => parseInChunks('<!doctype html><p>hello', 3)).toThrow(/not a heap snapshot/)
    expect(() => parseInChunks('', 3)).toThrow(/truncated/)
    const text = tinySnapshot()
    for (const cut of [0.1, 0.5, 0.9, 0.999]) {
      expect(() => parseInChunks(text.slice(0, Math.floor(text.length * cut)), 7)).toThrow(/truncated/)
    }
    expect(() => parseInChunks(text.replace('"node_count":10', '"node_count":11'), 64)).toThrow(/header says/)
    expect(() => parseInChunks(text.replace('"nodes":[9,', '"nodes":[-9,'), 64)).toThrow(/Unexpected "-"/)
  })
})

describe('the heap summary', () => {
  it('counts constructors, finds the shortest retainer path and the duplicated strings', () => {
    const summary = summarizeHeapSnapshot(parseInChunks(tinySnapshot(), 1))
    expect(summary.classes.find((row) => row.name === 'Leak')).toEqual({ name: 'Leak', count: 3, selfSize: 72 })
    // The Array and its element store count as JS arrays; the strings as strings.
    expect(summary.totals.jsArrays).toBe(32 + 16 + 24)
    expect(summary.totals.strings).toBe(60)
    const leak = summary.largest.find((object) => object.className === 'Leak')!
    expect(leak.retainers).toEqual(['(array)[0]', 'Array.elements', 'Window.leaks'])
    expect(summary.duplicateStrings).toMatchObject({ texts: 1, extraCopies: 1, wastedBytes: 20 })
    expect(summary.duplicateStrings.top[0]).toMatchObject({ preview: 'dup "quoted" é', copies: 2 })
  })

  it('compares two summaries: the constructor that grew most in bytes comes first', () => {
    const before = summarizeHeapSnapshot(parseInChunks(tinySnapshot(3), 1))
    const after = summarizeHeapSnapshot(parseInChunks(tinySnapshot(50), 997))
    const diff = diffHeapSummaries(before, after)
    expect(diff.grew[0]).toMatchObject({ name: 'Leak', countDelta: 47, bytesDelta: 47 * 24 })
    expect(diff.grew.map((row) => row.name)).not.toContain('Window')
    expect(diffHeapSummaries(after, before).shrank[0].name).toBe('Leak')
  })
})
