import {
  type ArtifactRef,
  type ParamRef,
  type PipelineDef,
  type Runnable,
  type TaskArgs,
  type TaskOutputs,
  isJsonValue,
  isRef,
  refFor,
} from './component.ts'
import { DslError } from './errors.ts'
import type {
  BodyNode,
  EnvVarNode,
  IoSpecNode,
  PipelineOutputNode,
  ResourcesNode,
  RetryNode,
  SourceLocation,
  TaskNode,
  ValueSourceNode,
} from './ir.ts'
import { componentOutputs, deepFreeze } from './ir.ts'
import { sanitizeName } from './names.ts'
import { callerLocation } from './source.ts'
import type { ArtifactSpec, InputSpecs, OutputSpecs, ParamSpec } from './types.ts'

/** CPU as Kubernetes writes it: cores (`2`, `0.5`) or millicores (`500m`). */
export type CpuQuantity = `${number}` | `${number}m`
/** Memory as Kubernetes writes it (`512Mi`, `16Gi`, `1G`). */
export type MemoryQuantity = `${number}${'Ki' | 'Mi' | 'Gi' | 'Ti' | 'K' | 'M' | 'G' | 'T'}`
/** A duration: seconds as a number, or a string with a unit (`30s`, `5m`, `1h`, `1d`). */
export type Duration = number | `${number}${'s' | 'm' | 'h' | 'd' | 'w'}`

/** Compute resources for one task. */
export interface TaskResources {
  readonly cpuRequest?: CpuQuantity
  readonly cpuLimit?: CpuQuantity
  readonly memoryRequest?: MemoryQuantity
  readonly memoryLimit?: MemoryQuantity
  /**
   * Accelerators: `type` is the Kubernetes resource name (`nvidia.com/gpu`, `amd.com/gpu`) or
   * a KFP/Vertex accelerator type (`NVIDIA_TESLA_T4`, `tpu-v3`). `count` defaults to 1.
   */
  readonly accelerator?: { readonly type: string; readonly count?: number }
}

/** Retry policy for one task (KFP `set_retry`). */
export interface RetryOptions {
  /** How many times to retry after the first failure. */
  readonly count: number
  /** Wait before the first retry. @default 0 */
  readonly backoff?: Duration
  /** Multiplier applied to the wait after each retry. @default 2 */
  readonly factor?: number
  /** Longest wait between retries. @default '1h' */
  readonly maxBackoff?: Duration
}

/** Per-task settings; each also has a chainable method on the task handle. */
export interface TaskOptions {
  /** Task name, unique in the pipeline. @default the component name, with `-2`, `-3` … on reuse */
  readonly name?: string
  /** Name shown in the KFP and Argo UIs. @default the task name */
  readonly displayName?: string
  /** Tasks that must finish first although no data flows from them. */
  readonly after?: readonly AnyTask[]
  /** `false` turns caching off; `{ key }` sets a custom cache key. @default true */
  readonly caching?: boolean | { readonly key: string }
  readonly env?: Readonly<Record<string, string>>
  readonly resources?: TaskResources
  readonly retry?: RetryOptions
}

/** A task in a pipeline: its name, its typed outputs, and chainable settings. */
export interface Task<O extends OutputSpecs = OutputSpecs> {
  readonly name: string
  readonly outputs: TaskOutputs<O>
  /** Runs this task after the given ones, although no data flows between them. */
  after(...tasks: readonly AnyTask[]): this
  /** Sets the name shown in the UIs. */
  setDisplayName(displayName: string): this
  /** Turns caching on or off, or sets a custom cache key. */
  setCaching(caching: boolean | { readonly key: string }): this
  /** Sets an environment variable in the task's container. */
  setEnv(name: string, value: string): this
  /** Merges compute resources into the task's container. */
  setResources(resources: TaskResources): this
  /** Retries the task on failure. */
  setRetry(retry: RetryOptions): this
}

/** Any task handle, whatever its outputs. */
export type AnyTask = Task<any>

type OptionalArgs<I extends InputSpecs> = {} extends TaskArgs<I>
  ? [args?: TaskArgs<I>, options?: TaskOptions]
  : [args: TaskArgs<I>, options?: TaskOptions]

/** Adds tasks to the pipeline being built. */
export interface Dag {
  /**
   * Adds a task running a component (or a whole pipeline). Passing another task's output as an
   * argument is what creates the edge between them.
   */
  task<I extends InputSpecs, O extends OutputSpecs>(runnable: Runnable<I, O>, ...rest: OptionalArgs<I>): Task<O>
}

/** References to the pipeline's own inputs, as the pipeline body receives them. */
export type PipelineInputs<I extends InputSpecs> = {
  readonly [K in keyof I]: I[K] extends ArtifactSpec<infer S, infer L> ? ArtifactRef<S, L>
    : I[K] extends ParamSpec<infer V> ? ParamRef<V>
    : never
}

type AnyRef = ParamRef<any> | ArtifactRef<string, boolean>

/** The output specs a pipeline declares, inferred from the references its body returns. */
export type OutputsOf<R> = {
  readonly [K in keyof R]: R[K] extends ArtifactRef<infer S, infer L> ? ArtifactSpec<S, L, false>
    : R[K] extends ParamRef<infer V> ? ParamSpec<V, false>
    : never
}

/** Pipeline metadata. */
export interface PipelineConfig<I extends InputSpecs> {
  /** Pipeline name; must be a valid Kubernetes name (lowercase letters, digits, `-`). */
  readonly name: string
  readonly description?: string
  readonly displayName?: string
  /** Pipeline inputs (parameters with optional defaults, or artifacts for nested pipelines). @default {} */
  readonly inputs?: I
  /** Default root for artifacts (KFP `pipeline_root`), e.g. `s3://bucket/pipelines`. */
  readonly pipelineRoot?: string
}

interface TaskDraft {
  name: string
  runnable: Runnable
  args: Readonly<Record<string, unknown>>
  after: string[]
  displayName?: string
  caching: { enabled: boolean; key?: string }
  env: Map<string, string>
  resources: TaskResources
  retry?: RetryOptions
  source?: SourceLocation
}

const durationUnits = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 } as const

/** @internal Seconds in a duration (KFP normalizes to whole seconds). */
export function durationSeconds(duration: Duration): number {
  if (typeof duration === 'number') return Math.floor(duration)
  const match = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(duration)
  if (!match) throw new DslError('E_INVALID_DURATION', [], `invalid duration "${duration}"; use a number of seconds or e.g. "30s", "5m", "1h"`)
  return Math.floor(Number(match[1]) * durationUnits[match[2] as keyof typeof durationUnits])
}

function toValueSource(value: unknown, where: readonly string[], source: SourceLocation | undefined): ValueSourceNode {
  if (isRef(value)) return value.source
  if (isJsonValue(value)) return deepFreeze({ kind: 'constant', value: structuredClone(value) })
  throw new DslError(
    'E_INVALID_CONSTANT',
    where,
    `argument is not a reference or a JSON value (got ${value === undefined ? 'undefined' : typeof value})`,
    source,
  )
}

function freezeTask(draft: TaskDraft): TaskNode {
  const inputs: Record<string, ValueSourceNode> = {}
  for (const [name, value] of Object.entries(draft.args)) {
    if (value === undefined) continue
    inputs[name] = toValueSource(value, ['tasks', draft.name, 'inputs', name], draft.source)
  }
  const env: EnvVarNode[] = [...draft.env].map(([name, value]) => ({ name, value }))
  const r = draft.resources
  const resources: ResourcesNode = {
    ...(r.cpuRequest !== undefined && { cpuRequest: r.cpuRequest }),
    ...(r.cpuLimit !== undefined && { cpuLimit: r.cpuLimit }),
    ...(r.memoryRequest !== undefined && { memoryRequest: r.memoryRequest }),
    ...(r.memoryLimit !== undefined && { memoryLimit: r.memoryLimit }),
    ...(r.accelerator !== undefined && { accelerator: { type: r.accelerator.type, count: r.accelerator.count ?? 1 } }),
  }
  const retry: RetryNode | undefined = draft.retry && {
    maxRetryCount: draft.retry.count,
    backoffSeconds: durationSeconds(draft.retry.backoff ?? 0),
    backoffFactor: draft.retry.factor ?? 2,
    backoffMaxSeconds: durationSeconds(draft.retry.maxBackoff ?? 3600),
  }
  return deepFreeze({
    kind: 'task',
    name: draft.name,
    ...(draft.displayName !== undefined && { displayName: draft.displayName }),
    component: draft.runnable,
    inputs,
    after: [...new Set(draft.after)],
    caching: draft.caching.key !== undefined ? { enabled: draft.caching.enabled, key: draft.caching.key } : { enabled: draft.caching.enabled },
    env,
    ...(Object.keys(resources).length > 0 && { resources }),
    ...(retry !== undefined && { retry }),
    ...(draft.source !== undefined && { source: draft.source }),
  })
}

function applyOptions(draft: TaskDraft, options: TaskOptions): void {
  if (options.displayName !== undefined) draft.displayName = options.displayName
  if (options.after) draft.after.push(...options.after.map((t) => t.name))
  if (options.caching !== undefined) setCaching(draft, options.caching)
  if (options.env) for (const [k, v] of Object.entries(options.env)) draft.env.set(k, v)
  if (options.resources) draft.resources = { ...draft.resources, ...options.resources }
  if (options.retry) draft.retry = options.retry
}

function setCaching(draft: TaskDraft, caching: boolean | { readonly key: string }): void {
  draft.caching = typeof caching === 'boolean' ? { enabled: caching } : { enabled: true, key: caching.key }
}

/**
 * Declares a pipeline. The body adds tasks with `dag.task(…)`; passing one task's outputs to
 * another is what wires them. Whatever the body returns becomes the pipeline's outputs, so a
 * pipeline can be used as a component inside another pipeline.
 *
 * @example
 * ```ts
 * import { artifact, component, Dataset, Model, param, pipeline } from '@typeflow/dsl'
 *
 * const prepare = component({
 *   name: 'prepare',
 *   image: 'ghcr.io/acme/prep:1.0',
 *   inputs: { rawUri: param.string() },
 *   outputs: { dataset: artifact(Dataset) },
 *   command: ({ inputs, outputs }) => ['prep', inputs.rawUri.value, outputs.dataset.path],
 * })
 * const train = component({
 *   name: 'train',
 *   image: 'ghcr.io/acme/train:1.2',
 *   inputs: { data: artifact(Dataset), epochs: param.int({ default: 10 }) },
 *   outputs: { model: artifact(Model) },
 *   command: ({ inputs, outputs }) => ['train', inputs.data.path, inputs.epochs.value, outputs.model.path],
 * })
 *
 * export default pipeline(
 *   { name: 'train-eval', inputs: { rawUri: param.string(), epochs: param.int({ default: 5 }) } },
 *   (dag, p) => {
 *     const prep = dag.task(prepare, { rawUri: p.rawUri })
 *     const fit = dag.task(train, { data: prep.outputs.dataset, epochs: p.epochs }, { resources: { memoryLimit: '16Gi' } })
 *     return { model: fit.outputs.model }
 *   },
 * )
 * ```
 */
export function pipeline<const I extends InputSpecs = {}, R extends { readonly [name: string]: AnyRef } | void = void>(
  config: PipelineConfig<I>,
  body: (dag: Dag, inputs: PipelineInputs<I>) => R,
): PipelineDef<I, R extends void ? {} : OutputsOf<R>> {
  const source = callerLocation()
  const inputs = (config.inputs ?? {}) as I
  const drafts: TaskDraft[] = []
  const autoNames = new Set<string>()

  const dag: Dag = {
    task(runnable, ...rest) {
      const [args, options] = rest as [Readonly<Record<string, unknown>> | undefined, TaskOptions | undefined]
      let name = options?.name
      if (name === undefined) {
        const base = sanitizeName(runnable.name) || 'task'
        name = base
        for (let i = 2; autoNames.has(name); i++) name = `${base}-${i}`
      }
      autoNames.add(name)
      const taskSource = callerLocation()
      const draft: TaskDraft = {
        name,
        runnable,
        args: args ?? {},
        after: [],
        caching: { enabled: true },
        env: new Map(),
        resources: {},
        ...(taskSource !== undefined && { source: taskSource }),
      }
      if (options) applyOptions(draft, options)
      drafts.push(draft)
      const outputs: Record<string, unknown> = {}
      for (const [output, spec] of Object.entries(componentOutputs(runnable))) {
        outputs[output] = refFor(spec as ParamSpec | ArtifactSpec, { kind: 'taskOutput', task: name, output })
      }
      const handle: Task = {
        name,
        outputs: Object.freeze(outputs) as TaskOutputs<OutputSpecs>,
        after(...tasks) {
          draft.after.push(...tasks.map((t) => t.name))
          return this
        },
        setDisplayName(displayName) {
          draft.displayName = displayName
          return this
        },
        setCaching(caching) {
          setCaching(draft, caching)
          return this
        },
        setEnv(envName, value) {
          draft.env.set(envName, value)
          return this
        },
        setResources(resources) {
          draft.resources = { ...draft.resources, ...resources }
          return this
        },
        setRetry(retry) {
          draft.retry = retry
          return this
        },
      }
      return handle as Task<any>
    },
  }

  const inputRefs: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(inputs)) inputRefs[name] = refFor(spec, { kind: 'pipelineInput', name })
  const returned = body(dag, Object.freeze(inputRefs) as PipelineInputs<I>)

  const outputs: Record<string, PipelineOutputNode> = {}
  if (returned) {
    for (const [name, ref] of Object.entries(returned as Record<string, AnyRef>)) {
      if (!isRef(ref)) {
        throw new DslError('E_INVALID_OUTPUT', ['outputs', name], 'a pipeline output must be a task output or a pipeline input', source)
      }
      outputs[name] = { spec: outputSpecOf(ref, drafts, inputs), from: ref.source }
    }
  }
  const taskNodes: BodyNode[] = drafts.map(freezeTask)
  return deepFreeze({
    kind: 'pipeline',
    name: config.name,
    ...(config.description !== undefined && { description: config.description }),
    ...(config.displayName !== undefined && { displayName: config.displayName }),
    inputs,
    outputs,
    body: taskNodes,
    ...(config.pipelineRoot !== undefined && { defaultPipelineRoot: config.pipelineRoot }),
    ...(source !== undefined && { source }),
  }) as PipelineDef<I, any>
}

function outputSpecOf(ref: AnyRef, drafts: readonly TaskDraft[], inputs: InputSpecs): IoSpecNode {
  const from = ref.source
  let spec: IoSpecNode | undefined
  if (from.kind === 'pipelineInput') spec = inputs[from.name]
  else if (from.kind === 'taskOutput') {
    const producer = drafts.find((d) => d.name === from.task)
    spec = producer && componentOutputs(producer.runnable)[from.output]
  }
  if (spec === undefined) throw new DslError('E_INVALID_OUTPUT', ['outputs'], 'pipeline output refers to a value outside this pipeline')
  // A pipeline output is never optional and carries no default, whatever its source declared.
  return spec.kind === 'artifact'
    ? { kind: 'artifact', type: spec.type, isList: spec.isList, optional: false }
    : { kind: 'parameter', type: spec.type, optional: false }
}
