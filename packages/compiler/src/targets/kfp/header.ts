import type { IoSpecNode, JsonValue, PipelineNode } from '@typeflow/dsl'
import { compareNames } from '../../analyse/graph.ts'

// The comment block follows the SDK's `extract_comments_from_pipeline_spec`
// (sdk/python/kfp/compiler/pipeline_spec_builder.py). The SDK writes values into the comment as they
// are; Typeflow additionally escapes the characters that would end a comment line or that YAML
// readers reject, so the file always loads.

const pythonTypeNames: Readonly<Record<string, string>> = {
  STRING: 'str',
  NUMBER_INTEGER: 'int',
  NUMBER_DOUBLE: 'float',
  BOOLEAN: 'bool',
  LIST: 'list',
  STRUCT: 'dict',
  TASK_FINAL_STATUS: 'PipelineTaskFinalStatus',
}

/** Python's backslash escape for one character (`\n`, `\x85`, `\u2028`, `\U0001f600`). */
function pythonEscape(char: string): string {
  switch (char) {
    case '\n':
      return '\\n'
    case '\r':
      return '\\r'
    case '\t':
      return '\\t'
  }
  const code = char.codePointAt(0)!
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`
  return `\\U${code.toString(16).padStart(8, '0')}`
}

/**
 * Characters that cannot stay in a comment line: line breaks (YAML 1.1 also breaks lines at NEL,
 * LS and PS) and everything PyYAML's reader refuses (C0/C1 controls, lone surrogates, U+FFFE/FFFF).
 */
const unsafeInComment = /[\0-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]|\p{Cs}/gu

function commentSafe(text: string): string {
  return text.replace(unsafeInComment, pythonEscape)
}

/** Characters Python's `str.isprintable()` rejects (ASCII space excepted): `repr` escapes them. */
const notPrintable = /(?! )[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/gu

/** Python's `repr` of a string: single quotes unless the text has `'` but no `"`. */
function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'"
  let body = text.replace(/\\/g, '\\\\').replace(notPrintable, pythonEscape)
  if (quote === "'") body = body.replace(/'/g, "\\'")
  return `${quote}${body}${quote}`
}

/** Python's `repr` of a float: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
function pythonFloat(value: number): string {
  if (Object.is(value, -0)) return '-0.0'
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string]
  const exponent = Number(exponentText)
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? '-' : '+'
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`
  }
  const fixed = String(value)
  return fixed.includes('.') ? fixed : `${fixed}.0`
}

/** Python's `repr` of a protobuf Value (numbers are floats), as `str(dict)` / `str(list)` print nested values. */
function pythonRepr(value: JsonValue): string {
  if (value === null) return 'None'
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (typeof value === 'number') return pythonFloat(value)
  if (typeof value === 'string') return pythonStringRepr(value)
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`
  return `{${Object.entries(value)
    .map(([k, v]) => `${pythonStringRepr(k)}: ${pythonRepr(v)}`)
    .join(', ')}}`
}

/** The `[Default: …]` text: the SDK quotes a string default as `'<text>'` without escaping, other values are `str(value)`. */
function defaultText(value: JsonValue): string {
  return typeof value === 'string' ? `'${commentSafe(value)}'` : commentSafe(pythonRepr(value))
}

/** Python's `str.splitlines()`: every Unicode line boundary, no trailing empty line. */
function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/)
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop()
  return lines
}

function typeName(spec: IoSpecNode): string {
  return spec.kind === 'parameter' ? pythonTypeNames[spec.type]! : spec.type.schemaTitle
}

/** The comment block the KFP SDK puts at the top of every compiled pipeline. */
export function kfpHeader(pipeline: PipelineNode): string {
  const lines = ['# PIPELINE DEFINITION', `# Name: ${commentSafe(pipeline.name)}`]
  if (pipeline.description) {
    const [first, ...rest] = splitLines(pipeline.description).map(commentSafe)
    lines.push(`# Description: ${first ?? ''}`, ...rest.map((l) => `#              ${l}`))
  }
  const inputs = Object.keys(pipeline.inputs).sort(compareNames)
  if (inputs.length > 0) {
    lines.push('# Inputs:')
    for (const name of inputs) {
      const spec = pipeline.inputs[name]!
      const def = spec.kind === 'parameter' && spec.default !== undefined ? ` [Default: ${defaultText(spec.default)}]` : ''
      lines.push(`#    ${commentSafe(name)}: ${typeName(spec)}${def}`)
    }
  }
  const outputs = Object.keys(pipeline.outputs).sort(compareNames)
  if (outputs.length > 0) {
    lines.push('# Outputs:')
    for (const name of outputs) lines.push(`#    ${commentSafe(name)}: ${typeName(pipeline.outputs[name]!.spec)}`)
  }
  return `${lines.join('\n')}\n`
}
