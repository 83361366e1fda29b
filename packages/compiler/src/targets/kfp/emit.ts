import type { ComponentNode, ContainerComponentNode, ImporterComponentNode, IoSpecNode, JsonValue, PredicateNode, ResourcesNode, TaskNode, ValueSourceNode } from '@typeflow/dsl'
import { componentOutputs, deepFreeze, kubernetesSources, resourceSources, sanitizeName } from '@typeflow/dsl'
import { pythonJsonDumps, renderKfpArg } from '@typeflow/dsl/kfp'
import type { AnalysedGroup, AnalysedPipeline, AnalysedScope, AnalysedTask } from '../../analyse/graph.ts'
import { compareNames, predicateOperands, producersOfSource, readSources, sourceKey, topologicalOrder } from '../../analyse/graph.ts'
import { computeCacheKeys, isStaticKey, type TaskCacheKey } from '../../passes/cache-keys.ts'
import { YamlFloat } from '../../writer/yaml.ts'
import { nameKeyed } from './name-keyed.ts'
import { kubernetesExecutorConfig, platformSpec } from './platform.ts'

/** The KFP IR schema version the SDK hard-codes. */
export const KFP_SCHEMA_VERSION = '2.1.0'

type Json = unknown
type JsonObject = Record<string, Json>

/** `google.protobuf.Value` numbers are doubles: the SDK writes `2.0` even for integers. */
export function protobufValue(value: JsonValue): Json {
  if (typeof value === 'number') return new YamlFloat(value)
  if (Array.isArray(value)) return value.map(protobufValue)
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {}
    for (const [k, v] of Object.entries(value)) out[k] = protobufValue(v)
    return out
  }
  return value
}

function ioDefinitions(specs: Readonly<Record<string, IoSpecNode>>, direction: 'input' | 'output'): JsonObject | undefined {
  const parameters: JsonObject = nameKeyed()
  const artifacts: JsonObject = nameKeyed()
  for (const name of Object.keys(specs).sort(compareNames)) {
    const spec = specs[name]!
    if (spec.kind === 'parameter') {
      parameters[name] = {
        parameterType: spec.type,
        ...(direction === 'input' && spec.default !== undefined && { defaultValue: protobufValue(spec.default) }),
        // The SDK marks a final-status input optional: the backend fills it in, callers never do.
        ...(direction === 'input' && (spec.optional || spec.type === 'TASK_FINAL_STATUS') && { isOptional: true }),
        ...(spec.description !== undefined && { description: spec.description }),
      }
    } else {
      artifacts[name] = {
        artifactType: { schemaTitle: spec.type.schemaTitle, schemaVersion: spec.type.schemaVersion },
        ...(spec.isList && { isArtifactList: true }),
        ...(direction === 'input' && spec.optional && { isOptional: true }),
        ...(spec.description !== undefined && { description: spec.description }),
      }
    }
  }
  const out: JsonObject = {}
  if (Object.keys(artifacts).length > 0) out['artifacts'] = artifacts
  if (Object.keys(parameters).length > 0) out['parameters'] = parameters
  return Object.keys(out).length > 0 ? out : undefined
}

const memoryUnits: Readonly<Record<string, number>> = {
  '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
}

/** CPU in cores, as the SDK's deprecated `cpuLimit` wants it. */
export function cpuToFloat(cpu: string): number {
  return cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu)
}

/** Memory in GB (10^9 bytes), as the SDK's deprecated `memoryLimit` wants it. */
export function memoryToFloat(memory: string): number {
  const match = /^([0-9.]+)([KMGTPE]i?)?$/.exec(memory)
  if (!match) return Number.NaN
  return (Number(match[1]) * memoryUnits[match[2] ?? '']!) / 1e9
}

/**
 * The task inputs the SDK adds for each resource read from a parameter (a constant holding the
 * placeholder), by resource field; the component does not declare them.
 */
const RESOURCE_INPUTS = {
  cpuRequest: 'cpu_request',
  cpuLimit: 'cpu_limit',
  memoryRequest: 'memory_request',
  memoryLimit: 'memory_limit',
  acceleratorType: 'accelerator_type',
  acceleratorCount: 'accelerator_count',
} as const

/** Resource values read from parameters, by the SDK's field names, in that order. */
function dynamicResources(r: ResourcesNode | undefined): [keyof typeof RESOURCE_INPUTS, ValueSourceNode][] {
  const d = r?.fromParameters
  if (!d) return []
  const out: [keyof typeof RESOURCE_INPUTS, ValueSourceNode][] = []
  for (const field of ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit'] as const) {
    const source = d[field]
    if (source !== undefined) out.push([field, source])
  }
  if (d.accelerator && typeof d.accelerator.type !== 'string') out.push(['acceleratorType', d.accelerator.type])
  if (d.accelerator && typeof d.accelerator.count !== 'number') out.push(['acceleratorCount', d.accelerator.count])
  return out
}

/** The placeholder through which a container reads a parameter passed to its task as `pipelinechannel--…`. */
function channelPlaceholder(source: ValueSourceNode, pipeline: AnalysedPipeline): string {
  return `{{$.inputs.parameters['${channelName(source, pipeline)}']}}`
}

function resourceSpec(r: ResourcesNode, pipeline: AnalysedPipeline): JsonObject | undefined {
  const out: JsonObject = {}
  if (r.accelerator) {
    const count = String(r.accelerator.count)
    out['accelerator'] = { count, resourceCount: count, resourceType: r.accelerator.type, type: r.accelerator.type }
  }
  // Values from parameters: only the string fields, holding a placeholder (the SDK's rule: the
  // deprecated numeric fields only for static values).
  const d = r.fromParameters
  if (d?.accelerator) {
    const { type, count } = d.accelerator
    out['accelerator'] = {
      ...(typeof count === 'number' ? { count: String(count), resourceCount: String(count) } : { resourceCount: channelPlaceholder(count, pipeline) }),
      ...(typeof type === 'string' ? { resourceType: type, type } : { resourceType: channelPlaceholder(type, pipeline) }),
    }
  }
  if (d?.cpuLimit) out['resourceCpuLimit'] = channelPlaceholder(d.cpuLimit, pipeline)
  if (d?.cpuRequest) out['resourceCpuRequest'] = channelPlaceholder(d.cpuRequest, pipeline)
  if (d?.memoryLimit) out['resourceMemoryLimit'] = channelPlaceholder(d.memoryLimit, pipeline)
  if (d?.memoryRequest) out['resourceMemoryRequest'] = channelPlaceholder(d.memoryRequest, pipeline)
  if (r.cpuLimit !== undefined) {
    out['cpuLimit'] = new YamlFloat(cpuToFloat(r.cpuLimit))
    out['resourceCpuLimit'] = r.cpuLimit
  }
  if (r.cpuRequest !== undefined) {
    out['cpuRequest'] = new YamlFloat(cpuToFloat(r.cpuRequest))
    out['resourceCpuRequest'] = r.cpuRequest
  }
  if (r.memoryLimit !== undefined) {
    out['memoryLimit'] = new YamlFloat(memoryToFloat(r.memoryLimit))
    out['resourceMemoryLimit'] = r.memoryLimit
  }
  if (r.memoryRequest !== undefined) {
    out['memoryRequest'] = new YamlFloat(memoryToFloat(r.memoryRequest))
    out['resourceMemoryRequest'] = r.memoryRequest
  }
  return Object.keys(out).length > 0 ? out : undefined
}

/**
 * What every task of a component writes the same: its input and output definitions and its
 * container's image, command and args. Frozen and shared by those tasks, so the YAML writer
 * renders each once and copies it (a large pipeline runs the same few components thousands of
 * times, and these parts are most of its file).
 */
interface ComponentParts {
  readonly inputs: JsonObject | undefined
  readonly outputs: JsonObject | undefined
  /** `{ image, command?, args? }`: the whole container of a task without env or resources. */
  readonly container: JsonObject | undefined
  /** `{ container }`: the executor of a task without env or resources. */
  readonly executor: JsonObject | undefined
}

const componentPartsCache = new WeakMap<ComponentNode, ComponentParts>()

function componentParts(component: ComponentNode): ComponentParts {
  let parts = componentPartsCache.get(component)
  if (!parts) {
    const container =
      component.kind === 'container'
        ? {
            image: component.image,
            ...(component.command !== undefined && { command: component.command.map(renderKfpArg) }),
            ...(component.args !== undefined && { args: component.args.map(renderKfpArg) }),
          }
        : undefined
    parts = deepFreeze({
      inputs: ioDefinitions(component.inputs, 'input'),
      outputs: ioDefinitions(componentOutputs(component), 'output'),
      container,
      executor: container && { container },
    })
    componentPartsCache.set(component, parts)
  }
  return parts
}

function containerExecutor(component: ContainerComponentNode, task: TaskNode, pipeline: AnalysedPipeline): JsonObject {
  const parts = componentParts(component)
  const resources = task.resources && resourceSpec(task.resources, pipeline)
  if (task.env.length === 0 && resources === undefined) return parts.executor!
  // Assigned, not spread in after `...parts.container`: see withTasks in the Argo target.
  const container: JsonObject = Object.assign({}, parts.container)
  if (task.env.length > 0) container['env'] = task.env.map((e) => ({ name: e.name, value: e.value }))
  if (resources !== undefined) container['resources'] = resources
  return { container }
}

function retryPolicy(task: TaskNode): JsonObject | undefined {
  const r = task.retry
  if (!r) return undefined
  return {
    backoffDuration: `${r.backoffSeconds}s`,
    // The SDK turns a zero factor into its default of 2 (`factor or 2.0`).
    backoffFactor: new YamlFloat(r.backoffFactor || 2),
    backoffMaxDuration: `${r.backoffMaxSeconds}s`,
    maxRetryCount: r.maxRetryCount,
  }
}

/** Allocates `comp-…`/`exec-…` keys the way the SDK does: sanitized, then `-2`, `-3` … on clashes. */
class KeyAllocator {
  private readonly taken = new Set<string>()
  allocate(base: string): string {
    if (!this.taken.has(base)) {
      this.taken.add(base)
      return base
    }
    for (let i = 2; ; i++) {
      const candidate = `${base}-${i}`
      if (!this.taken.has(candidate)) {
        this.taken.add(candidate)
        return candidate
      }
    }
  }
}


function sortedJson(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortedJson)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, JsonValue> = {}
    for (const key of Object.keys(value).sort(compareNames)) out[key] = sortedJson((value as Record<string, JsonValue>)[key]!)
    return out
  }
  return value
}

/** How the SDK serializes a raw loop list: `json.dumps(items, sort_keys=True)`. */
function rawItems(values: readonly JsonValue[]): string {
  return pythonJsonDumps(sortedJson(values as JsonValue))
}

/** OneOf outputs are numbered per if/elif/else in the order their oneOf values are first used. */
const oneOfNumbers = new WeakMap<AnalysedPipeline, Map<string, number>>()

/** The CEL that picks a field of a struct loop item. */
function fieldSelector(path: readonly string[]): string {
  return `parseJson(string_value)${path.map((f) => `["${f}"]`).join('')}`
}

/** The `pipelinechannel--…` name the SDK gives a value crossing a DAG boundary. */
function channelName(source: ValueSourceNode, pipeline: AnalysedPipeline): string {
  switch (source.kind) {
    case 'pipelineInput':
      return `pipelinechannel--${source.name}`
    case 'taskOutput':
    case 'collected':
      return `pipelinechannel--${source.task}-${source.output}`
    case 'loopItem':
      return [loopItemChannel(source.loop, pipeline), ...(source.path ?? []).map((field) => `subvar-${field}`)].join('-')
    case 'oneOf':
      return oneOfChannel(source, pipeline)
    case 'constant':
    case 'taskFinalStatus':
    case 'template':
    case 'composite':
      throw new Error(`${source.kind} values do not cross DAG boundaries`)
  }
}

/** Loop item channels, by loop id, per analysed pipeline. */
const loopItemChannels = new WeakMap<AnalysedPipeline, Map<string, string>>()

/**
 * The channel of a loop's item: `pipelinechannel--<list channel>-loop-item`, or the raw list's
 * `pipelinechannel--loop-item-param-N`, as the SDK names them. The SDK names the items of two
 * nested loops over one list alike, so where the inner loop's component also receives the outer
 * item, the outer item reads as the inner one. Only there does the inner loop take the first free
 * `-2`, `-3`, …; elsewhere the clash is harmless and the SDK's name is kept (its goldens nest two
 * loops over one list whose inner body never reads the outer item).
 */
function loopItemChannel(loopId: string, pipeline: AnalysedPipeline): string {
  let names = loopItemChannels.get(pipeline)
  if (!names) loopItemChannels.set(pipeline, (names = new Map()))
  const known = names.get(loopId)
  if (known !== undefined) return known
  const group = pipeline.groups.get(loopId)!
  const loop = group.node
  if (loop.kind !== 'loop') throw new Error(`${loopId} is not a loop`)
  const base = loop.items.kind === 'raw' ? `pipelinechannel--${loop.items.itemId}` : `${channelName(loop.items.from, pipeline)}-loop-item`
  const enclosing = group.path.filter((id) => pipeline.groups.get(id)?.node.kind === 'loop')
  let name = base
  if (enclosing.length > 0) {
    const entering = loopItemsEntering(group, pipeline)
    const taken = new Set(enclosing.filter((id) => entering.has(id)).map((id) => loopItemChannel(id, pipeline)))
    for (let n = 2; taken.has(name); n++) name = `${base}-${n}`
  }
  names.set(loopId, name)
  return name
}

/**
 * The loops whose items may reach a group's component: those read by any task or group inside it
 * (f-strings, composites and pod settings included), or by a condition around it, whose operands
 * the SDK punches through to every task the condition holds. A superset is safe: it only costs
 * the SDK's name in a case the SDK gets wrong anyway.
 */
function loopItemsEntering(group: AnalysedGroup, pipeline: AnalysedPipeline): Set<string> {
  const found = new Set(loopsReadWithin(pipeline).get(group.name))
  // Conditions around the group: their operands reach every task inside them.
  for (const id of group.path) {
    const node = pipeline.groups.get(id)?.node
    if (node?.kind === 'condition') for (const source of predicateOperands(node.predicate)) addLoopsRead(source, found)
  }
  return found
}

function addLoopsRead(source: ValueSourceNode, into: Set<string>): void {
  for (const read of readSources(source)) if (read.kind === 'loopItem') into.add(read.loop)
}

/** Per analysed pipeline: group id → loops whose items something inside the group reads. */
const loopsReadCache = new WeakMap<AnalysedPipeline, Map<string, Set<string>>>()

/** One pass over tasks and groups, each read credited to every group around the reader (linear in tasks × depth). */
function loopsReadWithin(pipeline: AnalysedPipeline): Map<string, Set<string>> {
  const cached = loopsReadCache.get(pipeline)
  if (cached) return cached
  const within = new Map<string, Set<string>>()
  const credit = (groups: readonly string[], loops: ReadonlySet<string>) => {
    if (loops.size === 0) return
    for (const id of groups) {
      let set = within.get(id)
      if (!set) within.set(id, (set = new Set()))
      for (const loop of loops) set.add(loop)
    }
  }
  for (const task of pipeline.tasks.values()) {
    const loops = new Set<string>()
    for (const source of [...Object.values(task.node.inputs), ...resourceSources(task.node), ...kubernetesSources(task.node).map((k) => k.source)]) addLoopsRead(source, loops)
    credit(task.path, loops)
  }
  for (const other of pipeline.groups.values()) {
    const node = other.node
    const loops = new Set<string>()
    if (node.kind === 'loop' && node.items.kind !== 'raw') addLoopsRead(node.items.from, loops)
    if (node.kind === 'condition') for (const source of predicateOperands(node.predicate)) addLoopsRead(source, loops)
    credit([...other.path, other.name], loops)
  }
  loopsReadCache.set(pipeline, within)
  return within
}

function oneOfChannel(source: Extract<ValueSourceNode, { kind: 'oneOf' }>, pipeline: AnalysedPipeline): string {
  let numbers = oneOfNumbers.get(pipeline)
  if (!numbers) oneOfNumbers.set(pipeline, (numbers = new Map()))
  const key = sourceKey(source)
  let index = numbers.get(key)
  if (index === undefined) {
    index = [...numbers.keys()].filter((k) => k.startsWith(`oneOf:${source.branches}:`)).length + 1
    numbers.set(key, index)
  }
  return `pipelinechannel--${source.branches}-oneof-${index}`
}

/** One emitted component (the root, a group, a nested pipeline) and what it must receive from outside. */
class ComponentContext {
  /** Outside values this component reads, by channel name. */
  readonly needs = new Map<string, { source: ValueSourceNode; spec: IoSpecNode }>()
  /** Outputs this group exposes to its parent (fan-in, oneOf, nested outputs), by channel name. */
  readonly exposes = new Map<string, { spec: IoSpecNode; selector: JsonObject }>()

  constructor(
    readonly emitter: KfpEmitter,
    readonly pipeline: AnalysedPipeline,
    readonly scope: AnalysedScope,
    /** The group this component is, or undefined for a pipeline's own DAG. */
    readonly group: AnalysedGroup | undefined,
    /** Component and executor keys of this scope's members. */
    readonly naming: Naming,
  ) {}

  /** Group ids enclosing the members of this component's scope. */
  get path(): readonly string[] {
    return this.group ? [...this.group.path, this.group.name] : []
  }

  private spec(source: ValueSourceNode): IoSpecNode {
    let spec = this.pipeline.sourceSpecs.get(sourceKey(source))
    if (!spec && source.kind === 'loopItem' && !source.path?.length) {
      const loop = this.pipeline.groups.get(source.loop)?.node
      if (loop?.kind === 'loop') spec = loop.itemSpec
    }
    if (!spec) throw new Error(`no type recorded for ${sourceKey(source)}`)
    return spec
  }

  private need(source: ValueSourceNode, isArtifact: boolean): JsonObject {
    const channel = this.neededChannel(source)
    if (!this.needs.has(channel)) this.needs.set(channel, { source, spec: this.spec(source) })
    return isArtifact ? { componentInputArtifact: channel } : { componentInputParameter: channel }
  }

  /**
   * The input name under which this component receives an outside value. A fan-in or oneOf
   * value is an output of the group that exposes it at the level where producer and consumer
   * meet, so it arrives as `pipelinechannel--<that group>-<exposed name>`, as the SDK names it.
   */
  private neededChannel(source: ValueSourceNode): string {
    const exposed = channelName(source, this.pipeline)
    if (source.kind !== 'collected' && source.kind !== 'oneOf') return exposed
    let location: readonly string[]
    if (source.kind === 'collected') {
      const entry = this.pipeline.tasks.get(source.task)!
      location = [...entry.path, source.task]
    } else {
      const branches = this.pipeline.groups.get(source.branches)!
      location = [...branches.path, source.branches]
    }
    const path = this.path
    let k = 0
    while (k < path.length && k < location.length && path[k] === location[k]) k++
    return `pipelinechannel--${location[k]}-${exposed}`
  }

  /**
   * The input name a condition (or a loop's list) reads a value under. A field of an outer
   * loop's item is its own `…-subvar-<field>` input, which the SDK delivers beside the whole item.
   */
  channelFor(source: ValueSourceNode): string {
    if (source.kind === 'loopItem' && source.path?.length && this.group?.name !== source.loop) {
      this.need({ kind: 'loopItem', loop: source.loop }, false)
      return this.need(source, false)['componentInputParameter'] as string
    }
    return this.resolve(source, false)['componentInputParameter'] as string
  }

  /** The member of this scope that contains a task, if the task is inside this scope. */
  memberHolding(task: string): string | undefined {
    const entry = this.pipeline.tasks.get(task)
    if (!entry) return undefined
    const location = [...entry.path, task]
    const depth = this.path.length
    if (!this.path.every((g, i) => location[i] === g)) return undefined
    return location[depth]
  }

  /** An `InputParameterSpec`/`InputArtifactSpec` that delivers `source` inside this component. */
  resolve(source: ValueSourceNode, isArtifact: boolean): JsonObject {
    switch (source.kind) {
      case 'constant':
        return { runtimeValue: { constant: protobufValue(source.value) } }
      case 'pipelineInput':
        if (this.group) return this.need(source, isArtifact)
        return isArtifact ? { componentInputArtifact: source.name } : { componentInputParameter: source.name }
      case 'taskOutput': {
        const member = this.memberHolding(source.task)
        if (member === source.task) {
          return isArtifact
            ? { taskOutputArtifact: { outputArtifactKey: source.output, producerTask: source.task } }
            : { taskOutputParameter: { outputParameterKey: source.output, producerTask: source.task } }
        }
        return this.need(source, isArtifact)
      }
      case 'collected':
      case 'oneOf': {
        const tasks = source.kind === 'collected' ? [source.task] : source.sources.map((s) => s.task)
        const member = this.memberHolding(tasks[0]!)
        if (member !== undefined && member !== tasks[0]) {
          const channel = channelName(source, this.pipeline)
          return isArtifact
            ? { taskOutputArtifact: { outputArtifactKey: channel, producerTask: member } }
            : { taskOutputParameter: { outputParameterKey: channel, producerTask: member } }
        }
        return this.need(source, isArtifact)
      }
      case 'loopItem': {
        if (this.group?.name === source.loop) {
          const whole: ValueSourceNode = { kind: 'loopItem', loop: source.loop }
          const channel = channelName(whole, this.pipeline)
          const selector = source.path?.length ? { parameterExpressionSelector: fieldSelector(source.path) } : {}
          return isArtifact ? { componentInputArtifact: channel } : { componentInputParameter: channel, ...selector }
        }
        if (!source.path?.length || isArtifact) return this.need(source, isArtifact)
        // A field of an outer loop's item arrives as the whole item; the selector picks the field.
        return { ...this.need({ kind: 'loopItem', loop: source.loop }, false), parameterExpressionSelector: fieldSelector(source.path) }
      }
      case 'taskFinalStatus':
        throw new Error('final status is resolved by the task that receives it')
      case 'template':
      case 'composite':
        throw new Error(`a ${source.kind} is resolved by the task that receives it`)
    }
  }
}

function specOfInput(task: AnalysedTask, input: string): IoSpecNode | undefined {
  return task.node.component.inputs[input]
}

/** A CEL string literal: in a quoted string, its quote, a backslash and a line break are escaped. */
const CEL_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r' }

function celString(value: string): string {
  return `'${value.replace(/[\\'\n\r]/g, (c) => CEL_ESCAPES[c]!)}'`
}

function celOperand(source: ValueSourceNode, spec: IoSpecNode | undefined, channel: string | undefined, other: IoSpecNode | undefined): string {
  if (source.kind === 'constant') {
    const value = source.value
    if (typeof value === 'string') return celString(value)
    if (typeof value === 'boolean') return value ? 'true' : 'false'
    return String(value)
  }
  const ref = `inputs.parameter_values['${channel}']`
  const type = spec?.kind === 'parameter' ? spec.type : undefined
  const otherType = other?.kind === 'parameter' ? other.type : undefined
  // The SDK casts integer channels (protobuf Values are doubles), to double when compared with one.
  if (type === 'NUMBER_INTEGER') return otherType === 'NUMBER_DOUBLE' ? `double(${ref})` : `int(${ref})`
  return ref
}

/**
 * Options of the KFP target.
 *
 * @example
 * ```ts
 * import type { KfpOptions } from '@typeflow/compiler'
 * const kfp: KfpOptions = { cacheKeys: 'content' } // write Typeflow's keys where they are fully known
 * ```
 */
export interface KfpOptions {
  /**
   * `backend` (default) leaves cache fingerprints to the KFP backend, as the SDK does;
   * `content` writes Typeflow's content-addressed key as `cacheKey` wherever it is fully known
   * at compile time, so `typeflow plan` shows exactly the key KFP uses.
   */
  readonly cacheKeys?: 'backend' | 'content'
}

class KfpEmitter {
  constructor(readonly options: KfpOptions) {}

  private cacheKeyFor(pipeline: AnalysedPipeline, task: AnalysedTask): string | undefined {
    if (task.node.caching.key !== undefined) return task.node.caching.key
    if (this.options.cacheKeys !== 'content') return undefined
    const key = computeCacheKeys(pipeline).get(task.name)
    return key && isStaticKey(key) ? key.digest : undefined
  }

  readonly components: JsonObject = nameKeyed()
  readonly executors: JsonObject = nameKeyed()
  /** `KubernetesExecutorConfig` per executor label (the PlatformSpec). */
  readonly platform: Record<string, JsonObject> = nameKeyed()
  private readonly componentKeys = new KeyAllocator()
  private readonly executorKeys = new KeyAllocator()

  /** Renders a predicate as the SDK's CEL, reading every operand from the condition's inputs. */
  private cel(predicate: PredicateNode, ctx: ComponentContext, top: boolean): string {
    switch (predicate.kind) {
      case 'compare': {
        const spec = (s: ValueSourceNode) => (s.kind === 'constant' ? undefined : ctx.pipeline.sourceSpecs.get(sourceKey(s)))
        const channel = (s: ValueSourceNode) => (s.kind === 'constant' ? undefined : ctx.channelFor(s))
        const left = celOperand(predicate.left, spec(predicate.left), channel(predicate.left), spec(predicate.right))
        const right = celOperand(predicate.right, spec(predicate.right), channel(predicate.right), spec(predicate.left))
        return `${left} ${predicate.op} ${right}`
      }
      case 'not':
        return `!(${this.cel(predicate.item, ctx, true)})`
      case 'and':
      case 'or': {
        const joined = predicate.items.map((item) => this.cel(item, ctx, false)).join(predicate.kind === 'and' ? ' && ' : ' || ')
        return top ? joined : `(${joined})`
      }
    }
  }

  /**
   * Gives every component and executor of a pipeline its key, in the SDK's order: breadth
   * first over the DAG levels; at each level the groups, then the tasks (producers before
   * consumers; leaf tasks before nested pipelines, then by name, when free to choose); a nested
   * pipeline's own keys are taken when its task is reached (the SDK merges its compiled spec
   * then, renaming what clashes); exit handler tasks last. Declaration order never matters.
   */
  private namePipeline(pipeline: AnalysedPipeline): Naming {
    const root = newNaming()
    const queue: [AnalysedScope, Naming][] = [[pipeline.root, root]]
    const exitTasks: [AnalysedTask, Naming][] = []
    const nameTask = (task: AnalysedTask, naming: Naming) => {
      if (task.child) {
        naming.keys.set(task.name, this.componentKeys.allocate(`comp-${sanitizeName(task.name)}`))
        naming.children.set(task.name, this.namePipeline(task.child))
      } else {
        naming.keys.set(task.name, this.componentKeys.allocate(`comp-${sanitizeName(task.name)}`))
        naming.executors.set(task.name, this.executorKeys.allocate(`exec-${sanitizeName(task.name)}`))
      }
    }
    // An index, not `shift`: a pipeline may have tens of thousands of groups.
    for (let head = 0; head < queue.length; head++) {
      const [scope, naming] = queue[head]!
      const groups = [...scope.members.values()].filter((m): m is AnalysedGroup => m.kind === 'group').sort((a, b) => compareNames(a.name, b.name))
      for (const group of groups) {
        naming.keys.set(group.name, this.componentKeys.allocate(`comp-${group.name}`))
        const child = newNaming()
        naming.children.set(group.name, child)
        queue.push([group.scope, child])
      }
      for (const name of taskNamingOrder(scope)) {
        const task = scope.members.get(name) as AnalysedTask
        if (task.isExitTask) exitTasks.push([task, naming])
        else nameTask(task, naming)
      }
    }
    for (const [task, naming] of exitTasks) nameTask(task, naming)
    return root
  }

  private leafComponent(task: AnalysedTask, key: string, label: string, ctx: ComponentContext): string {
    const component = task.node.component
    const { inputs, outputs } = componentParts(component)
    this.components[key] = {
      executorLabel: label,
      ...(inputs !== undefined && { inputDefinitions: inputs }),
      ...(outputs !== undefined && { outputDefinitions: outputs }),
    }
    if (component.kind === 'container') {
      this.executors[label] = containerExecutor(component, task.node, ctx.pipeline)
      // Names and JSON read from parameters are delivered like task inputs, in the task's DAG.
      const config = kubernetesExecutorConfig(task.node, (source) => ctx.resolve(source, false))
      if (config) this.platform[label] = config
    } else if (component.kind === 'importer') this.executors[label] = { importer: importerSpec(component, task.node) }
    return key
  }

  private taskSpec(task: AnalysedTask, ctx: ComponentContext, componentRef: string): JsonObject {
    const node = task.node
    // Keyed by the component's input names, which its tasks share: plain objects (see nameKeyed).
    const parameters: JsonObject = {}
    const artifacts: JsonObject = {}
    let finalStatusProducer: string | undefined
    if (node.ignoreUpstreamFailure || task.isExitTask) finalStatusProducer = task.dependsOn.find((d) => !node.after.includes(d)) ?? task.dependsOn[0]
    if (task.isExitTask) {
      // The handler this task cleans up after: it may also wait for other exit handlers.
      finalStatusProducer = task.dependsOn.find((d) => {
        const group = ctx.pipeline.groups.get(d)?.node
        return group?.kind === 'exitHandler' && group.exitTask === node
      })
    }
    for (const { input, from } of task.edges) {
      const isArtifact = specOfInput(task, input)?.kind === 'artifact'
      const target = isArtifact ? artifacts : parameters
      if (from.kind === 'taskFinalStatus') target[input] = { taskFinalStatus: { producerTask: finalStatusProducer } }
      else if (from.kind === 'template') target[input] = { runtimeValue: { constant: embed(from, ctx, parameters) } }
      else if (from.kind === 'composite') {
        // A list or dict constant: each embedded value becomes its placeholder string.
        const value = structuredClone(from.value) as JsonValue
        for (const { path, source } of from.embedded) setAt(value, path, embed(source, ctx, parameters))
        target[input] = { runtimeValue: { constant: protobufValue(value) } }
      } else target[input] = ctx.resolve(from, isArtifact)
    }
    // Resources from parameters: the SDK passes each value as `pipelinechannel--…` and adds an
    // input named after the field, holding the placeholder (unless the component has that input).
    for (const [field, source] of dynamicResources(node.resources)) {
      const input = RESOURCE_INPUTS[field]
      if (input in parameters || input in node.component.inputs) continue
      parameters[input] = { runtimeValue: { constant: embed(source, ctx, parameters) } }
    }
    const dependentTasks = kfpDependencies(task, ctx)
    const retry = retryPolicy(node)
    const inputs: JsonObject = {}
    if (Object.keys(artifacts).length > 0) inputs['artifacts'] = artifacts
    if (Object.keys(parameters).length > 0) inputs['parameters'] = parameters
    const triggered = node.ignoreUpstreamFailure || task.isExitTask
    const cacheKey = this.cacheKeyFor(ctx.pipeline, task)
    return {
      cachingOptions: task.caching ? { enableCache: true, ...(cacheKey !== undefined && { cacheKey }) } : {},
      componentRef: { name: componentRef },
      ...(dependentTasks.length > 0 && { dependentTasks }),
      ...(Object.keys(inputs).length > 0 && { inputs }),
      ...(retry !== undefined && { retryPolicy: retry }),
      taskInfo: { name: node.displayName ?? task.name },
      ...(triggered && { triggerPolicy: { strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' } }),
    }
  }

  /** Emits a scope's members; returns the DAG's tasks. Groups are emitted recursively. */
  private emitScope(ctx: ComponentContext): JsonObject {
    const naming = ctx.naming
    const tasks: JsonObject = nameKeyed()
    for (const name of ctx.scope.order) {
      const member = ctx.scope.members.get(name)!
      const key = naming.keys.get(name)!
      if (member.kind === 'group') {
        tasks[name] = this.groupTask(member, ctx, key, naming.children.get(name)!)
        continue
      }
      if (member.child) this.components[key] = this.pipelineComponent(member.child, naming.children.get(name)!)
      else this.leafComponent(member, key, naming.executors.get(name)!, ctx)
      tasks[name] = this.taskSpec(member, ctx, key)
    }
    const sorted: JsonObject = nameKeyed()
    for (const name of Object.keys(tasks).sort(compareNames)) sorted[name] = tasks[name]
    return sorted
  }

  /** A control-flow group: its own DAG component, and the task that runs it in the parent. */
  private groupTask(group: AnalysedGroup, parent: ComponentContext, key: string, naming: Naming): JsonObject {
    const ctx = new ComponentContext(this, parent.pipeline, group.scope, group, naming)
    const node = group.node
    this.components[key] = {}
    let condition: string | undefined
    if (node.kind === 'condition') {
      const predicates: string[] = []
      const branches = group.path.length > 0 ? parent.pipeline.groups.get(group.path[group.path.length - 1]!) : undefined
      if (branches?.node.kind === 'branches') {
        for (const earlier of branches.node.branches) {
          if (earlier.id === node.id) break
          if (earlier.predicate) predicates.push(`!(${this.cel(earlier.predicate, ctx, true)})`)
        }
      }
      if (node.predicate) predicates.push(this.cel(node.predicate, ctx, predicates.length === 0))
      condition = predicates.join(' && ')
    }
    let iterator: JsonObject = {}
    if (node.kind === 'loop') {
      const item = channelName({ kind: 'loopItem', loop: node.id }, parent.pipeline)
      if (node.items.kind === 'raw') {
        ctx.needs.set(item, { source: { kind: 'loopItem', loop: node.id }, spec: node.itemSpec })
        iterator = { parameterIterator: { itemInput: item, items: { raw: rawItems(node.items.values) } } }
      } else {
        const listChannel = channelName(node.items.from, parent.pipeline)
        const isArtifact = node.items.kind === 'artifacts'
        ctx.needs.set(listChannel, { source: node.items.from, spec: parent.pipeline.sourceSpecs.get(sourceKey(node.items.from))! })
        // Iterating a field of an outer item: the SDK passes the whole item in as well.
        if (node.items.from.kind === 'loopItem' && node.items.from.path?.length) ctx.resolve({ kind: 'loopItem', loop: node.items.from.loop }, false)
        ctx.needs.set(item, { source: { kind: 'loopItem', loop: node.id }, spec: node.itemSpec })
        iterator = isArtifact
          ? { artifactIterator: { itemInput: item, items: { inputArtifact: listChannel } } }
          : { parameterIterator: { itemInput: item, items: { inputParameter: listChannel } } }
      }
      if (node.parallelism !== undefined) iterator['iteratorPolicy'] = { parallelismLimit: node.parallelism }
    }
    this.exposeOutputs(group, ctx)
    const tasks = this.emitScope(ctx)
    this.punchConditionOperands(group, ctx)
    const inputs = this.needsAsDefinitions(ctx)
    const outputs = this.exposedDefinitions(ctx)
    const dagOutputs = this.exposedSelectors(ctx)
    this.components[key] = {
      dag: dagOutputs !== undefined ? { outputs: dagOutputs, tasks } : { tasks },
      ...(inputs !== undefined && { inputDefinitions: inputs }),
      ...(outputs !== undefined && { outputDefinitions: outputs }),
    }
    // What the group reads from outside is delivered by the parent; the loop item is not.
    const parameters: JsonObject = nameKeyed()
    const artifacts: JsonObject = nameKeyed()
    for (const channel of [...ctx.needs.keys()].sort(compareNames)) {
      const { source, spec } = ctx.needs.get(channel)!
      if (source.kind === 'loopItem' && source.loop === node.id) continue
      ;(spec.kind === 'artifact' ? artifacts : parameters)[channel] = parent.resolve(source, spec.kind === 'artifact')
    }
    const taskInputs: JsonObject = {}
    if (Object.keys(artifacts).length > 0) taskInputs['artifacts'] = artifacts
    if (Object.keys(parameters).length > 0) taskInputs['parameters'] = parameters
    return {
      componentRef: { name: key },
      ...(group.dependsOn.length > 0 && { dependentTasks: [...group.dependsOn] }),
      ...(Object.keys(taskInputs).length > 0 && { inputs: taskInputs }),
      ...iterator,
      taskInfo: { name: ('displayName' in node && node.displayName) || group.name },
      ...(condition !== undefined && condition !== '' && { triggerPolicy: { condition } }),
    }
  }

  /**
   * The SDK treats the operands of every condition enclosing a task as inputs of that task when
   * it punches values through groups: each group between the operand's producer and the task
   * receives it, although only the condition itself reads it.
   */
  private punchConditionOperands(group: AnalysedGroup, ctx: ComponentContext): void {
    const pipeline = ctx.pipeline
    const seen = new Set<string>()
    for (const task of tasksInside(pipeline).get(group.name) ?? []) {
      for (const source of enclosingConditionOperands(pipeline, task.path)) {
        const key = sourceKey(source)
        if (seen.has(key)) continue
        seen.add(key)
        if (source.kind === 'taskOutput' || source.kind === 'collected') {
          if (pipeline.tasks.get(source.task)?.path.includes(group.name)) continue
        } else if (source.kind === 'oneOf') {
          if (source.sources.some((s) => pipeline.tasks.get(s.task)?.path.includes(group.name))) continue
        } else if (source.kind === 'loopItem') {
          if (source.loop === group.name || pipeline.groups.get(source.loop)?.path.includes(group.name)) continue
        } else if (source.kind !== 'pipelineInput') continue
        ctx.resolve(source, false)
      }
    }
  }

  /**
   * Fan-in and oneOf values read outside a group leave it as the group's outputs: a loop (and
   * every group between it and the producing task) exposes `pipelinechannel--<task>-<output>`;
   * an if/elif/else exposes `…-oneof-N`, fed by each branch's exposed output.
   */
  private exposeOutputs(group: AnalysedGroup, ctx: ComponentContext): void {
    const pipeline = ctx.pipeline
    for (const source of readsFromOutside(group, pipeline)) {
      const spec = pipeline.sourceSpecs.get(sourceKey(source))!
      const isArtifact = spec.kind === 'artifact'
      if (source.kind === 'oneOf' && source.branches === group.name) {
        const selectors = source.sources.map((option) => exposedSelector(pipeline, group, option.task, option.output, isArtifact))
        ctx.exposes.set(channelName(source, pipeline), {
          spec,
          selector: isArtifact ? { artifactSelectors: selectors } : { valueFromOneof: { parameterSelectors: selectors } },
        })
        continue
      }
      const options = source.kind === 'oneOf' ? source.sources : source.kind === 'collected' ? [source] : []
      for (const option of options) {
        const entry = pipeline.tasks.get(option.task)!
        if (!entry.path.includes(group.name)) continue
        const producerSpec = componentOutputsSpec(entry, option.output)
        const channel = channelName({ kind: 'taskOutput', task: option.task, output: option.output }, pipeline)
        const exposed = source.kind === 'collected' ? spec : producerSpec
        const selector = exposedSelector(pipeline, group, option.task, option.output, isArtifact)
        ctx.exposes.set(channel, {
          spec: exposed,
          selector: isArtifact ? { artifactSelectors: [selector] } : { valueFromParameter: selector },
        })
      }
    }
  }

  private needsAsDefinitions(ctx: ComponentContext): JsonObject | undefined {
    const specs: Record<string, IoSpecNode> = nameKeyed()
    for (const [channel, { spec }] of ctx.needs) specs[channel] = stripForChannel(spec)
    return ioDefinitions(specs, 'input')
  }

  private exposedDefinitions(ctx: ComponentContext): JsonObject | undefined {
    const specs: Record<string, IoSpecNode> = nameKeyed()
    for (const [channel, { spec }] of ctx.exposes) specs[channel] = stripForChannel(spec)
    return ioDefinitions(specs, 'output')
  }

  private exposedSelectors(ctx: ComponentContext): JsonObject | undefined {
    const parameters: JsonObject = nameKeyed()
    const artifacts: JsonObject = nameKeyed()
    for (const channel of [...ctx.exposes.keys()].sort(compareNames)) {
      const { spec, selector } = ctx.exposes.get(channel)!
      ;(spec.kind === 'artifact' ? artifacts : parameters)[channel] = selector
    }
    const out: JsonObject = {}
    if (Object.keys(artifacts).length > 0) out['artifacts'] = artifacts
    if (Object.keys(parameters).length > 0) out['parameters'] = parameters
    return Object.keys(out).length > 0 ? out : undefined
  }

  /** A pipeline's own DAG component (the root, or a pipeline used as a component). */
  pipelineComponent(pipeline: AnalysedPipeline, naming: Naming = this.namePipeline(pipeline)): JsonObject {
    const ctx = new ComponentContext(this, pipeline, pipeline.root, undefined, naming)
    const tasks = this.emitScope(ctx)
    const parameters: JsonObject = nameKeyed()
    const artifacts: JsonObject = nameKeyed()
    for (const name of Object.keys(pipeline.node.outputs).sort(compareNames)) {
      const output = pipeline.node.outputs[name]!
      const from = output.from
      const resolved = ctx.resolve(from, output.spec.kind === 'artifact')
      const producer = (resolved['taskOutputArtifact'] ?? resolved['taskOutputParameter']) as { producerTask: string; outputArtifactKey?: string; outputParameterKey?: string } | undefined
      if (!producer) continue
      if (output.spec.kind === 'artifact') artifacts[name] = { artifactSelectors: [{ outputArtifactKey: producer.outputArtifactKey, producerSubtask: producer.producerTask }] }
      else parameters[name] = { valueFromParameter: { outputParameterKey: producer.outputParameterKey, producerSubtask: producer.producerTask } }
    }
    const dagOutputs: JsonObject = {}
    if (Object.keys(artifacts).length > 0) dagOutputs['artifacts'] = artifacts
    if (Object.keys(parameters).length > 0) dagOutputs['parameters'] = parameters
    const outputSpecs: Record<string, IoSpecNode> = {}
    for (const [name, output] of Object.entries(pipeline.node.outputs)) outputSpecs[name] = output.spec
    const inputs = ioDefinitions(pipeline.node.inputs, 'input')
    const outputs = ioDefinitions(outputSpecs, 'output')
    return {
      dag: Object.keys(dagOutputs).length > 0 ? { outputs: dagOutputs, tasks } : { tasks },
      ...(inputs !== undefined && { inputDefinitions: inputs }),
      ...(outputs !== undefined && { outputDefinitions: outputs }),
    }
  }
}

/** How a group's output names a task's output inside it: by the member of the group that holds the task. */
function exposedSelector(pipeline: AnalysedPipeline, group: AnalysedGroup, task: string, output: string, isArtifact: boolean): JsonObject {
  const path = pipeline.tasks.get(task)!.path
  // The task's path continued by the task itself, at the depth just inside the group.
  const depth = group.path.length + 1
  const member = depth < path.length ? path[depth]! : task
  const key = member === task ? output : channelName({ kind: 'taskOutput', task, output }, pipeline)
  return isArtifact ? { outputArtifactKey: key, producerSubtask: member } : { outputParameterKey: key, producerSubtask: member }
}

/**
 * KFP f-string rendering: the text of an embedded value (a reference, or a template of text and
 * references) with `{{$.inputs.parameters['pipelinechannel--…']}}` where each value goes; each
 * value is added to the task's `parameters` under that channel name.
 */
function embed(source: ValueSourceNode, ctx: ComponentContext, parameters: JsonObject): string {
  const parts = source.kind === 'template' ? source.parts : [source]
  let text = ''
  for (const part of parts) {
    if (typeof part === 'string') {
      text += part
      continue
    }
    const channel = channelName(part, ctx.pipeline)
    parameters[channel] = ctx.resolve(part, false)
    text += `{{$.inputs.parameters['${channel}']}}`
  }
  return text
}

/** Replaces the value at `path` (keys and indices) inside a JSON value. */
function setAt(value: JsonValue, path: readonly (string | number)[], replacement: JsonValue): void {
  let node = value as Record<string | number, JsonValue>
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, JsonValue>
  node[path[path.length - 1]!] = replacement
}

/** Component and executor keys of one DAG level, and of the levels below it. */
interface Naming {
  readonly keys: Map<string, string>
  readonly executors: Map<string, string>
  readonly children: Map<string, Naming>
}

function newNaming(): Naming {
  return { keys: new Map(), executors: new Map(), children: new Map() }
}

/**
 * The order in which a scope's tasks get their component keys: producers before consumers;
 * among tasks free to go, leaf tasks before nested pipelines, then by name.
 */
function taskNamingOrder(scope: AnalysedScope): string[] {
  const tasks = [...scope.members.values()].filter((m): m is AnalysedTask => m.kind === 'task')
  // Most control-flow groups hold one task or none.
  if (tasks.length <= 1) return tasks.map((task) => task.name)
  // With only leaf tasks in the scope, this is the scope's own order (the same heap, on names).
  if (tasks.length === scope.members.size && tasks.every((task) => task.child === undefined)) return [...scope.order]
  const keyed = (task: AnalysedTask) => `${task.child ? 1 : 0}\u0000${task.name}`
  const byName = new Map(tasks.map((t) => [t.name, t]))
  const dependsOn = new Map<string, string[]>()
  for (const task of tasks) dependsOn.set(keyed(task), task.dependsOn.flatMap((d) => (byName.has(d) ? [keyed(byName.get(d)!)] : [])))
  return topologicalOrder(tasks.map(keyed), dependsOn).order.map((k) => k.slice(k.indexOf('\u0000') + 1))
}

/**
 * A task's `dependentTasks`. The SDK does not list producers of resource values read from
 * parameters (`pipeline_with_string_machine_fields_task_output`): the values arrive as
 * `taskOutputParameter` task inputs, from which the KFP backend adds the dependency itself. A
 * sibling the task waits for only because of its resources is therefore left out.
 */
function kfpDependencies(task: AnalysedTask, ctx: ComponentContext): string[] {
  const node = task.node
  const resources = resourceSources(node)
  if (resources.length === 0 || task.isExitTask) return [...task.dependsOn]
  const sibling = (producer: string) => ctx.memberHolding(producer)
  const needed = new Set<string>()
  for (const source of [...Object.values(node.inputs), ...kubernetesSources(node).map((k) => k.source)]) {
    for (const producer of producersOfSource(source)) {
      const member = sibling(producer)
      if (member !== undefined) needed.add(member)
    }
  }
  for (const after of node.after) {
    const member = sibling(after)
    if (member !== undefined) needed.add(member)
  }
  const resourceOnly = new Set<string>()
  for (const source of resources) {
    for (const producer of producersOfSource(source)) {
      const member = sibling(producer)
      if (member !== undefined && !needed.has(member)) resourceOnly.add(member)
    }
  }
  return task.dependsOn.filter((d) => !resourceOnly.has(d))
}

const tasksInsideByPipeline = new WeakMap<AnalysedPipeline, Map<string, AnalysedTask[]>>()

/** The tasks inside each group, at any depth, in the pipeline's task order (one pass over the tasks). */
function tasksInside(pipeline: AnalysedPipeline): Map<string, AnalysedTask[]> {
  let index = tasksInsideByPipeline.get(pipeline)
  if (index) return index
  index = new Map()
  for (const task of pipeline.tasks.values()) {
    for (const group of task.path) {
      const list = index.get(group)
      if (list) list.push(task)
      else index.set(group, [task])
    }
  }
  tasksInsideByPipeline.set(pipeline, index)
  return index
}

const conditionOperandsByPipeline = new WeakMap<AnalysedPipeline, Map<string, ValueSourceNode[]>>()

/** Non-constant operands of the conditions (and of earlier branches' conditions) enclosing a scope. */
function enclosingConditionOperands(pipeline: AnalysedPipeline, path: readonly string[]): ValueSourceNode[] {
  let byPath = conditionOperandsByPipeline.get(pipeline)
  if (!byPath) conditionOperandsByPipeline.set(pipeline, (byPath = new Map()))
  const key = path.join('/')
  let found = byPath.get(key)
  if (!found) byPath.set(key, (found = conditionOperandsOf(pipeline, path)))
  return found
}

function conditionOperandsOf(pipeline: AnalysedPipeline, path: readonly string[]): ValueSourceNode[] {
  const found: ValueSourceNode[] = []
  const visit = (predicate: PredicateNode | undefined) => {
    for (const side of predicateOperands(predicate)) if (side.kind !== 'constant') found.push(side)
  }
  for (let i = 0; i < path.length; i++) {
    const node = pipeline.groups.get(path[i]!)?.node
    if (node?.kind !== 'condition') continue
    const parent = i > 0 ? pipeline.groups.get(path[i - 1]!)?.node : undefined
    if (parent?.kind === 'branches') {
      for (const earlier of parent.branches) {
        if (earlier.id === node.id) break
        visit(earlier.predicate)
      }
    }
    visit(node.predicate)
  }
  return found
}

/** Collected and oneOf values whose producers are inside `group` and whose consumers are not. */
function readsFromOutside(group: AnalysedGroup, pipeline: AnalysedPipeline): ValueSourceNode[] {
  const found = outsideReads(pipeline).get(group.name)
  return found === undefined ? [] : [...found.keys()].sort(compareNames).map((k) => found.get(k)!)
}

const outsideReadsByPipeline = new WeakMap<AnalysedPipeline, Map<string, Map<string, ValueSourceNode>>>()

/**
 * For every group, the collected and oneOf values read from outside it, found in one pass over
 * the readers (asking each group in turn would rescan every task once per group).
 */
function outsideReads(pipeline: AnalysedPipeline): Map<string, Map<string, ValueSourceNode>> {
  const cached = outsideReadsByPipeline.get(pipeline)
  if (cached) return cached
  const byGroup = new Map<string, Map<string, ValueSourceNode>>()
  /** `inside`: the groups the reader itself is in (or is). */
  const consider = (source: ValueSourceNode, inside: ReadonlySet<string>) => {
    const tasks = source.kind === 'collected' ? [source.task] : source.kind === 'oneOf' ? source.sources.map((s) => s.task) : []
    for (const task of tasks) {
      for (const group of pipeline.tasks.get(task)?.path ?? []) {
        if (inside.has(group)) continue
        let found = byGroup.get(group)
        if (!found) byGroup.set(group, (found = new Map()))
        found.set(sourceKey(source), source)
      }
    }
  }
  for (const task of pipeline.tasks.values()) {
    const inside = new Set(task.path)
    // Inside an f-string or a list or dict too (found by the random properties, seed 36).
    for (const edge of task.edges) for (const read of readSources(edge.from)) consider(read, inside)
  }
  // Groups read values too: a loop's list and a condition's operands.
  for (const other of pipeline.groups.values()) {
    const node = other.node
    const inside = new Set([...other.path, other.name])
    if (node.kind === 'loop' && node.items.kind !== 'raw') consider(node.items.from, inside)
    if (node.kind === 'condition') for (const source of predicateOperands(node.predicate)) consider(source, inside)
  }
  for (const output of Object.values(pipeline.node.outputs)) consider(output.from, new Set())
  outsideReadsByPipeline.set(pipeline, byGroup)
  return byGroup
}

function componentOutputsSpec(task: AnalysedTask, output: string): IoSpecNode {
  const component = task.node.component
  const spec = component.kind === 'pipeline' ? component.outputs[output]?.spec : component.outputs[output]
  return spec!
}

function sortKeys(object: JsonObject): JsonObject {
  const out: JsonObject = nameKeyed()
  // The default sort compares UTF-16 code units, as `compareNames` does, without a call per pair.
  for (const key of Object.keys(object).sort()) out[key] = object[key]
  return out
}

/** Punched-through channels carry only the type: no default, never optional. */
function stripForChannel(spec: IoSpecNode): IoSpecNode {
  return spec.kind === 'artifact'
    ? { kind: 'artifact', type: spec.type, isList: spec.isList, optional: false }
    : { kind: 'parameter', type: spec.type, optional: false }
}

function importerSpec(component: ImporterComponentNode, task: TaskNode): JsonObject {
  const uri = task.inputs['uri']
  return {
    artifactUri: uri?.kind === 'constant' ? { constant: uri.value } : { runtimeParameter: 'uri' },
    ...(component.metadata !== undefined && { metadata: component.metadata }),
    ...(component.reimport && { reimport: true }),
    typeSchema: { schemaTitle: component.artifactType.schemaTitle, schemaVersion: component.artifactType.schemaVersion },
  }
}

/**
 * Translates an analysed pipeline into a KFP PipelineSpec, following the SDK's naming and
 * layout: groups become DAG components (`comp-condition-1`, `comp-for-loop-2`, …), values
 * crossing a group boundary are punched through as `pipelinechannel--…` inputs, fan-in and
 * oneOf values come back out as group outputs. Component keys are taken in the SDK's order (see
 * `namePipeline`), with ties broken by kind and name, so output does not depend on the
 * declaration order of independent tasks.
 */
export function emitPipelineSpec(pipeline: AnalysedPipeline, sdkVersion: string, options: KfpOptions = {}): JsonObject {
  return emitKfpDocuments(pipeline, sdkVersion, options)[0]!
}

/**
 * The documents of a compiled KFP file: the PipelineSpec and, when any task has Kubernetes
 * settings, the PlatformSpec (executor labels as keys), as the SDK with kfp-kubernetes writes them.
 * What the tasks of one component write the same (input and output definitions, the executor)
 * is one frozen object shared by their components and executors; copy it before changing it.
 *
 * @example
 * ```ts
 * const [pipelineSpec, platformSpec] = emitKfpDocuments(analysed, 'typeflow-1.0.0')
 * ```
 */
export function emitKfpDocuments(pipeline: AnalysedPipeline, sdkVersion: string, options: KfpOptions = {}): JsonObject[] {
  const emitter = new KfpEmitter(options)
  const root = emitter.pipelineComponent(pipeline)
  const info = pipeline.node
  const spec: JsonObject = {
    ...(Object.keys(emitter.components).length > 0 && { components: sortKeys(emitter.components) }),
    ...(info.defaultPipelineRoot !== undefined && { defaultPipelineRoot: info.defaultPipelineRoot }),
    ...(Object.keys(emitter.executors).length > 0 && { deploymentSpec: { executors: sortKeys(emitter.executors) } }),
    pipelineInfo: {
      ...(info.description !== undefined && { description: info.description }),
      ...(info.displayName !== undefined && { displayName: info.displayName }),
      name: info.name,
    },
    root,
    schemaVersion: KFP_SCHEMA_VERSION,
    sdkVersion,
  }
  const platform = platformSpec(emitter.platform)
  return platform ? [spec, platform] : [spec]
}
