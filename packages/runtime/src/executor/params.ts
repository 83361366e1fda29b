/**
 * Parameter values by declared KFP type: checking them (zod), parsing them from text (Argo flags,
 * parameter files) and writing them as text (output parameter files), following the KFP
 * launcher's `metadata.TextToPbValue`.
 *
 * @module
 */
import type { ParameterType } from '@typeflow/dsl'
import * as z from 'zod/mini'
import { describeValue } from './errors.ts'
import { ExecutorError } from './errors.ts'
import { JsonObjectSchema, JsonSchema, nonJsonAt, PipelineTaskFinalStatusSchema } from './protocol.ts'
import type { Json, PipelineTaskFinalStatus } from './protocol.ts'

/**
 * A parameter value as a component function sees it: JSON for every type but
 * `TASK_FINAL_STATUS`, which arrives as a {@link PipelineTaskFinalStatus}.
 *
 * @example
 * ```ts
 * const v: ParameterValue = { a: [1, 'x'] }
 * ```
 */
export type ParameterValue = Json | PipelineTaskFinalStatus

const SCHEMAS: { readonly [T in ParameterType]: z.ZodMiniType<ParameterValue, unknown> } = {
  STRING: z.string(),
  // z.int() accepts safe integers only: beyond 2^53 a JSON number cannot carry an exact integer.
  NUMBER_INTEGER: z.int(),
  NUMBER_DOUBLE: z.number(),
  BOOLEAN: z.boolean(),
  LIST: z.array(JsonSchema),
  STRUCT: JsonObjectSchema,
  TASK_FINAL_STATUS: PipelineTaskFinalStatusSchema,
}

const EXPECTED: { readonly [T in ParameterType]: string } = {
  STRING: 'a string',
  NUMBER_INTEGER: 'an integer',
  NUMBER_DOUBLE: 'a finite number',
  BOOLEAN: 'a boolean',
  LIST: 'a JSON array',
  STRUCT: 'a JSON object',
  TASK_FINAL_STATUS: 'an object with a string "state"',
}

/**
 * Checks a value against a declared parameter type and returns it (a `TASK_FINAL_STATUS`
 * struct comes back normalized to {@link PipelineTaskFinalStatus}).
 *
 * @throws {ExecutorError} `<label> expects <TYPE> (<in words>), got <value> (<kind>)`, plus where
 * inside a LIST/STRUCT the first non-JSON value sits.
 * @example
 * ```ts
 * checkParameter('NUMBER_INTEGER', 3, 'input "n"') // 3
 * checkParameter('NUMBER_INTEGER', 3.5, 'input "n"') // throws: input "n" expects NUMBER_INTEGER (an integer), got 3.5 (a non-integer number)
 * ```
 */
export function checkParameter(type: ParameterType, value: unknown, label: string): ParameterValue {
  const result = SCHEMAS[type].safeParse(value)
  if (result.success) return result.data
  let detail = ''
  if (type === 'NUMBER_INTEGER' && Number.isInteger(value)) detail = '; integers must be within ±(2^53 - 1) to travel as JSON numbers'
  if (type === 'LIST' || type === 'STRUCT') {
    const bad = Array.isArray(value) === (type === 'LIST') && typeof value === 'object' && value !== null ? findNonJson(value, '') : undefined
    if (bad) detail = `; ${bad.path} is ${describeValue(bad.value)}, which JSON cannot carry`
  }
  throw new ExecutorError(`${label} expects ${type} (${EXPECTED[type]}), got ${describeValue(value)}${detail}`)
}

/**
 * Where the first value that JSON cannot represent sits inside `value`, if anywhere.
 *
 * @example
 * ```ts
 * findNonJson({ a: [1, undefined] }, 'cfg') // { path: 'cfg.a[1]', value: undefined }
 * findNonJson({ a: 1 }, 'cfg') // undefined
 * ```
 */
export function findNonJson(value: unknown, path: string): { path: string; value: unknown } | undefined {
  const bad = nonJsonAt(value)
  if (!bad) return undefined
  const where = bad.path.map((key) => (typeof key === 'number' ? `[${key}]` : /^[A-Za-z_][\w]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`)).join('')
  return { path: `${path}${where}` || 'the value', value: bad.value }
}

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True'])
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False'])
const FLOAT_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/**
 * Parses a parameter from its text form (an Argo `--param` value, a KFP output parameter file),
 * by declared type, the way the KFP launcher's `TextToPbValue` does: `STRING` raw (no trimming),
 * numbers and booleans trimmed (`ParseInt`/`ParseFloat`/`ParseBool`, so `t`, `TRUE`, `0` … are
 * booleans), `LIST`/`STRUCT`/`TASK_FINAL_STATUS` as JSON. The result is then checked with
 * {@link checkParameter}.
 *
 * @throws {ExecutorError} naming `label`, the type and the text.
 * @example
 * ```ts
 * parseParameterText('NUMBER_INTEGER', ' 42\n', 'input "n"') // 42
 * parseParameterText('BOOLEAN', 'T', 'input "flag"') // true
 * parseParameterText('STRING', ' hi \n', 'input "s"') // ' hi \n'
 * ```
 */
export function parseParameterText(type: ParameterType, text: string, label: string): ParameterValue {
  const trimmed = text.trim()
  let parsed: unknown = text
  switch (type) {
    case 'STRING':
      return text
    case 'NUMBER_INTEGER':
    case 'NUMBER_DOUBLE':
      // Any decimal number parses; the type check then rejects a fraction for NUMBER_INTEGER with a
      // clear message (and accepts an integral `3.0` or `1e3`, which Go's ParseInt would not).
      if (FLOAT_TEXT.test(trimmed)) parsed = Number(trimmed)
      break
    case 'BOOLEAN':
      if (GO_TRUE.has(trimmed)) parsed = true
      else if (GO_FALSE.has(trimmed)) parsed = false
      break
    default:
      try {
        parsed = JSON.parse(text)
      } catch {
        parsed = text
      }
  }
  return checkParameter(type, parsed, label)
}

/**
 * The text written to an output parameter file, which the KFP launcher parses back by type
 * (`TextToPbValue`) and Argo passes on as is: strings raw, numbers and booleans in their plain
 * decimal / `true`/`false` spelling, lists and structs as compact JSON. Round-trips through
 * {@link parseParameterText}.
 *
 * @example
 * ```ts
 * serializeParameter('STRING', 'a "b"') // 'a "b"'
 * serializeParameter('NUMBER_INTEGER', 3) // '3'
 * serializeParameter('STRUCT', { a: [1] }) // '{"a":[1]}'
 * ```
 */
export function serializeParameter(type: ParameterType, value: ParameterValue): string {
  if (type === 'STRING' && typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}
