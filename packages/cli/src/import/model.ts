/**
 * From a compiled KFP PipelineSpec back to the shape of the Typeflow code that would produce it:
 * components (deduplicated), tasks with their arguments and options, control-flow groups with
 * their predicates and items, the order to declare them in, and the `after()` edges that data
 * does not already imply. The emitter turns this model into TypeScript.
 *
 * @module
 */
import type { ArtifactTypeNode, CommandArgNode, IoSpecNode, JsonValue, ParameterType } from '@typeflow/dsl'
import { sanitizeName } from '@typeflow/dsl'
import { parseKfpArg } from '@typeflow/dsl/kfp'
import { type CelExpr, type CelOperand, parseCel, sameCel } from './cel.ts'
import { kubernetesOption, Unmappable, optionValues, type OptionTree } from './kubernetes.ts'
import { naturalCompare } from './names.ts'
import type { IrComponent, IrContainer, IrDag, IrInputArtifact, IrInputParameter, IrIo, IrPipelineSpec, IrTask } from './spec.ts'

/** Where a task input (or a pipeline output, a condition operand, a loop's items) comes from. */
export type Value =
  | { readonly kind: 'constant'; readonly value: JsonValue }
  | { readonly kind: 'input'; readonly name: string }
  | { readonly kind: 'output'; readonly task: string; readonly output: string }
  | { readonly kind: 'item'; readonly loop: string; readonly path: readonly string[] }
  | { readonly kind: 'collected'; readonly task: string; readonly output: string }
  | { readonly kind: 'oneOf'; readonly branches: string; readonly options: readonly { readonly task: string; readonly output: string }[] }
  | { readonly kind: 'status' }
  /** Text with values embedded (a KFP f-string): `fmt\`…${value}…\``. */
  | { readonly kind: 'template'; readonly parts: readonly (string | Value)[] }

export type PredicateModel =
  | { readonly kind: 'compare'; readonly op: '==' | '!=' | '<' | '<=' | '>' | '>='; readonly left: Value; readonly right: Value }
  | { readonly kind: 'and' | 'or'; readonly items: readonly PredicateModel[] }
  | { readonly kind: 'not'; readonly item: PredicateModel }

/** A container component, shared by every task that runs the same image, command and I/O. */
export interface ContainerModel {
  readonly kind: 'container'
  readonly identity: string
  /** Component name (tasks default to it); set once every component is known. */
  name: string
  readonly inputs: Readonly<Record<string, IoSpecNode>>
  readonly outputs: Readonly<Record<string, IoSpecNode>>
  readonly image: string
  readonly command?: readonly CommandArgNode[]
  readonly args?: readonly CommandArgNode[]
  /** Component keys (`comp-…`) in the source that hold this component. */
  readonly keys: string[]
}

export interface ImporterModel {
  readonly kind: 'importer'
  readonly type: ArtifactTypeNode
  readonly reimport: boolean
  readonly metadata?: { readonly [key: string]: JsonValue }
}

export interface RetryModel {
  readonly count: number
  readonly backoff?: string
  readonly factor?: number
  readonly maxBackoff?: string
}

export interface ResourcesModel {
  readonly cpuRequest?: string
  readonly cpuLimit?: string
  readonly memoryRequest?: string
  readonly memoryLimit?: string
  readonly accelerator?: { readonly type: string; readonly count: number }
}

export interface TaskModel {
  readonly kind: 'task'
  readonly name: string
  readonly runnable: ContainerModel | ImporterModel | PipelineModel
  readonly args: readonly (readonly [string, Value])[]
  readonly displayName?: string
  readonly caching?: false | { readonly key: string }
  readonly retry?: RetryModel
  readonly env: readonly (readonly [string, string])[]
  readonly resources?: ResourcesModel
  /** The `kubernetes` option, from the executor's PlatformSpec settings. */
  readonly kubernetes?: OptionTree
  /** Ordering-only dependencies (task names), beyond what data implies. */
  readonly after: string[]
  readonly ignoreUpstreamFailure: boolean
  readonly isExitTask: boolean
}

export interface BranchModel {
  readonly id: string
  readonly predicate?: PredicateModel
  readonly displayName?: string
  readonly body: BodyModel[]
}

/** `dag.if(…)`, with `.elif(…)` / `.else(…)` when `chain` (a `condition-branches-N` group). */
export interface IfModel {
  readonly kind: 'if'
  readonly id: string
  readonly chain: boolean
  readonly branches: readonly BranchModel[]
}

export type LoopItemsModel =
  | { readonly kind: 'raw'; readonly values: readonly JsonValue[]; readonly itemId: string }
  | { readonly kind: 'values'; readonly from: Value }
  | { readonly kind: 'artifacts'; readonly from: Value }

export interface LoopModel {
  readonly kind: 'loop'
  readonly id: string
  readonly items: LoopItemsModel
  /** The item's declared type in the source. */
  readonly itemSpec?: IoSpecNode
  readonly parallelism?: number
  readonly displayName?: string
  readonly body: BodyModel[]
}

export interface ExitModel {
  readonly kind: 'exit'
  readonly id: string
  readonly displayName?: string
  readonly exitTask: TaskModel
  readonly body: BodyModel[]
}

export type BodyModel = TaskModel | IfModel | LoopModel | ExitModel

export interface PipelineModel {
  readonly kind: 'pipeline'
  readonly identity: string
  name: string
  readonly key: string
  readonly description?: string
  readonly displayName?: string
  readonly pipelineRoot?: string
  readonly inputs: Readonly<Record<string, IoSpecNode>>
  readonly outputs: readonly (readonly [string, { readonly spec: IoSpecNode; readonly from: Value }])[]
  readonly body: BodyModel[]
}

/** Everything the emitter needs: the root pipeline, and what it found it could not express. */
export interface ImportModel {
  readonly root: PipelineModel
  readonly containers: readonly ContainerModel[]
  readonly pipelines: readonly PipelineModel[]
  readonly warnings: readonly string[]
}

const GROUP = /^(condition-branches|condition|for-loop|exit-handler)-(\d+)$/

/**
 * The number in a group id.
 *
 * @example
 * ```ts
 * import { groupNumber } from './model.ts'
 * groupNumber('condition-branches-12') // 12
 * ```
 */
export function groupNumber(id: string): number {
  return Number(GROUP.exec(id)?.[2] ?? Number.NaN)
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * IR inputs and outputs as Typeflow specs, sorted by name; `warn` hears what cannot be expressed.
 *
 * @example
 * ```ts
 * import { ioSpecs } from './model.ts'
 * ioSpecs({ parameters: { n: { parameterType: 'NUMBER_INTEGER', defaultValue: 3, isOptional: true } } }, 'input', console.warn)
 * // { n: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: true, default: 3 } }
 * ```
 */
export function ioSpecs(io: IrIo | undefined, direction: 'input' | 'output', warn: (message: string) => void): Record<string, IoSpecNode> {
  const specs: Record<string, IoSpecNode> = {}
  const names = [...Object.keys(io?.parameters ?? {}), ...Object.keys(io?.artifacts ?? {})].sort(naturalCompare)
  for (const name of names) {
    const p = io?.parameters?.[name]
    if (p) {
      if (p.parameterType === 'TASK_CONFIG') {
        warn(`${direction} "${name}" has type TASK_CONFIG, which Typeflow does not support; it was left out`)
        continue
      }
      const hasDefault = p.defaultValue !== undefined && p.defaultValue !== null
      if (direction === 'input' && hasDefault && p.isOptional !== true) {
        warn(`input "${name}" has a default but is not marked optional; Typeflow makes every input with a default optional`)
      }
      specs[name] = {
        kind: 'parameter',
        type: p.parameterType as ParameterType,
        optional: direction === 'input' && (p.isOptional === true || hasDefault),
        ...(direction === 'input' && hasDefault && { default: p.defaultValue as JsonValue }),
        ...(p.description !== undefined && { description: p.description }),
      }
      continue
    }
    const a = io!.artifacts![name]!
    specs[name] = {
      kind: 'artifact',
      type: { schemaTitle: a.artifactType.schemaTitle ?? 'system.Artifact', schemaVersion: a.artifactType.schemaVersion ?? '0.0.1' },
      isList: a.isArtifactList === true,
      optional: direction === 'input' && a.isOptional === true,
      ...(a.description !== undefined && { description: a.description }),
    }
  }
  return specs
}

/** A retry duration as written in IR (`30s`), or undefined when it is not whole seconds. */
function seconds(duration: string | undefined): number | undefined {
  if (duration === undefined) return undefined
  const match = /^(\d+)s$/.exec(duration)
  return match ? Number(match[1]) : undefined
}

/** A scope being read: a pipeline's DAG or a group's. */
interface Scope {
  readonly pipelineInputs: ReadonlySet<string>
  readonly dag: IrDag
  readonly component: IrComponent
  readonly parent?: Scope
  readonly groupTask?: IrTask
  readonly loop?: { readonly id: string; readonly itemInput: string }
  /** Group ids from the pipeline's root down to this scope. */
  readonly path: readonly string[]
}

class Unsupported extends Error {}

/** Builds the import model; `warn` collects what cannot be expressed. */
class Builder {
  readonly warnings: string[] = []
  private readonly containerByIdentity = new Map<string, ContainerModel>()
  private readonly pipelineByIdentity = new Map<string, PipelineModel>()
  private readonly pipelineByKey = new Map<string, PipelineModel>()

  /** Executor labels whose PlatformSpec settings some task carries. */
  readonly platformUsed = new Set<string>()

  constructor(
    readonly spec: IrPipelineSpec,
    readonly platform: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {},
  ) {}

  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message)
  }

  private component(key: string): IrComponent {
    const c = this.spec.components?.[key]
    if (!c) throw new Unsupported(`unknown component "${key}"`)
    return c
  }

  isGroup(name: string, task: IrTask): boolean {
    return GROUP.test(name) && this.spec.components?.[task.componentRef.name]?.dag !== undefined
  }

  // ---------------------------------------------------------------------------------------------
  // Values

  private constant(value: unknown): Value {
    return { kind: 'constant', value: value as JsonValue }
  }

  resolveParameter(scope: Scope, spec: IrInputParameter): Value {
    let value: Value
    if (spec.runtimeValue !== undefined) value = this.constant(spec.runtimeValue.constant)
    else if (spec.componentInputParameter !== undefined) value = this.channel(scope, spec.componentInputParameter, 'parameters')
    else if (spec.taskOutputParameter !== undefined) {
      value = this.producer(scope, spec.taskOutputParameter.producerTask, spec.taskOutputParameter.outputParameterKey, 'parameters')
    } else if (spec.taskFinalStatus !== undefined) value = { kind: 'status' }
    else throw new Unsupported(`unsupported parameter source ${JSON.stringify(spec)}`)
    if (spec.parameterExpressionSelector !== undefined) {
      const match = /^parseJson\(string_value\)((?:\["[^"]*"\])+)$/.exec(spec.parameterExpressionSelector)
      if (!match || value.kind !== 'item') throw new Unsupported(`unsupported parameterExpressionSelector "${spec.parameterExpressionSelector}"`)
      const fields = [...match[1]!.matchAll(/\["([^"]*)"\]/g)].map((m) => m[1]!)
      value = { ...value, path: [...value.path, ...fields] }
    }
    return value
  }

  resolveArtifact(scope: Scope, spec: IrInputArtifact): Value {
    if (spec.componentInputArtifact !== undefined) return this.channel(scope, spec.componentInputArtifact, 'artifacts')
    if (spec.taskOutputArtifact !== undefined) return this.producer(scope, spec.taskOutputArtifact.producerTask, spec.taskOutputArtifact.outputArtifactKey, 'artifacts')
    throw new Unsupported(`unsupported artifact source ${JSON.stringify(spec)}`)
  }

  /** A `componentInput…` of this scope: the loop item, a value the group task passes in, or a pipeline input. */
  channel(scope: Scope, name: string, kind: 'parameters' | 'artifacts'): Value {
    if (scope.loop && name === scope.loop.itemInput) return { kind: 'item', loop: scope.loop.id, path: [] }
    if (scope.parent && scope.groupTask) {
      const given = scope.groupTask.inputs?.[kind]?.[name]
      if (given === undefined) throw new Unsupported(`group input "${name}" is not given by the group task`)
      return kind === 'parameters' ? this.resolveParameter(scope.parent, given as IrInputParameter) : this.resolveArtifact(scope.parent, given as IrInputArtifact)
    }
    if (!scope.pipelineInputs.has(name)) throw new Unsupported(`"${name}" is not an input of the pipeline`)
    return { kind: 'input', name }
  }

  /** The output `key` of the sibling `task`: a task output, or what a group exposes (fan-in, oneOf). */
  producer(scope: Scope, task: string, key: string, kind: 'parameters' | 'artifacts', oneOfOption = false): Value {
    const ir = scope.dag.tasks?.[task]
    if (!ir) throw new Unsupported(`producer task "${task}" is not in the same DAG`)
    if (!this.isGroup(task, ir)) return { kind: 'output', task, output: key }
    const child = this.childScope(scope, task, ir)
    const groupKind = GROUP.exec(task)![1]!
    const wrap = (inner: Value): Value => {
      if (groupKind === 'condition' && inner.kind === 'output' && !oneOfOption) {
        this.warn(`the output "${inner.output}" of ${inner.task} is read outside ${task}, which Typeflow only allows through dag.oneOf() over if/elif/else branches`)
      }
      if (groupKind !== 'for-loop') return inner
      if (inner.kind === 'output') return { kind: 'collected', task: inner.task, output: inner.output }
      if (inner.kind === 'collected') return inner
      throw new Unsupported(`a loop exposes "${key}", which is not a task output`)
    }
    const option = (inner: Value) => {
      if (inner.kind !== 'output') throw new Unsupported(`a oneOf option of "${task}" is not a plain task output`)
      return { task: inner.task, output: inner.output }
    }
    if (kind === 'parameters') {
      const out = child.dag.outputs?.parameters?.[key]
      if (out?.valueFromParameter) return wrap(this.producer(child, out.valueFromParameter.producerSubtask, out.valueFromParameter.outputParameterKey, kind))
      if (out?.valueFromOneof) {
        const options = out.valueFromOneof.parameterSelectors.map((s) => option(this.producer(child, s.producerSubtask, s.outputParameterKey, kind, true)))
        return { kind: 'oneOf', branches: task, options }
      }
    } else {
      const selectors = child.dag.outputs?.artifacts?.[key]?.artifactSelectors
      if (selectors && selectors.length === 1) return wrap(this.producer(child, selectors[0]!.producerSubtask, selectors[0]!.outputArtifactKey, kind))
      if (selectors && selectors.length > 1) {
        return { kind: 'oneOf', branches: task, options: selectors.map((s) => option(this.producer(child, s.producerSubtask, s.outputArtifactKey, kind, true))) }
      }
    }
    throw new Unsupported(`group "${task}" does not expose "${key}"`)
  }

  childScope(scope: Scope, name: string, task: IrTask): Scope {
    const component = this.component(task.componentRef.name)
    const iterator = task.parameterIterator ?? task.artifactIterator
    return {
      pipelineInputs: scope.pipelineInputs,
      dag: component.dag ?? {},
      component,
      parent: scope,
      groupTask: task,
      ...(iterator && { loop: { id: name, itemInput: iterator.itemInput } }),
      path: [...scope.path, name],
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Conditions

  private operand(scope: Scope, operand: CelOperand): Value {
    return operand.kind === 'literal' ? this.constant(operand.value) : this.channel(scope, operand.name, 'parameters')
  }

  predicate(scope: Scope, expr: CelExpr): PredicateModel {
    switch (expr.kind) {
      case 'compare':
        return { kind: 'compare', op: expr.op, left: this.operand(scope, expr.left), right: this.operand(scope, expr.right) }
      case 'not':
        return { kind: 'not', item: this.predicate(scope, expr.item) }
      case 'and':
      case 'or':
        return { kind: expr.kind, items: expr.items.map((item) => this.predicate(scope, item)) }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Tasks and groups

  private container(key: string, component: IrComponent, container: IrContainer): ContainerModel {
    const warn = (m: string) => this.warn(`component ${key}: ${m}`)
    const inputs = ioSpecs(component.inputDefinitions, 'input', warn)
    const outputs = ioSpecs(component.outputDefinitions, 'output', warn)
    const command = container.command?.map(parseKfpArg)
    const args = container.args?.map(parseKfpArg)
    const identity = JSON.stringify([inputs, outputs, container.image, container.command, container.args])
    let model = this.containerByIdentity.get(identity)
    if (!model) {
      model = {
        kind: 'container',
        identity,
        name: key.replace(/^comp-/, ''),
        inputs,
        outputs,
        image: container.image,
        ...(command !== undefined && { command }),
        ...(args !== undefined && { args }),
        keys: [],
      }
      this.containerByIdentity.set(identity, model)
    }
    model.keys.push(key)
    for (const field of Object.keys(container)) {
      if (!['image', 'command', 'args', 'env', 'resources'].includes(field)) warn(`container field "${field}" is not supported and was left out`)
    }
    return model
  }

  private resources(key: string, raw: Readonly<Record<string, unknown>> | undefined): ResourcesModel | undefined {
    if (!raw) return undefined
    const r: { -readonly [K in keyof ResourcesModel]: ResourcesModel[K] } = {}
    const text = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined)
    const pairs: [keyof ResourcesModel, string, string][] = [
      ['cpuLimit', 'resourceCpuLimit', 'cpuLimit'],
      ['cpuRequest', 'resourceCpuRequest', 'cpuRequest'],
      ['memoryLimit', 'resourceMemoryLimit', 'memoryLimit'],
      ['memoryRequest', 'resourceMemoryRequest', 'memoryRequest'],
    ]
    const quantity = { cpu: /^\d+(\.\d+)?m?$/, memory: /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|K|M|G|T)$/ }
    for (const [field, textKey, floatKey] of pairs) {
      const value = text(textKey)
      if (value !== undefined && quantity[field.startsWith('cpu') ? 'cpu' : 'memory'].test(value)) (r as Record<string, unknown>)[field] = value
      else if (value !== undefined) this.warn(`task ${key}: resource ${textKey} "${value}" is not a constant quantity (set from a parameter or task output?) and cannot be expressed`)
      else if (raw[floatKey] !== undefined) this.warn(`task ${key}: resource ${floatKey} without ${textKey} (an older SDK) cannot be expressed`)
    }
    const acc = raw['accelerator']
    if (isRecord(acc)) {
      const type = (acc['resourceType'] ?? acc['type']) as string | undefined
      const count = Number(acc['resourceCount'] ?? acc['count'] ?? 1)
      if (type !== undefined && !type.includes('{{') && Number.isInteger(count)) r.accelerator = { type, count }
      else this.warn(`task ${key}: accelerator ${JSON.stringify(acc)} is not constant and cannot be expressed`)
    }
    for (const k of Object.keys(raw)) {
      if (!['cpuLimit', 'cpuRequest', 'memoryLimit', 'memoryRequest', 'resourceCpuLimit', 'resourceCpuRequest', 'resourceMemoryLimit', 'resourceMemoryRequest', 'accelerator'].includes(k)) {
        this.warn(`task ${key}: resource field "${k}" is not supported`)
      }
    }
    return Object.keys(r).length > 0 ? r : undefined
  }

  task(scope: Scope, name: string, isExitTask: boolean): TaskModel {
    const ir = scope.dag.tasks![name]!
    const component = this.component(ir.componentRef.name)
    let runnable: TaskModel['runnable']
    let container: IrContainer | undefined
    if (component.dag) runnable = this.nestedPipeline(ir.componentRef.name)
    else {
      const executor = this.spec.deploymentSpec?.executors?.[component.executorLabel ?? '']
      if (executor?.container) {
        container = executor.container
        runnable = this.container(ir.componentRef.name, component, executor.container)
      } else if (executor?.importer) {
        const imp = executor.importer
        const extraInputs = Object.keys(component.inputDefinitions?.parameters ?? {}).filter((k) => k !== 'uri')
        if (extraInputs.length > 0) this.warn(`importer ${name}: metadata built from pipeline values (inputs ${extraInputs.join(', ')}) cannot be expressed`)
        for (const field of Object.keys(imp)) {
          if (!['artifactUri', 'typeSchema', 'metadata', 'reimport'].includes(field)) this.warn(`importer ${name}: field "${field}" is not supported`)
        }
        runnable = {
          kind: 'importer',
          type: { schemaTitle: imp.typeSchema.schemaTitle ?? 'system.Artifact', schemaVersion: imp.typeSchema.schemaVersion ?? '0.0.1' },
          reimport: imp.reimport === true,
          ...(imp.metadata !== undefined && { metadata: imp.metadata as { [key: string]: JsonValue } }),
        }
      } else throw new Unsupported(`task "${name}" has no container or importer executor`)
    }
    const declared = new Set([...Object.keys(component.inputDefinitions?.parameters ?? {}), ...Object.keys(component.inputDefinitions?.artifacts ?? {})])
    const args: [string, Value][] = []
    // KFP f-strings: a constant that embeds `{{$.inputs.parameters['pipelinechannel--…']}}`, each
    // value given to the task as an extra input of that name.
    const extras = new Map(Object.entries(ir.inputs?.parameters ?? {}).filter(([input]) => !declared.has(input)))
    const embedded = new Set<string>()
    const template = (text: string): Value | undefined => {
      const pattern = /\{\{\$\.inputs\.parameters\['([^']*)'\]\}\}/g
      const parts: (string | Value)[] = []
      let last = 0
      for (const match of text.matchAll(pattern)) {
        const extra = extras.get(match[1]!)
        if (!extra) continue
        if (match.index > last) parts.push(text.slice(last, match.index))
        parts.push(this.resolveParameter(scope, extra))
        embedded.add(match[1]!)
        last = match.index + match[0].length
      }
      if (parts.length === 0) return undefined
      if (last < text.length) parts.push(text.slice(last))
      return { kind: 'template', parts }
    }
    const addArg = (input: string, resolve: () => Value) => {
      if (!declared.has(input)) {
        this.warn(`task ${name}: input "${input}" is not declared by its component; it was left out`)
        return
      }
      try {
        const value = resolve()
        if (value.kind === 'status' && !isExitTask) {
          this.warn(`task ${name}: a final status passed to a task that is not an exit handler's cannot be expressed; it was left out`)
          return
        }
        args.push([input, value])
      } catch (error) {
        if (!(error instanceof Unsupported)) throw error
        this.warn(`task ${name}: input "${input}": ${error.message}; it was left out`)
      }
    }
    for (const [input, spec] of Object.entries(ir.inputs?.parameters ?? {})) {
      if (!declared.has(input)) continue
      const constant = spec.runtimeValue?.constant
      addArg(input, () => (typeof constant === 'string' && extras.size > 0 ? template(constant) : undefined) ?? this.resolveParameter(scope, spec))
    }
    for (const input of extras.keys()) {
      if (!embedded.has(input)) this.warn(`task ${name}: input "${input}" is not declared by its component (a value embedded in a list or struct constant, or a resource setting); it was left out`)
    }
    for (const [input, spec] of Object.entries(ir.inputs?.artifacts ?? {})) addArg(input, () => this.resolveArtifact(scope, spec))
    args.sort((a, b) => naturalCompare(a[0], b[0]))

    const displayName = ir.taskInfo?.name !== undefined && ir.taskInfo.name !== name ? ir.taskInfo.name : undefined
    const cache = ir.cachingOptions
    let caching: TaskModel['caching']
    if (cache?.cacheKey !== undefined) caching = { key: cache.cacheKey }
    else if (cache?.enableCache !== true) caching = false
    let retry: RetryModel | undefined
    if (ir.retryPolicy) {
      const p = ir.retryPolicy
      const backoff = seconds(p.backoffDuration)
      const maxBackoff = seconds(p.backoffMaxDuration)
      if ((p.backoffDuration !== undefined && backoff === undefined) || (p.backoffMaxDuration !== undefined && maxBackoff === undefined)) {
        this.warn(`task ${name}: retry durations other than whole seconds are not supported`)
      }
      retry = {
        count: p.maxRetryCount ?? 0,
        ...(backoff !== undefined && backoff !== 0 && { backoff: p.backoffDuration! }),
        ...(p.backoffFactor !== undefined && p.backoffFactor !== 2 && { factor: p.backoffFactor }),
        ...(maxBackoff !== undefined && maxBackoff !== 3600 && { maxBackoff: p.backoffMaxDuration! }),
      }
    }
    if (ir.triggerPolicy?.condition !== undefined) this.warn(`task ${name}: a condition on a task (not a group) is not supported`)
    const strategy = ir.triggerPolicy?.strategy
    if (strategy !== undefined && strategy !== 'ALL_UPSTREAM_TASKS_COMPLETED' && strategy !== 'ALL_UPSTREAM_TASKS_SUCCEEDED') this.warn(`task ${name}: trigger strategy ${strategy} is not supported`)
    const resources = this.resources(name, container?.resources)
    const label = component.executorLabel
    const platformConfig = label !== undefined ? this.platform[label] : undefined
    let kubernetes: OptionTree | undefined
    if (platformConfig !== undefined && label !== undefined) {
      this.platformUsed.add(label)
      const resolve = (spec: IrInputParameter) => {
        try {
          return this.resolveParameter(scope, spec)
        } catch (error) {
          if (error instanceof Unsupported) throw new Unmappable(error.message)
          throw error
        }
      }
      kubernetes = kubernetesOption(platformConfig, resolve, (m) => this.warn(m), `task ${name}`)
    }
    return {
      kind: 'task',
      name,
      runnable,
      args,
      ...(displayName !== undefined && { displayName }),
      ...(caching !== undefined && { caching }),
      ...(retry !== undefined && { retry }),
      env: (container?.env ?? []).map((e) => [e.name, e.value] as const),
      ...(resources !== undefined && { resources }),
      ...(kubernetes !== undefined && { kubernetes }),
      after: [],
      ignoreUpstreamFailure: strategy === 'ALL_UPSTREAM_TASKS_COMPLETED' && !isExitTask,
      isExitTask,
    }
  }

  private conditionText(task: IrTask, id: string): CelExpr {
    const text = task.triggerPolicy?.condition
    if (text === undefined) throw new Unsupported(`condition group "${id}" has no condition`)
    try {
      return parseCel(text)
    } catch (error) {
      throw new Unsupported((error as Error).message)
    }
  }

  group(scope: Scope, name: string, exitTaskOf: ReadonlyMap<string, string>): BodyModel {
    const ir = scope.dag.tasks![name]!
    const child = this.childScope(scope, name, ir)
    const kind = GROUP.exec(name)![1]!
    const displayName = ir.taskInfo?.name !== undefined && ir.taskInfo.name !== name ? ir.taskInfo.name : undefined
    if (ir.cachingOptions !== undefined || ir.retryPolicy !== undefined) this.warn(`group ${name}: caching or retry on a group is not supported`)
    switch (kind) {
      case 'condition':
        return {
          kind: 'if',
          id: name,
          chain: false,
          branches: [
            {
              id: name,
              predicate: this.predicate(child, this.conditionText(ir, name)),
              ...(displayName !== undefined && { displayName }),
              body: this.scope(child),
            },
          ],
        }
      case 'condition-branches': {
        if (displayName !== undefined) this.warn(`group ${name}: a display name on an if/elif/else chain is not supported`)
        const names = Object.keys(child.dag.tasks ?? {}).sort((a, b) => groupNumber(a) - groupNumber(b))
        const earlier: CelExpr[] = []
        const branches: BranchModel[] = []
        for (const [index, branchName] of names.entries()) {
          const branchTask = child.dag.tasks![branchName]!
          if (!/^condition-\d+$/.test(branchName)) throw new Unsupported(`"${branchName}" in ${name} is not a branch`)
          const expr = this.conditionText(branchTask, branchName)
          const items = index === 0 ? [expr] : expr.kind === 'and' ? [...expr.items] : [expr]
          for (const previous of earlier) {
            const negated = items.shift()
            if (!negated || negated.kind !== 'not' || !sameCel(negated.item, previous)) {
              throw new Unsupported(`branch ${branchName} does not negate the earlier branches as if/elif/else does`)
            }
          }
          if (items.length > 1 || (items.length === 0 && index !== names.length - 1)) throw new Unsupported(`cannot read branch ${branchName}'s condition`)
          const own = items[0]
          if (own) earlier.push(own)
          const branchScope = this.childScope(child, branchName, branchTask)
          const branchDisplay = branchTask.taskInfo?.name !== undefined && branchTask.taskInfo.name !== branchName ? branchTask.taskInfo.name : undefined
          branches.push({
            id: branchName,
            ...(own !== undefined && { predicate: this.predicate(branchScope, own) }),
            ...(branchDisplay !== undefined && { displayName: branchDisplay }),
            body: this.scope(branchScope),
          })
        }
        return { kind: 'if', id: name, chain: true, branches }
      }
      case 'for-loop': {
        let items: LoopItemsModel
        let itemSpec: IoSpecNode | undefined
        const itemInput = child.loop!.itemInput
        const itemDefs = ioSpecs(child.component.inputDefinitions, 'input', () => {})
        itemSpec = itemDefs[itemInput]
        if (ir.parameterIterator) {
          const source = ir.parameterIterator.items
          if (source.raw !== undefined) {
            let values: unknown
            try {
              values = JSON.parse(source.raw)
            } catch {
              throw new Unsupported(`loop ${name}: items "${source.raw}" are not JSON`)
            }
            if (!Array.isArray(values)) throw new Unsupported(`loop ${name}: items are not a list`)
            items = { kind: 'raw', values: values as JsonValue[], itemId: itemInput.replace(/^pipelinechannel--/, '') }
          } else if (source.inputParameter !== undefined) {
            items = { kind: 'values', from: this.channel(child, source.inputParameter, 'parameters') }
          } else throw new Unsupported(`loop ${name}: unsupported items`)
        } else if (ir.artifactIterator?.items.inputArtifact !== undefined) {
          items = { kind: 'artifacts', from: this.channel(child, ir.artifactIterator.items.inputArtifact, 'artifacts') }
        } else throw new Unsupported(`loop ${name}: no iterator`)
        const parallelism = ir.iteratorPolicy?.parallelismLimit
        return {
          kind: 'loop',
          id: name,
          items,
          ...(itemSpec !== undefined && { itemSpec }),
          ...(parallelism !== undefined && parallelism !== 0 && { parallelism }),
          ...(displayName !== undefined && { displayName }),
          body: this.scope(child),
        }
      }
      default: {
        const exitTaskName = exitTaskOf.get(name)
        if (exitTaskName === undefined) throw new Unsupported(`exit handler ${name} has no exit task`)
        return {
          kind: 'exit',
          id: name,
          ...(displayName !== undefined && { displayName }),
          exitTask: this.task(scope, exitTaskName, true),
          body: this.scope(child),
        }
      }
    }
  }

  /** The members of one DAG, unordered (see {@link orderBody}). */
  scope(scope: Scope): BodyModel[] {
    const tasks = scope.dag.tasks ?? {}
    const exitTaskOf = new Map<string, string>()
    for (const [name, task] of Object.entries(tasks)) {
      if (!this.isGroup(name, task) || !name.startsWith('exit-handler-')) continue
      const exit = Object.keys(tasks)
        .sort(naturalCompare)
        .find((other) => {
          const t = tasks[other]!
          return !this.isGroup(other, t) && t.triggerPolicy?.strategy === 'ALL_UPSTREAM_TASKS_COMPLETED' && (t.dependentTasks ?? []).includes(name)
        })
      if (exit !== undefined) exitTaskOf.set(name, exit)
    }
    const exitTasks = new Set(exitTaskOf.values())
    const body: BodyModel[] = []
    for (const name of Object.keys(tasks).sort(naturalCompare)) {
      if (exitTasks.has(name)) continue
      try {
        body.push(this.isGroup(name, tasks[name]!) ? this.group(scope, name, exitTaskOf) : this.task(scope, name, false))
      } catch (error) {
        if (!(error instanceof Unsupported)) throw error
        this.warn(`${name}: ${error.message}; it was left out`)
      }
    }
    return body
  }

  // ---------------------------------------------------------------------------------------------
  // Pipelines

  pipeline(key: string, component: IrComponent, info: { name: string; description?: string; displayName?: string; pipelineRoot?: string }): PipelineModel {
    const warn = (m: string) => this.warn(key === 'root' ? m : `pipeline ${key}: ${m}`)
    const inputs = ioSpecs(component.inputDefinitions, 'input', warn)
    const scope: Scope = { pipelineInputs: new Set(Object.keys(inputs)), dag: component.dag ?? {}, component, path: [] }
    const body = this.scope(scope)
    const outputSpecs = ioSpecs(component.outputDefinitions, 'output', warn)
    const outputs: [string, { spec: IoSpecNode; from: Value }][] = []
    for (const [name, spec] of Object.entries(outputSpecs)) {
      if (spec.description !== undefined) warn(`output "${name}" has a description, which a pipeline output cannot declare`)
      try {
        let from: Value | undefined
        if (spec.kind === 'parameter') {
          const selector = component.dag?.outputs?.parameters?.[name]
          if (selector?.valueFromParameter) from = this.producer(scope, selector.valueFromParameter.producerSubtask, selector.valueFromParameter.outputParameterKey, 'parameters')
        } else {
          const selectors = component.dag?.outputs?.artifacts?.[name]?.artifactSelectors
          if (selectors?.length === 1) from = this.producer(scope, selectors[0]!.producerSubtask, selectors[0]!.outputArtifactKey, 'artifacts')
        }
        if (from === undefined) throw new Unsupported('no single producer')
        outputs.push([name, { spec, from }])
      } catch (error) {
        if (!(error instanceof Unsupported)) throw error
        warn(`output "${name}": ${error.message}; it was left out`)
      }
    }
    const model: PipelineModel = {
      kind: 'pipeline',
      identity: '',
      name: info.name,
      key,
      ...(info.description !== undefined && { description: info.description }),
      ...(info.displayName !== undefined && { displayName: info.displayName }),
      ...(info.pipelineRoot !== undefined && { pipelineRoot: info.pipelineRoot }),
      inputs,
      outputs,
      body,
    }
    linkDependencies(model, component, this.spec, (m) => this.warn(m))
    orderBody(model)
    return model
  }

  private nestedPipeline(key: string): PipelineModel {
    const known = this.pipelineByKey.get(key)
    if (known) return known
    const model = this.pipeline(key, this.component(key), { name: key.replace(/^comp-/, '') })
    const identity = pipelineIdentity(model)
    const same = this.pipelineByIdentity.get(identity)
    if (same) {
      this.pipelineByKey.set(key, same)
      return same
    }
    const withIdentity = { ...model, identity }
    this.pipelineByIdentity.set(identity, withIdentity)
    this.pipelineByKey.set(key, withIdentity)
    return withIdentity
  }

  containers(): ContainerModel[] {
    return [...this.containerByIdentity.values()]
  }

  pipelines(): PipelineModel[] {
    return [...this.pipelineByIdentity.values()]
  }
}

/** A structural fingerprint of a nested pipeline: the same code gives the same fingerprint. */
function pipelineIdentity(model: PipelineModel): string {
  return JSON.stringify(model, function (this: unknown, key: string, value: unknown) {
    const holder = this as Record<string, unknown> | undefined
    if (holder?.['kind'] === 'pipeline' && (key === 'name' || key === 'key' || key === 'identity')) return undefined
    if (isRecord(value) && value['kind'] === 'container') return `container:${value['identity'] as string}`
    if (isRecord(value) && value['kind'] === 'pipeline' && (value as unknown) !== model) return `pipeline:${value['identity'] as string}`
    return value
  })
}

// -----------------------------------------------------------------------------------------------
// Dependencies and order

/**
 * Every task of a body with its group path, exit tasks included.
 *
 * @example
 * ```ts
 * import { buildModel, tasksWithPaths } from './model.ts'
 * declare const model: ReturnType<typeof buildModel>
 * for (const { task, path } of tasksWithPaths(model.root.body)) console.log(task.name, path.join('/'))
 * ```
 */
export function tasksWithPaths(body: readonly BodyModel[], path: readonly string[] = []): { task: TaskModel; path: readonly string[] }[] {
  const out: { task: TaskModel; path: readonly string[] }[] = []
  for (const node of body) {
    switch (node.kind) {
      case 'task':
        out.push({ task: node, path })
        break
      case 'if':
        for (const branch of node.branches) out.push(...tasksWithPaths(branch.body, node.chain ? [...path, node.id, branch.id] : [...path, branch.id]))
        break
      case 'loop':
        out.push(...tasksWithPaths(node.body, [...path, node.id]))
        break
      case 'exit':
        out.push({ task: node.exitTask, path })
        out.push(...tasksWithPaths(node.body, [...path, node.id]))
        break
    }
  }
  return out
}

/**
 * Task names a value reads from.
 *
 * @example
 * ```ts
 * import { producersOf } from './model.ts'
 * producersOf({ kind: 'collected', task: 'square', output: 'y' }) // ['square']
 * ```
 */
export function producersOf(value: Value): string[] {
  switch (value.kind) {
    case 'output':
    case 'collected':
      return [value.task]
    case 'oneOf':
      return value.options.map((o) => o.task)
    case 'template':
      return value.parts.flatMap((p) => (typeof p === 'string' ? [] : producersOf(p)))
    default:
      return []
  }
}

/**
 * A value and the values embedded in it (the parts of an f-string).
 *
 * @example
 * ```ts
 * import { valuesIn } from './model.ts'
 * valuesIn({ kind: 'template', parts: ['n=', { kind: 'input', name: 'n' }] }).length // 2
 * ```
 */
export function valuesIn(value: Value): Value[] {
  return value.kind === 'template' ? [value, ...value.parts.flatMap((p) => (typeof p === 'string' ? [] : valuesIn(p)))] : [value]
}

/**
 * The values a condition compares.
 *
 * @example
 * ```ts
 * import { predicateValues } from './model.ts'
 * predicateValues({ kind: 'compare', op: '==', left: { kind: 'input', name: 'mode' }, right: { kind: 'constant', value: 'fast' } }).length // 2
 * ```
 */
export function predicateValues(p: PredicateModel | undefined, into: Value[] = []): Value[] {
  if (!p) return into
  if (p.kind === 'compare') into.push(p.left, p.right)
  else if (p.kind === 'not') predicateValues(p.item, into)
  else for (const item of p.items) predicateValues(item, into)
  return into
}

interface GroupEntry {
  readonly path: readonly string[]
  readonly node: BodyModel
}

function groupsWithPaths(body: readonly BodyModel[], path: readonly string[] = [], out = new Map<string, GroupEntry>()): Map<string, GroupEntry> {
  for (const node of body) {
    if (node.kind === 'task') continue
    if (node.kind === 'if') {
      if (node.chain) out.set(node.id, { path, node })
      for (const branch of node.branches) {
        const branchPath = node.chain ? [...path, node.id] : path
        out.set(branch.id, { path: branchPath, node })
        groupsWithPaths(branch.body, [...branchPath, branch.id], out)
      }
    } else {
      out.set(node.id, { path, node })
      groupsWithPaths(node.body, [...path, node.id], out)
    }
  }
  return out
}

/**
 * Works out the `after()` edges: the compiler derives dependencies from data (lifted to the scope
 * where both ends are siblings); whatever the source lists beyond that was an explicit `.after()`.
 */
function linkDependencies(model: PipelineModel, component: IrComponent, spec: IrPipelineSpec, warn: (m: string) => void): void {
  const tasks = tasksWithPaths(model.body)
  const location = new Map(tasks.map(({ task, path }) => [task.name, [...path, task.name]] as const))
  const groups = groupsWithPaths(model.body)
  for (const [id, g] of groups) location.set(id, [...g.path, id])
  /** scope key → member → implied deps */
  const implied = new Map<string, Map<string, Set<string>>>()
  const link = (from: readonly string[], to: readonly string[]) => {
    let k = 0
    while (k < from.length && k < to.length && from[k] === to[k]) k++
    if (k >= from.length || k >= to.length) return
    const scopeKey = from.slice(0, k).join('/')
    let members = implied.get(scopeKey)
    if (!members) implied.set(scopeKey, (members = new Map()))
    let deps = members.get(from[k]!)
    if (!deps) members.set(from[k]!, (deps = new Set()))
    deps.add(to[k]!)
  }
  for (const { task, path } of tasks) {
    const here = [...path, task.name]
    for (const value of [...task.args.map(([, v]) => v), ...optionValues(task.kubernetes)]) {
      for (const producer of producersOf(value)) if (location.has(producer)) link(here, location.get(producer)!)
    }
    if (task.isExitTask) {
      const handler = [...groups].find(([, g]) => g.node.kind === 'exit' && g.node.exitTask === task)
      if (handler) link(here, [...handler[1].path, handler[0]])
    }
  }
  for (const [id, g] of groups) {
    const here = [...g.path, id]
    const node = g.node
    const values: Value[] = []
    if (node.kind === 'if') {
      const branch = node.branches.find((b) => b.id === id)
      if (branch) predicateValues(branch.predicate, values)
    } else if (node.kind === 'loop' && node.items.kind !== 'raw') values.push(node.items.from)
    for (const value of values) for (const producer of producersOf(value)) if (location.has(producer)) link(here, location.get(producer)!)
  }

  /** The first task (by name) at or inside a member, preferring shallow ones. */
  const leafOf = (member: string): TaskModel | undefined => {
    const candidates = tasks
      .filter(({ task, path }) => task.name === member || path.includes(member))
      .filter(({ task }) => !(task.isExitTask && task.name !== member && [...groups].some(([id, g]) => id === member && g.node.kind === 'exit' && g.node.exitTask === task)))
      .sort((a, b) => a.path.length - b.path.length || naturalCompare(a.task.name, b.task.name))
    return candidates[0]?.task
  }

  const visit = (dag: IrDag | undefined, scopePath: readonly string[]) => {
    for (const [name, ir] of Object.entries(dag?.tasks ?? {})) {
      const deps = new Set(ir.dependentTasks ?? [])
      const have = implied.get(scopePath.join('/'))?.get(name) ?? new Set<string>()
      for (const dep of [...deps].sort(naturalCompare)) {
        if (have.has(dep)) continue
        const from = leafOf(name)
        const to = leafOf(dep)
        if (!from || !to) {
          warn(`the dependency of ${name} on ${dep} cannot be expressed`)
          continue
        }
        if (!from.after.includes(to.name)) from.after.push(to.name)
      }
      for (const dep of have) if (!deps.has(dep)) warn(`${name} reads data from ${dep} but the source does not list it as a dependency`)
      const groupComponent = GROUP.test(name) ? spec.components?.[ir.componentRef.name] : undefined
      if (groupComponent?.dag) visit(groupComponent.dag, [...scopePath, name])
    }
  }
  visit(component.dag, [])
}

/** Names (task names) a body node produces, at any depth. */
function producedBy(node: BodyModel): Set<string> {
  return new Set(tasksWithPaths([node]).map(({ task }) => task.name))
}

/** Task names a body node reads (data, `after`, predicates, loop items), at any depth. */
function readBy(node: BodyModel): Set<string> {
  const out = new Set<string>()
  const visit = (n: BodyModel) => {
    switch (n.kind) {
      case 'task':
        for (const v of [...n.args.map(([, a]) => a), ...optionValues(n.kubernetes)]) for (const p of producersOf(v)) out.add(p)
        for (const a of n.after) out.add(a)
        break
      case 'if':
        for (const b of n.branches) {
          for (const v of predicateValues(b.predicate)) for (const p of producersOf(v)) out.add(p)
          b.body.forEach(visit)
        }
        break
      case 'loop':
        if (n.items.kind !== 'raw') for (const p of producersOf(n.items.from)) out.add(p)
        n.body.forEach(visit)
        break
      case 'exit':
        visit(n.exitTask)
        n.body.forEach(visit)
        break
    }
  }
  visit(node)
  return out
}

function nodeId(node: BodyModel): string {
  return node.kind === 'task' ? node.name : node.id
}

/**
 * The name the DSL gives a task by default (before `-2`, `-3` … on reuse): its runnable's name.
 *
 * @example
 * ```ts
 * import { autoBase, type TaskModel } from './model.ts'
 * declare const task: TaskModel // runs component 'Print Op'
 * autoBase(task) // 'print-op'
 * ```
 */
export function autoBase(task: TaskModel): string {
  const r = task.runnable
  return sanitizeName(r.kind === 'importer' ? 'importer' : r.name) || 'task'
}

function autoIndex(task: TaskModel): number | undefined {
  const base = autoBase(task)
  if (task.name === base) return 1
  const match = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`).exec(task.name)
  return match ? Number(match[1]) : undefined
}

/**
 * Orders every body so that producers come before consumers, groups keep the source's numbering
 * (they are numbered in declaration order), and tasks appear in the order that gives them their
 * names automatically (`print-op` before `print-op-2`) wherever data allows.
 */
function orderBody(model: PipelineModel): void {
  const all = tasksWithPaths(model.body).map(({ task }) => task)
  const declared = new Set<string>()
  const order = (body: BodyModel[]) => {
    const nodes = [...body]
    const produced = new Map(nodes.map((n) => [n, producedBy(n)]))
    const reads = new Map(nodes.map((n) => [n, readBy(n)]))
    const deps = new Map<BodyModel, Set<BodyModel>>()
    for (const n of nodes) {
      const set = new Set<BodyModel>()
      for (const m of nodes) {
        if (m === n) continue
        if ([...reads.get(n)!].some((t) => produced.get(m)!.has(t))) set.add(m)
      }
      deps.set(n, set)
    }
    // Groups keep their numbering: each waits for the sibling group numbered just before it.
    const groups = nodes.filter((n) => n.kind !== 'task').sort((a, b) => groupNumber(nodeId(a)) - groupNumber(nodeId(b)))
    for (let i = 1; i < groups.length; i++) deps.get(groups[i]!)!.add(groups[i - 1]!)
    const violations = (n: BodyModel) => {
      let count = 0
      const inside = tasksWithPaths([n]).map(({ task }) => task)
      const own = new Set(inside.map((t) => t.name))
      for (const t of inside) {
        const index = autoIndex(t)
        if (index === undefined) continue
        const base = autoBase(t)
        if (all.some((u) => !declared.has(u.name) && !own.has(u.name) && autoBase(u) === base && (autoIndex(u) ?? Infinity) < index)) count++
      }
      return count
    }
    const result: BodyModel[] = []
    const remaining = new Set(nodes)
    while (remaining.size > 0) {
      const ready = [...remaining].filter((n) => [...deps.get(n)!].every((d) => !remaining.has(d)))
      const pool = ready.length > 0 ? ready : [...remaining]
      const scored = pool.map((n) => ({ n, v: violations(n) }))
      scored.sort((a, b) => {
        if (a.v !== b.v) return a.v - b.v
        const ta = a.n.kind === 'task'
        const tb = b.n.kind === 'task'
        if (ta && tb) return naturalCompare(nodeId(a.n), nodeId(b.n))
        if (ta !== tb) return ta ? -1 : 1
        return groupNumber(nodeId(a.n)) - groupNumber(nodeId(b.n))
      })
      const next = scored[0]!.n
      remaining.delete(next)
      result.push(next)
      // Declared in this order: the exit task first, then the body.
      const markAndRecurse = (n: BodyModel) => {
        switch (n.kind) {
          case 'task':
            declared.add(n.name)
            break
          case 'if':
            for (const b of n.branches) order(b.body)
            break
          case 'loop':
            order(n.body)
            break
          case 'exit':
            declared.add(n.exitTask.name)
            order(n.body)
            break
        }
      }
      markAndRecurse(next)
    }
    body.splice(0, body.length, ...result)
  }
  order(model.body)
}

/** The shared base of component keys: `comp-print-op-2` → `print-op` when `comp-print-op` exists. */
function baseName(keys: readonly string[], spec: IrPipelineSpec): string {
  const bases = keys.map((key) => {
    const match = /^(comp-.*)-(\d+)$/.exec(key)
    const stripped = match && spec.components?.[match[1]!] !== undefined ? match[1]! : key
    return stripped.replace(/^comp-/, '')
  })
  return [...bases].sort((a, b) => a.length - b.length || naturalCompare(a, b))[0]!
}

/**
 * Reads a compiled PipelineSpec into the import model.
 *
 * @example
 * ```ts
 * import { buildModel } from './model.ts'
 * import { parseKfpFile } from './spec.ts'
 * declare const yamlText: string
 * const parsed = parseKfpFile(yamlText)
 * if (parsed.kind !== 'v1-component') console.log(buildModel(parsed.spec).warnings)
 * ```
 */
export function buildModel(spec: IrPipelineSpec, platform: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {}): ImportModel {
  const builder = new Builder(spec, platform)
  const root = builder.pipeline('root', spec.root, {
    name: spec.pipelineInfo.name,
    ...(spec.pipelineInfo.description !== undefined && { description: spec.pipelineInfo.description }),
    ...(spec.pipelineInfo.displayName !== undefined && { displayName: spec.pipelineInfo.displayName }),
    ...(spec.defaultPipelineRoot !== undefined && { pipelineRoot: spec.defaultPipelineRoot }),
  })
  const containers = builder.containers()
  for (const c of containers) c.name = baseName(c.keys, spec)
  const pipelines = builder.pipelines()
  for (const p of pipelines) p.name = sanitizeName(baseName([p.key], spec)) || 'pipeline'
  for (const label of Object.keys(platform).sort()) {
    if (!builder.platformUsed.has(label)) builder.warn(`PlatformSpec settings of executor "${label}": no task runs that executor`)
  }
  return { root, containers, pipelines, warnings: builder.warnings }
}
