/**
 * A heap snapshot summarized for a phone: what DevTools' Statistics and Summary views
 * show, computed on the server from the parsed arrays (heap-snapshot-parser.ts), small
 * enough (tens of KB of JSON) to cache beside the snapshot and to compare with another.
 *
 *   - totals by category, as DevTools' Statistics view groups them: code, strings, JS
 *     arrays (the Array objects and their element stores), typed arrays and ArrayBuffers
 *     (with their backing stores), system objects (V8's hidden, internal and shape objects),
 *     and other;
 *   - every constructor (class name as DevTools' Summary names it) with its count and self
 *     size: the 30 largest by size and by count are shown, up to MAX_CLASSES are kept for
 *     comparisons;
 *   - the largest single objects by self size, each with a short retainer path: the
 *     shortest path from the GC roots, found by a breadth-first walk that ignores weak edges;
 *   - duplicated strings: V8's string table holds each distinct text once, so string
 *     objects whose names are the same index are copies of one text.
 *
 * Self sizes only: retained sizes need the dominator tree, which costs far more memory
 * than a phone's summary is worth.
 */
import type { ParsedSnapshot } from './heap-snapshot-parser.ts'

export const SUMMARY_VERSION = 1
const TOP = 30
const LARGEST = 15
const MAX_CLASSES = 3000
const PATH_STEPS = 6
const PREVIEW = 80
/** The length at which V8 cuts the names (texts) of strings in a snapshot. */
const TRUNCATED_NAME = 1024

export interface ClassRow {
  name: string
  count: number
  selfSize: number
}

export interface LargeObject {
  /** The object's snapshot id (DevTools shows it as @id). */
  id: number
  className: string
  /** A short preview of the name (the text, for a string). */
  name: string
  selfSize: number
  /** From the object towards the GC roots: "Array.elements[3]", "(system).context"... */
  retainers: string[]
}

export interface HeapSummary {
  version: number
  nodeCount: number
  edgeCount: number
  totals: {
    total: number
    code: number
    strings: number
    jsArrays: number
    typedArrays: number
    system: number
    other: number
  }
  bySize: ClassRow[]
  byCount: ClassRow[]
  /** Up to MAX_CLASSES constructors by self size, for comparing two snapshots. */
  classes: ClassRow[]
  /** How many constructors the snapshot has in all (more than `classes` holds when it was cut). */
  classCount: number
  largest: LargeObject[]
  duplicateStrings: {
    /** Texts held by more than one string object. */
    texts: number
    /** String objects beyond the first of each text. */
    extraCopies: number
    /** Bytes those extra copies take. */
    wastedBytes: number
    top: { preview: string; copies: number; wastedBytes: number }[]
  }
}

const TYPED_ARRAYS = new Set([
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float16Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'Buffer',
  'FastBuffer',
])

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ')
  return flat.length > PREVIEW ? `${flat.slice(0, PREVIEW)}…` : flat
}

export function summarizeHeapSnapshot(parsed: ParsedSnapshot): HeapSummary {
  const { meta, nodes, edges, strings } = parsed
  const F = meta.node_fields.length
  const EF = meta.edge_fields.length
  const typeAt = meta.node_fields.indexOf('type')
  const nameAt = meta.node_fields.indexOf('name')
  const idAt = meta.node_fields.indexOf('id')
  const sizeAt = meta.node_fields.indexOf('self_size')
  const edgeCountAt = meta.node_fields.indexOf('edge_count')
  const edgeTypeAt = meta.edge_fields.indexOf('type')
  const edgeNameAt = meta.edge_fields.indexOf('name_or_index')
  const toAt = meta.edge_fields.indexOf('to_node')
  const nodeTypes = meta.node_types[typeAt] as string[]
  const edgeTypes = meta.edge_types[edgeTypeAt] as string[]
  const N = parsed.nodeCount
  const E = parsed.edgeCount

  const nodeType = (type: string) => nodeTypes.indexOf(type)
  const T = {
    hidden: nodeType('hidden'),
    array: nodeType('array'),
    string: nodeType('string'),
    object: nodeType('object'),
    code: nodeType('code'),
    closure: nodeType('closure'),
    regexp: nodeType('regexp'),
    number: nodeType('number'),
    native: nodeType('native'),
    synthetic: nodeType('synthetic'),
    consString: nodeType('concatenated string'),
    slicedString: nodeType('sliced string'),
    symbol: nodeType('symbol'),
    bigint: nodeType('bigint'),
    shape: nodeType('object shape'),
  }
  const E_WEAK = edgeTypes.indexOf('weak')
  const E_ELEMENT = edgeTypes.indexOf('element')
  const E_HIDDEN = edgeTypes.indexOf('hidden')
  const E_INTERNAL = edgeTypes.indexOf('internal')

  // Where each node's edges start, checking the arrays agree with each other.
  const firstEdge = new Uint32Array(N + 1)
  for (let n = 0, offset = 0; n < N; n++) {
    firstEdge[n] = offset
    offset += nodes[n * F + edgeCountAt] * EF
    if (offset > edges.length) throw new Error('The snapshot is damaged: its nodes name more edges than it holds.')
    firstEdge[n + 1] = offset
  }
  if (firstEdge[N] !== E * EF) throw new Error('The snapshot is damaged: its edge counts do not add up.')
  for (let e = 0; e < edges.length; e += EF) {
    const to = edges[e + toAt]
    if (to % F !== 0 || to >= nodes.length) throw new Error('The snapshot is damaged: an edge points outside it.')
  }
  const stringAt = (index: number) => {
    const text = strings[index]
    if (text === undefined) throw new Error('The snapshot is damaged: a name points outside its strings.')
    return text
  }

  const classOf = (n: number): string => {
    const type = nodes[n * F + typeAt]
    switch (type) {
      case T.object:
      case T.native:
      case T.synthetic:
        return stringAt(nodes[n * F + nameAt]) || '(anonymous)'
      case T.hidden:
        return '(system)'
      case T.array:
        return '(array)'
      case T.string:
      case T.consString:
      case T.slicedString:
        return '(string)'
      case T.code:
        return '(compiled code)'
      case T.closure:
        return '(closure)'
      case T.regexp:
        return '(regexp)'
      case T.number:
        return '(number)'
      case T.symbol:
        return '(symbol)'
      case T.bigint:
        return '(bigint)'
      case T.shape:
        return '(object shape)'
      default:
        return `(${nodeTypes[type] ?? 'unknown'})`
    }
  }

  // The element stores of JS arrays count with the arrays, as DevTools counts them.
  const arrayStore = new Uint8Array(N)
  const totals = { total: 0, code: 0, strings: 0, jsArrays: 0, typedArrays: 0, system: 0, other: 0 }
  const classes = new Map<string, ClassRow>()
  const stringCopies = new Uint32Array(strings.length)
  const stringBytes = new Float64Array(strings.length)
  let largest: number[] = []

  for (let n = 0; n < N; n++) {
    const base = n * F
    const type = nodes[base + typeAt]
    if (type === T.object && stringAt(nodes[base + nameAt]) === 'Array') {
      for (let e = firstEdge[n]; e < firstEdge[n + 1]; e += EF) {
        if (edges[e + edgeTypeAt] === E_INTERNAL && strings[edges[e + edgeNameAt]] === 'elements') {
          const target = edges[e + toAt] / F
          if (nodes[target * F + typeAt] === T.array) arrayStore[target] = 1
        }
      }
    }
  }

  for (let n = 0; n < N; n++) {
    const base = n * F
    const type = nodes[base + typeAt]
    const size = nodes[base + sizeAt]
    totals.total += size
    const className = classOf(n)
    if (type === T.code) totals.code += size
    else if (type === T.string || type === T.consString || type === T.slicedString) totals.strings += size
    else if ((type === T.object && className === 'Array') || arrayStore[n]) totals.jsArrays += size
    else if (
      ((type === T.object || type === T.native) && TYPED_ARRAYS.has(className)) ||
      (type === T.native && className.includes('JSArrayBufferData'))
    )
      totals.typedArrays += size
    else if (type === T.hidden || type === T.array || type === T.shape || type === T.synthetic || type === T.native)
      totals.system += size
    else totals.other += size

    let row = classes.get(className)
    if (!row) classes.set(className, (row = { name: className, count: 0, selfSize: 0 }))
    row.count++
    row.selfSize += size

    if (type === T.string) {
      const name = nodes[base + nameAt]
      // V8 cuts a string's name at 1024 characters: two cut names may be different texts.
      if (strings[name].length < TRUNCATED_NAME) {
        stringCopies[name]++
        stringBytes[name] += size
      }
    }
    if (type !== T.synthetic && size > 0) {
      if (largest.length < LARGEST || size > nodes[largest[largest.length - 1] * F + sizeAt]) {
        largest.push(n)
        largest.sort((a, b) => nodes[b * F + sizeAt] - nodes[a * F + sizeAt])
        if (largest.length > LARGEST) largest = largest.slice(0, LARGEST)
      }
    }
  }

  // Distances from the roots (node 0), ignoring weak edges, for the shortest retainer paths.
  const distance = new Int32Array(N).fill(-1)
  const queue = new Uint32Array(N)
  let head = 0
  let tail = 0
  if (N > 0) {
    distance[0] = 0
    queue[tail++] = 0
  }
  while (head < tail) {
    const n = queue[head++]
    for (let e = firstEdge[n]; e < firstEdge[n + 1]; e += EF) {
      if (edges[e + edgeTypeAt] === E_WEAK) continue
      const to = edges[e + toAt] / F
      if (distance[to] === -1) {
        distance[to] = distance[n] + 1
        queue[tail++] = to
      }
    }
  }

  // Retainers of every node: one pass to count, one to fill.
  const retainerStart = new Uint32Array(N + 1)
  for (let e = 0; e < edges.length; e += EF) retainerStart[edges[e + toAt] / F + 1]++
  for (let n = 0; n < N; n++) retainerStart[n + 1] += retainerStart[n]
  const retainerEdge = new Uint32Array(E)
  const retainerNode = new Uint32Array(E)
  const cursor = retainerStart.slice(0, N)
  for (let n = 0; n < N; n++) {
    for (let e = firstEdge[n]; e < firstEdge[n + 1]; e += EF) {
      const to = edges[e + toAt] / F
      const slot = cursor[to]++
      retainerEdge[slot] = e
      retainerNode[slot] = n
    }
  }

  const edgeLabel = (e: number): string => {
    const type = edges[e + edgeTypeAt]
    const name = edges[e + edgeNameAt]
    if (type === E_ELEMENT || type === E_HIDDEN) return `[${name}]`
    return `.${preview(strings[name] ?? String(name))}`
  }
  const retainerPath = (start: number): string[] => {
    const steps: string[] = []
    let n = start
    while (steps.length < PATH_STEPS && distance[n] > 0) {
      let best = -1
      for (let r = retainerStart[n]; r < retainerStart[n + 1]; r++) {
        const from = retainerNode[r]
        if (edges[retainerEdge[r] + edgeTypeAt] === E_WEAK) continue
        if (distance[from] === distance[n] - 1) {
          best = r
          break
        }
      }
      if (best === -1) break
      const from = retainerNode[best]
      if (distance[from] === 0) break
      steps.push(`${classOf(from)}${edgeLabel(retainerEdge[best])}`)
      n = from
    }
    if (distance[start] === -1) steps.push('(unreachable from the roots)')
    return steps
  }

  const allClasses = [...classes.values()].sort((a, b) => b.selfSize - a.selfSize || a.name.localeCompare(b.name))
  const byCount = [...allClasses].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)).slice(0, TOP)

  let texts = 0
  let extraCopies = 0
  let wastedBytes = 0
  const duplicates: { index: number; copies: number; wastedBytes: number }[] = []
  for (let i = 0; i < stringCopies.length; i++) {
    const copies = stringCopies[i]
    if (copies < 2) continue
    const wasted = (stringBytes[i] * (copies - 1)) / copies
    texts++
    extraCopies += copies - 1
    wastedBytes += wasted
    duplicates.push({ index: i, copies, wastedBytes: Math.round(wasted) })
  }
  duplicates.sort((a, b) => b.wastedBytes - a.wastedBytes || b.copies - a.copies)

  return {
    version: SUMMARY_VERSION,
    nodeCount: N,
    edgeCount: E,
    totals,
    bySize: allClasses.slice(0, TOP),
    byCount,
    classes: allClasses.slice(0, MAX_CLASSES),
    classCount: allClasses.length,
    largest: largest.map((n) => {
      const className = classOf(n)
      const name = strings[nodes[n * F + nameAt]] ?? ''
      return {
        id: nodes[n * F + idAt],
        className,
        name: preview(name),
        selfSize: nodes[n * F + sizeAt],
        retainers: retainerPath(n),
      }
    }),
    duplicateStrings: {
      texts,
      extraCopies,
      wastedBytes: Math.round(wastedBytes),
      top: duplicates.slice(0, 10).map((d) => ({
        preview: preview(strings[d.index]),
        copies: d.copies,
        wastedBytes: d.wastedBytes,
      })),
    },
  }
}

export interface ClassGrowth {
  name: string
  countBefore: number
  countAfter: number
  countDelta: number
  bytesBefore: number
  bytesAfter: number
  bytesDelta: number
}

/**
 * What grew from `before` to `after`, by constructor: largest growth in bytes first (then
 * in count). Constructors that shrank or stayed are left out of `grew`; `shrank` keeps the
 * largest falls, for context.
 */
export function diffHeapSummaries(before: HeapSummary, after: HeapSummary, limit = 50) {
  const rows = new Map<string, ClassGrowth>()
  const row = (name: string) => {
    let found = rows.get(name)
    if (!found) {
      found = { name, countBefore: 0, countAfter: 0, countDelta: 0, bytesBefore: 0, bytesAfter: 0, bytesDelta: 0 }
      rows.set(name, found)
    }
    return found
  }
  for (const c of before.classes) Object.assign(row(c.name), { countBefore: c.count, bytesBefore: c.selfSize })
  for (const c of after.classes) Object.assign(row(c.name), { countAfter: c.count, bytesAfter: c.selfSize })
  for (const r of rows.values()) {
    r.countDelta = r.countAfter - r.countBefore
    r.bytesDelta = r.bytesAfter - r.bytesBefore
  }
  const all = [...rows.values()]
  const grew = all
    .filter((r) => r.bytesDelta > 0 || (r.bytesDelta === 0 && r.countDelta > 0))
    .sort((a, b) => b.bytesDelta - a.bytesDelta || b.countDelta - a.countDelta || a.name.localeCompare(b.name))
  const shrank = all
    .filter((r) => r.bytesDelta < 0)
    .sort((a, b) => a.bytesDelta - b.bytesDelta)
    .slice(0, 10)
  return {
    totalBefore: before.totals.total,
    totalAfter: after.totals.total,
    grew: grew.slice(0, limit),
    grewCount: grew.length,
    shrank,
  }
}

export type HeapDiff = ReturnType<typeof diffHeapSummaries>
