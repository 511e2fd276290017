/**
 * Reads a .heapsnapshot as a stream, chunk by chunk, into typed arrays: never one
 * JSON.parse of the whole file (a snapshot is tens of MB of JSON; parsed as one value it
 * would cost many times that in JS objects). The format V8 writes is
 *
 *   {"snapshot":{"meta":{...},"node_count":N,"edge_count":M,...},
 *    "nodes":[n,n,...],"edges":[e,e,...],"trace_function_infos":[...],"trace_tree":[...],
 *    "samples":[...],"locations":[...],"strings":["...",...]}
 *
 * The small header is parsed as JSON; `nodes` and `edges` (non-negative integers only) go
 * straight into Uint32Arrays sized from the header's counts; the sections between edges
 * and strings are skipped; each string is parsed alone. Anything else (a truncated file,
 * another JSON file, counts that disagree) is a SnapshotFormatError that says what and
 * where, for the admin's page.
 *
 * Scanning works on bytes: in UTF-8 no byte of a multi-byte character equals `"` or `\`,
 * so string boundaries are found without decoding.
 */

export class SnapshotFormatError extends Error {
  override name = 'SnapshotFormatError'
}

export interface SnapshotMeta {
  node_fields: string[]
  node_types: (string[] | string)[]
  edge_fields: string[]
  edge_types: (string[] | string)[]
}

export interface ParsedSnapshot {
  meta: SnapshotMeta
  nodeCount: number
  edgeCount: number
  nodes: Uint32Array
  edges: Uint32Array
  strings: string[]
}

/** The header (everything before "nodes") is small; a file without one in the first MB is not a snapshot. */
const MAX_HEADER_BYTES = 1024 * 1024

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const CLOSE_BRACKET = 0x5d

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09
}

type Phase = 'header' | 'nodes' | 'seek-edges' | 'edges' | 'seek-strings' | 'strings' | 'after-strings'

const PHASE_NAMES: Record<Phase, string> = {
  header: 'the header',
  nodes: 'the nodes',
  'seek-edges': 'the nodes',
  edges: 'the edges',
  'seek-strings': 'the sections after the edges',
  strings: 'the strings',
  'after-strings': 'the end',
}

/** The parser as a push machine, so it can be fed from any stream and tested chunk by chunk. */
export class HeapSnapshotParser {
  private phase: Phase = 'header'
  private header: Buffer[] = []
  private headerBytes = 0
  private seekCarry = Buffer.alloc(0)
  private meta: SnapshotMeta | null = null
  private nodeCount = 0
  private edgeCount = 0
  private nodes = new Uint32Array(0)
  private edges = new Uint32Array(0)
  private target = new Uint32Array(0)
  private filled = 0
  private number = 0
  private inNumber = false
  private strings: string[] = []
  private inString = false
  private escaped = false
  private stringParts: Buffer[] = []
  private bytesRead = 0
  /** The snapshot's closing brace was read. */
  private closed = false

  push(chunk: Buffer): void {
    this.bytesRead += chunk.byteLength
    let rest: Buffer | null = chunk
    while (rest && rest.byteLength > 0) rest = this.step(rest)
  }

  /** The parsed snapshot; throws when the input ended before the snapshot did. */
  end(): ParsedSnapshot {
    if (this.phase !== 'after-strings' || !this.closed) {
      if (this.phase === 'header' && this.meta === null && this.headerBytes > 0 && !this.looksLikeSnapshot()) {
        throw new SnapshotFormatError('This file is not a heap snapshot: it does not start with a snapshot header.')
      }
      throw new SnapshotFormatError(
        `The file ends in ${PHASE_NAMES[this.phase]} (after ${this.bytesRead} bytes): the snapshot is truncated.`,
      )
    }
    return {
      meta: this.meta!,
      nodeCount: this.nodeCount,
      edgeCount: this.edgeCount,
      nodes: this.nodes,
      edges: this.edges,
      strings: this.strings,
    }
  }

  private looksLikeSnapshot(): boolean {
    const start = Buffer.concat(this.header).subarray(0, 64).toString('utf8').trimStart()
    return /^\{\s*"snapshot"\s*:/.test(start) || '{"snapshot":'.startsWith(start.replace(/\s+/g, ''))
  }

  /** Handles part of a chunk; returns what is left of it for the next phase. */
  private step(chunk: Buffer): Buffer | null {
    switch (this.phase) {
      case 'header':
        return this.readHeader(chunk)
      case 'nodes':
      case 'edges':
        return this.readNumbers(chunk)
      case 'seek-edges':
        return this.seek(chunk, '"edges":[', () => this.startArray('edges'))
      case 'seek-strings':
        return this.seek(chunk, '"strings":[', () => (this.phase = 'strings'))
      case 'strings':
        return this.readStrings(chunk)
      case 'after-strings':
        for (const byte of chunk) {
          if (byte === 0x7d /* } */ && !this.closed) this.closed = true
          else if (!isSpace(byte)) throw new SnapshotFormatError('Unexpected text after the strings.')
        }
        return null
    }
  }

  private readHeader(chunk: Buffer): Buffer | null {
    this.header.push(chunk)
    this.headerBytes += chunk.byteLength
    const joined = Buffer.concat(this.header)
    this.header = [joined]
    if (!this.looksLikeSnapshot()) {
      throw new SnapshotFormatError('This file is not a heap snapshot: it does not start with a snapshot header.')
    }
    const marker = joined.indexOf('"nodes":[')
    if (marker === -1) {
      if (this.headerBytes > MAX_HEADER_BYTES) {
        throw new SnapshotFormatError('This file is not a heap snapshot: no node list in its first megabyte.')
      }
      return null
    }
    const text = joined.subarray(0, marker).toString('utf8').trimEnd().replace(/,$/, '')
    let head: { snapshot?: { meta?: SnapshotMeta; node_count?: number; edge_count?: number } }
    try {
      head = JSON.parse(`${text}}`) as typeof head
    } catch {
      throw new SnapshotFormatError('This file is not a heap snapshot: its header is not valid JSON.')
    }
    const meta = head.snapshot?.meta
    const nodeCount = head.snapshot?.node_count
    const edgeCount = head.snapshot?.edge_count
    if (
      !meta ||
      !Array.isArray(meta.node_fields) ||
      !Array.isArray(meta.edge_fields) ||
      !Array.isArray(meta.node_types) ||
      !Array.isArray(meta.edge_types) ||
      !Number.isSafeInteger(nodeCount) ||
      !Number.isSafeInteger(edgeCount) ||
      nodeCount! < 0 ||
      edgeCount! < 0
    ) {
      throw new SnapshotFormatError('This file is not a heap snapshot: its header lacks the node and edge layout.')
    }
    for (const field of ['type', 'name', 'id', 'self_size', 'edge_count']) {
      if (!meta.node_fields.includes(field))
        throw new SnapshotFormatError(`This heap snapshot's nodes have no "${field}" field.`)
    }
    for (const field of ['type', 'name_or_index', 'to_node']) {
      if (!meta.edge_fields.includes(field))
        throw new SnapshotFormatError(`This heap snapshot's edges have no "${field}" field.`)
    }
    this.meta = meta
    this.nodeCount = nodeCount!
    this.edgeCount = edgeCount!
    this.header = []
    this.startArray('nodes')
    return joined.subarray(marker + '"nodes":['.length)
  }

  private startArray(which: 'nodes' | 'edges'): void {
    const meta = this.meta!
    const length =
      which === 'nodes' ? this.nodeCount * meta.node_fields.length : this.edgeCount * meta.edge_fields.length
    this.target = new Uint32Array(length)
    if (which === 'nodes') this.nodes = this.target
    else this.edges = this.target
    this.filled = 0
    this.number = 0
    this.inNumber = false
    this.phase = which
  }

  private pushNumber(): void {
    if (this.filled >= this.target.length) {
      throw new SnapshotFormatError(`The ${this.phase} hold more values than the header says: the file is damaged.`)
    }
    if (this.number > 0xffffffff) throw new SnapshotFormatError(`A value in the ${this.phase} is out of range.`)
    this.target[this.filled++] = this.number
    this.number = 0
    this.inNumber = false
  }

  private readNumbers(chunk: Buffer): Buffer | null {
    for (let i = 0; i < chunk.byteLength; i++) {
      const byte = chunk[i]
      if (byte >= 0x30 && byte <= 0x39) {
        this.number = this.number * 10 + (byte - 0x30)
        this.inNumber = true
      } else if (byte === COMMA || isSpace(byte)) {
        if (this.inNumber) this.pushNumber()
      } else if (byte === CLOSE_BRACKET) {
        if (this.inNumber) this.pushNumber()
        if (this.filled !== this.target.length) {
          throw new SnapshotFormatError(
            `The ${this.phase} hold ${this.filled} values where the header says ` +
              `${this.target.length}: the file is damaged.`,
          )
        }
        this.phase = this.phase === 'nodes' ? 'seek-edges' : 'seek-strings'
        this.seekCarry = Buffer.alloc(0)
        return chunk.subarray(i + 1)
      } else {
        throw new SnapshotFormatError(
          `Unexpected "${String.fromCharCode(byte)}" in the ${this.phase}: the file is damaged.`,
        )
      }
    }
    return null
  }

  /** Skips to just after `marker`, which may straddle chunks; then calls `found`. */
  private seek(chunk: Buffer, marker: string, found: () => void): Buffer | null {
    const joined = this.seekCarry.byteLength ? Buffer.concat([this.seekCarry, chunk]) : chunk
    const at = joined.indexOf(marker)
    if (at === -1) {
      this.seekCarry = Buffer.from(joined.subarray(Math.max(0, joined.byteLength - marker.length + 1)))
      return null
    }
    this.seekCarry = Buffer.alloc(0)
    found()
    return joined.subarray(at + marker.length)
  }

  private readStrings(chunk: Buffer): Buffer | null {
    let start = this.inString ? 0 : -1
    for (let i = 0; i < chunk.byteLength; i++) {
      const byte = chunk[i]
      if (this.inString) {
        if (this.escaped) this.escaped = false
        else if (byte === BACKSLASH) this.escaped = true
        else if (byte === QUOTE) {
          this.stringParts.push(chunk.subarray(start, i + 1))
          const raw = Buffer.concat(this.stringParts).toString('utf8')
          this.stringParts = []
          this.inString = false
          try {
            this.strings.push(JSON.parse(raw) as string)
          } catch {
            throw new SnapshotFormatError(`String ${this.strings.length} is not valid JSON: the file is damaged.`)
          }
        }
      } else if (byte === QUOTE) {
        this.inString = true
        start = i
      } else if (byte === CLOSE_BRACKET) {
        this.phase = 'after-strings'
        return chunk.subarray(i + 1)
      } else if (byte !== COMMA && !isSpace(byte)) {
        throw new SnapshotFormatError(`Unexpected "${String.fromCharCode(byte)}" in the strings: the file is damaged.`)
      }
    }
    if (this.inString) this.stringParts.push(Buffer.from(chunk.subarray(start)))
    return null
  }
}

/** Parses a snapshot from a stream of chunks (a file's read stream). */
export async function parseHeapSnapshot(chunks: AsyncIterable<Buffer | string>): Promise<ParsedSnapshot> {
  const parser = new HeapSnapshotParser()
  for await (const chunk of chunks) parser.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return parser.end()
}
