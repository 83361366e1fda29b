import { readFileSync } from 'node:fs'
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

function parseYaml(text: string, file: string): unknown[] {
  const docs = parseAllDocuments(text)
  if (!Array.isArray(docs)) throw new TypeflowError([{ code: 'E_COMPONENT_YAML', path: [], message: 'empty YAML file', source: { file, line: 1, column: 1 } }])
  const errors = docs.flatMap((d) => d.errors)
  if (errors.length > 0) throw new TypeflowError(errors.map((e) => yamlFailure(file, e)))
  const values = docs.map((d) => d.toJS({ maxAliasCount: 100 }) as unknown)
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

const v1ParameterTypes: Readonly<Record<string, ParameterType>> = {
  string: 'STRING', str: 'STRING', text: 'STRING',
  integer: 'NUMBER_INTEGER', int: 'NUMBER_INTEGER',
  float: 'NUMBER_DOUBLE', double: 'NUMBER_DOUBLE',
  boolean: 'BOOLEAN', bool: 'BOOLEAN',
  list: 'LIST', jsonarray: 'LIST',
  dict: 'STRUCT', jsonobject: 'STRUCT',
}

const systemArtifacts = new Set(['Artifact', 'Dataset', 'Model', 'Metrics', 'ClassificationMetrics', 'SlicedClassificationMetrics', 'HTML', 'Markdown'])

function v1TypeName(type: unknown): string | undefined {
  if (typeof type === 'string') return type
  if (type !== null && typeof type === 'object') return Object.keys(type)[0]
  return undefined
}

function v1Default(raw: unknown, type: ParameterType): JsonValue {
  if (typeof raw !== 'string') return raw as JsonValue
  switch (type) {
    case 'NUMBER_INTEGER':
    case 'NUMBER_DOUBLE':
      return Number(raw)
    case 'BOOLEAN':
      return raw.toLowerCase() === 'true'
    case 'LIST':
    case 'STRUCT':
      return JSON.parse(raw) as JsonValue
    default:
      return raw
  }
}

type V1Io = z.infer<typeof v1Io>

/** KFP's v1→v2 rule: an input read by value is a parameter, one read by path or URI is an artifact. */
function v1Spec(io: V1Io, usedAsValue: boolean, direction: 'input' | 'output'): IoSpecNode {
  const typeName = v1TypeName(io.type)
  const parameterType = typeName === undefined ? undefined : v1ParameterTypes[typeName.toLowerCase()]
  const isParameter = parameterType !== undefined || (direction === 'input' && usedAsValue)
  const optional = io.optional === true || io.default !== undefined
  if (isParameter) {
    const type = parameterType ?? 'STRING'
    const spec: ParameterSpecNode = {
      kind: 'parameter',
      type,
      optional,
      ...(io.default !== undefined && { default: v1Default(io.default, type) }),
      ...(io.description !== undefined && { description: io.description }),
    }
    return spec
  }
  const title = typeName !== undefined && systemArtifacts.has(typeName) ? `system.${typeName}` : 'system.Artifact'
  const spec: ArtifactSpecNode = {
    kind: 'artifact',
    type: { schemaTitle: title, schemaVersion: '0.0.1' },
    isList: false,
    optional,
    ...(io.description !== undefined && { description: io.description }),
  }
  return spec
}

function collectValueUses(arg: unknown, into: Set<string>): void {
  if (arg === null || typeof arg !== 'object') return
  const record = arg as Record<string, unknown>
  if (typeof record['inputValue'] === 'string') into.add(record['inputValue'])
  for (const value of Object.values(record)) {
    if (Array.isArray(value)) value.forEach((v) => collectValueUses(v, into))
    else collectValueUses(value, into)
  }
}

function v1Arguments(args: readonly unknown[], specs: { inputs: Record<string, IoSpecNode>; outputs: Record<string, IoSpecNode> }): CommandArgNode[] {
  const one = (arg: unknown): CommandArgNode => {
    if (typeof arg === 'string' || typeof arg === 'number') return { kind: 'text', parts: [String(arg)] }
    const record = arg as Record<string, unknown>
    const name = (key: string) => record[key] as string
    if ('inputValue' in record) return { kind: 'text', parts: [{ kind: 'placeholder', ref: 'inputValue', name: name('inputValue') }] }
    if ('inputPath' in record) return { kind: 'text', parts: [{ kind: 'placeholder', ref: 'inputPath', name: name('inputPath') }] }
    if ('inputUri' in record) return { kind: 'text', parts: [{ kind: 'placeholder', ref: 'inputUri', name: name('inputUri') }] }
    if ('outputPath' in record) {
      const output = specs.outputs[name('outputPath')]
      const ref = output?.kind === 'parameter' ? 'outputParameterFile' : 'outputPath'
      return { kind: 'text', parts: [{ kind: 'placeholder', ref, name: name('outputPath') }] }
    }
    if ('outputUri' in record) return { kind: 'text', parts: [{ kind: 'placeholder', ref: 'outputUri', name: name('outputUri') }] }
    if ('concat' in record) return { kind: 'concat', items: (record['concat'] as unknown[]).map(one) }
    const branch = record['if'] as { cond: unknown; then: unknown; else?: unknown }
    const list = (v: unknown) => (Array.isArray(v) ? v : [v]).map(one)
    const cond = branch.cond as { isPresent?: string }
    return {
      kind: 'ifPresent',
      input: cond.isPresent ?? '',
      then: list(branch.then),
      ...(branch.else !== undefined && { else: list(branch.else) }),
    }
  }
  return args.map(one)
}

function fromV1(value: unknown, file: string): LoadedComponent {
  const parsed = v1Component.safeParse(value)
  if (!parsed.success) throw zodFailures(parsed.error, file, [])
  const def = parsed.data
  const container = def.implementation.container
  const valueUses = new Set<string>()
  for (const arg of [...(container.command ?? []), ...(container.args ?? [])]) collectValueUses(arg, valueUses)
  const inputs: Record<string, IoSpecNode> = {}
  for (const io of def.inputs ?? []) inputs[io.name] = v1Spec(io, valueUses.has(io.name), 'input')
  const outputs: Record<string, IoSpecNode> = {}
  for (const io of def.outputs ?? []) outputs[io.name] = v1Spec(io, false, 'output')
  const specs = { inputs, outputs }
  return deepFreeze({
    kind: 'container',
    name: def.name,
    ...(def.description !== undefined && { description: def.description }),
    inputs: inputs as LoadedSpecs,
    outputs: outputs as LoadedSpecs,
    image: container.image,
    ...(container.command !== undefined && { command: v1Arguments(container.command, specs) }),
    ...(container.args !== undefined && { args: v1Arguments(container.args, specs) }),
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
      optional: p.isOptional === true,
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
 * compiled component. Malformed YAML and unknown fields throw a `TypeflowError` whose
 * diagnostics (`E_COMPONENT_YAML`) name the file and the location.
 *
 * @example
 * ```ts
 * import { loadComponent } from '@typeflow/dsl'
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
 * import { loadPipelineComponents } from '@typeflow/dsl'
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
    bytes = readFileSync(path)
  } catch (error) {
    throw new TypeflowError([{ code: 'E_IO', path: [], message: `cannot read ${path}: ${(error as Error).message}` }])
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new TypeflowError([{ code: 'E_COMPONENT_YAML', path: [], message: 'file is not valid UTF-8', source: { file: path, line: 1, column: 1 } }])
  }
}
