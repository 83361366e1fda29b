/**
 * A fast, deterministic YAML writer whose output is byte-identical to PyYAML's
 * `yaml.dump(data, sort_keys=True)` (pure-Python `yaml.Dumper`,
 * `default_flow_style=False`, width 80, indent 2, `allow_unicode=False`) for
 * JSON-like data — the writer the KFP SDK uses for pipeline IR files.
 *
 * The emitter below follows PyYAML's `emitter.py` state machine (block
 * collections, `write_indent`/`write_indicator` bookkeeping, `analyze_scalar`,
 * `choose_scalar_style`, and the plain / single-quoted / double-quoted writers
 * with their line folding at column 80), specialised to what `yaml.dump`
 * produces for plain data: non-empty collections are always block style,
 * empty ones are flow (`[]`, `{}`), and no tags or anchors are ever written.
 *
 * Differences from PyYAML that are inherent to JavaScript data:
 * - JS has one number type. Integral numbers are written as ints (`3`), others
 *   as floats (Python `repr`, e.g. `0.5`, `1.0e-05`); wrap a number in
 *   {@link YamlFloat} to force float notation (`2.0`).
 * - An object referenced twice (a DAG, not a cycle) is written out twice;
 *   PyYAML would emit an anchor and an alias (`&id001` / `*id001`). KFP never
 *   shares objects, so its files never contain aliases either. A frozen object
 *   or array cannot change between its places, so it is written once per
 *   context (indent, column) and copied at the others: emitters share frozen
 *   parts (a component's input definitions) to make large files cheap to write.
 * - With `sortKeys: false`, keys follow `Object.keys` order, in which
 *   integer-like keys ("1", "20") come first.
 *
 * @module
 */

import { parseAllDocuments } from 'yaml'
import type { ScalarTag } from 'yaml'
import { compareCodePoints } from '@typeflow/dsl/kfp'

/**
 * A number that must be written in float notation, like a Python `float`.
 *
 * The KFP SDK writes `google.protobuf.Value` numbers as Python floats (`2.0`);
 * plain JS numbers that are integers are written as ints (`2`).
 *
 * @example
 * toYaml({ a: new YamlFloat(2), b: 2, c: 0.5 })
 * // 'a: 2.0\nb: 2\nc: 0.5\n'
 */
export class YamlFloat {
  readonly value: number

  constructor(value: number) {
    if (typeof value !== 'number') {
      throw new TypeError(`YamlFloat expects a number, got ${typeof value}`)
    }
    this.value = value
  }

  /** The number itself, so `JSON.stringify` of a document containing YamlFloats works. */
  toJSON(): number {
    return this.value
  }

  valueOf(): number {
    return this.value
  }

  /** The text PyYAML writes for this float (`2.0`, `1.0e-05`, `.inf`, `.nan`). */
  toString(): string {
    return formatFloat(this.value)
  }
}

/** Options of {@link toYaml} and {@link toYamlDocuments}. */
export interface ToYamlOptions {
  /**
   * Sort mapping keys by code point, like PyYAML's `sort_keys=True` (default
   * `true`). With `false`, keys are written in `Object.keys` order (used for
   * Argo manifests that want `apiVersion, kind, metadata, spec`).
   */
  readonly sortKeys?: boolean
  /**
   * Which readers a plain scalar must read back as a string. `'portable'` (default) quotes every
   * string that PyYAML, a YAML 1.2 core-schema reader (the `yaml` package) or go-yaml v2 (kubectl,
   * Argo and the KFP backend through sigs.k8s.io/yaml) would read as a number, boolean or null:
   * besides PyYAML's set, `y`/`n`, `1e3`, `0o17`, `.5e1`. `'pyyaml'` quotes only what PyYAML
   * misreads, which is byte-identical to `yaml.dump`.
   */
  readonly quoting?: 'portable' | 'pyyaml'
}

/**
 * Writes one YAML document like PyYAML's `yaml.dump(value, sort_keys=True)`.
 * Keys are sorted by code point (Python's default `str` ordering) unless
 * `options.sortKeys` is `false`; `undefined` values in objects are skipped.
 *
 * Supported values: `null`, booleans, finite and non-finite numbers
 * ({@link YamlFloat} for float notation), strings, arrays and plain objects.
 * Throws an Error (naming the path) for anything else — functions, symbols,
 * bigints, `undefined` outside objects, class instances, cyclic references.
 *
 * @example
 * toYaml({ name: 'train', args: ['--lr', '0.1'], retries: 3, empty: {} })
 * // "args:\n- --lr\n- '0.1'\nempty: {}\nname: train\nretries: 3\n"
 */
export function toYaml(value: unknown, options?: ToYamlOptions): string {
  return emitDocuments([value], options, '').finish()
}

/**
 * A value already written as one item of a block sequence, to be copied rather than written again
 * (see {@link renderSequenceItem}). Anywhere else, or in a sequence at another indent or written
 * with other options, its `value` is written as usual, so the output never depends on the copy.
 */
export class YamlSequenceItem {
  private joined: Uint8Array | undefined
  /** @internal The item's text as a later entry of a mapping (see replaceItemEntry), made once. */
  asLaterEntry: Uint8Array | undefined

  /** @internal use {@link renderSequenceItem} */
  constructor(
    readonly value: unknown,
    /** The indent of the sequence the item was written for. */
    readonly indent: number,
    readonly sortKeys: boolean,
    readonly portable: boolean,
    /**
     * @internal The item's text from its indentation to its last character (no line break around
     * it); for an item made by {@link replaceItemEntry}, the text it was made from, whose bytes
     * `cut` to `resume` are replaced by `line` (kept apart: a copy of the whole costs more).
     */
    readonly source: Uint8Array,
    readonly endColumn: number,
    readonly endWhitespace: boolean,
    readonly endIndention: boolean,
    /** @internal */
    readonly cut: number = source.length,
    /** @internal */
    readonly line: Uint8Array | null = null,
    /** @internal */
    readonly resume: number = source.length,
  ) {}

  /** The item's text from its indentation to its last character (no line break around it). */
  get bytes(): Uint8Array {
    const line = this.line
    if (line === null) return this.source
    if (this.joined === undefined) {
      this.joined = itemBytes(this.byteLength - 1)
      this.copyTo(this.joined, 0)
    }
    return this.joined
  }

  /** @internal Writes the item's text into `out` at `at` (without joining its parts first); returns where it ends. */
  copyTo(out: Uint8Array, at: number): number {
    const line = this.line
    if (line === null) {
      out.set(this.source, at)
      return at + this.source.length
    }
    out.set(this.source.subarray(0, this.cut), at)
    out.set(line, at + this.cut)
    const rest = this.source.subarray(this.resume)
    out.set(rest, at + this.cut + line.length)
    return at + this.cut + line.length + rest.length
  }

  /** Bytes the item adds to a document: its text and the line break before it. */
  get byteLength(): number {
    return this.cut + (this.line === null ? 0 : this.line.length) + (this.source.length - this.resume) + 1
  }

  /** The value itself, so `JSON.stringify` of a document holding items is the plain document's. */
  toJSON(): unknown {
    return this.value
  }
}

/**
 * Writes `value` once as an item (`- …`) of a block sequence whose items sit at column
 * `sequenceIndent`, as {@link toYaml} would write it there: a document that holds the returned item
 * at that place gets these bytes copied, byte-identical to writing `value` itself. For output made
 * of large parts measured before they are placed (Argo templates packed into objects under a size
 * limit): each part is written once, and its size is exact.
 *
 * @example
 * const item = renderSequenceItem({ name: 'a', image: 'alpine' }, 2, { sortKeys: false })
 * toYaml({ spec: { templates: [item] } }, { sortKeys: false }) ===
 *   toYaml({ spec: { templates: [{ name: 'a', image: 'alpine' }] } }, { sortKeys: false }) // true
 * item.byteLength // 30: a line break, '  - name: a', a line break, '    image: alpine'
 */
export function renderSequenceItem(value: unknown, sequenceIndent: number, options?: ToYamlOptions): YamlSequenceItem {
  const setting = ((options?.sortKeys ?? true) ? 0 : 1) + (options?.quoting === 'pyyaml' ? 2 : 0)
  const idle = idleItemEmitters[setting]
  // Taken while in use, so an item written from inside another (a getter) gets its own.
  idleItemEmitters[setting] = undefined
  // Without memos: an item's emitter writes one item, where long strings and frozen containers
  // seldom repeat, and remembering each one costs more than the few copies save.
  const emitter = idle?.restart() ?? new Emitter(options, 0, false, false)
  try {
    return emitter.sequenceItem(value, sequenceIndent)
  } finally {
    emitter.release()
    idleItemEmitters[setting] = emitter
  }
}

/**
 * Emitters of items, by setting (sort keys, quoting), kept between items: a new emitter per item
 * made its per-depth arrays again, for every one of hundreds of thousands of items.
 */
const idleItemEmitters: (Emitter | undefined)[] = [undefined, undefined, undefined, undefined]

/**
 * The item of `value`, made from `item` (the item of a mapping that differs from `value` in one
 * entry) by copying bytes: `entry` is the old entry and `replacement` the new one(s), each
 * written as an item at the same indent with the same options. The old entry must not be the
 * first of its mapping and must take one line; otherwise, or when `item` does not hold it,
 * returns `undefined` and `value` must be written. Entries after the first of a block mapping
 * each start on a line of their own at the mapping's indent, so swapping one entry's lines for
 * another's gives the bytes of writing `value`.
 *
 * @example
 * const options = { sortKeys: false }
 * const task = renderSequenceItem({ name: 'a', template: 't', depends: 'b' }, 4, options)
 * const moved = replaceItemEntry(task, renderSequenceItem({ template: 't' }, 4, options),
 *   renderSequenceItem({ templateRef: { name: 'lib', template: 't' } }, 4, options),
 *   { name: 'a', templateRef: { name: 'lib', template: 't' }, depends: 'b' })
 * // moved.bytes: the bytes of renderSequenceItem of that object at indent 4
 */
export function replaceItemEntry(item: YamlSequenceItem, entry: YamlSequenceItem, replacement: YamlSequenceItem, value: unknown): YamlSequenceItem | undefined {
  const indent = item.indent
  if (!sameItemSettings(item, entry) || !sameItemSettings(item, replacement)) return undefined
  const bytes = item.bytes
  const old = entry.bytes
  // `<indent>- key: value` as an entry after the first: a line break, then `<indent + 2>key: value`.
  const head = indent + 2
  if (old.length <= head || old.indexOf(0x0a) !== -1) return undefined
  const lineLength = old.length
  let start = bytes.indexOf(0x0a)
  for (; start !== -1; start = bytes.indexOf(0x0a, start + 1)) {
    const from = start + 1
    const end = from + lineLength
    if (end > bytes.length || (end < bytes.length && bytes[end] !== 0x0a)) continue
    let i = 0
    while (i < head && bytes[from + i] === 0x20) i++
    if (i < head) continue
    while (i < lineLength && bytes[from + i] === old[i]) i++
    if (i < lineLength) continue
    const last = end === bytes.length ? replacement : item
    if (replacement.asLaterEntry === undefined) {
      const later = itemBytes(replacement.bytes.length)
      later.set(replacement.bytes)
      later.fill(0x20, 0, head)
      replacement.asLaterEntry = later
    }
    return new YamlSequenceItem(value, indent, item.sortKeys, item.portable, bytes, last.endColumn, last.endWhitespace, last.endIndention, from, replacement.asLaterEntry, end)
  }
  return undefined
}

/**
 * The item of `value`, made from `item` by copying bytes: `item` ends with the block sequence
 * `tail` (items written for the place they take there, such as the tasks that end a DAG
 * template), and `value` is the same but for those entries, which are `replacement` (as many
 * items, written with the same settings). Returns `undefined` when `item` does not end with
 * `tail`'s bytes; `value` must then be written.
 *
 * @example
 * const options = { sortKeys: false }
 * const a = renderSequenceItem({ name: 'a' }, 4, options)
 * const b = renderSequenceItem({ name: 'b' }, 4, options)
 * const item = renderSequenceItem({ name: 't', dag: { tasks: [a] } }, 2, options)
 * replaceTrailingItems(item, [a], [b], { name: 't', dag: { tasks: [b] } })
 * // its bytes: those of renderSequenceItem({ name: 't', dag: { tasks: [{ name: 'b' }] } }, 2, options)
 */
export function replaceTrailingItems(item: YamlSequenceItem, tail: readonly YamlSequenceItem[], replacement: readonly YamlSequenceItem[], value: unknown): YamlSequenceItem | undefined {
  const first = tail[0]
  if (first === undefined || replacement.length !== tail.length || first.sortKeys !== item.sortKeys || first.portable !== item.portable) return undefined
  for (let i = 0; i < tail.length; i++) if (!sameItemSettings(tail[i]!, first) || !sameItemSettings(replacement[i]!, first)) return undefined
  const bytes = item.bytes
  let start = bytes.length
  for (const entry of tail) start -= entry.byteLength
  if (start < 0) return undefined
  // Each entry is a line break and its bytes; compared natively (a task list is most of a DAG template).
  for (let at = start, i = 0; i < tail.length; i++) {
    const entry = tail[i]!.bytes
    if (bytes[at] !== 0x0a || Buffer.compare(bytes.subarray(at + 1, at + 1 + entry.length), entry) !== 0) return undefined
    at += 1 + entry.length
  }
  let length = start
  for (const entry of replacement) length += entry.byteLength
  const out = itemBytes(length)
  out.set(bytes.subarray(0, start))
  for (let at = start, i = 0; i < replacement.length; i++) {
    out[at] = 0x0a
    at = replacement[i]!.copyTo(out, at + 1)
  }
  const last = replacement[replacement.length - 1]!
  return new YamlSequenceItem(value, item.indent, item.sortKeys, item.portable, out, last.endColumn, last.endWhitespace, last.endIndention)
}

/**
 * Bytes of items, and of renderings kept to be copied again, are carved from slabs this large: one
 * ArrayBuffer each would cost an allocation, external-memory accounting and, past V8's external
 * limit, a step of garbage collection each.
 */
const ITEM_SLAB_SIZE = 1 << 20
/** Items at least this large get a buffer of their own, so a slab is not left mostly unused. */
const OWN_BUFFER_MIN = ITEM_SLAB_SIZE >> 3
let itemSlab = new Uint8Array(0)
let itemSlabUsed = 0

/** Room for `length` bytes of an item. Items live as long as their documents, so a slab is freed when every item cut from it is. */
function itemBytes(length: number): Uint8Array {
  const room = itemSlab.length - itemSlabUsed
  if (length >= OWN_BUFFER_MIN && length > room) return new Uint8Array(length)
  if (length > room) {
    itemSlab = new Uint8Array(ITEM_SLAB_SIZE)
    itemSlabUsed = 0
  }
  const bytes = itemSlab.subarray(itemSlabUsed, itemSlabUsed + length)
  itemSlabUsed += length
  return bytes
}

/**
 * @internal Makes room for about `length` bytes of items about to be rendered in one slab. V8
 * counts array buffers as external memory and starts a full garbage collection each time that
 * grows by 64 MiB: hundreds of megabytes of items taken 1 MiB at a time cost one collection of
 * everything the compile holds per 64 MiB, one slab of the size needed costs one. Pages of the
 * slab are only resident once written, so an estimate on the high side costs address space, not
 * memory; past the slab, items take slabs of their usual size.
 */
export function reserveItemBytes(length: number): void {
  if (length <= ITEM_SLAB_SIZE || itemSlab.length - itemSlabUsed >= length) return
  try {
    itemSlab = new Uint8Array(length)
    itemSlabUsed = 0
  } catch {
    // No address space for it (a strict overcommit policy): items take slabs of the usual size.
  }
}

function sameItemSettings(a: YamlSequenceItem, b: YamlSequenceItem): boolean {
  return a.indent === b.indent && a.sortKeys === b.sortKeys && a.portable === b.portable
}

/** What separates two documents in the output of {@link toYamlDocuments}: joining single documents with it gives the same bytes. */
export const YAML_DOCUMENT_SEPARATOR = '---\n'

/**
 * Writes several documents as `yaml.dump_all` does: `---` starts every
 * document after the first. An empty list gives an empty string.
 *
 * @example
 * toYamlDocuments([{ a: 1 }, { b: 2 }])
 * // 'a: 1\n---\nb: 2\n'
 */
export function toYamlDocuments(values: readonly unknown[], options?: ToYamlOptions): string {
  return emitDocuments(values, options, '').finish()
}

/**
 * {@link toYamlDocuments} as UTF-8 bytes, after `preamble` (comment lines, written as they are).
 * What a file needs: no string is made of the output, which may be hundreds of megabytes.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs'
 * writeFileSync('out.yaml', toYamlDocumentsBytes([{ a: 1 }, { b: 2 }], undefined, '# generated\n'))
 * // '# generated\na: 1\n---\nb: 2\n'
 * ```
 */
export function toYamlDocumentsBytes(values: readonly unknown[], options?: ToYamlOptions, preamble = ''): Uint8Array {
  return emitDocuments(values, options, preamble, 0, undefined, true).finishBytes()
}

/**
 * {@link toYamlDocumentsBytes} in consecutive parts, which joined are its bytes: a large output
 * is kept in the parts of a few megabytes it was written in, never copied into one buffer (write
 * them one after the other, or join them with `Buffer.concat`).
 *
 * `reserve` is how large the output may get, on the high side. From 128 MiB on, one buffer that
 * large is taken first (parts follow if the output outgrows it): V8 starts a full garbage
 * collection each time array buffers grow by 64 MiB, so one allocation costs one collection where
 * parts cost one per 64 MiB, and pages of the buffer that are never written are not resident.
 * Below that, parts cost at most the one collection that the reserve would.
 *
 * @example
 * ```ts
 * const parts = toYamlDocumentsParts([{ a: 1 }, { b: 2 }])
 * Buffer.concat(parts).toString() // 'a: 1\n---\nb: 2\n'
 * ```
 */
export function toYamlDocumentsParts(values: readonly unknown[], options?: ToYamlOptions, preamble = '', reserve = 0): Uint8Array[] {
  return emitDocuments(values, options, preamble, reserve >= RESERVE_MIN ? reserve : 0, undefined, true).finishParts()
}

/** @internal Consecutive parts of an output (see {@link toYamlDocumentsParts}) as one buffer: the part itself when there is one. */
export function joinParts(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!
  let length = 0
  for (const part of parts) length += part.length
  const joined = new Uint8Array(length)
  let at = 0
  for (const part of parts) {
    joined.set(part, at)
    at += part.length
  }
  return joined
}

/**
 * {@link toYaml} as UTF-8 bytes.
 *
 * @example
 * ```ts
 * new TextDecoder().decode(toYamlBytes({ name: 'train' })) // 'name: train\n'
 * ```
 */
export function toYamlBytes(value: unknown, options?: ToYamlOptions): Uint8Array {
  return emitDocuments([value], options, '', 0, undefined, true).finishBytes()
}

/**
 * {@link toYamlDocumentsParts} of documents, and where each one ends in the output: when they are
 * non-empty mappings or sequences, the bytes of document `i` alone (what {@link toYamlBytes}
 * gives) are those from `ends[i - 1]` plus the separator (`---\n`; from 0 for the first) to
 * `ends[i]`. Each item (see {@link renderSequenceItem}) copied into the output is a part of its
 * own: its bytes are shared, not copied. For output made mostly of items (Argo templates), that
 * is the output without a second copy of it; `capacity` need only hold what lies between them.
 *
 * @example
 * ```ts
 * const item = renderSequenceItem({ name: 'a' }, 0)
 * const { parts, ends } = toYamlDocumentsPartsWithEnds([{ templates: [item] }, { b: 2 }])
 * Buffer.concat(parts).toString() // 'templates:\n- name: a\n---\nb: 2\n'; ends: [21, 30]
 * ```
 */
export function toYamlDocumentsPartsWithEnds(values: readonly unknown[], options?: ToYamlOptions, capacity = 0): { parts: Uint8Array[]; ends: number[] } {
  const ends: number[] = []
  const emitter = emitDocuments(values, options, '', capacity, ends, true, true)
  return { parts: emitter.finishParts(), ends }
}

/** An emitter that has written `preamble` and then `values` as documents (its buffer released if that failed). */
function emitDocuments(values: readonly unknown[], options: ToYamlOptions | undefined, preamble: string, capacity = 0, ends?: number[], inParts = false, referencesItems = false): Emitter {
  const emitter = new Emitter(options, capacity, inParts, true, referencesItems)
  try {
    if (preamble !== '') emitter.raw(preamble)
    for (let i = 0; i < values.length; i++) {
      emitter.document(values[i], i === 0)
      ends?.push(emitter.length)
    }
  } catch (error) {
    emitter.release()
    throw error
  }
  return emitter
}

// ---------------------------------------------------------------------------
// Errors

class YamlWriteError extends Error {
  readonly path: string[] = []
  readonly reason: string

  constructor(reason: string) {
    super(reason)
    this.name = 'YamlWriteError'
    this.reason = reason
  }

  addSegment(segment: string): void {
    this.path.unshift(segment)
    this.message = `toYaml: ${this.reason} at ${formatPath(this.path)}`
  }
}

function formatPath(path: readonly string[]): string {
  let out = '$'
  for (const seg of path) out += seg
  return out
}

function describeValue(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const ctor = (value as { constructor?: { name?: unknown } }).constructor
    return typeof ctor?.name === 'string' ? `${ctor.name} instance` : 'object'
  }
  return typeof value
}

// ---------------------------------------------------------------------------
// Scalar analysis (PyYAML Emitter.analyze_scalar / choose_scalar_style)

const BEST_WIDTH = 80
const BEST_INDENT = 2
/** len('!!str'): PyYAML counts the prepared tag in check_simple_key. */
const KEY_TAG_LENGTH = 5
const MAX_SIMPLE_KEY_LENGTH = 128

const A_EMPTY = 1
const A_MULTILINE = 2
const A_BLOCK_PLAIN = 4
const A_SINGLE_QUOTED = 8

/** Identifier-like strings that are always written plain without analysis. */
const FAST_PLAIN = /^[A-Za-z_][A-Za-z0-9_./-]*$/
/**
 * Whether a FAST_PLAIN string must still be quoted: only YAML 1.1 bool and
 * null words (`yes`, `No`, `on`, `null`, `y` for go-yaml, ...) can resolve to a non-string.
 */
function fastPlainNeedsQuotes(s: string, portable: boolean): boolean {
  switch (s.charCodeAt(0)) {
    case 0x79: case 0x59: case 0x6e: case 0x4e: // yYnN: go-yaml v2 also reads `y` and `n` as booleans
      return (portable && s.length === 1) || (s.length <= 5 && resolvesToNonString(s))
    case 0x74: case 0x54: case 0x66: case 0x46: case 0x6f: case 0x4f:
      return s.length <= 5 && resolvesToNonString(s)
    default:
      return false
  }
}

/** FAST_PLAIN's characters after the first, by char code (ASCII only). */
const FAST_PLAIN_TAIL = new Uint8Array(128)
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-') FAST_PLAIN_TAIL[c.charCodeAt(0)] = 1

const SPECIAL_CHAR = /[^\x20-\x7E\n]/
const LINE_BREAK = /[\n\x85\u2028\u2029]/

/**
 * PyYAML's analyze_scalar, reduced to the flags block-context emission needs
 * and computed with native string scans instead of a per-character loop.
 *
 * With `allow_unicode=False` every character outside printable ASCII and
 * `\n` is "special" and allows only double quotes, so the rest of the
 * analysis only ever sees ' ' and '\n' as whitespace.
 */
function analyzeScalar(s: string): number {
  const n = s.length
  if (n === 0) return A_EMPTY | A_BLOCK_PLAIN | A_SINGLE_QUOTED
  if (SPECIAL_CHAR.test(s)) return LINE_BREAK.test(s) ? A_MULTILINE : 0
  if (s.indexOf('\n') >= 0) {
    // Never plain. Single quotes cannot keep a space next to a line break.
    return s.includes('\n ') || s.includes(' \n') ? A_MULTILINE : A_MULTILINE | A_SINGLE_QUOTED
  }
  // One line of printable ASCII: single quotes always work; plain unless
  // leading/trailing spaces or block indicators.
  const first = s.charCodeAt(0)
  const last = s.charCodeAt(n - 1)
  if (first === 0x20 || last === 0x20) return A_SINGLE_QUOTED
  switch (first) {
    // '#,[]{}&*!|>\'"%@`' at the start
    case 0x23: case 0x2c: case 0x5b: case 0x5d: case 0x7b: case 0x7d: case 0x26: case 0x2a:
    case 0x21: case 0x7c: case 0x3e: case 0x27: case 0x22: case 0x25: case 0x40: case 0x60:
      return A_SINGLE_QUOTED
    case 0x3f: // '?' followed by whitespace (':' is covered below)
      if (n === 1 || s.charCodeAt(1) === 0x20) return A_SINGLE_QUOTED
      break
    case 0x2d: // '-' followed by whitespace, or '---'
      if (n === 1 || s.charCodeAt(1) === 0x20 || s.startsWith('---')) return A_SINGLE_QUOTED
      break
    case 0x2e: // '...'
      if (s.startsWith('...')) return A_SINGLE_QUOTED
      break
  }
  // ': ' / ':' at the end, and ' #', are block indicators anywhere.
  if (last === 0x3a || s.includes(': ') || s.includes(' #')) return A_SINGLE_QUOTED
  return A_BLOCK_PLAIN | A_SINGLE_QUOTED
}

// ---------------------------------------------------------------------------
// YAML 1.1 implicit resolution (PyYAML resolver.py). A string that a plain
// scalar would turn into a non-string must be quoted.

const RE_BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/
const RE_FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/
const RE_INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/
const RE_NULL = /^(?:~|null|Null|NULL|)$/
const RE_TIMESTAMP =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/

/**
 * Python's `re.match(r'...$')` also matches before one trailing newline.
 * Only relevant for strings ending in '\n', which are never plain anyway, but
 * kept for fidelity.
 */
function pyFullMatch(re: RegExp, s: string): boolean {
  return re.test(s) || (s.endsWith('\n') && re.test(s.slice(0, -1)))
}

/** True when PyYAML's resolver gives a plain scalar `s` a non-str tag. */
function resolvesToNonString(s: string): boolean {
  if (s.length === 0) return true // null
  switch (s.charCodeAt(0)) {
    case 0x79: case 0x59: case 0x74: case 0x54: case 0x66: case 0x46: case 0x6f: case 0x4f: // yYtTfFoO
      return pyFullMatch(RE_BOOL, s)
    case 0x6e: case 0x4e: // nN
      return pyFullMatch(RE_BOOL, s) || pyFullMatch(RE_NULL, s)
    case 0x7e: // ~
      return pyFullMatch(RE_NULL, s)
    case 0x2d: case 0x2b: // - +
      return pyFullMatch(RE_FLOAT, s) || pyFullMatch(RE_INT, s)
    case 0x2e: // .
      return pyFullMatch(RE_FLOAT, s)
    case 0x3c: // <
      return s === '<<' || s === '<<\n'
    case 0x3d: // =
      return s === '=' || s === '=\n'
    case 0x21: case 0x26: case 0x2a: // ! & *
      return s.length === 1 || (s.length === 2 && s.charCodeAt(1) === 0x0a)
    default: {
      const c = s.charCodeAt(0)
      if (c >= 0x30 && c <= 0x39) {
        return pyFullMatch(RE_FLOAT, s) || pyFullMatch(RE_INT, s) || pyFullMatch(RE_TIMESTAMP, s)
      }
      return false
    }
  }
}

// Readers other than PyYAML resolve a few more plain scalars: YAML 1.2 core-schema readers (the
// `yaml` package) read `1e3` and `.5e1` as floats and `0o17` as an int; go-yaml v2 (kubectl, Argo,
// the KFP backend through sigs.k8s.io/yaml) reads those, `y`/`n` as booleans, and digits with
// underscores (`1_000`) as ints. Its resolver only tries numbers for a first character in
// `0-9+-.`, so `_1` stays a string everywhere.
const OTHER_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/
const OTHER_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)$/
const OTHER_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/

/** True when a YAML 1.2 core reader or go-yaml v2 gives a plain scalar `s` a non-string type (PyYAML's cases aside). */
function otherReadersResolveToNonString(s: string): boolean {
  const c = s.charCodeAt(0)
  if (s.length === 1 && (c === 0x79 || c === 0x59 || c === 0x6e || c === 0x4e)) return true
  if (!((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e)) return false
  return OTHER_FLOAT.test(s) || OTHER_INT.test(s.includes('_') ? s.replace(/_/g, '') : s) || OTHER_SPECIAL.test(s)
}

// ---------------------------------------------------------------------------
// Numbers (Python str(int) / SafeRepresenter.represent_float)

function formatInt(n: number): string {
  if (n === 0) return '0' // also -0: Python ints have no negative zero
  if (n < 1e21 && n > -1e21) return String(n)
  return BigInt(n).toString()
}

/** Python's `repr(float)` lower-cased, with `.0` inserted before a bare exponent. */
function formatFloat(x: number): string {
  if (x !== x) return '.nan'
  if (x === Infinity) return '.inf'
  if (x === -Infinity) return '-.inf'
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
  const abs = x < 0 ? -x : x
  if (abs >= 1e-4 && abs < 1e16) {
    // Both JS and Python use the shortest round-trip digits in fixed
    // notation here; Python adds '.0' to integral values.
    const text = String(x)
    return Number.isInteger(x) ? `${text}.0` : text
  }
  // Shortest round-trip digits, as Python's repr uses.
  const e = x.toExponential()
  const neg = x < 0
  const ePos = e.indexOf('e')
  const mantissa = e.slice(neg ? 1 : 0, ePos)
  const exp = Number(e.slice(ePos + 1))
  const digits = mantissa.length > 1 ? mantissa[0] + mantissa.slice(2) : mantissa
  const decpt = exp + 1
  let body: string
  if (decpt <= -4 || decpt > 16) {
    const frac = digits.length > 1 ? digits.slice(1) : '0'
    const absExp = Math.abs(exp)
    body = `${digits[0]}.${frac}e${exp < 0 ? '-' : '+'}${absExp < 10 ? '0' : ''}${absExp}`
  } else if (decpt <= 0) {
    body = `0.${'0'.repeat(-decpt)}${digits}`
  } else if (decpt >= digits.length) {
    body = `${digits}${'0'.repeat(decpt - digits.length)}.0`
  } else {
    body = `${digits.slice(0, decpt)}.${digits.slice(decpt)}`
  }
  return neg ? `-${body}` : body
}

// ---------------------------------------------------------------------------
// Key ordering (Python sorts str by code point; JS compares UTF-16 units)

/**
 * Whether the text holds a unit from D800 up, where UTF-16 order and code point order can part.
 * A loop, not a regular expression: called for every key of every mapping, the expression's
 * test ran at two speeds from one process to the next (KFP write at nested 10,000 tasks took
 * 220 or 440 ms, 4 runs in 10 slow; with the loop 20 of 20 runs took 223–274 ms).
 */
function hasHighUnit(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0xd800) return true
  return false
}

/** Sorts the first `n` keys by code point, moving each value with its key. */
function sortEntriesByCodePoint(keys: string[], values: unknown[], n: number): void {
  let byCodePoint = false
  for (let i = 0; i < n; i++) {
    if (hasHighUnit(keys[i] as string)) {
      byCodePoint = true
      break
    }
  }
  if (n > 12 || byCodePoint) {
    // Large maps often come sorted already (KFP's components and executors): one pass says so.
    let sorted = true
    for (let i = 1; i < n && sorted; i++) sorted = byCodePoint ? compareCodePoints(keys[i - 1] as string, keys[i] as string) < 0 : (keys[i - 1] as string) < (keys[i] as string)
    if (sorted) return
    // Without surrogates, UTF-16 order is code point order: the plain comparison is enough.
    const order = Array.from({ length: n }, (_, i) => i)
    const ks = keys.slice(0, n)
    const vs = values.slice(0, n)
    order.sort(byCodePoint ? (a, b) => compareCodePoints(ks[a] as string, ks[b] as string) : (a, b) => ((ks[a] as string) < (ks[b] as string) ? -1 : 1))
    for (let i = 0; i < n; i++) {
      keys[i] = ks[order[i] as number] as string
      values[i] = vs[order[i] as number]
    }
    return
  }
  // Insertion sort: much cheaper than Array#sort for the usual few keys (often already in order).
  for (let i = 1; i < n; i++) {
    const key = keys[i] as string
    if ((keys[i - 1] as string) < key) continue
    const value = values[i]
    let j = i - 1
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string
      values[j + 1] = values[j]
      j--
    }
    keys[j + 1] = key
    values[j + 1] = value
  }
}

/** Whether some code made a property of Object.prototype enumerable (for-in would list it for every object). */
function prototypeEnumerable(): boolean {
  for (const _ in {}) return true
  return false
}

// ---------------------------------------------------------------------------
// Double-quoted escapes (allow_unicode=False)

const ESCAPES: Record<number, string> = {
  0x00: '\\0',
  0x07: '\\a',
  0x08: '\\b',
  0x09: '\\t',
  0x0a: '\\n',
  0x0b: '\\v',
  0x0c: '\\f',
  0x0d: '\\r',
  0x1b: '\\e',
  0x22: '\\"',
  0x5c: '\\\\',
  0x85: '\\N',
  0xa0: '\\_',
  0x2028: '\\L',
  0x2029: '\\P',
}

function escapeChar(cp: number): string {
  const known = ESCAPES[cp]
  if (known !== undefined) return known
  const hex = cp.toString(16).toUpperCase()
  if (cp <= 0xff) return `\\x${hex.padStart(2, '0')}`
  if (cp <= 0xffff) return `\\u${hex.padStart(4, '0')}`
  return `\\U${hex.padStart(8, '0')}`
}

const HAS_SURROGATE = /[\uD800-\uDFFF]/

// ---------------------------------------------------------------------------
// The emitter

function keySegment(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`
}

const objectProto = Object.prototype
const utf8Decoder = new TextDecoder()
const utf8Encoder = new TextEncoder()
/** From this length on, text is copied with TextEncoder.encodeInto instead of a loop. */
const NATIVE_COPY_MIN_LENGTH = 40

/** Nesting depth from which containers are checked against their ancestors for cycles. */
const CYCLE_CHECK_DEPTH = 64
/** Strings at least this long are rendered once per context and then copied. */
const MEMO_MIN_LENGTH = 48

/** Output buffer reused across calls (writes are synchronous); `null` while in use. */
let sharedBuffer: Uint8Array | null = new Uint8Array(1 << 16)
/** Larger buffers are not kept once a write is done. */
const MAX_SHARED_BUFFER = 4 << 20
/** Size of each part of an output written in parts (see Emitter.grow). */
const PART_SIZE = 4 << 20
/** From this size on, the C library maps a buffer's pages on first write: unused room is address space, not memory. */
const LAZY_PAGES_MIN = 32 << 20
/** Reserves smaller than this are not taken (see toYamlDocumentsParts). */
const RESERVE_MIN = 128 << 20

/** The emitter state a write starts in: what its bytes depend on, besides the value. */
interface WriteStart {
  readonly pos: number
  readonly indent: number
  readonly column: number
  readonly whitespace: boolean
  readonly indention: boolean
}

/** Bytes written from one emitter state and the state they end in, to copy when a write starts in that state again. */
interface Rendering {
  readonly indent: number
  readonly column: number
  readonly whitespace: boolean
  readonly indention: boolean
  /** The rest of the start: for a scalar, whether it is a simple key; for a container, whether it is a mapping's value. */
  readonly context: boolean
  readonly bytes: Uint8Array
  readonly endColumn: number
  readonly endWhitespace: boolean
  readonly endIndention: boolean
}

/**
 * The output is pure ASCII (`allow_unicode=False` escapes everything else),
 * so it is assembled as bytes in a growable buffer: no intermediate strings,
 * little garbage, one decode at the end.
 */
class Emitter {
  private buf: Uint8Array
  /** Where the next byte goes in `buf`. */
  private pos = 0
  /**
   * The output before `buf`, in order, when it may be written in parts: full buffers of a large
   * output (see {@link Emitter.grow}), and items' own bytes when they are referenced (see
   * `referencesItems`); `null` when it is one buffer (text, items).
   */
  private readonly parts: Uint8Array[] | null
  /** Bytes in `parts`: `buf` continues the output from there, at `segmentStart`. */
  private partsLength = 0
  /**
   * Where the bytes of `buf` not yet in `parts` begin: 0, except when items are referenced (see
   * {@link Emitter.referenceItem}), which leaves the bytes before them in `parts`.
   */
  private segmentStart = 0
  /** Whether copied items go into `parts` as they are, instead of being copied into `buf`. */
  private readonly referencesItems: boolean
  private column = 0
  private whitespace = true
  private indention = true
  private openEnded = false
  /** Current indent; -1 stands for PyYAML's `None`. */
  private indent = -1
  /** Containers being written, outermost first (for cycle detection). */
  private readonly stack: object[] = []
  /** Per nesting depth, the keys and values of the mapping being written there. */
  private readonly keysAt: string[][] = []
  private readonly valuesAt: unknown[][] = []
  private readonly prototypeEnumerable = prototypeEnumerable()
  /** Long strings seen: `null` once, the rendering from the second time on (made on first use: most items need none). */
  private memo: Map<string, Rendering | null> | undefined
  /** Frozen mappings and sequences written so far (see {@link Emitter.frozenContainer}). */
  private frozen: Map<object, Rendering> | undefined
  private readonly sortKeys: boolean
  /** Whether repeated long strings and frozen containers are copied from their first rendering. */
  private readonly memos: boolean
  /** Quote for every common reader (ToYamlOptions.quoting 'portable'), not only PyYAML. */
  private readonly portable: boolean

  constructor(options: ToYamlOptions | undefined, capacity = 0, inParts = false, memos = true, referencesItems = false) {
    this.memos = memos
    this.sortKeys = options?.sortKeys ?? true
    this.portable = options?.quoting !== 'pyyaml'
    this.parts = inParts || referencesItems ? [] : null
    this.referencesItems = referencesItems
    // Parts point into the buffer: it is never the shared one, which the next write overwrites.
    if (capacity > MAX_SHARED_BUFFER || referencesItems) {
      this.buf = new Uint8Array(Math.max(capacity, 1 << 16))
      return
    }
    // Take the shared buffer (a nested call, e.g. from a getter, gets its own).
    this.buf = sharedBuffer ?? new Uint8Array(1 << 16)
    sharedBuffer = null
  }

  /** This emitter at the start of a new output, in the shared buffer (after {@link release}). */
  restart(): this {
    this.buf = sharedBuffer ?? new Uint8Array(1 << 16)
    sharedBuffer = null
    this.pos = 0
    this.column = 0
    this.whitespace = true
    this.indention = true
    this.openEnded = false
    this.indent = -1
    this.stack.length = 0
    return this
  }

  /** How many bytes have been written. */
  get length(): number {
    return this.partsLength + this.pos - this.segmentStart
  }

  document(value: unknown, first: boolean): void {
    if (!first) {
      // expect_document_start for a non-first document: explicit '---'.
      this.writeIndent()
      this.writeIndicator('---', true, false, false)
    }
    try {
      this.node(value, true, false, false)
    } catch (error) {
      if (error instanceof YamlWriteError && error.path.length === 0) {
        error.message = `toYaml: ${error.reason} at $`
      }
      throw error
    }
    // expect_document_end
    this.writeIndent()
  }

  finish(): string {
    this.end()
    const text = utf8Decoder.decode(this.buf.subarray(0, this.pos))
    this.release()
    return text
  }

  /** The output as UTF-8 bytes (joined when it was written in parts). */
  finishBytes(): Uint8Array {
    return joinParts(this.finishParts())
  }

  /** The output as UTF-8 bytes in consecutive parts (one unless it was written in parts). */
  finishParts(): Uint8Array[] {
    this.end()
    // The last buffer is copied when it will be shared again, or when most of it is unused memory.
    const buf = this.buf
    const copy = !this.referencesItems && (buf.length <= MAX_SHARED_BUFFER || (this.pos < buf.length / 2 && buf.length < LAZY_PAGES_MIN))
    const last = copy ? buf.slice(0, this.pos) : buf.subarray(this.segmentStart, this.pos)
    const parts = this.parts === null || this.parts.length === 0 ? [last] : last.length > 0 ? [...this.parts, last] : [...this.parts]
    this.release()
    return parts
  }

  /** Writes `text` as it is (a comment header before the first document). */
  raw(text: string): void {
    const most = text.length * 3
    if (this.pos + most > this.buf.length) this.grow(most)
    this.pos += utf8Encoder.encodeInto(text, this.buf.subarray(this.pos)).written
  }

  private end(): void {
    if (this.openEnded) {
      this.writeIndicator('...', true, false, false)
      this.writeIndent()
    }
  }

  /** Writes one item of a sequence at `indent` from the start of a line; see renderSequenceItem. */
  sequenceItem(value: unknown, indent: number): YamlSequenceItem {
    this.indent = indent
    this.writeIndent()
    this.writeIndicator('-', true, false, true)
    this.node(value, false, false, false)
    const bytes = itemBytes(this.pos)
    bytes.set(this.buf.subarray(0, this.pos))
    return new YamlSequenceItem(value, indent, this.sortKeys, this.portable, bytes, this.column, this.whitespace, this.indention)
  }

  /** Copies a rendered item when this is the place it was written for (a fresh line at its indent). */
  private copyItem(item: YamlSequenceItem): boolean {
    if (item.indent !== this.indent || item.sortKeys !== this.sortKeys || item.portable !== this.portable) return false
    // writeIndent would start a new line here (it always does after a previous item or a key).
    if (this.indention && this.column <= this.indent && !(this.column === this.indent && !this.whitespace)) return false
    this.writeLineBreak()
    if (this.referencesItems) {
      this.referenceItem(item.source.subarray(0, item.cut))
      if (item.line !== null) this.referenceItem(item.line)
      this.referenceItem(item.source.subarray(item.resume))
    } else if (item.line === null) this.putBytes(item.source)
    else {
      this.putBytes(item.source.subarray(0, item.cut))
      this.putBytes(item.line)
      this.putBytes(item.source.subarray(item.resume))
    }
    this.column = item.endColumn
    this.whitespace = item.endWhitespace
    this.indention = item.endIndention
    this.openEnded = false
    return true
  }

  /** Hands the buffer back for the next write (called by finish, and after an error). */
  release(): void {
    // The parts hold this emitter's own buffer; the shared one was never taken.
    if (this.referencesItems) return
    // A buffer that grew large is dropped, but a small one takes its place: with none left to
    // share, every later write (each of thousands of rendered items) would allocate its own.
    sharedBuffer = this.buf.length <= MAX_SHARED_BUFFER ? this.buf : new Uint8Array(1 << 16)
  }

  // --- byte output (callers keep `column` up to date)

  /**
   * Makes room for `n` more bytes. A buffer doubles up to PART_SIZE; past that, an output written
   * in parts keeps the full buffer as a part and goes on in a new one. Doubling a buffer of
   * hundreds of megabytes copies it, and each such allocation grows V8's external memory by as
   * much at once, which starts a full garbage collection of everything the compile holds.
   */
  private grow(n: number): void {
    if (this.referencesItems) {
      // Bytes already in `parts` stay where they are: go on in a new buffer.
      this.flushSegment()
      this.buf = new Uint8Array(Math.max(Math.min(this.buf.length * 2, PART_SIZE), n))
      this.pos = 0
      this.segmentStart = 0
      return
    }
    if (this.parts !== null && this.buf.length >= PART_SIZE) {
      this.parts.push(this.buf.subarray(0, this.pos))
      this.partsLength += this.pos
      this.buf = new Uint8Array(Math.max(PART_SIZE, n))
      this.pos = 0
      return
    }
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n))
    bigger.set(this.buf.subarray(0, this.pos))
    this.buf = bigger
  }

  /** Appends `s[start:end]`, which must be ASCII. */
  private put(s: string, start: number, end: number): void {
    const n = end - start
    if (this.pos + n > this.buf.length) this.grow(n)
    if (n >= NATIVE_COPY_MIN_LENGTH) {
      // ASCII encodes to one byte per character.
      utf8Encoder.encodeInto(start === 0 && end === s.length ? s : s.slice(start, end), this.buf.subarray(this.pos))
      this.pos += n
      return
    }
    const buf = this.buf
    let pos = this.pos
    for (let i = start; i < end; i++) buf[pos++] = s.charCodeAt(i)
    this.pos = pos
  }

  /** Moves the bytes of `buf` not yet in `parts` there. */
  private flushSegment(): void {
    if (this.pos === this.segmentStart) return
    this.parts!.push(this.buf.subarray(this.segmentStart, this.pos))
    this.partsLength += this.pos - this.segmentStart
    this.segmentStart = this.pos
  }

  /** Appends an item's bytes as a part of their own (see `referencesItems`). */
  private referenceItem(bytes: Uint8Array): void {
    if (bytes.length === 0) return
    this.flushSegment()
    this.parts!.push(bytes)
    this.partsLength += bytes.length
  }

  /** Appends bytes written earlier (a copied rendering). */
  private putBytes(bytes: Uint8Array): void {
    if (this.pos + bytes.length > this.buf.length) this.grow(bytes.length)
    this.buf.set(bytes, this.pos)
    this.pos += bytes.length
  }

  private putByte(c: number): void {
    if (this.pos >= this.buf.length) this.grow(1)
    this.buf[this.pos++] = c
  }

  // --- PyYAML's write_indicator / write_indent / write_line_break

  private writeIndicator(indicator: string, needWhitespace: boolean, whitespace: boolean, indention: boolean): void {
    if (!this.whitespace && needWhitespace) {
      this.putByte(0x20)
      this.column++
    }
    this.put(indicator, 0, indicator.length)
    this.column += indicator.length
    this.whitespace = whitespace
    this.indention = this.indention && indention
    this.openEnded = false
  }

  private writeIndent(): void {
    const indent = this.indent < 0 ? 0 : this.indent
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) {
      this.writeLineBreak()
    }
    if (this.column < indent) {
      this.whitespace = true
      const n = indent - this.column
      if (this.pos + n > this.buf.length) this.grow(n)
      this.buf.fill(0x20, this.pos, this.pos + n)
      this.pos += n
      this.column = indent
    }
  }

  private writeLineBreak(): void {
    this.whitespace = true
    this.indention = true
    this.column = 0
    this.putByte(0x0a)
  }

  // --- nodes

  private node(value: unknown, root: boolean, mapping: boolean, simpleKey: boolean): void {
    switch (typeof value) {
      case 'string':
        this.stringScalar(value, root, simpleKey)
        return
      case 'number':
        this.plainScalar(Number.isInteger(value) ? formatInt(value) : formatFloat(value), root)
        return
      case 'boolean':
        this.plainScalar(value ? 'true' : 'false', root)
        return
      case 'object': {
        if (value === null) {
          this.plainScalar('null', root)
          return
        }
        // Plain objects first: most nodes of a document are mappings.
        const proto: unknown = Object.getPrototypeOf(value)
        if (proto === objectProto) {
          if (this.memos && Object.isFrozen(value)) this.frozenContainer(value, mapping)
          else this.mapping(value as Record<string, unknown>)
          return
        }
        if (Array.isArray(value)) {
          if (this.memos && Object.isFrozen(value)) this.frozenContainer(value, mapping)
          else this.sequence(value, mapping)
          return
        }
        if (value instanceof YamlFloat) {
          this.plainScalar(formatFloat(value.value), root)
          return
        }
        if (value instanceof YamlSequenceItem) {
          this.node(value.value, root, mapping, simpleKey)
          return
        }
        if (proto === null) {
          this.mapping(value as Record<string, unknown>)
          return
        }
        throw new YamlWriteError(`unsupported value (${describeValue(value)})`)
      }
      case 'undefined':
        throw new YamlWriteError('unsupported value undefined (only skipped as an object property)')
      default:
        throw new YamlWriteError(`unsupported value of type ${typeof value}`)
    }
  }

  /**
   * A frozen mapping or sequence: what it writes depends only on the state it starts in, so the
   * bytes of its first rendering are copied wherever it starts in the same state again.
   */
  private frozenContainer(value: object, mapping: boolean): void {
    const frozen = (this.frozen ??= new Map())
    const seen = frozen.get(value)
    if (this.replay(seen, mapping)) return
    const start = this.writeStart()
    if (Array.isArray(value)) this.sequence(value, mapping)
    else this.mapping(value as Record<string, unknown>)
    if (seen === undefined) {
      const rendering = this.rendering(start, mapping)
      if (rendering !== undefined) frozen.set(value, rendering)
    }
  }

  private writeStart(): WriteStart {
    return { pos: this.length, indent: this.indent, column: this.column, whitespace: this.whitespace, indention: this.indention }
  }

  /**
   * What was written since `start`, to {@link replay} where a write starts in the same state;
   * `undefined` when part of it went to an earlier part of the output (rare: it is written again next time).
   */
  private rendering(start: WriteStart, context: boolean): Rendering | undefined {
    const from = start.pos - this.partsLength + this.segmentStart
    if (from < this.segmentStart) return undefined
    const bytes = itemBytes(this.pos - from)
    bytes.set(this.buf.subarray(from, this.pos))
    return {
      indent: start.indent,
      column: start.column,
      whitespace: start.whitespace,
      indention: start.indention,
      context,
      bytes,
      endColumn: this.column,
      endWhitespace: this.whitespace,
      endIndention: this.indention,
    }
  }

  /** Copies `seen` when the write about to happen starts in its state; returns whether it did. */
  private replay(seen: Rendering | null | undefined, context: boolean): boolean {
    if (
      seen == null ||
      seen.indent !== this.indent ||
      seen.column !== this.column ||
      seen.whitespace !== this.whitespace ||
      seen.indention !== this.indention ||
      seen.context !== context
    ) {
      return false
    }
    this.putBytes(seen.bytes)
    this.column = seen.endColumn
    this.whitespace = seen.endWhitespace
    this.indention = seen.endIndention
    this.openEnded = false
    return true
  }

  private enter(value: object): void {
    const stack = this.stack
    // Real documents are shallow; a cycle recurses forever, so it is enough to
    // look for one once the nesting gets deep.
    if (stack.length >= CYCLE_CHECK_DEPTH && stack.includes(value)) {
      throw new YamlWriteError('cyclic reference')
    }
    stack.push(value)
  }

  private sequence(items: readonly unknown[], mapping: boolean): void {
    const n = items.length
    if (n === 0) {
      this.writeIndicator('[', true, true, false)
      this.writeIndicator(']', false, false, false)
      return
    }
    this.enter(items)
    // expect_block_sequence: indentless under a mapping key.
    const saved = this.indent
    if (this.indent < 0) this.indent = 0
    else if (!(mapping && !this.indention)) this.indent += BEST_INDENT
    for (let i = 0; i < n; i++) {
      const item = items[i]
      if (item instanceof YamlSequenceItem && this.copyItem(item)) continue
      this.writeIndent()
      this.writeIndicator('-', true, false, true)
      try {
        this.node(item instanceof YamlSequenceItem ? item.value : item, false, false, false)
      } catch (error) {
        if (error instanceof YamlWriteError) error.addSegment(`[${i}]`)
        throw error
      }
    }
    this.indent = saved
    this.stack.pop()
  }

  private mapping(obj: Record<string, unknown>): void {
    // Keys and values are gathered with for-in, whose `obj[key]` V8 reads through the enum cache;
    // `obj[key]` after Object.keys is a megamorphic lookup per entry, once the writer's top cost.
    // The arrays are reused per nesting depth (a mapping's entries are written before a sibling's).
    if (this.prototypeEnumerable) {
      this.mappingOfKeys(obj)
      return
    }
    const depth = this.stack.length
    const keys = (this.keysAt[depth] ??= [])
    const values = (this.valuesAt[depth] ??= [])
    let n = 0
    for (const key in obj) {
      const value = obj[key]
      if (value === undefined) continue
      keys[n] = key
      values[n] = value
      n++
    }
    this.entries(obj, keys, values, n)
  }

  /** {@link mapping} when some code made an Object.prototype property enumerable: for-in would list it. */
  private mappingOfKeys(obj: Record<string, unknown>): void {
    const keys: string[] = []
    const values: unknown[] = []
    for (const key of Object.keys(obj)) {
      const value = obj[key]
      if (value === undefined) continue
      keys.push(key)
      values.push(value)
    }
    this.entries(obj, keys, values, keys.length)
  }

  /** Writes the first `n` entries (all defined) of a mapping: `{}` when there are none. */
  private entries(obj: object, keys: string[], values: unknown[], n: number): void {
    if (n === 0) {
      this.writeIndicator('{', true, true, false)
      this.writeIndicator('}', false, false, false)
      return
    }
    this.enter(obj)
    if (this.sortKeys && n > 1) sortEntriesByCodePoint(keys, values, n)
    const saved = this.indent
    this.indent = this.indent < 0 ? 0 : this.indent + BEST_INDENT
    for (let i = 0; i < n; i++) this.entry(keys[i] as string, values[i])
    this.indent = saved
    this.stack.pop()
  }

  private entry(key: string, value: unknown): void {
    try {
      this.writeIndent()
      if (key.length < MAX_SIMPLE_KEY_LENGTH - KEY_TAG_LENGTH && this.fastPlain(key, false)) {
        // The usual identifier-like key, written by the check itself.
        this.writeIndicator(':', false, false, false)
      } else if (this.isSimpleKey(key)) {
        this.stringScalar(key, false, true)
        this.writeIndicator(':', false, false, false)
      } else {
        // A complex key: '? key' then ': value' on its own line.
        this.writeIndicator('?', true, false, true)
        this.stringScalar(key, false, false)
        this.writeIndent()
        this.writeIndicator(':', true, false, true)
      }
      this.node(value, false, true, false)
    } catch (error) {
      if (error instanceof YamlWriteError) error.addSegment(keySegment(key))
      throw error
    }
  }

  /** check_simple_key for a str key: single line, non-empty, len('!!str') + len(key) < 128. */
  private isSimpleKey(key: string): boolean {
    const n = key.length
    if (n === 0) return false
    if (n + KEY_TAG_LENGTH >= MAX_SIMPLE_KEY_LENGTH) {
      let codePoints = 0
      for (const _ of key) codePoints++
      if (codePoints + KEY_TAG_LENGTH >= MAX_SIMPLE_KEY_LENGTH) return false
    }
    if (FAST_PLAIN.test(key)) return true
    return (analyzeScalar(key) & A_MULTILINE) === 0
  }

  // --- scalars

  /** Plain text without spaces (ints, floats, bools, null, identifiers). */
  private plainScalar(text: string, root: boolean): void {
    // expect_scalar's increase_indent(flow=True) does not matter without spaces.
    if (root) this.openEnded = true
    if (!this.whitespace) {
      this.putByte(0x20)
      this.column++
    }
    this.put(text, 0, text.length)
    this.column += text.length
    this.whitespace = false
    this.indention = false
  }

  /**
   * Writes `s` as {@link plainScalar} would when it matches FAST_PLAIN and reads back as a string,
   * and returns true; otherwise writes nothing and returns false. Most keys and values are such
   * identifiers: checking and copying them in one pass is much of the writer's speed.
   */
  private fastPlain(s: string, root: boolean): boolean {
    const n = s.length
    if (n === 0) return false
    const first = s.charCodeAt(0)
    if (!((first >= 0x61 && first <= 0x7a) || (first >= 0x41 && first <= 0x5a) || first === 0x5f)) return false
    const space = this.whitespace ? 0 : 1
    if (this.pos + n + space > this.buf.length) this.grow(n + space)
    const buf = this.buf
    let pos = this.pos
    if (space === 1) buf[pos++] = 0x20
    buf[pos++] = first
    for (let i = 1; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c >= 128 || FAST_PLAIN_TAIL[c] === 0) return false
      buf[pos++] = c
    }
    if (fastPlainNeedsQuotes(s, this.portable)) return false
    this.pos = pos
    this.column += n + space
    this.whitespace = false
    this.indention = false
    if (root) this.openEnded = true
    return true
  }

  private stringScalar(s: string, root: boolean, simpleKey: boolean): void {
    if (this.fastPlain(s, root)) return
    if (s.length >= MEMO_MIN_LENGTH && !root && this.memos) {
      this.memoizedScalar(s, simpleKey)
      return
    }
    this.styledScalar(s, root, simpleKey)
  }

  /**
   * Long strings (command lines, scripts) often repeat; their rendering only
   * depends on the state it starts in and the key context, so it is copied
   * when those match a previous rendering.
   */
  private memoizedScalar(s: string, simpleKey: boolean): void {
    const memo = (this.memo ??= new Map())
    const seen = memo.get(s)
    if (this.replay(seen, simpleKey)) return
    if (seen === undefined) {
      memo.set(s, null)
      this.styledScalar(s, false, simpleKey)
      return
    }
    const start = this.writeStart()
    this.styledScalar(s, false, simpleKey)
    memo.set(s, this.rendering(start, simpleKey) ?? null)
  }

  private styledScalar(s: string, root: boolean, simpleKey: boolean): void {
    const analysis = analyzeScalar(s)
    // expect_scalar: increase_indent(flow=True)
    const saved = this.indent
    this.indent = this.indent < 0 ? BEST_INDENT : this.indent + BEST_INDENT
    const split = !simpleKey
    if (
      (analysis & A_BLOCK_PLAIN) !== 0 &&
      !(simpleKey && (analysis & (A_EMPTY | A_MULTILINE)) !== 0) &&
      !resolvesToNonString(s) &&
      !(this.portable && otherReadersResolveToNonString(s))
    ) {
      this.writePlain(s, split, root)
    } else if ((analysis & A_SINGLE_QUOTED) !== 0 && !(simpleKey && (analysis & A_MULTILINE) !== 0)) {
      this.writeSingleQuoted(s, split)
    } else {
      this.writeDoubleQuoted(s, split)
    }
    this.indent = saved
  }

  /** write_plain. Plain text is printable ASCII without line breaks. */
  private writePlain(text: string, split: boolean, root: boolean): void {
    if (root) this.openEnded = true
    if (text.length === 0) return
    if (!this.whitespace) {
      this.putByte(0x20)
      this.column++
    }
    this.whitespace = false
    this.indention = false
    const n = text.length
    if (!split || this.column + n <= BEST_WIDTH + 1 || text.indexOf(' ') < 0) {
      // No single space can be preceded by a column beyond the width.
      this.put(text, 0, n)
      this.column += n
      return
    }
    let spaces = false
    let start = 0
    for (let end = 0; end <= n; end++) {
      const c = end < n ? text.charCodeAt(end) : -1
      if (spaces) {
        if (c !== 0x20) {
          if (start + 1 === end && this.column > BEST_WIDTH) {
            this.writeIndent()
            this.whitespace = false
            this.indention = false
          } else {
            this.put(text, start, end)
            this.column += end - start
          }
          start = end
        }
      } else if (c === -1 || c === 0x20) {
        this.put(text, start, end)
        this.column += end - start
        start = end
      }
      spaces = c === 0x20
      if (!spaces && c !== -1) {
        // Skip to the next space: nothing happens in between.
        const j = text.indexOf(' ', end + 1)
        end = (j < 0 ? n : j) - 1
      }
    }
  }

  /** write_single_quoted. Text is printable ASCII plus '\n'. */
  private writeSingleQuoted(text: string, split: boolean): void {
    this.writeIndicator("'", true, false, false)
    const n = text.length
    let spaces = false
    let breaks = false
    let start = 0
    for (let end = 0; end <= n; end++) {
      const c = end < n ? text.charCodeAt(end) : -1
      if (spaces) {
        if (c !== 0x20) {
          if (start + 1 === end && this.column > BEST_WIDTH && split && start !== 0 && end !== n) {
            this.writeIndent()
          } else {
            this.put(text, start, end)
            this.column += end - start
          }
          start = end
        }
      } else if (breaks) {
        if (c !== 0x0a) {
          if (text.charCodeAt(start) === 0x0a) this.writeLineBreak()
          for (let i = start; i < end; i++) this.writeLineBreak()
          this.writeIndent()
          start = end
        }
      } else if (c === -1 || c === 0x20 || c === 0x0a || c === 0x27) {
        if (start < end) {
          this.put(text, start, end)
          this.column += end - start
          start = end
        }
      }
      if (c === 0x27) {
        this.putByte(0x27)
        this.putByte(0x27)
        this.column += 2
        start = end + 1
      }
      if (c !== -1) {
        spaces = c === 0x20
        breaks = c === 0x0a
        if (!spaces && !breaks) {
          // Ordinary characters change nothing until the next ' ', '\n' or "'".
          let j = end + 1
          while (j < n) {
            const d = text.charCodeAt(j)
            if (d === 0x20 || d === 0x0a || d === 0x27) break
            j++
          }
          end = j - 1
        }
      }
    }
    this.writeIndicator("'", false, false, false)
  }

  /**
   * write_double_quoted. Python indexes by code point, so `end` walks code
   * units while `cpEnd` counts code points for the position tests; text
   * between `start` and `end` is always printable ASCII (one unit per point).
   */
  private writeDoubleQuoted(text: string, split: boolean): void {
    this.writeIndicator('"', true, false, false)
    const n = text.length
    let cpLength = n
    if (HAS_SURROGATE.test(text)) {
      cpLength = 0
      for (const _ of text) cpLength++
    }
    let start = 0
    let cpEnd = 0
    for (let end = 0; end <= n; ) {
      let c = end < n ? text.charCodeAt(end) : -1
      let width = 1
      if (c >= 0xd800 && c <= 0xdbff && end + 1 < n) {
        const low = text.charCodeAt(end + 1)
        if (low >= 0xdc00 && low <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00)
          width = 2
        }
      }
      // '"', '\\' and everything outside printable ASCII (incl. \x85, \u2028, \u2029, \uFEFF).
      if (c === -1 || c === 0x22 || c === 0x5c || c < 0x20 || c > 0x7e) {
        if (start < end) {
          this.put(text, start, end)
          this.column += end - start
          start = end
        }
        if (c !== -1) {
          const data = escapeChar(c)
          this.put(data, 0, data.length)
          this.column += data.length
          start = end + width
        }
      }
      if (
        split &&
        cpEnd > 0 &&
        cpEnd < cpLength - 1 &&
        (c === 0x20 || start >= end) &&
        this.column + (start > end ? -1 : end - start) > BEST_WIDTH
      ) {
        if (start < end) {
          this.put(text, start, end)
          this.column += end - start
          start = end
        }
        this.putByte(0x5c)
        this.column++
        this.writeIndent()
        this.whitespace = false
        this.indention = false
        if (text.charCodeAt(start) === 0x20) {
          this.putByte(0x5c)
          this.column++
        }
      }
      end += width
      cpEnd++
      if (start < end) {
        // Unless an escape was just written, printable characters other than
        // ' ', '"' and '\\' change nothing: skip to the next one that may.
        let j = end
        while (j < n) {
          const d = text.charCodeAt(j)
          if (d <= 0x20 || d >= 0x7f || d === 0x22 || d === 0x5c) break
          j++
        }
        cpEnd += j - end
        end = j
      }
    }
    this.writeIndicator('"', false, false, false)
  }
}

// ---------------------------------------------------------------------------
// Loading (PyYAML SafeLoader semantics for plain scalars)

function parseSexagesimal(parts: string[]): number {
  let value = 0
  let base = 1
  for (let i = parts.length - 1; i >= 0; i--) {
    value += Number(parts[i]) * base
    base *= 60
  }
  return value
}

/** construct_yaml_int */
function constructInt(text: string): number {
  let value = text.replace(/_/g, '')
  let sign = 1
  if (value[0] === '-') sign = -1
  if (value[0] === '-' || value[0] === '+') value = value.slice(1)
  let result: number
  if (value === '0') return 0
  else if (value.startsWith('0b')) result = parseInt(value.slice(2), 2)
  else if (value.startsWith('0x')) result = parseInt(value.slice(2), 16)
  else if (value[0] === '0') result = parseInt(value, 8)
  else if (value.includes(':')) result = parseSexagesimal(value.split(':'))
  else result = Number(value)
  if (Number.isNaN(result)) throw new Error(`invalid int ${JSON.stringify(text)}`)
  return sign * result
}

/** construct_yaml_float */
function constructFloat(text: string): YamlFloat {
  let value = text.replace(/_/g, '').toLowerCase()
  let sign = 1
  if (value[0] === '-') sign = -1
  if (value[0] === '-' || value[0] === '+') value = value.slice(1)
  if (value === '.inf') return new YamlFloat(sign * Infinity)
  if (value === '.nan') return new YamlFloat(NaN)
  if (value.includes(':')) return new YamlFloat(sign * parseSexagesimal(value.split(':')))
  return new YamlFloat(sign * parseFloat(value))
}

const YAML11_TAGS: ScalarTag[] = [
  {
    tag: 'tag:yaml.org,2002:bool',
    default: true,
    identify: (v) => typeof v === 'boolean',
    test: RE_BOOL,
    resolve: (s) => /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/.test(s),
  },
  {
    tag: 'tag:yaml.org,2002:float',
    default: true,
    identify: (v) => v instanceof YamlFloat,
    test: RE_FLOAT,
    resolve: (s) => constructFloat(s),
  },
  {
    tag: 'tag:yaml.org,2002:int',
    default: true,
    identify: (v) => typeof v === 'number',
    test: RE_INT,
    resolve: (s) => constructInt(s),
  },
  {
    tag: 'tag:yaml.org,2002:null',
    default: true,
    identify: (v) => v === null,
    test: RE_NULL,
    resolve: () => null,
  },
]

/**
 * A value as its YAML reads back, without writing and parsing it: mapping keys in the order the
 * writer puts them (by code point, unless `sortKeys` is false), a {@link YamlFloat} as its number,
 * a {@link YamlSequenceItem} as the value it was written from, `undefined` entries left out.
 * Reading a large file back costs far more than writing it (the KFP IR of 20,000 tasks: 33 s to
 * parse, 1.2 s to emit and convert).
 *
 * @example
 * ```ts
 * import { readBack, YamlFloat } from '@typeflow/compiler'
 * readBack({ b: new YamlFloat(2), a: [1], c: undefined }) // { a: [1], b: 2 }
 * ```
 */
export function readBack(value: unknown, options: Pick<ToYamlOptions, 'sortKeys'> = {}): unknown {
  const sortKeys = options.sortKeys !== false
  const plain = (v: unknown): unknown => {
    if (v instanceof YamlFloat) return v.value
    if (v instanceof YamlSequenceItem) return plain(v.value)
    if (Array.isArray(v)) return v.map(plain)
    if (v === null || typeof v !== 'object') return v
    const keys: string[] = []
    const values: unknown[] = []
    for (const key of Object.keys(v)) {
      const entry = (v as Record<string, unknown>)[key]
      if (entry === undefined) continue
      keys.push(key)
      values.push(entry)
    }
    if (sortKeys) sortEntriesByCodePoint(keys, values, keys.length)
    const out: Record<string, unknown> = {}
    for (let i = 0; i < keys.length; i++) out[keys[i]!] = plain(values[i])
    return out
  }
  return plain(value)
}

/**
 * Parses a (multi-document) YAML stream the way PyYAML's `safe_load_all` reads
 * plain scalars — YAML 1.1 resolution of null, bools (`yes`/`no`/`on`/`off`
 * too), ints (`0x`, `0o`-less octal `017`, `0b`, `_`, base 60) and floats —
 * but keeps float-ness: floats come back as {@link YamlFloat}, so
 * `toYamlDocuments(parseYamlPreservingFloats(text))` reproduces a PyYAML
 * file byte for byte. Mapping keys are always strings (as in JSON);
 * timestamps stay strings. Comments are ignored. Throws on YAML errors.
 *
 * @example
 * parseYamlPreservingFloats('a: 2.0\nb: 2\nc: yes\n---\n- x\n')
 * // [{ a: YamlFloat { value: 2 }, b: 2, c: true }, ['x']]
 */
export function parseYamlPreservingFloats(text: string): unknown[] {
  const docs = parseAllDocuments(text, {
    schema: 'failsafe',
    customTags: YAML11_TAGS,
    merge: true,
    stringKeys: true,
  })
  const result: unknown[] = []
  for (const doc of docs) {
    const error = doc.errors[0]
    if (error !== undefined) throw new Error(`parseYamlPreservingFloats: ${error.message}`)
    result.push(doc.toJS())
  }
  return result
}
