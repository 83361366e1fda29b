import { readFileSync, statSync } from 'node:fs'
import { parseAllDocuments, type YAMLError } from 'yaml'
import { z } from 'zod'
import type { ComponentDef } from './component.ts'
import type { Diagnostic } from './diagnostics.ts'
import { TypeflowError } from './errors.ts'
import type { ArtifactSpecNode, CommandArgNode, IoSpecNode, JsonValue, ParameterSpecNode, ParameterType, SourceLocation } from './ir.ts'
import { deepFreeze } from './ir.ts'
import { parseKfpArg } from './kfp-placeholders.ts'
import type { ArtifactSpec, ParamSpec } from './types.ts'

/** Inputs and outputs of a component loaded from YAML: known only at run time. */
export type LoadedSpecs = { readonly [name: string]: ParamSpec<any, boolean> | ArtifactSpec<string, boolean, boolean> }

/** A component loaded from a KFP YAML file. Its arguments are checked when the pipeline compiles. */
export type LoadedComponent = ComponentDef<LoadedSpecs, LoadedSpecs>

function yamlFailure(file: string, error: YAMLError): Diagnostic {
  const pos = error.linePos?.[0]
  return {
    code: 'E_COMPONENT_YAML',
    path: [],
    message: `malformed YAML: ${error.message.split('\n')[0]}`,
    source: { file, line: pos?.line ?? 1, column: pos?.col ?? 1 },
  }
}

/**
 * Largest YAML text loaded, in UTF-8 bytes. Components are kilobytes and compiled pipelines a few
 * megabytes, while parsing costs far more memory and time than the text's size (a 50 MB file of
 * small mappings takes ~3 GB and ~40 s): a hostile file is refused before it is parsed.
 */
const MAX_YAML_BYTES = 16 * 1024 * 1024

function tooLarge(file: string, bytes: number): TypeflowError {
  return new TypeflowError([
    {
      code: 'E_COMPONENT_YAML',
      path: [],
      message: `file is too large to load (${bytes} bytes; at most ${MAX_YAML_BYTES})`,
      source: { file, line: 1, column: 1 },
    },
  ])
}

function parseYaml(text: string, file: string): unknown[] {
  // UTF-16 length bounds the UTF-8 length from below: only texts near the limit need counting.
  if (text.length > MAX_YAML_BYTES || (text.length * 3 > MAX_YAML_BYTES && Buffer.byteLength(text) > MAX_YAML_BYTES)) {
    throw tooLarge(file, Buffer.byteLength(text))
  }
  // YAML streams hold printable characters only (YAML 1.2 `c-printable`); PyYAML, the KFP SDK's
  // reader, refuses the rest (NUL, other C0 controls, lone surrogates), the yaml package keeps them.
  const unprintable = /[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u.exec(text)
  if (unprintable) {
    const before = text.slice(0, unprintable.index)
    const line = before.split('\n').length
    const code = unprintable[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')
    throw new TypeflowError([
      {
        code: 'E_COMPONENT_YAML',
        path: [],
        message: `malformed YAML: character U+${code} is not allowed in YAML`,
        source: { file, line, column: unprintable.index - before.lastIndexOf('\n') },
      },
    ])
  }
  const docs = parseAllDocuments(text)
  if (!Array.isArray(docs)) throw new TypeflowError([{ code: 'E_COMPONENT_YAML', path: [], message: 'empty YAML file', source: { file, line: 1, column: 1 } }])
  const errors = docs.flatMap((d) => d.errors)
  if (errors.length > 0) throw new TypeflowError(errors.map((e) => yamlFailure(file, e)))
  // Tags the loader does not know (`!!python/object…`, `!custom`) would silently become plain
  // strings; the KFP SDK's safe loader refuses them, and so does this one.
  const tags = docs.flatMap((d) => d.warnings).filter((w) => w.code === 'TAG_RESOLVE_FAILED')
  if (tags.length > 0) throw new TypeflowError(tags.map((w) => ({ ...yamlFailure(file, w), message: `unsupported YAML tag: ${w.message.split('\n')[0]!.replace(/:$/, '')}` })))
  let values: unknown[]
  try {
    values = docs.map((d) => d.toJS({ maxAliasCount: 100 }) as unknown)
  } catch (error) {
    // Alias expansion past the limit (a "billion laughs" file) and nesting too deep to convert
    // are properties of the input: report them like any other malformed YAML.
    const why = error instanceof ReferenceError ? 'too many alias expansions (a YAML bomb?)' : error instanceof RangeError ? 'nesting too deep' : undefined
    if (why === undefined) throw error
    throw new TypeflowError([{ code: 'E_COMPONENT_YAML', path: [], message: `cannot load YAML: ${why}`, source: { file, line: 1, column: 1 } }])
  }
  if (values.length === 0 || values[0] === null || typeof values[0] !== 'object') {
    throw new TypeflowError([{ code: 'E_COMPONENT_YAML', path: [], message: 'expected a YAML mapping', source: { file, line: 1, column: 1 } }])
  }
  return values
}

function zodFailures(error: z.ZodError, file: string, prefix: readonly string[]): TypeflowError {
  return new TypeflowError(
    error.issues.map((issue) => ({
      code: 'E_COMPONENT_YAML' as const,
      path: [...prefix, ...issue.path.map(String)],
      message: issue.message,
      source: { file, line: 1, column: 1 },
    })),
  )
}

// ---------------------------------------------------------------------------------------------
// KFP v1 component.yaml

const v1Arg: z.ZodType<unknown> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.strictObject({ inputValue: z.string() }),
    z.strictObject({ inputPath: z.string() }),
    z.strictObject({ inputUri: z.string() }),
    z.strictObject({ outputPath: z.string() }),
    z.strictObject({ outputUri: z.string() }),
    z.strictObject({ executorInput: z.unknown() }),
    z.strictObject({ concat: z.array(v1Arg) }),
    z.strictObject({
      if: z.strictObject({
        cond: z.union([z.strictObject({ isPresent: z.string() }), z.boolean(), z.string()]),
        then: z.union([z.array(v1Arg), v1Arg]),
        else: z.union([z.array(v1Arg), v1Arg]).optional(),
      }),
    }),
  ]),
)

const v1Io = z.strictObject({
  name: z.string().min(1),
  type: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  description: z.string().optional(),
  default: z.unknown().optional(),
  optional: z.boolean().optional(),
  annotations: z.record(z.string(), z.unknown()).optional(),
})

const v1Component = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  inputs: z.array(v1Io).optional(),
  outputs: z.array(v1Io).optional(),
  implementation: z.strictObject({
    container: z.strictObject({
      image: z.string().min(1),
      command: z.array(v1Arg).optional(),
      args: z.array(v1Arg).optional(),
      env: z.record(z.string(), z.string()).optional(),
      fileOutputs: z.record(z.string(), z.string()).optional(),
    }),
  }),
})

// The rules below follow the KFP SDK's `ComponentSpec.from_v1_component_spec` and
// `maybe_convert_v1_yaml_placeholder_to_v2_placeholder` (sdk/python/kfp/dsl/structures.py,
// placeholders.py, types/type_utils.py), so a v1 component compiles to the IR the SDK writes.

/** SDK `PARAMETER_TYPES_MAPPING`: v1 type names (lowercased) that are parameters; every other type is an artifact. */
const v1ParameterTypes: Readonly<Record<string, ParameterType>> = {
  integer: 'NUMBER_INTEGER', int: 'NUMBER_INTEGER',
  double: 'NUMBER_DOUBLE', float: 'NUMBER_DOUBLE',
  string: 'STRING', str: 'STRING', text: 'STRING',
  bool: 'BOOLEAN', boolean: 'BOOLEAN',
  dict: 'STRUCT', list: 'LIST',
  jsonobject: 'STRUCT', jsonarray: 'LIST',
}

/** SDK `_ARTIFACT_CLASSES_MAPPING`: artifact type names, matched case-insensitively. */
const v1ArtifactTypes: Readonly<Record<string, string>> = {
  artifact: 'system.Artifact', model: 'system.Model', dataset: 'system.Dataset', metrics: 'system.Metrics',
  classificationmetrics: 'system.ClassificationMetrics', slicedclassificationmetrics: 'system.SlicedClassificationMetrics',
  html: 'system.HTML', markdown: 'system.Markdown',
}

/** SDK `_GOOGLE_TYPES_PATTERN`: `google.<Name>` types keep their title (version 0.0.1). */
const googleType = /^google.[A-Za-z]+$/

/** SDK `sanitize_input_name`: v1 input and output names become Python identifiers (`op-1` → `op_1`). */
function sanitizeV1IoName(name: string): string {
  return name.toLowerCase().replace(/[^_0-9a-z]+/g, '_').replace(/^_+|_+$/g, '')
}

/** SDK `get_canonical_name_for_outer_generic`: `typing.List[str]` → `List`, `Dict[str, int]` → `Dict`. */
function canonicalTypeName(type: string): string {
  // Python's `str.lstrip('typing.')` strips a set of characters, not a prefix; keep its behaviour.
  const name = type.startsWith('typing.') ? type.replace(/^[typing.]+/, '') : type
  const lower = name.toLowerCase()
  return lower.startsWith('list') || lower.startsWith('dict') ? name.split('[')[0]! : name
}

/** SDK `is_parameter_type`, used for `outputPath`: the short type name (or a dict type's key) names a parameter type. */
function isV1ParameterType(type: unknown): boolean {
  let name: string | undefined
  if (typeof type === 'string') name = /^(?:typing\.)?(\w+)/.exec(type)?.[1] ?? type
  else if (type !== null && typeof type === 'object') name = Object.keys(type)[0]
  return name !== undefined && name.toLowerCase() in v1ParameterTypes
}

/** Python's `distutils.util.strtobool`, as the SDK applies it to v1 boolean defaults. */
function strtobool(text: string): boolean | undefined {
  const lower = text.toLowerCase()
  if (['y', 'yes', 't', 'true', 'on', '1'].includes(lower)) return true
  if (['n', 'no', 'f', 'false', 'off', '0'].includes(lower)) return false
  return undefined
}

/** SDK `deserialize_v1_component_yaml_default`: casts by the raw type name (`Integer`, `JsonObject` …). */
function v1Default(raw: unknown, type: unknown): JsonValue {
  if (raw === null || typeof type !== 'string') return raw as JsonValue
  switch (type.toLowerCase()) {
    case 'integer':
    case 'int':
      return typeof raw === 'string' ? Number.parseInt(raw, 10) : Math.trunc(Number(raw))
    case 'double':
    case 'float':
      return Number(raw)
    case 'string':
    case 'str':
    case 'text':
      return typeof raw === 'string' ? raw : typeof raw === 'boolean' ? (raw ? 'True' : 'False') : JSON.stringify(raw)
    case 'bool':
    case 'boolean':
      return typeof raw === 'string' ? (strtobool(raw) ?? raw) : (raw as JsonValue)
    case 'dict':
    case 'list':
    case 'jsonobject':
    case 'jsonarray':
      if (typeof raw !== 'string') return raw as JsonValue
      try {
        return JSON.parse(raw) as JsonValue
      } catch {
        return raw
      }
    default:
      return raw as JsonValue
  }
}

type V1Io = z.infer<typeof v1Io>

/**
 * KFP's v1→v2 rule: the declared type alone decides. Parameter type names (`String`, `Integer`,
 * `List[str]` …) make parameters; artifact names, `google.*` types, unknown names, dict-style types
 * and untyped I/O make artifacts. Descriptions are not carried over (the SDK drops them).
 */
function v1Spec(io: V1Io): IoSpecNode {
  const type = typeof io.type === 'string' ? canonicalTypeName(io.type) : io.type
  const optional = io.optional === true || 'default' in io
  const parameterType = typeof type === 'string' ? v1ParameterTypes[type.toLowerCase()] : undefined
  if (parameterType !== undefined) {
    const spec: ParameterSpecNode = {
      kind: 'parameter',
      type: parameterType,
      optional,
      ...(io.default !== undefined && io.default !== null && { default: v1Default(io.default, io.type) }),
    }
    return spec
  }
  const title =
    typeof type === 'string' ? (googleType.test(type) ? type : (v1ArtifactTypes[type.toLowerCase()] ?? 'system.Artifact')) : 'system.Artifact'
  const spec: ArtifactSpecNode = {
    kind: 'artifact',
    type: { schemaTitle: title, schemaVersion: '0.0.1' },
    isList: false,
    optional,
  }
  return spec
}

function v1Arguments(args: readonly unknown[], outputTypes: ReadonlyMap<string, unknown>): CommandArgNode[] {
  const one = (arg: unknown): CommandArgNode => {
    if (typeof arg === 'string' || typeof arg === 'number') return { kind: 'text', parts: [String(arg)] }
    const record = arg as Record<string, unknown>
    const name = (key: string) => sanitizeV1IoName(record[key] as string)
    if ('inputValue' in record) return { kind: 'text', parts: [{ kind: 'placeholder', ref: 'inputValue', name: name('inputValue') }] }
    if ('inputPath' in record) return { kind: 'text', parts: [{ kind: 'placeholder', ref: 'inputPath', name: name('inputPath') }] }
    if ('inputUri' in record) return { kind: 'text', parts: [{ kind: 'placeholder', ref: 'inputUri', name: name('inputUri') }] }
    if ('outputPath' in record) {
      const ref = isV1ParameterType(outputTypes.get(record['outputPath'] as string)) ? 'outputParameterFile' : 'outputPath'
      return { kind: 'text', parts: [{ kind: 'placeholder', ref, name: name('outputPath') }] }
    }
    if ('outputUri' in record) return { kind: 'text', parts: [{ kind: 'placeholder', ref: 'outputUri', name: name('outputUri') }] }
    if ('executorInput' in record) return { kind: 'text', parts: [{ kind: 'placeholder', ref: 'executorInput' }] }
    if ('concat' in record) return { kind: 'concat', items: (record['concat'] as unknown[]).map(one) }
    const branch = record['if'] as { cond: unknown; then: unknown; else?: unknown }
    const list = (v: unknown) => (Array.isArray(v) ? v : [v]).map(one)
    const cond = branch.cond as { isPresent?: string }
    return {
      kind: 'ifPresent',
      input: sanitizeV1IoName(cond.isPresent ?? ''),
      then: list(branch.then),
      ...(branch.else !== undefined && { else: list(branch.else) }),
    }
  }
  return args.map(one)
}

/** A v1 side's specs by their v2 names; two names that become one would merge silently, so they are refused. */
function v1Specs(ios: readonly { readonly name: string }[], side: 'inputs' | 'outputs', file: string): Record<string, IoSpecNode> {
  const specs: Record<string, IoSpecNode> = {}
  const original = new Map<string, string>()
  for (const io of ios) {
    const name = sanitizeV1IoName(io.name)
    const earlier = original.get(name)
    if (earlier !== undefined) {
      throw new TypeflowError([
        {
          code: 'E_COMPONENT_YAML',
          path: [side, io.name],
          message: `${side} ${JSON.stringify(earlier)} and ${JSON.stringify(io.name)} both become "${name}" (KFP turns v1 names into Python identifiers); rename one of them`,
          source: { file, line: 1, column: 1 },
        },
      ])
    }
    original.set(name, io.name)
    specs[name] = v1Spec(io as Parameters<typeof v1Spec>[0])
  }
  return specs
}

function fromV1(value: unknown, file: string): LoadedComponent {
  const parsed = v1Component.safeParse(value)
  if (!parsed.success) throw zodFailures(parsed.error, file, [])
  const def = parsed.data
  const container = def.implementation.container
  const inputs = v1Specs(def.inputs ?? [], 'inputs', file)
  const outputs = v1Specs(def.outputs ?? [], 'outputs', file)
  const outputTypes = new Map((def.outputs ?? []).map((io) => [io.name, io.type] as const))
  return deepFreeze({
    kind: 'container',
    name: def.name,
    ...(def.description !== undefined && { description: def.description }),
    inputs: inputs as LoadedSpecs,
    outputs: outputs as LoadedSpecs,
    image: container.image,
    ...(container.command !== undefined && { command: v1Arguments(container.command, outputTypes) }),
    ...(container.args !== undefined && { args: v1Arguments(container.args, outputTypes) }),
    source: { file, line: 1, column: 1 },
  })
}

// ---------------------------------------------------------------------------------------------
// KFP v2 IR (PipelineSpec): one compiled component, or every component of a compiled pipeline

const irArtifactType = z.strictObject({
  schemaTitle: z.string().optional(),
  schemaVersion: z.string().optional(),
  instanceSchema: z.string().optional(),
})
const irParameter = z.strictObject({
  parameterType: z.enum(['STRING', 'NUMBER_INTEGER', 'NUMBER_DOUBLE', 'BOOLEAN', 'LIST', 'STRUCT', 'TASK_FINAL_STATUS', 'TASK_CONFIG']),
  defaultValue: z.unknown().optional(),
  isOptional: z.boolean().optional(),
  description: z.string().optional(),
})
const irArtifact = z.strictObject({
  artifactType: irArtifactType,
  isArtifactList: z.boolean().optional(),
  isOptional: z.boolean().optional(),
  description: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
})
const irIo = z
  .strictObject({ parameters: z.record(z.string(), irParameter).optional(), artifacts: z.record(z.string(), irArtifact).optional() })
  .optional()
const irComponent = z.looseObject({ executorLabel: z.string().optional(), inputDefinitions: irIo, outputDefinitions: irIo })
const irContainer = z.looseObject({
  image: z.string(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
})
const irSpec = z.looseObject({
  pipelineInfo: z.looseObject({ name: z.string() }),
  components: z.record(z.string(), irComponent).optional(),
  deploymentSpec: z.looseObject({ executors: z.record(z.string(), z.looseObject({ container: irContainer.optional() })) }).optional(),
  root: z.looseObject({}),
})

function irIoSpecs(io: z.infer<typeof irIo>): Record<string, IoSpecNode> {
  const specs: Record<string, IoSpecNode> = {}
  for (const [name, p] of Object.entries(io?.parameters ?? {})) {
    if (p.parameterType === 'TASK_CONFIG') continue
    specs[name] = {
      kind: 'parameter',
      type: p.parameterType,
      // The SDK reads IR written by kfp<=2.0.0b8 (defaults without isOptional) as optional too.
      optional: p.isOptional ?? p.defaultValue !== undefined,
      ...(p.defaultValue !== undefined && { default: p.defaultValue as JsonValue }),
      ...(p.description !== undefined && { description: p.description }),
    }
  }
  for (const [name, a] of Object.entries(io?.artifacts ?? {})) {
    specs[name] = {
      kind: 'artifact',
      type: { schemaTitle: a.artifactType.schemaTitle ?? 'system.Artifact', schemaVersion: a.artifactType.schemaVersion ?? '0.0.1' },
      isList: a.isArtifactList === true,
      optional: a.isOptional === true,
      ...(a.description !== undefined && { description: a.description }),
    }
  }
  return specs
}

function parseIr(value: unknown, file: string): z.infer<typeof irSpec> {
  const parsed = irSpec.safeParse(value)
  if (!parsed.success) throw zodFailures(parsed.error, file, [])
  return parsed.data
}

function componentFromIr(spec: z.infer<typeof irSpec>, key: string, name: string, file: string): LoadedComponent | undefined {
  const component = spec.components?.[key]
  if (!component?.executorLabel) return undefined
  const executor = spec.deploymentSpec?.executors[component.executorLabel]
  if (!executor?.container) return undefined
  const container = executor.container
  return deepFreeze({
    kind: 'container',
    name,
    inputs: irIoSpecs(component.inputDefinitions) as LoadedSpecs,
    outputs: irIoSpecs(component.outputDefinitions) as LoadedSpecs,
    image: container.image,
    ...(container.command !== undefined && { command: container.command.map(parseKfpArg) }),
    ...(container.args !== undefined && { args: container.args.map(parseKfpArg) }),
    source: { file, line: 1, column: 1 } satisfies SourceLocation,
  })
}

function isV1(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'implementation' in value
}

/**
 * Loads a KFP component from YAML text: a v1 `component.yaml`, or a v2 IR file holding one
 * compiled component. Malformed YAML, unknown fields and tags, alias bombs and texts over 16 MiB
 * throw a `TypeflowError` whose diagnostics (`E_COMPONENT_YAML`) name the file and the location.
 *
 * @example
 * ```ts
 * import { loadComponent } from '@typeflow/dsl/kfp'
 * const add = loadComponent(`
 * name: Add
 * inputs: [{name: a, type: Integer}, {name: b, type: Integer}]
 * outputs: [{name: sum, type: Integer}]
 * implementation:
 *   container:
 *     image: alpine
 *     command: [sh, -c, 'echo $(($0+$1)) > $2', {inputValue: a}, {inputValue: b}, {outputPath: sum}]
 * `)
 * ```
 */
export function loadComponent(text: string, file = '<inline>'): LoadedComponent {
  const [first] = parseYaml(text, file)
  if (isV1(first)) return fromV1(first, file)
  const spec = parseIr(first, file)
  const keys = Object.keys(spec.components ?? {}).filter((k) => spec.components?.[k]?.executorLabel)
  if (keys.length !== 1) {
    throw new TypeflowError([
      {
        code: 'E_COMPONENT_YAML',
        path: ['components'],
        message: `expected exactly one container component, found ${keys.length}; use loadPipelineComponents for a pipeline`,
        source: { file, line: 1, column: 1 },
      },
    ])
  }
  const loaded = componentFromIr(spec, keys[0]!, spec.pipelineInfo.name, file)
  if (!loaded) {
    throw new TypeflowError([{ code: 'E_COMPONENT_YAML', path: ['deploymentSpec'], message: 'the component has no container executor', source: { file, line: 1, column: 1 } }])
  }
  return loaded
}

/** Loads a component from a YAML file on disk; see {@link loadComponent}. */
export function loadComponentFile(path: string): LoadedComponent {
  return loadComponent(readText(path), path)
}

/**
 * Loads every container component of a compiled KFP pipeline, keyed by component key without
 * the `comp-` prefix, so existing component libraries can be reused as they are.
 *
 * @example
 * ```ts
 * import { loadPipelineComponents } from '@typeflow/dsl/kfp'
 * declare const compiledPipelineYaml: string
 * const components = loadPipelineComponents(compiledPipelineYaml)
 * const trainer = components['train']
 * ```
 */
export function loadPipelineComponents(text: string, file = '<inline>'): Readonly<Record<string, LoadedComponent>> {
  const [first] = parseYaml(text, file)
  const spec = parseIr(first, file)
  const result: Record<string, LoadedComponent> = {}
  for (const key of Object.keys(spec.components ?? {}).sort()) {
    const name = key.replace(/^comp-/, '')
    const loaded = componentFromIr(spec, key, name, file)
    if (loaded) result[name] = loaded
  }
  return Object.freeze(result)
}

function readText(path: string): string {
  let bytes: Buffer
  try {
    // Checked before reading: a huge file, a device or a FIFO is never read into memory.
    const stats = statSync(path)
    if (!stats.isFile()) throw new TypeflowError([{ code: 'E_IO', path: [], message: `cannot read ${path}: not a regular file` }])
    if (stats.size > MAX_YAML_BYTES) throw tooLarge(path, stats.size)
    bytes = readFileSync(path)
  } catch (error) {
    if (error instanceof TypeflowError) throw error
    throw new TypeflowError([{ code: 'E_IO', path: [], message: `cannot read ${path}: ${(error as Error).message}` }])
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new TypeflowError([{ code: 'E_COMPONENT_YAML', path: [], message: 'file is not valid UTF-8', source: { file: path, line: 1, column: 1 } }])
  }
}
