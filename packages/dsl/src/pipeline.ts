import {
  type ArtifactRef,
  type ParamRef,
  type PipelineDef,
  type Runnable,
  type TaskArgs,
  type TaskOutputs,
  isJsonValue,
  jsonProblem,
  isRef,
  refFor,
} from './component.ts'
import { type Collected, oneOfSource, type Predicate, staticItemType, type TaskFinalStatus } from './control-flow.ts'
import { DslError } from './errors.ts'
import { refuseUnknownKeys } from './option-keys.ts'
import { type KubernetesOptions, kubernetesNode, resourcesNode } from './kubernetes.ts'
import type {
  BodyNode,
  ConditionNode,
  ImporterComponentNode,
  IoSpecNode as IoSpec,
  JsonValue,
  LoopItemsNode,
  EnvVarNode,
  IoSpecNode,
  PipelineOutputNode,
  RetryNode,
  SourceLocation,
  TaskNode,
  ValueSourceNode,
} from './ir.ts'
import { componentOutputs, deepFreeze } from './ir.ts'
import { fitName, MAX_NAME_LENGTH, sanitizeName } from './names.ts'
import { callerLocation } from './source.ts'
import type { ArtifactSpec, ArtifactType, InputSpecs, OutputSpecs, ParamSpec } from './types.ts'

/** CPU as Kubernetes writes it: cores (`2`, `0.5`) or millicores (`500m`). */
export type CpuQuantity = `${number}` | `${number}m`
/** Memory as Kubernetes writes it (`512Mi`, `16Gi`, `1G`). */
export type MemoryQuantity = `${number}${'Ki' | 'Mi' | 'Gi' | 'Ti' | 'K' | 'M' | 'G' | 'T'}`
/** A duration: seconds as a number, or a string with a unit (`30s`, `5m`, `1h`, `1d`). */
export type Duration = number | `${number}${'s' | 'm' | 'h' | 'd' | 'w'}`

/**
 * An accelerator resource: a Kubernetes resource name (`nvidia.com/gpu`, `amd.com/gpu`) or a
 * KFP/Vertex accelerator type (`NVIDIA_TESLA_T4`, `tpu-v3`).
 */
export type AcceleratorType = 'nvidia.com/gpu' | 'amd.com/gpu' | 'google.com/tpu' | (string & {})

/** Accelerators for one task. */
export interface AcceleratorRequest {
  /** The resource to request, or a string parameter naming it. */
  readonly type: AcceleratorType | ParamRef<string>
  /** How many. @default 1 */
  readonly count?: number | ParamRef<number> | ParamRef<string>
  /**
   * The accelerator model (`nvidia-tesla-t4`, `NVIDIA-A100-SXM4-40GB`, `a10g`): placed on a node
   * with it through the node label of the cluster profile chosen at compile time (`--cluster gke`).
   */
  readonly model?: string
}

/**
 * Compute resources for one task. Each value is a Kubernetes quantity, or a string parameter
 * (a pipeline input, a task output, a loop item) holding one, read when the task runs.
 */
export interface TaskResources {
  readonly cpuRequest?: CpuQuantity | ParamRef<string>
  readonly cpuLimit?: CpuQuantity | ParamRef<string>
  readonly memoryRequest?: MemoryQuantity | ParamRef<string>
  readonly memoryLimit?: MemoryQuantity | ParamRef<string>
  readonly accelerator?: AcceleratorRequest
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

/** @internal The keys of {@link RetryOptions}. */
export const RETRY_KEYS = ['count', 'backoff', 'factor', 'maxBackoff'] as const

/** Per-task settings; each also has a chainable method on the task handle. */
export interface TaskOptions {
  /** Task name, unique in the pipeline. @default the component name, with `-2`, `-3` … on reuse */
  readonly name?: string
  /** Name shown in the KFP and Argo UIs. @default the task name */
  readonly displayName?: string
  /** Tasks that must finish first although no data flows from them. */
  readonly after?: readonly AnyTask[]
  /**
   * `false` turns caching off; `{ key }` sets a custom cache key.
   * @default the pipeline's `caching`, else the compiler's default (on, like KFP)
   */
  readonly caching?: boolean | { readonly key: string }
  readonly env?: Readonly<Record<string, string>>
  readonly resources?: TaskResources
  /** Kubernetes pod settings: node placement, secrets, config maps, volumes, timeout … */
  readonly kubernetes?: KubernetesOptions
  readonly retry?: RetryOptions
  /** Run even when upstream tasks failed (KFP `ignore_upstream_failure`). @default false */
  readonly ignoreUpstreamFailure?: boolean
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
  /** Adds Kubernetes pod settings (lists are appended, maps merged, single values replaced). */
  setKubernetes(kubernetes: KubernetesOptions): this
  /** Retries the task on failure. */
  setRetry(retry: RetryOptions): this
  /** Runs the task even when its upstream tasks failed. */
  ignoreUpstreamFailure(): this
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

  /**
   * Runs the tasks declared in `body` only when `predicate` holds; chain `.elif(…)` and
   * `.else(…)` for branches of which exactly one runs. Conditions compare parameter values
   * of pipeline inputs, task outputs and loop items (`eq`, `gt`, `and`, `or`, `not` …).
   */
  if(predicate: Predicate, body: () => void, options?: GroupOptions): Branches

  /**
   * A parallel for: runs `body` once per item, at most `parallelism` at a time. Items are a
   * static list, a list parameter or task output, or a list of artifacts. Whatever the body
   * returns (a reference, or an object of references) comes back collected into lists (fan-in).
   */
  forEach<T extends JsonValue, R extends LoopResult = void>(items: readonly T[] | ParamRef<readonly T[]>, body: (item: LoopItem<T>) => R, options?: LoopOptions): CollectedResult<R>
  forEach<S extends string, R extends LoopResult = void>(items: ArtifactRef<S, true>, body: (item: ArtifactRef<S, false>) => R, options?: LoopOptions): CollectedResult<R>

  /**
   * Runs the task made by `exitTask` after the tasks of `body` finish, whatever happened to
   * them; the task receives their final status (declare its input with `param.finalStatus()`).
   */
  exitHandler(exitTask: (status: ParamRef<TaskFinalStatus>) => AnyTask, body: () => void, options?: GroupOptions): void

  /** Brings an existing artifact into the pipeline by URI (KFP `dsl.importer`). */
  importer<S extends string>(config: ImporterConfig<S>, options?: TaskOptions): Task<{ readonly artifact: ArtifactSpec<S, false, false> }>

  /** The output of whichever branch of an if/elif/else ran (KFP `dsl.OneOf`). */
  oneOf<R extends ParamRef<any> | ArtifactRef<string, boolean>>(...refs: readonly [R, R, ...R[]]): R
}

/** Options for a control-flow group. */
export interface GroupOptions {
  /** Name shown in the UIs. */
  readonly displayName?: string
}

/** @internal The keys of {@link GroupOptions} and {@link LoopOptions}. */
export const GROUP_OPTION_KEYS = ['displayName'] as const
export const LOOP_OPTION_KEYS = ['displayName', 'parallelism', 'item'] as const

/** Options for `dag.forEach`. */
export interface LoopOptions extends GroupOptions {
  /** Most iterations running at once. @default unlimited */
  readonly parallelism?: number
  /**
   * Type of each item of a list known only at run time (KFP reads it from `List[int]`), e.g.
   * `param.int()`. @default inferred from how the body uses the item (STRUCT when it reads
   * fields, LIST/STRUCT when passed to such an input), else STRING
   */
  readonly item?: ParamSpec
}

/** An if/elif/else chain being declared. */
export interface Branches {
  elif(predicate: Predicate, body: () => void, options?: GroupOptions): Branches
  else(body: () => void, options?: GroupOptions): void
}

/** The current loop item: a parameter reference; struct items also give access to their fields. */
export type LoopItem<T> = ParamRef<T> &
  (T extends readonly unknown[] ? {} : T extends { readonly [key: string]: JsonValue } ? { readonly field: <K extends keyof T & string>(key: K) => LoopItem<T[K]> } : {})

/** What a loop body may return to be collected. */
export type LoopResult = void | AnyRef | { readonly [name: string]: AnyRef }

/** The collected form of a loop body's result. */
export type CollectedResult<R> = R extends void ? void : R extends AnyRef ? Collected<R> : { readonly [K in keyof R]: Collected<R[K]> }

/** @internal The keys of {@link ImporterConfig} and {@link PipelineConfig}. */
export const IMPORTER_CONFIG_KEYS = ['uri', 'type', 'reimport', 'metadata'] as const
export const PIPELINE_CONFIG_KEYS = ['name', 'description', 'displayName', 'inputs', 'pipelineRoot', 'caching'] as const

/** Configuration of an importer task. */
export interface ImporterConfig<S extends string> {
  readonly uri: string | ParamRef<string>
  readonly type: ArtifactType<S>
  /** Import again even if this URI was imported before. @default false */
  readonly reimport?: boolean
  readonly metadata?: { readonly [key: string]: JsonValue }
}

/** References to the pipeline's own inputs, as the pipeline body receives them. */
export type PipelineInputs<I extends InputSpecs> = {
  readonly [K in keyof I]: I[K] extends ArtifactSpec<infer S, infer L> ? ArtifactRef<S, L>
    : I[K] extends ParamSpec<infer V> ? ParamRef<V>
    : never
}

/** Any reference. */
export type AnyRef = ParamRef<any> | ArtifactRef<string, boolean>

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
  /** Caching for tasks that do not choose. @default the compiler's default (on, like KFP) */
  readonly caching?: boolean
}

interface TaskDraft {
  name: string
  runnable: Runnable
  args: Readonly<Record<string, unknown>>
  after: string[]
  displayName?: string
  caching: { enabled?: boolean; key?: string }
  env: Map<string, string>
  resources: TaskResources
  kubernetes: KubernetesOptions[]
  retry?: RetryOptions
  ignoreUpstreamFailure: boolean
  source?: SourceLocation
}

interface ConditionDraft {
  kind: 'condition'
  id: string
  displayName?: string
  predicate?: Predicate['node']
  body: DraftNode[]
  source?: SourceLocation
}
interface BranchesDraft {
  kind: 'branches'
  id: string
  branches: ConditionDraft[]
  source?: SourceLocation
}
interface LoopDraft {
  kind: 'loop'
  id: string
  displayName?: string
  items: LoopItemsNode
  itemSpec: IoSpec
  parallelism?: number
  body: DraftNode[]
  source?: SourceLocation
}
interface ExitHandlerDraft {
  kind: 'exitHandler'
  id: string
  displayName?: string
  exitTask?: TaskDraft
  body: DraftNode[]
  source?: SourceLocation
}
type DraftNode = ({ kind: 'task' } & TaskDraft) | ConditionDraft | BranchesDraft | LoopDraft | ExitHandlerDraft

const durationUnits = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 } as const

/** @internal Seconds in a duration (KFP normalizes to whole seconds). */
export function durationSeconds(duration: Duration, where: readonly string[] = [], source?: SourceLocation): number {
  if (typeof duration === 'number') return Math.floor(duration)
  const match = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(duration)
  if (!match) throw new DslError('E_INVALID_DURATION', where, `invalid duration "${duration}"; use a number of seconds or e.g. "30s", "5m", "1h"`, source)
  return Math.floor(Number(match[1]) * durationUnits[match[2] as keyof typeof durationUnits])
}

function toValueSource(value: unknown, where: readonly string[], source: SourceLocation | undefined): ValueSourceNode {
  if (isRef(value)) return value.source
  // (Checked first: a reference is itself a plain object, which would pass for JSON.)
  const composite = compositeOf(value)
  if (composite) return deepFreeze(composite)
  if (isJsonValue(value)) return deepFreeze({ kind: 'constant', value: structuredClone(value) })
  throw new DslError(
    'E_INVALID_CONSTANT',
    where,
    `argument is not a reference or a JSON value (${jsonProblem(value)})`,
    source,
  )
}

/**
 * A list or plain object holding parameter references (and JSON values) becomes a composite
 * constant (KFP: channels inside a list or dict argument); undefined when it holds anything else.
 */
function compositeOf(value: unknown): ValueSourceNode | undefined {
  if (!Array.isArray(value) && !(typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype)) return undefined
  const embedded: { path: (string | number)[]; source: ValueSourceNode }[] = []
  const walk = (node: unknown, path: (string | number)[]): JsonValue | undefined => {
    if (isRef(node)) {
      if (node.kind === 'artifactRef') return undefined
      embedded.push({ path, source: node.source })
      return null
    }
    if (Array.isArray(node)) {
      const out: JsonValue[] = []
      for (let i = 0; i < node.length; i++) {
        const item = walk(node[i], [...path, i])
        if (item === undefined) return undefined
        out.push(item)
      }
      return out
    }
    if (typeof node === 'object' && node !== null && Object.getPrototypeOf(node) === Object.prototype) {
      const out: Record<string, JsonValue> = {}
      for (const [key, item] of Object.entries(node)) {
        const walked = walk(item, [...path, key])
        if (walked === undefined) return undefined
        out[key] = walked
      }
      return out
    }
    return isJsonValue(node) ? structuredClone(node) : undefined
  }
  const json = walk(value, [])
  if (json === undefined || embedded.length === 0) return undefined
  // Constant references (e.g. fmt without references) are written into the value directly.
  const kept = embedded.filter((e) => e.source.kind !== 'constant')
  for (const e of embedded) if (e.source.kind === 'constant') setPath(json, e.path, e.source.value)
  return kept.length === 0 ? { kind: 'constant', value: json } : { kind: 'composite', value: json, embedded: kept }
}

function setPath(value: JsonValue, path: readonly (string | number)[], replacement: JsonValue): void {
  let node = value as Record<string | number, JsonValue>
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, JsonValue>
  node[path[path.length - 1]!] = replacement
}

function freezeTask(draft: TaskDraft): TaskNode {
  const inputs: Record<string, ValueSourceNode> = {}
  for (const [name, value] of Object.entries(draft.args)) {
    if (value === undefined) continue
    inputs[name] = toValueSource(value, ['tasks', draft.name, 'inputs', name], draft.source)
  }
  const env: EnvVarNode[] = [...draft.env].map(([name, value]) => ({ name, value }))
  const resources = resourcesNode(draft.resources, ['tasks', draft.name, 'resources'], draft.source)
  const kubernetes = kubernetesNode(draft.kubernetes, ['tasks', draft.name, 'kubernetes'], draft.source)
  refuseUnknownKeys(draft.retry, RETRY_KEYS, 'a retry option', ['tasks', draft.name, 'retry'], draft.source)
  const retry: RetryNode | undefined = draft.retry && {
    maxRetryCount: draft.retry.count,
    backoffSeconds: durationSeconds(draft.retry.backoff ?? 0, ['tasks', draft.name, 'retry', 'backoff'], draft.source),
    backoffFactor: draft.retry.factor ?? 2,
    backoffMaxSeconds: durationSeconds(draft.retry.maxBackoff ?? 3600, ['tasks', draft.name, 'retry', 'maxBackoff'], draft.source),
  }
  return deepFreeze({
    kind: 'task',
    name: draft.name,
    ...(draft.displayName !== undefined && { displayName: draft.displayName }),
    component: draft.runnable,
    inputs,
    after: [...new Set(draft.after)],
    caching: {
      ...(draft.caching.enabled !== undefined && { enabled: draft.caching.enabled }),
      ...(draft.caching.key !== undefined && { key: draft.caching.key }),
    },
    env,
    ...(resources !== undefined && { resources }),
    ...(kubernetes !== undefined && { kubernetes }),
    ...(retry !== undefined && { retry }),
    ...(draft.ignoreUpstreamFailure && { ignoreUpstreamFailure: true }),
    ...(draft.source !== undefined && { source: draft.source }),
  })
}

function freezeBody(body: readonly DraftNode[]): BodyNode[] {
  return body.map(freezeNode)
}

function freezeCondition(draft: ConditionDraft): ConditionNode {
  return {
    kind: 'condition',
    id: draft.id,
    ...(draft.displayName !== undefined && { displayName: draft.displayName }),
    ...(draft.predicate !== undefined && { predicate: draft.predicate }),
    body: freezeBody(draft.body),
    ...(draft.source !== undefined && { source: draft.source }),
  }
}

function freezeNode(draft: DraftNode): BodyNode {
  switch (draft.kind) {
    case 'task':
      return freezeTask(draft)
    case 'condition':
      return freezeCondition(draft)
    case 'branches':
      return { kind: 'branches', id: draft.id, branches: draft.branches.map(freezeCondition), ...(draft.source !== undefined && { source: draft.source }) }
    case 'loop':
      return {
        kind: 'loop',
        id: draft.id,
        ...(draft.displayName !== undefined && { displayName: draft.displayName }),
        items: draft.items,
        itemSpec: draft.itemSpec,
        ...(draft.parallelism !== undefined && { parallelism: draft.parallelism }),
        body: freezeBody(draft.body),
        ...(draft.source !== undefined && { source: draft.source }),
      }
    case 'exitHandler':
      return {
        kind: 'exitHandler',
        id: draft.id,
        ...(draft.displayName !== undefined && { displayName: draft.displayName }),
        exitTask: freezeTask(draft.exitTask!),
        body: freezeBody(draft.body),
        ...(draft.source !== undefined && { source: draft.source }),
      }
  }
}

/** @internal The keys of {@link TaskOptions}. */
export const TASK_OPTION_KEYS = ['name', 'displayName', 'after', 'caching', 'env', 'resources', 'kubernetes', 'retry', 'ignoreUpstreamFailure'] as const

function applyOptions(draft: TaskDraft, options: TaskOptions): void {
  refuseUnknownKeys(options, TASK_OPTION_KEYS, 'a task option', ['tasks', draft.name], draft.source)
  if (options.displayName !== undefined) draft.displayName = options.displayName
  if (options.after) draft.after.push(...options.after.map((t) => t.name))
  if (options.caching !== undefined) setCaching(draft, options.caching)
  if (options.env) for (const [k, v] of Object.entries(options.env)) draft.env.set(k, v)
  if (options.resources) draft.resources = { ...draft.resources, ...options.resources }
  if (options.kubernetes) draft.kubernetes.push(options.kubernetes)
  if (options.retry) draft.retry = options.retry
  if (options.ignoreUpstreamFailure) draft.ignoreUpstreamFailure = true
}

function setCaching(draft: TaskDraft, caching: boolean | { readonly key: string }): void {
  // `caching: 'false'` (a string from a config file) would otherwise read as a custom key of undefined.
  if (typeof caching !== 'boolean' && (typeof caching !== 'object' || caching === null || typeof caching.key !== 'string')) {
    throw new DslError('E_INVALID_CONSTANT', ['tasks', draft.name, 'caching'], `caching is true, false or { key: '…' }, got ${JSON.stringify(caching) ?? String(caching)}`, draft.source)
  }
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
  refuseUnknownKeys(config, PIPELINE_CONFIG_KEYS, 'a pipeline option', [], source)
  const inputs = (config.inputs ?? {}) as I
  const root: DraftNode[] = []
  const scopes: DraftNode[][] = [root]
  const groupPath: string[] = []
  /** Enclosing group ids of every task, outermost first: used to resolve oneOf. */
  const taskGroups = new Map<TaskDraft, readonly string[]>()
  /**
   * The task each output reference comes from. A reference names its task only by name, and a
   * name may be declared twice (compile reports it), so oneOf looks the task up by the reference.
   */
  const producers = new WeakMap<ValueSourceNode, TaskDraft>()
  /** Every task declared under each name (the compiler reports a name declared twice). */
  const drafts = new Map<string, TaskDraft[]>()
  /** Every task in the order declared: the tasks one branch declared are a run of it. */
  const declared: TaskDraft[] = []
  const autoNames = new Set<string>()
  /** Per sanitised component name, the suffix its next automatic task name tries first. */
  const nextSuffix = new Map<string, number>()
  let groupCounter = 0
  const nextGroupNumber = () => ++groupCounter

  /** Set once the body has returned: the pipeline is frozen, and a late declaration would be lost. */
  let finished = false
  const current = () => {
    if (finished) {
      throw new DslError('E_INVALID_OUTPUT', [], `pipeline "${config.name}" is already built: declare its tasks and control flow inside its body (dag.… called after pipeline() returned)`, callerLocation())
    }
    return scopes[scopes.length - 1]!
  }
  const inScope = <T>(scope: DraftNode[], id: string, run: () => T): T => {
    scopes.push(scope)
    groupPath.push(id)
    try {
      return run()
    } finally {
      scopes.pop()
      groupPath.pop()
    }
  }

  const addTask = (runnable: Runnable, args: Readonly<Record<string, unknown>> | undefined, options: TaskOptions | undefined): Task<any> => {
    let name = options?.name
    if (name === undefined) {
      const base = sanitizeName(runnable.name) || 'task'
      // A name from a long component name is cut to the 128 characters a task name may have, and
      // never ends in '-' where it is cut.
      name = fitName(base, MAX_NAME_LENGTH)
      if (autoNames.has(name)) {
        // Names are never released, so every suffix below the last one given for this base is
        // still taken: starting there keeps naming a component's n-th task O(1), not O(n).
        let suffix = nextSuffix.get(base) ?? 2
        while (autoNames.has((name = fitName(base, MAX_NAME_LENGTH, `-${suffix}`)))) suffix++
        nextSuffix.set(base, suffix + 1)
      }
    }
    autoNames.add(name)
    const taskSource = callerLocation()
    const draft: TaskDraft = {
      name,
      runnable,
      args: args ?? {},
      after: [],
      caching: {},
      env: new Map(),
      resources: {},
      kubernetes: [],
      ignoreUpstreamFailure: false,
      ...(taskSource !== undefined && { source: taskSource }),
    }
    if (options) applyOptions(draft, options)
    current().push(Object.assign(draft, { kind: 'task' as const }))
    const named = drafts.get(name)
    if (named) named.push(draft)
    else drafts.set(name, [draft])
    declared.push(draft)
    taskGroups.set(draft, [...groupPath])
    const outputs: Record<string, unknown> = {}
    for (const [output, spec] of Object.entries(componentOutputs(runnable))) {
      const outputSource: ValueSourceNode = { kind: 'taskOutput', task: name, output }
      producers.set(outputSource, draft)
      outputs[output] = refFor(spec as ParamSpec | ArtifactSpec, outputSource)
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
      setKubernetes(kubernetes) {
        draft.kubernetes.push(kubernetes)
        return this
      },
      setRetry(retry) {
        draft.retry = retry
        return this
      },
      ignoreUpstreamFailure() {
        draft.ignoreUpstreamFailure = true
        return this
      },
    }
    return handle as Task<any>
  }

  const runBranch = (branch: ConditionDraft, run: () => void) => inScope(branch.body, branch.id, run)

  const dag: Dag = {
    task(runnable, ...rest) {
      const [args, options] = rest as [Readonly<Record<string, unknown>> | undefined, TaskOptions | undefined]
      return addTask(runnable, args, options)
    },

    if(predicate, run, options) {
      const groupSource = callerLocation()
      refuseUnknownKeys(options, GROUP_OPTION_KEYS, 'an if() option', ['if'], groupSource)
      const first: ConditionDraft = {
        kind: 'condition',
        id: `condition-${nextGroupNumber()}`,
        predicate: predicate.node,
        body: [],
        ...(options?.displayName !== undefined && { displayName: options.displayName }),
        ...(groupSource !== undefined && { source: groupSource }),
      }
      const parent = current()
      parent.push(first)
      const firstDeclared = declared.length
      runBranch(first, run)
      const afterFirst = declared.length
      let chain: BranchesDraft | undefined
      const addBranch = (branchPredicate: Predicate | undefined, branchRun: () => void, branchOptions: GroupOptions | undefined) => {
        refuseUnknownKeys(branchOptions, GROUP_OPTION_KEYS, `an ${branchPredicate ? 'elif' : 'else'}() option`, [branchPredicate ? 'elif' : 'else'], callerLocation)
        if (chain === undefined) {
          // KFP's numbering: the chain takes over the first branch's number, the first branch a new one.
          chain = { kind: 'branches', id: first.id.replace('condition-', 'condition-branches-'), branches: [first], ...(groupSource !== undefined && { source: groupSource }) }
          const oldId = first.id
          first.id = `condition-${nextGroupNumber()}`
          // From the end: .else() usually follows its if directly (indexOf cost a scan of the parent).
          parent.splice(parent.lastIndexOf(first), 1, chain)
          // Only the first branch's tasks (declared while it ran) are inside it: looking at every
          // task of the pipeline here made each if/else cost as much as all the tasks before it.
          for (const task of declared.slice(firstDeclared, afterFirst)) {
            const groups = taskGroups.get(task)!
            if (groups.includes(oldId)) taskGroups.set(task, groups.flatMap((g) => (g === oldId ? [chain!.id, first.id] : [g])))
          }
        }
        const branch: ConditionDraft = {
          kind: 'condition',
          id: `condition-${nextGroupNumber()}`,
          body: [],
          ...(branchPredicate !== undefined && { predicate: branchPredicate.node }),
          ...(branchOptions?.displayName !== undefined && { displayName: branchOptions.displayName }),
        }
        chain.branches.push(branch)
        inScope([], chain.id, () => runBranch(branch, branchRun))
      }
      let closed = false
      const branches: Branches = {
        elif(branchPredicate, branchRun, branchOptions) {
          if (closed) throw new DslError('E_INVALID_OUTPUT', [], 'elif() after else()', callerLocation())
          addBranch(branchPredicate, branchRun, branchOptions)
          return branches
        },
        else(branchRun, branchOptions) {
          if (closed) throw new DslError('E_INVALID_OUTPUT', [], 'else() given twice', callerLocation())
          addBranch(undefined, branchRun, branchOptions)
          closed = true
        },
      }
      return branches
    },

    forEach(items: unknown, run: (item: never) => LoopResult, options?: LoopOptions) {
      const loopSource = callerLocation()
      refuseUnknownKeys(options, LOOP_OPTION_KEYS, 'a forEach() option', ['forEach'], loopSource)
      let loopItems: LoopItemsNode
      let itemSpec: IoSpec
      if (Array.isArray(items)) {
        const values = structuredClone(items) as JsonValue[]
        loopItems = { kind: 'raw', values, itemId: `loop-item-param-${nextGroupNumber()}` }
        itemSpec = { kind: 'parameter', type: staticItemType(values), optional: false }
      } else if (isRef(items) && items.kind === 'artifactRef') {
        loopItems = { kind: 'artifacts', from: items.source }
        itemSpec = { kind: 'artifact', type: { schemaTitle: items.schemaTitle, schemaVersion: '0.0.1' }, isList: false, optional: false }
      } else if (isRef(items)) {
        loopItems = { kind: 'values', from: items.source }
        itemSpec = { kind: 'parameter', type: 'STRING', optional: false }
      } else {
        throw new DslError('E_INVALID_CONSTANT', [], 'forEach() takes a list, a list parameter or a list of artifacts', loopSource)
      }
      const loop: LoopDraft = {
        kind: 'loop',
        id: `for-loop-${nextGroupNumber()}`,
        items: loopItems,
        itemSpec,
        body: [],
        ...(options?.parallelism !== undefined && { parallelism: options.parallelism }),
        ...(options?.displayName !== undefined && { displayName: options.displayName }),
        ...(loopSource !== undefined && { source: loopSource }),
      }
      current().push(loop)
      const item = itemSpec.kind === 'artifact'
        ? refFor(itemSpec as ArtifactSpec, { kind: 'loopItem', loop: loop.id })
        : loopItemRef(loop.id, [])
      const result = inScope(loop.body, loop.id, () => run(item as never))
      if (loopItems.kind === 'values') loop.itemSpec = { kind: 'parameter', type: options?.item?.type ?? itemTypeFromUse(loop.id, loop.body), optional: false }
      return collectResult(result, [loop.id], loopSource) as never
    },

    exitHandler(exitTask, run, options) {
      const handlerSource = callerLocation()
      refuseUnknownKeys(options, GROUP_OPTION_KEYS, 'an exitHandler() option', ['exitHandler'], handlerSource)
      const handler: ExitHandlerDraft = {
        kind: 'exitHandler',
        id: `exit-handler-${nextGroupNumber()}`,
        body: [],
        ...(options?.displayName !== undefined && { displayName: options.displayName }),
        ...(handlerSource !== undefined && { source: handlerSource }),
      }
      // The exit task is declared first (it is named first, as in KFP) but lives beside the group.
      const captured: DraftNode[] = []
      const status = refFor({ kind: 'parameter', type: 'TASK_FINAL_STATUS', optional: false } as ParamSpec, { kind: 'taskFinalStatus' })
      const made = inScope(captured, '', () => exitTask(status as ParamRef<TaskFinalStatus>))
      const task = captured.find((n): n is { kind: 'task' } & TaskDraft => n.kind === 'task' && n.name === made.name)
      if (!task || captured.length !== 1) {
        throw new DslError('E_INVALID_OUTPUT', [], 'the exitTask callback must add exactly one task with dag.task()', handlerSource)
      }
      taskGroups.set(task, [...groupPath])
      handler.exitTask = task
      current().push(handler)
      inScope(handler.body, handler.id, run)
    },

    importer(importerConfig, options) {
      refuseUnknownKeys(importerConfig, IMPORTER_CONFIG_KEYS, 'an importer option', ['importer'], callerLocation)
      const component: ImporterComponentNode = deepFreeze({
        kind: 'importer',
        name: 'importer',
        inputs: { uri: { kind: 'parameter', type: 'STRING', optional: false } },
        outputs: { artifact: { kind: 'artifact', type: { schemaTitle: importerConfig.type.schemaTitle, schemaVersion: importerConfig.type.schemaVersion }, isList: false, optional: false } },
        artifactType: { schemaTitle: importerConfig.type.schemaTitle, schemaVersion: importerConfig.type.schemaVersion },
        reimport: importerConfig.reimport ?? false,
        ...(importerConfig.metadata !== undefined && { metadata: structuredClone(importerConfig.metadata) }),
      })
      return addTask(component as unknown as Runnable, { uri: importerConfig.uri }, options)
    },

    oneOf(...refs) {
      const groups = refs.map((ref) => {
        if (ref.source.kind !== 'taskOutput') return undefined
        // A reference made by hand rather than taken from a task handle: the last task of its name.
        const producer = producers.get(ref.source) ?? drafts.get(ref.source.task)?.at(-1)
        return producer && taskGroups.get(producer)
      })
      // The innermost if/elif/else enclosing every source (an outer chain may enclose an inner one).
      const branchesId = groups[0]?.findLast((g) => g.startsWith('condition-branches-') && groups.every((other) => other?.includes(g)))
      if (branchesId === undefined) {
        throw new DslError('E_INVALID_OUTPUT', [], 'oneOf() takes outputs of tasks in different branches of one if/elif/else', callerLocation())
      }
      const first = refs[0]
      return deepFreeze({ ...first, source: oneOfSource(branchesId, refs) }) as typeof first
    },
  }

  const inputRefs: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(inputs)) inputRefs[name] = refFor(spec, { kind: 'pipelineInput', name })
  const returned = body(dag, Object.freeze(inputRefs) as PipelineInputs<I>)
  finished = true

  const outputs: Record<string, PipelineOutputNode> = {}
  if (returned) {
    for (const [name, ref] of Object.entries(returned as Record<string, AnyRef>)) {
      if (!isRef(ref)) {
        throw new DslError('E_INVALID_OUTPUT', ['outputs', name], 'a pipeline output must be a task output or a pipeline input', source)
      }
      outputs[name] = { spec: outputSpecOf(ref, drafts, inputs), from: ref.source }
    }
  }
  const frozenBody = freezeBody(root)
  return deepFreeze({
    kind: 'pipeline',
    name: config.name,
    ...(config.description !== undefined && { description: config.description }),
    ...(config.displayName !== undefined && { displayName: config.displayName }),
    inputs,
    outputs,
    body: frozenBody,
    ...(config.pipelineRoot !== undefined && { defaultPipelineRoot: config.pipelineRoot }),
    ...(config.caching !== undefined && { caching: config.caching }),
    ...(source !== undefined && { source }),
  }) as PipelineDef<I, any>
}

/**
 * The element type of a list known only at run time, as KFP records it: STRUCT when the body
 * reads fields of the item or passes it to a STRUCT input, LIST for a LIST input, else STRING.
 */
function itemTypeFromUse(loop: string, body: readonly DraftNode[]): 'STRING' | 'STRUCT' | 'LIST' {
  let type: 'STRING' | 'STRUCT' | 'LIST' = 'STRING'
  const visitSource = (source: ValueSourceNode | undefined, consumer?: IoSpec) => {
    if (source?.kind !== 'loopItem' || source.loop !== loop) return
    if (source.path && source.path.length > 0) type = 'STRUCT'
    else if (consumer?.kind === 'parameter' && (consumer.type === 'STRUCT' || consumer.type === 'LIST')) type = consumer.type
  }
  const visit = (nodes: readonly DraftNode[]) => {
    for (const node of nodes) {
      if (node.kind === 'task') {
        for (const [input, value] of Object.entries(node.args)) if (isRef(value)) visitSource(value.source, node.runnable.inputs[input])
      } else if (node.kind === 'branches') visit(node.branches)
      else {
        if (node.kind === 'loop' && node.items.kind !== 'raw') visitSource(node.items.from)
        visit(node.body)
        if (node.kind === 'exitHandler' && node.exitTask) visit([Object.assign(node.exitTask, { kind: 'task' as const })])
      }
    }
  }
  visit(body)
  return type
}

function loopItemRef(loop: string, path: readonly string[]): unknown {
  const source: ValueSourceNode = path.length > 0 ? { kind: 'loopItem', loop, path } : { kind: 'loopItem', loop }
  return Object.freeze({ kind: 'paramRef', source, field: (key: string) => loopItemRef(loop, [...path, key]) })
}

function collectResult(result: LoopResult, where: readonly string[], loopSource: SourceLocation | undefined): unknown {
  if (result === undefined) return undefined
  const collect = (ref: AnyRef) => {
    // A value an inner loop already collected stays the same fan-in: every iteration of both loops.
    if (ref.source?.kind === 'collected') return ref
    if (ref.source?.kind !== 'taskOutput') throw new DslError('E_INVALID_OUTPUT', where, 'a loop body may only return outputs of tasks inside the loop', loopSource)
    const source: ValueSourceNode = { kind: 'collected', task: ref.source.task, output: ref.source.output }
    return Object.freeze(ref.kind === 'artifactRef' ? { ...ref, isList: true, source } : { kind: 'paramRef', source })
  }
  if (isRef(result)) return collect(result)
  return Object.freeze(Object.fromEntries(Object.entries(result).map(([k, v]) => [k, collect(v)])))
}

function outputSpecOf(ref: AnyRef, drafts: ReadonlyMap<string, readonly TaskDraft[]>, inputs: InputSpecs): IoSpecNode {
  const from = ref.source
  // A reference names its producer only by name. When two tasks share it, the first that has the
  // output stands in: compile reports E_DUPLICATE_TASK, so throwing here would only hide that.
  const declared = (task: string, output: string) => drafts.get(task)?.map((d) => componentOutputs(d.runnable)[output]).find((o) => o !== undefined)
  let spec: IoSpecNode | undefined
  if (from.kind === 'pipelineInput') spec = inputs[from.name]
  else if (from.kind === 'taskOutput' || from.kind === 'collected') {
    spec = declared(from.task, from.output)
    if (spec && from.kind === 'collected') {
      spec = spec.kind === 'artifact' ? { ...spec, isList: true } : { kind: 'parameter', type: 'LIST', optional: false }
    }
  } else if (from.kind === 'oneOf' && from.sources[0]) {
    spec = declared(from.sources[0].task, from.sources[0].output)
  }
  if (spec === undefined) throw new DslError('E_INVALID_OUTPUT', ['outputs'], 'pipeline output refers to a value outside this pipeline')
  // A pipeline output is never optional and carries no default, whatever its source declared.
  return spec.kind === 'artifact'
    ? { kind: 'artifact', type: spec.type, isList: spec.isList, optional: false }
    : { kind: 'parameter', type: spec.type, optional: false }
}
