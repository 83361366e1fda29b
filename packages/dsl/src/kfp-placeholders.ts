import type { CommandArgNode, PlaceholderNode, TextArgNode } from './ir.ts'

/**
 * KFP's spelling of command-line placeholders, in both directions: rendering our placeholders
 * as KFP IR strings, and parsing the strings found in existing KFP components.
 *
 * @module
 */

/** Renders one placeholder the way the KFP SDK writes it. */
export function kfpPlaceholder(node: PlaceholderNode): string {
  switch (node.ref) {
    case 'executorInput':
      return '{{$}}'
    case 'executorOutputFile':
      return '{{$.outputs.output_file}}'
    case 'inputValue':
      return `{{$.inputs.parameters['${node.name}']}}`
    case 'inputPath':
      return `{{$.inputs.artifacts['${node.name}'].path}}`
    case 'inputUri':
      return `{{$.inputs.artifacts['${node.name}'].uri}}`
    case 'inputMetadata':
      return `{{$.inputs.artifacts['${node.name}'].metadata}}`
    case 'inputArtifactList':
      return `{{$.inputs.artifacts['${node.name}']}}`
    case 'outputPath':
      return `{{$.outputs.artifacts['${node.name}'].path}}`
    case 'outputUri':
      return `{{$.outputs.artifacts['${node.name}'].uri}}`
    case 'outputMetadata':
      return `{{$.outputs.artifacts['${node.name}'].metadata}}`
    case 'outputParameterFile':
      return `{{$.outputs.parameters['${node.name}'].output_file}}`
    case 'runtime':
      return `{{$.${node.name}}}`
  }
}

type JsonArg = string | { readonly [key: string]: unknown }

function renderJsonArg(arg: CommandArgNode): JsonArg {
  switch (arg.kind) {
    case 'text':
      return renderKfpText(arg)
    case 'concat':
      return { Concat: arg.items.map(renderJsonArg) }
    case 'ifPresent':
      return {
        IfPresent: {
          InputName: arg.input,
          Then: arg.then.map(renderJsonArg),
          // The SDK writes `Else` only when it is non-empty (`if self.else_:`).
          ...(arg.else !== undefined && arg.else.length > 0 && { Else: arg.else.map(renderJsonArg) }),
        },
      }
  }
}

/** Renders literal text and placeholders as one KFP string. */
export function renderKfpText(arg: TextArgNode): string {
  let out = ''
  for (const part of arg.parts) out += typeof part === 'string' ? part : kfpPlaceholder(part)
  return out
}

/** Python's `json.dumps` with default settings (`", "`, `": "`, ASCII-only output). */
export function pythonJsonDumps(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  }
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pythonJsonDumps(k)}: ${pythonJsonDumps(v)}`)
      .join(', ')}}`
  }
  return JSON.stringify(value)
}

/**
 * A list or struct parameter as the KFP driver writes it on a command line: compact JSON, every
 * object's keys in code point order (Go marshals map keys sorted). The Argo target writes its
 * values so too, and the local runner delivers them so, whatever order the pipeline wrote the
 * keys in.
 *
 * @example
 * ```ts
 * driverJson({ b: 1, a: [true, null], '10': 'x', '2': 'y' }) // '{"10":"x","2":"y","a":[true,null],"b":1}'
 * ```
 */
export function driverJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(driverJson).join(',')}]`
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  // Written out, not rebuilt as an object: JavaScript orders integer-like keys ("2" before "10").
  const object = value as Readonly<Record<string, unknown>>
  return `{${Object.keys(object)
    .sort(compareCodePoints)
    .map((key) => `${JSON.stringify(key)}:${driverJson(object[key])}`)
    .join(',')}}`
}

/**
 * A number parameter as the KFP driver writes it as text (Go's `strconv.FormatFloat(v, 'f', -1,
 * 64)`): the shortest digits that read back as the same number, never in exponent form. Inside
 * JSON (lists, structs) numbers follow JSON's rules instead, which {@link driverJson} writes.
 *
 * @example
 * ```ts
 * driverNumberText(38480533480331290) // '38480533480331290' (not the exact '…288')
 * driverNumberText(1e21) // '1000000000000000000000'
 * driverNumberText(-1.5e-7) // '-0.00000015'
 * ```
 */
export function driverNumberText(value: number): string {
  if (Object.is(value, -0)) return '-0'
  const text = String(value)
  if (!text.includes('e')) return text
  // JavaScript switches to exponent form at 1e21 and below 1e-6; Go's 'f' never does.
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string]
  const negative = mantissa.startsWith('-')
  const digits = mantissa.replace('-', '').replace('.', '')
  const point = Number(exponentText) + 1
  const fixed = point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? digits + '0'.repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`
  return negative ? `-${fixed}` : fixed
}

/**
 * A parameter value as the KFP driver writes it on a command line: text as it is, a number in
 * full ({@link driverNumberText}), `true` / `false`, and lists and structs as {@link driverJson}.
 * The local runner delivers values so and the Argo target writes them so.
 *
 * @example
 * ```ts
 * driverText(1e21) // '1000000000000000000000'
 * driverText({ b: 1, a: 'x' }) // '{"a":"x","b":1}'
 * ```
 */
export function driverText(value: unknown): string {
  if (typeof value === 'string') return value
  return typeof value === 'number' ? driverNumberText(value) : driverJson(value)
}

/**
 * Compares strings by code point, as Python and Go sort them (and so the KFP SDK and driver):
 * unlike JavaScript's UTF-16 order, a character beyond U+FFFF sorts after U+E000–U+FFFF.
 *
 * @example
 * ```ts
 * ['\u{1F600}', '\uFB01'].sort(compareCodePoints) // ['\uFB01', '\u{1F600}']
 * ```
 */
export function compareCodePoints(a: string, b: string): number {
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

/** Renders one command-line argument as the KFP SDK does (Concat and IfPresent as JSON strings). */
export function renderKfpArg(arg: CommandArgNode): string {
  const rendered = renderJsonArg(arg)
  return typeof rendered === 'string' ? rendered : pythonJsonDumps(rendered)
}

const placeholderPattern = /\{\{\$(?:\.([a-z_]+)(?:\.([a-z_]+)\['([^']*)'\](?:\.([a-z_]+))?|\.([a-z_]+))?)?\}\}/g

function parsePlaceholder(match: RegExpMatchArray): PlaceholderNode | undefined {
  const [whole, scope, collection, name, field, bareField] = match
  if (whole === '{{$}}') return { kind: 'placeholder', ref: 'executorInput' }
  if (scope === 'outputs' && bareField === 'output_file') return { kind: 'placeholder', ref: 'executorOutputFile' }
  if (scope !== undefined && collection === undefined && bareField === undefined) return { kind: 'placeholder', ref: 'runtime', name: scope }
  if (name === undefined) return undefined
  if (scope === 'inputs' && collection === 'parameters' && field === undefined) return { kind: 'placeholder', ref: 'inputValue', name }
  if (scope === 'inputs' && collection === 'artifacts') {
    if (field === undefined) return { kind: 'placeholder', ref: 'inputArtifactList', name }
    if (field === 'path') return { kind: 'placeholder', ref: 'inputPath', name }
    if (field === 'uri') return { kind: 'placeholder', ref: 'inputUri', name }
    if (field === 'metadata') return { kind: 'placeholder', ref: 'inputMetadata', name }
  }
  if (scope === 'outputs' && collection === 'artifacts') {
    if (field === 'path') return { kind: 'placeholder', ref: 'outputPath', name }
    if (field === 'uri') return { kind: 'placeholder', ref: 'outputUri', name }
    if (field === 'metadata') return { kind: 'placeholder', ref: 'outputMetadata', name }
  }
  if (scope === 'outputs' && collection === 'parameters' && field === 'output_file') {
    return { kind: 'placeholder', ref: 'outputParameterFile', name }
  }
  return undefined
}

/** Parses a KFP string (literal text with `{{$…}}` placeholders) into a text argument. */
export function parseKfpText(text: string): TextArgNode {
  const parts: (string | PlaceholderNode)[] = []
  let last = 0
  for (const match of text.matchAll(placeholderPattern)) {
    const node = parsePlaceholder(match)
    if (!node) continue
    if (match.index > last) parts.push(text.slice(last, match.index))
    parts.push(node)
    last = match.index + match[0].length
  }
  if (last < text.length || parts.length === 0) parts.push(text.slice(last))
  return { kind: 'text', parts }
}

function parseJsonArg(value: unknown): CommandArgNode {
  if (typeof value === 'string') return parseKfpText(value)
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>
    const concat = record['Concat']
    if (Array.isArray(concat)) return { kind: 'concat', items: concat.map(parseJsonArg) }
    const ifPresent = record['IfPresent'] as Record<string, unknown> | undefined
    if (ifPresent && typeof ifPresent['InputName'] === 'string') {
      const asList = (v: unknown) => (Array.isArray(v) ? v : [v]).map(parseJsonArg)
      return {
        kind: 'ifPresent',
        input: ifPresent['InputName'],
        then: asList(ifPresent['Then'] ?? []),
        ...(ifPresent['Else'] !== undefined && { else: asList(ifPresent['Else']) }),
      }
    }
  }
  return parseKfpText(typeof value === 'string' ? value : JSON.stringify(value))
}

/** Parses one command-line string from KFP IR, recognizing `{"Concat": …}` and `{"IfPresent": …}`. */
export function parseKfpArg(text: string): CommandArgNode {
  if (text.startsWith('{"Concat"') || text.startsWith('{"IfPresent"')) {
    try {
      const parsed: unknown = JSON.parse(text)
      const node = parseJsonArg(parsed)
      if (node.kind !== 'text' && renderKfpArg(node) === text) return node
    } catch {
      // Not JSON after all: keep it as literal text.
    }
  }
  return parseKfpText(text)
}
