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
 *   shares objects, so its files never contain aliases either.
 * - With `sortKeys: false`, keys follow `Object.keys` order, in which
 *   integer-like keys ("1", "20") come first.
 *
 * @module
 */

import { parseAllDocuments } from 'yaml'
import type { ScalarTag } from 'yaml'

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
  const emitter = new Emitter(options?.sortKeys ?? true)
  emitter.document(value, true)
  return emitter.finish()
}

/**
 * Writes several documents as `yaml.dump_all` does: `---` starts every
 * document after the first. An empty list gives an empty string.
 *
 * @example
 * toYamlDocuments([{ a: 1 }, { b: 2 }])
 * // 'a: 1\n---\nb: 2\n'
 */
export function toYamlDocuments(values: readonly unknown[], options?: ToYamlOptions): string {
  const emitter = new Emitter(options?.sortKeys ?? true)
  for (let i = 0; i < values.length; i++) emitter.document(values[i], i === 0)
  return emitter.finish()
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

function describe(value: unknown): string {
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
/** First characters of YAML 1.1 bool/null words reachable from FAST_PLAIN. */
const FAST_PLAIN_RISKY_FIRST = /^[yYnNtTfFoO]/

function isWhitespaceChar(c: number): boolean {
  // '\0 \t\r\n\x85\u2028\u2029'
  return (
    c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d || c === 0x00 || c === 0x85 || c === 0x2028 || c === 0x2029
  )
}

function isBreakChar(c: number): boolean {
  return c === 0x0a || c === 0x85 || c === 0x2028 || c === 0x2029
}

/**
 * PyYAML's analyze_scalar, reduced to the flags block-context emission needs.
 * `allow_unicode` is false, so every character outside printable ASCII (and
 * `\n`) is "special" and forces double quotes; surrogates can therefore be
 * handled per code unit without changing the result.
 */
function analyzeScalar(s: string): number {
  const n = s.length
  if (n === 0) return A_EMPTY | A_BLOCK_PLAIN | A_SINGLE_QUOTED

  let blockIndicators = s.startsWith('---') || s.startsWith('...')
  let lineBreaks = false
  let special = false
  let leadingSpace = false
  let leadingBreak = false
  let trailingSpace = false
  let trailingBreak = false
  let breakSpace = false
  let spaceBreak = false
  let previousSpace = false
  let previousBreak = false
  let precededByWhitespace = true
  let followedByWhitespace = n === 1 || isWhitespaceChar(s.charCodeAt(1))

  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (i === 0) {
      switch (c) {
        // '#,[]{}&*!|>\'"%@`'
        case 0x23: case 0x2c: case 0x5b: case 0x5d: case 0x7b: case 0x7d: case 0x26: case 0x2a:
        case 0x21: case 0x7c: case 0x3e: case 0x27: case 0x22: case 0x25: case 0x40: case 0x60:
          blockIndicators = true
          break
        case 0x3f: // ?
        case 0x3a: // :
        case 0x2d: // -
          if (followedByWhitespace) blockIndicators = true
          break
      }
    } else if (c === 0x3a) {
      if (followedByWhitespace) blockIndicators = true
    } else if (c === 0x23) {
      if (precededByWhitespace) blockIndicators = true
    }

    if (c === 0x20) {
      if (i === 0) leadingSpace = true
      if (i === n - 1) trailingSpace = true
      if (previousBreak) breakSpace = true
      previousSpace = true
      previousBreak = false
    } else if (isBreakChar(c)) {
      lineBreaks = true
      if (c !== 0x0a) special = true
      if (i === 0) leadingBreak = true
      if (i === n - 1) trailingBreak = true
      if (previousSpace) spaceBreak = true
      previousSpace = false
      previousBreak = true
    } else {
      if (c < 0x20 || c > 0x7e) special = true
      previousSpace = false
      previousBreak = false
    }

    precededByWhitespace = isWhitespaceChar(c)
    followedByWhitespace = i + 2 >= n || isWhitespaceChar(s.charCodeAt(i + 2))
  }

  let blockPlain = true
  let singleQuoted = true
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlain = false
  if (breakSpace) blockPlain = singleQuoted = false
  if (spaceBreak || special) blockPlain = singleQuoted = false
  if (lineBreaks) blockPlain = false
  if (blockIndicators) blockPlain = false

  return (lineBreaks ? A_MULTILINE : 0) | (blockPlain ? A_BLOCK_PLAIN : 0) | (singleQuoted ? A_SINGLE_QUOTED : 0)
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

const NEEDS_CODE_POINT_SORT = /[\uD800-\uFFFF]/

function codePointCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x !== y) {
      // Surrogates (D800–DFFF) encode code points above FFFF: move them after E000–FFFF.
      if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000
      if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000
      return x - y
    }
  }
  return a.length - b.length
}

function sortKeysByCodePoint(keys: string[]): void {
  keys.sort()
  for (const k of keys) {
    if (NEEDS_CODE_POINT_SORT.test(k)) {
      keys.sort(codePointCompare)
      return
    }
  }
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

const objectProto = Object.prototype

class Emitter {
  private out = ''
  private column = 0
  private whitespace = true
  private indention = true
  private openEnded = false
  /** Current indent; -1 stands for PyYAML's `None`. */
  private indent = -1
  private readonly active = new Set<object>()
  private readonly sortKeys: boolean

  constructor(sortKeys: boolean) {
    this.sortKeys = sortKeys
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
    if (this.openEnded) {
      this.writeIndicator('...', true, false, false)
      this.writeIndent()
    }
    return this.out
  }

  // --- low-level writers (write_indicator / write_indent / write_line_break)

  private writeIndicator(indicator: string, needWhitespace: boolean, whitespace: boolean, indention: boolean): void {
    if (this.whitespace || !needWhitespace) {
      this.out += indicator
      this.column += indicator.length
    } else {
      this.out += ' ' + indicator
      this.column += indicator.length + 1
    }
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
      this.out += ' '.repeat(indent - this.column)
      this.column = indent
    }
  }

  private writeLineBreak(): void {
    this.whitespace = true
    this.indention = true
    this.column = 0
    this.out += '\n'
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
      case 'object':
        if (value === null) {
          this.plainScalar('null', root)
          return
        }
        if (Array.isArray(value)) {
          this.sequence(value, mapping)
          return
        }
        if (value instanceof YamlFloat) {
          this.plainScalar(formatFloat(value.value), root)
          return
        }
        {
          const proto: unknown = Object.getPrototypeOf(value)
          if (proto === objectProto || proto === null) {
            this.mapping(value as Record<string, unknown>)
            return
          }
        }
        throw new YamlWriteError(`unsupported value (${describe(value)})`)
      case 'undefined':
        throw new YamlWriteError('unsupported value undefined (only skipped as an object property)')
      default:
        throw new YamlWriteError(`unsupported value of type ${typeof value}`)
    }
  }

  private enter(value: object): void {
    if (this.active.has(value)) throw new YamlWriteError('cyclic reference')
    this.active.add(value)
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
      this.writeIndent()
      this.writeIndicator('-', true, false, true)
      try {
        this.node(items[i], false, false, false)
      } catch (error) {
        if (error instanceof YamlWriteError) error.addSegment(`[${i}]`)
        throw error
      }
    }
    this.indent = saved
    this.active.delete(items)
  }

  private mapping(obj: Record<string, unknown>): void {
    let keys = Object.keys(obj)
    let n = keys.length
    // Skip undefined values.
    for (let i = 0; i < n; i++) {
      if (obj[keys[i] as string] === undefined) {
        keys = keys.filter((k) => obj[k] !== undefined)
        n = keys.length
        break
      }
    }
    if (n === 0) {
      this.writeIndicator('{', true, true, false)
      this.writeIndicator('}', false, false, false)
      return
    }
    this.enter(obj)
    if (this.sortKeys && n > 1) sortKeysByCodePoint(keys)
    const saved = this.indent
    this.indent = this.indent < 0 ? 0 : this.indent + BEST_INDENT
    for (let i = 0; i < n; i++) {
      const key = keys[i] as string
      try {
        this.writeIndent()
        if (this.isSimpleKey(key)) {
          this.stringScalar(key, false, true)
          this.writeIndicator(':', false, false, false)
          this.node(obj[key], false, true, false)
        } else {
          this.writeIndicator('?', true, false, true)
          this.stringScalar(key, false, false)
          this.writeIndent()
          this.writeIndicator(':', true, false, true)
          this.node(obj[key], false, true, false)
        }
      } catch (error) {
        if (error instanceof YamlWriteError) {
          error.addSegment(/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`)
        }
        throw error
      }
    }
    this.indent = saved
    this.active.delete(obj)
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

  /** An int/float/bool/null: always plain (the resolver round-trips it). */
  private plainScalar(text: string, root: boolean): void {
    // expect_scalar's increase_indent(flow=True) does not matter for text without spaces.
    if (root) this.openEnded = true
    if (!this.whitespace) {
      this.out += ' '
      this.column += 1
    }
    this.out += text
    this.column += text.length
    this.whitespace = false
    this.indention = false
  }

  private stringScalar(s: string, root: boolean, simpleKey: boolean): void {
    if (FAST_PLAIN.test(s) && !(FAST_PLAIN_RISKY_FIRST.test(s) && resolvesToNonString(s))) {
      this.plainScalar(s, root)
      return
    }
    const analysis = analyzeScalar(s)
    const saved = this.indent
    this.indent = this.indent < 0 ? BEST_INDENT : this.indent + BEST_INDENT
    const split = !simpleKey
    if (
      !resolvesToNonString(s) &&
      !(simpleKey && (analysis & (A_EMPTY | A_MULTILINE)) !== 0) &&
      (analysis & A_BLOCK_PLAIN) !== 0
    ) {
      this.writePlain(s, split, root)
    } else if ((analysis & A_SINGLE_QUOTED) !== 0 && !(simpleKey && (analysis & A_MULTILINE) !== 0)) {
      this.writeSingleQuoted(s, split)
    } else {
      this.writeDoubleQuoted(s, split)
    }
    this.indent = saved
  }

  /** write_plain. Plain text is printable ASCII without line breaks here. */
  private writePlain(text: string, split: boolean, root: boolean): void {
    if (root) this.openEnded = true
    if (text.length === 0) return
    if (!this.whitespace) {
      this.out += ' '
      this.column += 1
    }
    this.whitespace = false
    this.indention = false
    if (text.indexOf(' ') < 0) {
      this.out += text
      this.column += text.length
      return
    }
    const n = text.length
    let spaces = false
    let start = 0
    for (let end = 0; end <= n; end++) {
      const c = end < n ? text.charCodeAt(end) : -1
      if (spaces) {
        if (c !== 0x20) {
          if (start + 1 === end && this.column > BEST_WIDTH && split) {
            this.writeIndent()
            this.whitespace = false
            this.indention = false
          } else {
            this.out += text.slice(start, end)
            this.column += end - start
          }
          start = end
        }
      } else if (c === -1 || c === 0x20) {
        this.out += text.slice(start, end)
        this.column += end - start
        start = end
      }
      spaces = c === 0x20
    }
  }

  /** write_single_quoted. Text is printable ASCII plus '\n' here. */
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
            this.out += text.slice(start, end)
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
          this.out += text.slice(start, end)
          this.column += end - start
          start = end
        }
      }
      if (c === 0x27) {
        this.out += "''"
        this.column += 2
        start = end + 1
      }
      if (c !== -1) {
        spaces = c === 0x20
        breaks = c === 0x0a
      }
    }
    this.writeIndicator("'", false, false, false)
  }

  /** write_double_quoted, iterating by code point like Python's str. */
  private writeDoubleQuoted(s: string, split: boolean): void {
    this.writeIndicator('"', true, false, false)
    const chars: string | string[] = HAS_SURROGATE.test(s) ? Array.from(s) : s
    const sub =
      typeof chars === 'string'
        ? (a: number, b: number): string => chars.slice(a, b)
        : (a: number, b: number): string => chars.slice(a, b).join('')
    const n = chars.length
    let start = 0
    for (let end = 0; end <= n; end++) {
      const ch = end < n ? (chars[end] as string) : undefined
      const cp = ch === undefined ? -1 : (ch.codePointAt(0) as number)
      if (cp === -1 || cp === 0x22 || cp === 0x5c || cp === 0xfeff || cp < 0x20 || cp > 0x7e) {
        if (start < end) {
          this.out += sub(start, end)
          this.column += end - start
          start = end
        }
        if (cp !== -1) {
          const data = escapeChar(cp)
          this.out += data
          this.column += data.length
          start = end + 1
        }
      }
      if (0 < end && end < n - 1 && (cp === 0x20 || start >= end) && this.column + (end - start) > BEST_WIDTH && split) {
        const data = sub(start, end) + '\\'
        this.out += data
        this.column += data.length
        if (start < end) start = end
        this.writeIndent()
        this.whitespace = false
        this.indention = false
        if (chars[start] === ' ') {
          this.out += '\\'
          this.column += 1
        }
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
