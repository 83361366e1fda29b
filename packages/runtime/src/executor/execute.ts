/**
 * Runs one TypeScript function component inside its container: reads the inputs the orchestrator
 * handed over (KFP `ExecutorInput`, or Argo's flags), checks them against the declared types,
 * calls the function, checks what it returned, and writes the outputs the way the orchestrator
 * reads them back.
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { ArtifactSpecNode, IoSpecNode, ParameterSpecNode } from '@typeflow/dsl'
import { ComponentFailedError, ExecutorError, describeValue } from './errors.ts'
import { checkParameter, findNonJson, parseParameterText, serializeParameter } from './params.ts'
import type { ParameterValue } from './params.ts'
import { ExecutorInputSchema, JsonObjectSchema } from './protocol.ts'
import type { ExecutorInput, ExecutorOutput, Json, JsonObject, RuntimeArtifact } from './protocol.ts'
import { artifactLocalPath, uriForLocalPath } from './uri.ts'

/**
 * The typed inputs and outputs of a component, as in the IR (`IoSpecNode`s).
 *
 * @example
 * ```ts
 * const spec: ComponentInterface = {
 *   inputs: { n: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false } },
 *   outputs: { model: { kind: 'artifact', type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, isList: false, optional: false } },
 * }
 * ```
 */
export interface ComponentInterface {
  readonly inputs: Readonly<Record<string, IoSpecNode>>
  readonly outputs: Readonly<Record<string, IoSpecNode>>
}

/**
 * An input artifact as the function receives it: read its content at `path` (a file or a
 * directory, already downloaded by the orchestrator).
 *
 * @example
 * ```ts
 * export default async ({ data }: { data: InputArtifact }) => {
 *   const rows = readFileSync(data.path, 'utf8').split('\n') // data.uri: 'gs://…', data.metadata: { … }
 * }
 * ```
 */
export interface InputArtifact {
  /** The runtime artifact's name (KFP: its MLMD id); in Argo mode the input's name. */
  readonly name: string
  readonly uri: string
  readonly path: string
  readonly metadata: Readonly<JsonObject>
  readonly schemaTitle: string
}

/**
 * An output artifact as the function receives it: write a file or a directory at `path` (its
 * parent directory exists) and set `metadata` (mutable; it is recorded with the artifact).
 * `name`, `uri`, `path` and `schemaTitle` are read-only.
 *
 * @example
 * ```ts
 * export default async ({ model }: { model: OutputArtifact }) => {
 *   writeFileSync(model.path, weights)
 *   model.metadata['framework'] = 'onnx'
 * }
 * ```
 */
export interface OutputArtifact {
  readonly name: string
  readonly uri: string
  readonly path: string
  metadata: JsonObject
  readonly schemaTitle: string
}

/**
 * How the executor was invoked: KFP's `--executor_input {{$}}`.
 *
 * @example
 * ```ts
 * const invocation: KfpInvocation = { mode: 'kfp', executorInput: '{"inputs":{"parameterValues":{"n":3}}}' }
 * ```
 */
export interface KfpInvocation {
  readonly mode: 'kfp'
  /** The `ExecutorInput` JSON text (or already parsed). */
  readonly executorInput: string | ExecutorInput
}

/**
 * How the executor was invoked by the Argo target: everything as flags.
 *
 * @example
 * ```ts
 * const invocation: ArgoInvocation = {
 *   mode: 'argo', parameters: { n: '3' }, inputArtifacts: { data: '/tmp/typeflow/inputs/artifacts/data' },
 *   outputParameters: { count: '/tmp/typeflow/outputs/parameters/count' }, outputArtifacts: {},
 * }
 * ```
 */
export interface ArgoInvocation {
  readonly mode: 'argo'
  /** Input parameters as raw strings, parsed by declared type. */
  readonly parameters: Readonly<Record<string, string>>
  /**
   * Input parameters read from files (raw text, parsed by declared type): the lossless way on
   * Argo, where values put in `args` go through Kubernetes' `$(VAR)`/`$$` expansion.
   */
  readonly parameterFiles?: Readonly<Record<string, string>>
  /** Input artifact local paths (several for a list input). */
  readonly inputArtifacts: Readonly<Record<string, string | readonly string[]>>
  /** Files to write output parameters to (Argo `valueFrom.path`). */
  readonly outputParameters: Readonly<Record<string, string>>
  /** Paths the output artifacts are written at (Argo `outputs.artifacts[].path`). */
  readonly outputArtifacts: Readonly<Record<string, string>>
  /** Optional: also write an `ExecutorOutput` JSON here (carries artifact metadata, which Argo has no place for). */
  readonly executorOutputFile?: string
}

/**
 * Either invocation; {@link parseExecutorArgs} builds one from the command line.
 *
 * @example
 * ```ts
 * const { invocation } = parseExecutorArgs(process.argv.slice(2))
 * ```
 */
export type Invocation = KfpInvocation | ArgoInvocation

/**
 * Options of {@link execute}.
 *
 * @example
 * ```ts
 * await execute(fn, spec, invocation, { name: 'train', localRoot: '/tmp/store' })
 * ```
 */
export interface ExecuteOptions {
  /** The component's name, for messages. @default 'component' */
  readonly name?: string
  /**
   * Prefix of the object-store mount points (`/gcs`, `/s3`, `/minio`…) for tests and the local
   * runner. @default process.env.TYPEFLOW_LOCAL_ROOT ?? ''
   */
  readonly localRoot?: string
}

/**
 * What {@link execute} produced (also what it wrote).
 *
 * @example
 * ```ts
 * const { parameters, executorOutput } = await execute(fn, spec, invocation)
 * parameters['count'] // 3
 * ```
 */
export interface ExecuteResult {
  readonly parameters: Readonly<Record<string, Json>>
  readonly artifacts: Readonly<Record<string, { readonly uri: string; readonly path: string; readonly metadata: JsonObject }>>
  readonly executorOutput: ExecutorOutput
}

/** Artifact types whose content is their metadata: written to `path` when the function did not. */
const METRICS_TYPES = new Set(['system.Metrics', 'system.ClassificationMetrics', 'system.SlicedClassificationMetrics'])

interface OutputArtifactSlot {
  readonly spec: ArtifactSpecNode
  readonly artifact: OutputArtifact
  /** The name to report in ExecutorOutput (the provisioned runtime name). */
  readonly runtimeName: string
}

interface Resolved {
  readonly args: Record<string, unknown>
  readonly outputArtifacts: Map<string, OutputArtifactSlot>
  readonly outputParameterFiles: Map<string, string>
  readonly executorOutputFile: string | undefined
}

/**
 * Runs a function component: resolves and type-checks its inputs from `invocation`, calls `fn`
 * with one object holding every input (parameters as values, artifacts as
 * {@link InputArtifact}s, list inputs as arrays) and every output artifact (as writable
 * {@link OutputArtifact}s), checks the returned output parameters, then writes each output
 * parameter to its file and the `ExecutorOutput` JSON, atomically (temp file + rename), and only
 * once everything has been checked, so a failing step leaves no output behind.
 *
 * `fn` returns `undefined` when there are no output parameters, an object keyed by output
 * parameter name, or a bare value when the only output parameter is `Output` (KFP's single-return
 * convention; `{ Output: value }` is accepted too, unless `Output` is a STRUCT).
 *
 * @throws {ExecutorError} for protocol and typing problems (naming the input or output, the
 * expected type and what arrived), {@link ComponentFailedError} when `fn` throws.
 * @example
 * ```ts
 * await execute(
 *   async ({ n, data }: { n: number; data: InputArtifact }) => ({ count: n * 2 }),
 *   { inputs: { n: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false } },
 *     outputs: { count: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false } } },
 *   { mode: 'kfp', executorInput: process.argv[3]! },
 *   { name: 'double' },
 * )
 * ```
 */
export async function execute<A>(
  fn: (args: A) => unknown,
  spec: ComponentInterface,
  invocation: Invocation,
  options: ExecuteOptions = {},
): Promise<ExecuteResult> {
  const name = options.name ?? 'component'
  const root = options.localRoot ?? process.env['TYPEFLOW_LOCAL_ROOT'] ?? ''
  checkInterface(spec)
  const resolved = invocation.mode === 'kfp' ? resolveKfp(spec, invocation, root) : resolveArgo(spec, invocation)

  let returned: unknown
  try {
    returned = await fn(resolved.args as A)
  } catch (error) {
    throw new ComponentFailedError(name, error)
  }

  // Check everything before writing anything.
  const parameters = collectParameters(spec, returned)
  const artifacts: Record<string, { uri: string; path: string; metadata: JsonObject }> = {}
  const metricsToWrite: [path: string, text: string][] = []
  for (const [key, slot] of resolved.outputArtifacts) {
    const { artifact } = slot
    const metadata = checkMetadata(key, artifact.metadata)
    if (!existsSync(artifact.path)) {
      if (METRICS_TYPES.has(slot.spec.type.schemaTitle)) metricsToWrite.push([artifact.path, JSON.stringify(metadata)])
      else if (!slot.spec.optional) {
        throw new ExecutorError(
          `output artifact "${key}" (${slot.spec.type.schemaTitle}) was not written: expected a file or directory at ${artifact.path}`,
        )
      }
    }
    artifacts[key] = { uri: artifact.uri, path: artifact.path, metadata }
  }
  for (const key of Object.keys(parameters)) {
    if (!resolved.outputParameterFiles.has(key) && resolved.executorOutputFile === undefined) {
      throw new ExecutorError(`output parameter "${key}" has nowhere to go: no output file was given for it`)
    }
  }

  const executorOutput: { -readonly [K in keyof ExecutorOutput]: ExecutorOutput[K] } = {}
  if (Object.keys(parameters).length > 0) executorOutput.parameterValues = parameters
  if (resolved.outputArtifacts.size > 0) {
    executorOutput.artifacts = Object.fromEntries(
      [...resolved.outputArtifacts].map(([key, slot]) => [
        key,
        { artifacts: [{ name: slot.runtimeName, uri: slot.artifact.uri, metadata: artifacts[key]?.metadata ?? {} }] },
      ]),
    )
  }

  const writes: [path: string, text: string][] = [...metricsToWrite]
  for (const [key, value] of Object.entries(parameters)) {
    const file = resolved.outputParameterFiles.get(key)
    const type = (spec.outputs[key] as ParameterSpecNode).type
    if (file !== undefined) writes.push([file, serializeParameter(type, value)])
  }
  if (resolved.executorOutputFile !== undefined) writes.push([resolved.executorOutputFile, JSON.stringify(executorOutput)])
  writeAllAtomically(writes)
  return { parameters, artifacts, executorOutput }
}

const PARAMETER_TYPES = new Set(['STRING', 'NUMBER_INTEGER', 'NUMBER_DOUBLE', 'BOOLEAN', 'LIST', 'STRUCT', 'TASK_FINAL_STATUS'])

/**
 * Checks that an interface can be executed: known parameter types, artifact types with a schema
 * title, and no output artifact named like an input (the function receives both in one object).
 *
 * @throws {ExecutorError} naming the offending input or output.
 * @example
 * ```ts
 * checkInterface({ inputs: { m: { kind: 'artifact', type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, isList: false, optional: false } },
 *                  outputs: { m: { kind: 'artifact', type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, isList: false, optional: false } } })
 * // throws: "m" is both an input and an output artifact; …
 * ```
 */
export function checkInterface(spec: ComponentInterface): void {
  for (const [direction, ios] of [['input', spec.inputs], ['output', spec.outputs]] as const) {
    for (const [key, io] of Object.entries(ios)) {
      const ok = io.kind === 'parameter' ? PARAMETER_TYPES.has(io.type) : io.kind === 'artifact' && typeof io.type?.schemaTitle === 'string'
      if (!ok) throw new ExecutorError(`${direction} "${key}" has an unknown type: ${JSON.stringify(io)}`)
    }
  }
  for (const key of Object.keys(spec.outputs)) {
    if (Object.hasOwn(spec.inputs, key) && spec.outputs[key]?.kind === 'artifact') {
      throw new ExecutorError(`"${key}" is both an input and an output artifact; the function receives both in one object, so their names must differ`)
    }
  }
}

function parseExecutorInput(text: string | ExecutorInput): ExecutorInput {
  let raw: unknown = text
  if (typeof text === 'string') {
    try {
      raw = JSON.parse(text)
    } catch (error) {
      const hint = text.includes('{{$}}') ? ' (the {{$}} placeholder was not substituted: is this running outside KFP?)' : ''
      throw new ExecutorError(`--executor_input is not valid JSON${hint}: ${(error as Error).message}`)
    }
  }
  const result = ExecutorInputSchema.safeParse(raw)
  if (!result.success) {
    const issue = result.error.issues[0]
    throw new ExecutorError(`--executor_input is not a KFP ExecutorInput: at ${issue?.path.join('.') || 'the top level'}: ${issue?.message ?? 'invalid'}`)
  }
  return result.data
}

function resolveKfp(spec: ComponentInterface, invocation: KfpInvocation, root: string): Resolved {
  const input = parseExecutorInput(invocation.executorInput)
  const args: Record<string, unknown> = {}
  const values = { ...input.inputs?.parameters, ...input.inputs?.parameterValues }
  const artifactInputs = input.inputs?.artifacts ?? {}

  for (const [key, io] of Object.entries(spec.inputs)) {
    if (io.kind === 'parameter') {
      const value = Object.hasOwn(values, key) ? values[key] : undefined
      const resolvedValue = parameterOrDefault(key, io, value === null ? undefined : value)
      if (resolvedValue !== undefined) args[key] = resolvedValue
      continue
    }
    const list = artifactInputs[key]?.artifacts ?? []
    const make = (a: RuntimeArtifact, i: number): InputArtifact => {
      const path = artifactLocalPath(a, 'input', root)
      const label = io.isList ? `input artifact "${key}"[${i}]` : `input artifact "${key}"`
      if (path === undefined) throw new ExecutorError(`${label} has no URI or path in the executor input`)
      return inputArtifact(a.name || key, a.uri ?? '', path, checkMetadata(key, a.metadata ?? {}, 'input'), a.type?.schemaTitle || io.type.schemaTitle)
    }
    if (io.isList) args[key] = list.map(make)
    else if (list[0] !== undefined) args[key] = make(list[0], 0)
    else if (!io.optional) throw new ExecutorError(`input artifact "${key}" (${io.type.schemaTitle}) is missing from the executor input`)
  }

  const outputArtifacts = new Map<string, OutputArtifactSlot>()
  const outputParameterFiles = new Map<string, string>()
  const provisionedArtifacts = input.outputs?.artifacts ?? {}
  const provisionedParameters = input.outputs?.parameters ?? {}
  for (const [key, io] of Object.entries(spec.outputs)) {
    if (io.kind === 'parameter') {
      const file = provisionedParameters[key]?.outputFile
      if (file) outputParameterFiles.set(key, file)
      continue
    }
    const provisioned = provisionedArtifacts[key]?.artifacts?.[0]
    if (provisioned === undefined) {
      throw new ExecutorError(`output artifact "${key}" (${io.type.schemaTitle}) was not provisioned in the executor input`)
    }
    const path = artifactLocalPath(provisioned, 'output', root)
    if (path === undefined) {
      throw new ExecutorError(`output artifact "${key}" has URI "${provisioned.uri ?? ''}", whose storage scheme has no local path (expected gs://, s3://, minio://, oci:// or an absolute path)`)
    }
    const artifact = outputArtifact(provisioned.name || key, provisioned.uri ?? '', path, checkMetadata(key, provisioned.metadata ?? {}), io.type.schemaTitle)
    outputArtifacts.set(key, { spec: io, artifact, runtimeName: provisioned.name || key })
    args[key] = artifact
  }
  return { args, outputArtifacts, outputParameterFiles, executorOutputFile: input.outputs?.outputFile || undefined }
}

function resolveArgo(spec: ComponentInterface, invocation: ArgoInvocation): Resolved {
  const args: Record<string, unknown> = {}
  const texts: Record<string, string> = { ...invocation.parameters }
  for (const [key, file] of Object.entries(invocation.parameterFiles ?? {})) {
    if (Object.hasOwn(texts, key)) throw new ExecutorError(`input "${key}" is given both by --param and --param-file`)
    if (spec.inputs[key]?.kind !== 'parameter') continue // reported below
    try {
      texts[key] = readFileSync(file, 'utf8')
    } catch (error) {
      throw new ExecutorError(`input "${key}": cannot read its parameter file: ${(error as Error).message}`)
    }
  }
  for (const [flag, given, kind] of [
    ['--param', invocation.parameters, 'parameter'],
    ['--param-file', invocation.parameterFiles ?? {}, 'parameter'],
    ['--input-artifact', invocation.inputArtifacts, 'artifact'],
  ] as const) {
    for (const key of Object.keys(given)) {
      if (spec.inputs[key]?.kind !== kind) throw new ExecutorError(`${flag} ${key}: the component has no ${kind} input "${key}"${declared(spec.inputs)}`)
    }
  }
  for (const [flag, given, kind] of [
    ['--output-param', invocation.outputParameters, 'parameter'],
    ['--output-artifact', invocation.outputArtifacts, 'artifact'],
  ] as const) {
    for (const key of Object.keys(given)) {
      if (spec.outputs[key]?.kind !== kind) throw new ExecutorError(`${flag} ${key}: the component has no ${kind} output "${key}"${declared(spec.outputs)}`)
    }
  }

  for (const [key, io] of Object.entries(spec.inputs)) {
    if (io.kind === 'parameter') {
      const text = Object.hasOwn(texts, key) ? texts[key] : undefined
      const value = text === undefined ? undefined : parseParameterText(io.type, text, `input "${key}"`)
      const resolvedValue = parameterOrDefault(key, io, value)
      if (resolvedValue !== undefined) args[key] = resolvedValue
      continue
    }
    const given = Object.hasOwn(invocation.inputArtifacts, key) ? invocation.inputArtifacts[key] : undefined
    const paths = (given === undefined ? [] : typeof given === 'string' ? [given] : [...given]).filter((p) => !io.optional || existsSync(p))
    const make = (path: string): InputArtifact => inputArtifact(key, uriForLocalPath(path) ?? path, path, {}, io.type.schemaTitle)
    if (io.isList) args[key] = paths.map(make)
    else if (paths.length > 1) throw new ExecutorError(`input artifact "${key}" takes one artifact, got ${paths.length} --input-artifact flags`)
    else if (paths[0] !== undefined) args[key] = make(paths[0])
    else if (!io.optional) throw new ExecutorError(`input artifact "${key}" (${io.type.schemaTitle}) is missing: pass --input-artifact ${key}=<path>`)
  }

  const outputArtifacts = new Map<string, OutputArtifactSlot>()
  for (const [key, io] of Object.entries(spec.outputs)) {
    if (io.kind !== 'artifact') continue
    const path = invocation.outputArtifacts[key]
    if (path === undefined) throw new ExecutorError(`output artifact "${key}" has no path: pass --output-artifact ${key}=<path>`)
    const artifact = outputArtifact(key, uriForLocalPath(path) ?? path, path, {}, io.type.schemaTitle)
    outputArtifacts.set(key, { spec: io, artifact, runtimeName: key })
    args[key] = artifact
  }
  return {
    args,
    outputArtifacts,
    outputParameterFiles: new Map(Object.entries(invocation.outputParameters)),
    executorOutputFile: invocation.executorOutputFile,
  }
}

function declared(ios: Readonly<Record<string, IoSpecNode>>): string {
  const names = Object.keys(ios)
  return names.length === 0 ? ' (it declares none)' : ` (declared: ${names.join(', ')})`
}

/** A given value checked, or the default, or `undefined` for an optional input left out. */
function parameterOrDefault(key: string, io: ParameterSpecNode, value: unknown): ParameterValue | undefined {
  if (value !== undefined) return checkParameter(io.type, value, `input "${key}"`)
  if (io.default !== undefined && io.default !== null) return checkParameter(io.type, io.default, `the default of input "${key}"`)
  if (io.optional) return undefined
  throw new ExecutorError(`input "${key}" (${io.type}) is required but was not given`)
}

function checkMetadata(key: string, metadata: unknown, direction: 'input' | 'output' = 'output'): JsonObject {
  const result = JsonObjectSchema.safeParse(metadata)
  if (result.success) return result.data
  const bad = typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) ? findNonJson(metadata, 'metadata') : undefined
  throw new ExecutorError(
    `${direction} artifact "${key}": metadata must be a JSON object, ` +
      (bad ? `but ${bad.path} is ${describeValue(bad.value)}` : `got ${describeValue(metadata)}`),
  )
}

function inputArtifact(name: string, uri: string, path: string, metadata: JsonObject, schemaTitle: string): InputArtifact {
  return Object.freeze({ name, uri, path, metadata: Object.freeze(metadata), schemaTitle })
}

function outputArtifact(name: string, uri: string, path: string, metadata: JsonObject, schemaTitle: string): OutputArtifact {
  mkdirSync(dirname(path), { recursive: true })
  const artifact = { name, uri, path, metadata: { ...metadata }, schemaTitle }
  // Only metadata is the function's to change: the orchestrator uploads from `path` to `uri`.
  for (const key of ['name', 'uri', 'path', 'schemaTitle'] as const) Object.defineProperty(artifact, key, { writable: false })
  return Object.seal(artifact)
}

/** Turns what the function returned into checked output parameter values. */
function collectParameters(spec: ComponentInterface, returned: unknown): Record<string, Json> {
  const declaredParams = Object.entries(spec.outputs).filter((e): e is [string, ParameterSpecNode] => e[1].kind === 'parameter')
  const names = declaredParams.map(([k]) => k)
  let values: Record<string, unknown>
  const only = declaredParams.length === 1 ? declaredParams[0] : undefined
  if (only !== undefined && only[0] === 'Output' && !(only[1].type !== 'STRUCT' && isPlainObject(returned) && isOnlyKey(returned, 'Output'))) {
    values = returned === undefined ? {} : { Output: returned }
  } else if (returned === undefined || returned === null) {
    values = {}
  } else if (isPlainObject(returned)) {
    values = returned
  } else {
    throw new ExecutorError(
      names.length === 0
        ? `the function returned ${describeValue(returned)}, but the component declares no output parameters (return nothing)`
        : `the function must return an object with the output parameters ${names.map((n) => `"${n}"`).join(', ')}, got ${describeValue(returned)}`,
    )
  }
  for (const key of Object.keys(values)) {
    const io = spec.outputs[key]
    if (io === undefined || io.kind !== 'parameter') {
      const what = io?.kind === 'artifact' ? `"${key}" is an output artifact: write it at ${key}.path instead of returning it` : `it declares no output parameter "${key}"`
      throw new ExecutorError(`the function returned "${key}", but ${what}${names.length > 0 ? ` (output parameters: ${names.join(', ')})` : ''}`)
    }
  }
  const out: Record<string, Json> = {}
  for (const [key, io] of declaredParams) {
    const value = values[key]
    if (value === undefined) {
      if (io.optional) continue
      throw new ExecutorError(`the function did not return output parameter "${key}" (${io.type})`)
    }
    // A checked value is plain JSON (a TASK_FINAL_STATUS output is checked as a STRUCT).
    out[key] = checkParameter(io.type === 'TASK_FINAL_STATUS' ? 'STRUCT' : io.type, value, `output "${key}"`) as Json
  }
  return out
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

function isOnlyKey(value: Record<string, unknown>, key: string): boolean {
  const keys = Object.keys(value)
  return keys.length === 1 && keys[0] === key
}

/**
 * Writes every file through a temp file in the same directory + rename, so a reader never sees a
 * half-written file; if one write fails, the files already renamed into place are removed again.
 */
function writeAllAtomically(writes: readonly (readonly [path: string, text: string])[]): void {
  const done: string[] = []
  try {
    for (const [path, text] of writes) {
      mkdirSync(dirname(path), { recursive: true })
      const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
      try {
        writeFileSync(temp, text)
        renameSync(temp, path)
      } catch (error) {
        rmSync(temp, { force: true })
        throw error
      }
      done.push(path)
    }
  } catch (error) {
    for (const path of done) rmSync(path, { force: true })
    throw new ExecutorError(`could not write the outputs: ${(error as Error).message}`)
  }
}
