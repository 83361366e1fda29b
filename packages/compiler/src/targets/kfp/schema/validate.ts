/**
 * Strict validation of KFP v2 IR documents (PipelineSpec, PlatformSpec) against the hand-written JSON Schemas in
 * this folder, with readable, JSON-pointer-addressed issues.
 *
 * The ajv validators are compiled once, lazily, on first use and cached for the life of the module.
 */

import type { ErrorObject, ValidateFunction } from 'ajv'
import * as generated from './generated/validators.js'
import { parseAllDocuments } from 'yaml'

/**
 * One schema violation.
 *
 * @example
 * ```ts
 * const issue: SchemaIssue = { path: '/root/dag/tasks/train', message: 'unknown field "foo" in PipelineTaskSpec' }
 * ```
 */
export interface SchemaIssue {
  /** JSON pointer into the validated document, e.g. `/root/dag/tasks/train/cachingOptions` (`''` = the document). */
  readonly path: string
  /** Human-readable description, e.g. `unknown field "foo" in PipelineTaskSpec`. */
  readonly message: string
  /** Index of the YAML document the issue belongs to; set by {@link validateKfpDocuments} and {@link parseKfpYaml}. */
  readonly document?: number
}

// ---------------------------------------------------------------------------------------------------------------
// Compiled validators (lazy, module-level cache)

// Precompiled from the schemas by scripts/generate-validators.ts: compiling them with ajv at
// run time costs ~0.4 s per process. test/conformance/kfp-schema-generated.test.ts keeps them in sync.
function getValidators(): { readonly pipeline: ValidateFunction; readonly platform: ValidateFunction } {
  return generated
}

// ---------------------------------------------------------------------------------------------------------------
// Error formatting

type SchemaObject = Readonly<Record<string, unknown>>

const isObject = (v: unknown): v is SchemaObject => typeof v === 'object' && v !== null && !Array.isArray(v)
const quote = (s: string): string => JSON.stringify(s)

/** What a schema `title` means, for "expected …" messages. */
const SCALAR_DESCRIPTIONS: Readonly<Record<string, string>> = {
  int32: 'an int32 (JSON integer)',
  int64: 'an int64 (decimal string such as "10", or a JSON integer)',
  uint64: 'a uint64 (decimal string such as "10", or a JSON integer)',
  double: 'a number (double)',
  'google.protobuf.Duration': 'a duration string such as "3600s"',
  'google.protobuf.Struct': 'an object (google.protobuf.Struct)',
}

function describeExpected(schema: SchemaObject): string {
  const title = typeof schema['title'] === 'string' ? schema['title'] : undefined
  if (title !== undefined) {
    const scalar = SCALAR_DESCRIPTIONS[title]
    if (scalar !== undefined) return scalar
  }
  const type = schema['type']
  const types = Array.isArray(type) ? type.map(String) : typeof type === 'string' ? [type] : []
  const words = types.map((t) => (t === 'object' || t === 'array' || t === 'integer' ? `an ${t}` : `a ${t}`))
  const base = words.length > 0 ? words.join(' or ') : 'a different value'
  return title !== undefined && types.includes('object') ? `${base} (${title})` : base
}

function describeActual(data: unknown): string {
  if (data === null) return 'null'
  if (Array.isArray(data)) return 'an array'
  switch (typeof data) {
    case 'string':
      return `string ${quote(data.length > 60 ? `${data.slice(0, 57)}...` : data)}`
    case 'number':
      return Number.isInteger(data) ? `integer ${data}` : `number ${data}`
    case 'boolean':
      return `boolean ${data}`
    case 'object':
      return 'an object'
    default:
      return typeof data
  }
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0
    prev[0] = i
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] ?? 0
      const left = prev[j - 1] ?? 0
      prev[j] = Math.min(up + 1, left + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1))
      diag = up
    }
  }
  return prev[b.length] ?? 0
}

function unknownFieldMessage(key: string, parent: SchemaObject): string {
  const title = typeof parent['title'] === 'string' ? ` in ${parent['title']}` : ''
  const props = isObject(parent['properties']) ? Object.keys(parent['properties']) : []
  const norm = (s: string): string => s.replace(/[_-]/g, '').toLowerCase()
  let best: string | undefined
  let bestDistance = Infinity
  for (const p of props) {
    const d = norm(p) === norm(key) ? 0 : editDistance(p, key)
    if (d < bestDistance) {
      best = p
      bestDistance = d
    }
  }
  if (best !== undefined && bestDistance <= Math.max(1, Math.min(3, Math.floor(key.length / 3)))) {
    return `unknown field ${quote(key)}${title} (did you mean ${quote(best)}?)`
  }
  const allowed = props.length > 0 ? `; allowed fields: ${props.join(', ')}` : ''
  return `unknown field ${quote(key)}${title}${allowed}`
}

function formatError(e: ErrorObject): string {
  const parent: SchemaObject = isObject(e.parentSchema) ? e.parentSchema : {}
  const title = typeof parent['title'] === 'string' ? parent['title'] : undefined
  const params = e.params as Record<string, unknown>
  switch (e.keyword) {
    case 'additionalProperties':
      return unknownFieldMessage(String(params['additionalProperty']), parent)
    case 'required':
      return `missing required field ${quote(String(params['missingProperty']))}${title !== undefined ? ` in ${title}` : ''}`
    case 'type':
      return `expected ${describeExpected(parent)}, got ${describeActual(e.data)}`
    case 'enum': {
      const allowed = Array.isArray(params['allowedValues']) ? params['allowedValues'].map(String) : []
      return `invalid ${title ?? 'enum'} value ${describeActual(e.data)}; allowed values: ${allowed.join(', ')}`
    }
    case 'pattern':
      if (title !== undefined && SCALAR_DESCRIPTIONS[title] !== undefined) {
        return `expected ${SCALAR_DESCRIPTIONS[title]}, got ${describeActual(e.data)}`
      }
      if (typeof parent['description'] === 'string') return `expected ${parent['description']}, got ${describeActual(e.data)}`
      return `${describeActual(e.data)} does not match the pattern ${String(params['pattern'])}`
    case 'minLength':
      return 'must not be empty'
    case 'minItems':
      return `must have at least ${String(params['limit'])} item(s)`
    case 'minimum':
    case 'maximum':
      return title !== undefined && SCALAR_DESCRIPTIONS[title] !== undefined
        ? `expected ${SCALAR_DESCRIPTIONS[title]}, got ${describeActual(e.data)} (out of range)`
        : `must be ${String(params['comparison'])} ${String(params['limit'])}`
    case 'not': {
      const group = typeof parent['description'] === 'string' ? parent['description'] : 'oneof'
      const not = isObject(e.schema) ? e.schema : {}
      // allOf entry {description: 'oneof <group>', not: {required: [a, b]}}: both are set
      if (Array.isArray(not['required'])) {
        return `fields ${not['required'].map((m) => quote(String(m))).join(' and ')} are mutually exclusive (${group}): set only one`
      }
      // allOf entry {description: 'oneof <group>', not: {type: 'object', properties: {a: false, b: false, ...}}}: none is set
      const members = isObject(not['properties']) ? Object.keys(not['properties']) : []
      return `exactly one of ${members.map(quote).join(', ')} must be set (${group})`
    }
    default:
      return e.message ?? `fails schema keyword "${e.keyword}"`
  }
}

function toIssues(errors: readonly ErrorObject[] | null | undefined, document?: number): SchemaIssue[] {
  if (errors === null || errors === undefined || errors.length === 0) return []
  const issues: SchemaIssue[] = []
  const seen = new Set<string>()
  for (const e of errors) {
    const message = formatError(e)
    const key = `${e.instancePath}\u0000${message}`
    if (seen.has(key)) continue
    seen.add(key)
    issues.push(document === undefined ? { path: e.instancePath, message } : { path: e.instancePath, message, document })
  }
  return issues
}

// ---------------------------------------------------------------------------------------------------------------
// Public API

/**
 * Validates one KFP v2 IR `PipelineSpec` document (already parsed from YAML/JSON).
 *
 * @returns the issues found; empty when the document is valid.
 * @example
 * ```ts
 * const issues = validatePipelineSpec({ pipelineInfo: { name: 'p' }, root: { dag: {} }, schemaVersion: 2 })
 * // [{ path: '/schemaVersion', message: 'expected a string, got integer 2' }]
 * ```
 */
export function validatePipelineSpec(doc: unknown): readonly SchemaIssue[] {
  const validate = getValidators().pipeline
  return validate(doc) ? [] : toIssues(validate.errors)
}

/**
 * Validates one KFP `PlatformSpec` document (the optional second document of a compiled KFP YAML file);
 * `platforms.kubernetes.deploymentSpec.executors.*` are validated as `kfp_kubernetes.KubernetesExecutorConfig`.
 *
 * @returns the issues found; empty when the document is valid.
 * @example
 * ```ts
 * validatePlatformSpec({ platforms: { kubernetes: { deploymentSpec: { executors: { 'exec-a': { nodeSelector: { lables: {} } } } } } } })
 * // [{ path: '/platforms/kubernetes/deploymentSpec/executors/exec-a/nodeSelector',
 * //    message: 'unknown field "lables" in NodeSelector (did you mean "labels"?)' }]
 * ```
 */
export function validatePlatformSpec(doc: unknown): readonly SchemaIssue[] {
  const validate = getValidators().platform
  return validate(doc) ? [] : toIssues(validate.errors)
}

/**
 * The PipelineSpec with each executor object once: `deploymentSpec.executors` is a map that takes
 * any key, so an object under several keys (the compiler shares one per component) is valid under
 * all of them when it is under one. A large pipeline runs a few executors thousands of times.
 */
function withDistinctExecutors(doc: unknown): unknown {
  if (!isObject(doc) || !isObject(doc['deploymentSpec'])) return doc
  const deployment = doc['deploymentSpec']
  const executors = deployment['executors']
  if (!isObject(executors)) return doc
  const seen = new Set<unknown>()
  const distinct: Record<string, unknown> = {}
  let repeated = false
  for (const key of Object.keys(executors)) {
    const executor = executors[key]
    if (typeof executor === 'object' && executor !== null) {
      if (seen.has(executor)) {
        repeated = true
        continue
      }
      seen.add(executor)
    }
    distinct[key] = executor
  }
  return repeated ? { ...doc, deploymentSpec: { ...deployment, executors: distinct } } : doc
}

/** Options of {@link validateKfpDocuments}. */
export interface KfpValidationOptions {
  /**
   * Unwraps values that stand for numbers (the compiler's float wrapper, written `2.0`); they are
   * accepted where a number is, and where an integer is when integral (Struct values are doubles).
   */
  readonly floatValue?: (value: unknown) => number | undefined
}

/**
 * Validates a whole KFP YAML file's documents: first is PipelineSpec, an optional second is PlatformSpec.
 * Every issue carries `document` (0 or 1); paths are relative to that document.
 *
 * @example
 * ```ts
 * const { documents, issues } = parseKfpYaml(readFileSync('pipeline.yaml', 'utf8'))
 * const all = [...issues, ...validateKfpDocuments(documents)]
 * if (all.length > 0) throw new Error(all.map((i) => `${i.path}: ${i.message}`).join('\n'))
 * ```
 */
export function validateKfpDocuments(docs: readonly unknown[], options: KfpValidationOptions = {}): readonly SchemaIssue[] {
  if (docs.length === 0) {
    return [{ path: '', message: 'no YAML documents: expected a PipelineSpec document', document: 0 }]
  }
  const issues: SchemaIssue[] = []
  // The compiler marks doubles it must write as `2.0` with a wrapper; they are numbers here.
  const floatValue = options.floatValue
  const standsForNumber = (e: ErrorObject) => {
    if (e.keyword !== 'type' || !floatValue) return false
    const value = floatValue(e.data)
    const types = [e.params['type']].flat()
    return value !== undefined && (types.includes('number') || (types.includes('integer') && Number.isInteger(value)))
  }
  const real = (errors: ValidateFunction['errors']) => errors?.filter((e) => !standsForNumber(e))
  const pipeline = getValidators().pipeline
  if (!pipeline(withDistinctExecutors(docs[0]))) issues.push(...toIssues(real(pipeline.errors), 0))
  if (docs.length > 1) {
    const platform = getValidators().platform
    if (!platform(docs[1])) issues.push(...toIssues(real(platform.errors), 1))
  }
  for (let i = 2; i < docs.length; i++) {
    issues.push({
      path: '',
      message: `unexpected document #${i + 1}: a KFP file holds a PipelineSpec and at most one PlatformSpec`,
      document: i,
    })
  }
  return issues
}

/**
 * Parses the text of a KFP YAML file into plain JS documents with the `yaml` package
 * (`parseAllDocuments` + `toJS()`); YAML syntax errors (and duplicate keys) are returned as issues.
 *
 * @example
 * ```ts
 * const { documents, issues } = parseKfpYaml('pipelineInfo: {name: p}\n---\nplatforms: {}\n')
 * // documents.length === 2, issues.length === 0
 * ```
 */
export function parseKfpYaml(text: string): {
  readonly documents: readonly unknown[]
  readonly issues: readonly SchemaIssue[]
} {
  const documents: unknown[] = []
  const issues: SchemaIssue[] = []
  const parsed = parseAllDocuments(text)
  if (!Array.isArray(parsed)) return { documents, issues } // EmptyStream: no documents at all
  parsed.forEach((doc, index) => {
    for (const err of doc.errors) {
      const firstLine = (err.message.split('\n')[0] ?? err.code).replace(/:$/, '') // drop the code frame
      issues.push({ path: '', message: `YAML error: ${firstLine}`, document: index })
    }
    if (doc.errors.length === 0) documents.push(doc.toJS())
  })
  return { documents, issues }
}
