/**
 * The DAG engine of the local runner: executes a compiled KFP PipelineSpec with the backends'
 * semantics.
 *
 * - Each DAG component's tasks start as soon as their dependencies (`dependentTasks` and the
 *   producers they read from) have finished; leaf executions share a global concurrency limit.
 * - A task whose upstream failed, was skipped or was not triggered is skipped (its whole subtree
 *   when it is a group), unless its trigger strategy is `ALL_UPSTREAM_TASKS_COMPLETED` (exit
 *   tasks and `ignoreUpstreamFailure`), which runs once everything upstream has finished.
 * - Group tasks: `triggerPolicy.condition` (CEL) is evaluated on the group task's resolved
 *   inputs; a false condition marks its subtree "not-triggered". `parameterIterator` /
 *   `artifactIterator` expand into iterations, at most `iteratorPolicy.parallelismLimit` at a
 *   time; their outputs are collected into lists (a parameter across nested loops into a list
 *   of lists). DAG outputs resolve `valueFromParameter`, `valueFromOneof` and
 *   `artifactSelectors` (the first branch that produced a value wins). Nested pipelines are DAGs
 *   with their own cache-key scope; an input left out takes its default, as in a leaf.
 * - A `taskFinalStatus` input receives `{state, pipelineJobResourceName, pipelineTaskName, error}`.
 * - Leaf tasks: cache lookup (content-addressed key), then up to `1 + maxRetryCount` attempts
 *   with backoff `min(backoffDuration × backoffFactor^n, backoffMaxDuration)`.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import { canonicalJson } from '@typeflow/compiler'
import { driverText } from '@typeflow/dsl/kfp'
import { evaluateCondition, selectParameter } from './cel.ts'
import { type AttemptResult, type ExecutionMode, executeLeaf, fillDefaults, type LeafTask, type TaskEnvironment } from './execute-task.ts'
import type { ComponentSpec, DagSpec, PipelineSpec, TaskSpec, Value } from './spec.ts'
import { durationSeconds } from './spec.ts'
import type { StoredArtifact, TaskOutputs } from './store.ts'

/** States a leaf task goes through; the last five are final. */
export type TaskState = 'waiting' | 'running' | 'retrying' | 'done' | 'cached' | 'failed' | 'skipped' | 'not-triggered'

/** Final states of a leaf task. */
export type FinalTaskState = Extract<TaskState, 'done' | 'cached' | 'failed' | 'skipped' | 'not-triggered'>

/** A change of state of one leaf task. */
export interface TaskEvent {
  readonly type: 'task'
  /** The task's key in its DAG. */
  readonly name: string
  /** Where it sits in the run, e.g. `for-loop-2[1]/double`. */
  readonly path: string
  readonly state: TaskState
  /** Milliseconds since the task first started running (final states). */
  readonly durationMs?: number
  /** 1-based attempt number (running, retrying, failed). */
  readonly attempt?: number
  /** Why it failed, was skipped or is retrying. */
  readonly message?: string
  /** How it ran (function component, host command, docker, podman, importer). */
  readonly mode?: ExecutionMode
}

/** A line a task printed (only when the run was asked to show task output). */
export interface TaskOutputEvent {
  readonly type: 'output'
  readonly name: string
  readonly path: string
  readonly stream: 'stdout' | 'stderr'
  readonly line: string
}

/** What happened to one leaf task, in the run result. */
export interface TaskRecord {
  readonly name: string
  readonly path: string
  readonly state: FinalTaskState
  readonly durationMs: number
  readonly outputs?: TaskOutputs
  readonly error?: string
  readonly attempts?: number
  readonly cacheKey?: string
  readonly mode?: ExecutionMode
}

/** The cache keys of one pipeline level (the root, or a nested pipeline). */
export interface CacheScope {
  /** The full key of a task, or undefined when it must not be cached. */
  keyOf(task: string, loopItems: Readonly<Record<string, unknown>>): string | undefined
  /** The scope inside a DAG task: a nested pipeline gets its own, a control-flow group keeps this one. */
  enter(task: string, inputs: ResolvedInputs): CacheScope
  /** Whether entering `task` changed the pipeline level (loop items start afresh). */
  isPipeline(task: string): boolean
}

/** Cache reads and writes. */
export interface TaskCache {
  read(key: string): TaskOutputs | undefined
  write(key: string, task: LeafTask, outputs: TaskOutputs, durationMs: number): void
}

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  readonly spec: PipelineSpec
  readonly environment: TaskEnvironment
  /** Most leaf tasks running at once. */
  readonly concurrency: number
  /** Look up and record results. */
  readonly cache: TaskCache | undefined
  /** Multiplies every retry backoff (tests shrink it). @default 1 */
  readonly backoffScale?: number
  readonly onEvent?: (event: TaskEvent) => void
  readonly executeLeaf?: (task: LeafTask, environment: TaskEnvironment, attempt: number) => Promise<AttemptResult>
}

/** Input values of a task, resolved. */
export interface ResolvedInputs {
  readonly parameters: Readonly<Record<string, Value>>
  readonly artifacts: Readonly<Record<string, readonly StoredArtifact[]>>
}

/** What a task (leaf or group) left for its consumers. */
export interface Outcome {
  readonly state: 'succeeded' | 'failed' | 'skipped' | 'not-triggered'
  readonly error?: string
  readonly parameters: ReadonlyMap<string, Value>
  readonly artifacts: ReadonlyMap<string, readonly StoredArtifact[]>
}

interface Context {
  /** Path prefix of the members of this DAG, '' or ending in '/'. */
  readonly prefix: string
  readonly scope: CacheScope | undefined
  readonly loopItems: Readonly<Record<string, unknown>>
}

const NO_OUTPUTS = { parameters: new Map(), artifacts: new Map() } as const

/** A counting semaphore; waiters are served first come, first served. */
class Semaphore {
  private active = 0
  private queue: (() => void)[] = []
  /** Index of the next waiter: `shift()` copies a long array each time (5 s to drain 320,000). */
  private head = 0
  constructor(private readonly limit: number) {}
  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++
      return
    }
    await new Promise<void>((resolve) => this.queue.push(resolve))
  }
  release(): void {
    const next = this.queue[this.head]
    if (next) {
      this.queue[this.head++] = undefined as never
      // Served waiters are dropped in one copy once they are half the array.
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head)
        this.head = 0
      }
      next()
    } else this.active--
  }
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire()
    try {
      return await work()
    } finally {
      this.release()
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}

/**
 * The retry wait before retry `n` (0-based), in milliseconds: `backoffDuration × factor^n`,
 * capped by `backoffMaxDuration` (KFP `RetryPolicy`; a factor of 0 means 2, as in the SDK).
 *
 * @example
 * ```ts
 * retryDelayMs({ backoffDuration: '1s', backoffFactor: 2, backoffMaxDuration: '3s' }, 2) // 3000
 * ```
 */
export function retryDelayMs(policy: NonNullable<TaskSpec['retryPolicy']>, n: number): number {
  const base = durationSeconds(policy.backoffDuration)
  const factor = policy.backoffFactor || 2
  const max = policy.backoffMaxDuration === undefined ? 3600 : durationSeconds(policy.backoffMaxDuration)
  return Math.min(base * factor ** n, max) * 1000
}

function finalStatusState(outcome: Outcome): string {
  switch (outcome.state) {
    case 'succeeded':
      return 'SUCCEEDED'
    case 'failed':
      return 'FAILED'
    case 'skipped':
      return 'SKIPPED'
    case 'not-triggered':
      return 'NOT_TRIGGERED'
  }
}

/**
 * The DAG's task names with every task after the tasks it depends on: depth first from each name
 * in order, on an explicit stack (a chain is as deep as it is long). Dependencies outside the DAG
 * are left to `outcomeOf`, which reports them.
 */
function upstreamFirst(names: readonly string[], tasks: Readonly<Record<string, TaskSpec>>): string[] {
  const order: string[] = []
  const placed = new Set<string>()
  const entered = new Set<string>()
  for (const start of names) {
    const stack = [start]
    while (stack.length > 0) {
      const name = stack[stack.length - 1]!
      if (placed.has(name)) {
        stack.pop()
        continue
      }
      const spec = tasks[name]
      if (!entered.has(name) && spec) {
        entered.add(name)
        // Pushed in reverse, so the first dependency is placed first.
        const deps = dependenciesOf(spec)
        for (let i = deps.length - 1; i >= 0; i--) if (!placed.has(deps[i]!) && !entered.has(deps[i]!)) stack.push(deps[i]!)
        continue
      }
      stack.pop()
      placed.add(name)
      if (spec) order.push(name)
    }
  }
  return order
}

/** Dependencies of a task inside its DAG: `dependentTasks` and every producer it reads. */
function dependenciesOf(spec: TaskSpec): string[] {
  const deps = new Set(spec.dependentTasks ?? [])
  for (const p of Object.values(spec.inputs?.parameters ?? {})) {
    if (p.taskOutputParameter) deps.add(p.taskOutputParameter.producerTask)
    if (p.taskFinalStatus) deps.add(p.taskFinalStatus.producerTask)
  }
  for (const a of Object.values(spec.inputs?.artifacts ?? {})) if (a.taskOutputArtifact) deps.add(a.taskOutputArtifact.producerTask)
  return [...deps].sort()
}

const RUNTIME_CONSTANT = /^\{\{\$\.(pipeline_[a-z_]+|workspace_path)\}\}$/
const CHANNEL_IN_CONSTANT = /\{\{\$\.inputs\.parameters\['([^']*)'\]\}\}/g

/**
 * Runs a compiled pipeline's DAGs. Create one per run.
 *
 * @example
 * ```ts
 * const scheduler = new Scheduler({ spec, environment, concurrency: 4, cache: undefined })
 * const outcome = await scheduler.run({ parameters: { n: 3 }, artifacts: {} }, scope)
 * console.log(outcome.state, scheduler.records())
 * ```
 */
export class Scheduler {
  private readonly slots: Semaphore
  private readonly recordsByPath = new Map<string, TaskRecord | undefined>()
  private readonly components: Readonly<Record<string, ComponentSpec>>

  constructor(private readonly options: SchedulerOptions) {
    this.slots = new Semaphore(Math.max(1, options.concurrency))
    this.components = options.spec.components ?? {}
  }

  /** Every leaf task met so far, in the order they were announced, with their final state. */
  records(): TaskRecord[] {
    return [...this.recordsByPath.values()].filter((r): r is TaskRecord => r !== undefined)
  }

  /** Runs the root DAG with the pipeline's input values. */
  async run(inputs: ResolvedInputs, scope: CacheScope | undefined): Promise<Outcome> {
    const ctx: Context = { prefix: '', scope, loopItems: {} }
    this.announce(this.options.spec.root, '')
    return this.runDag(this.options.spec.root, inputs, ctx)
  }

  private emit(event: TaskEvent): void {
    this.options.onEvent?.(event)
  }

  private get signal(): AbortSignal | undefined {
    return this.options.environment.signal
  }

  private component(spec: TaskSpec): ComponentSpec {
    const component = this.components[spec.componentRef.name]
    if (!component) throw new Error(`the IR has no component "${spec.componentRef.name}"`)
    return component
  }

  /** Emits "waiting" for the leaves of a DAG and of its non-iterated subgroups. */
  private announce(component: ComponentSpec, prefix: string): void {
    for (const [name, spec] of sortedTasks(component.dag)) {
      const child = this.component(spec)
      if (child.dag) {
        if (!spec.parameterIterator && !spec.artifactIterator) this.announce(child, `${prefix}${name}/`)
        continue
      }
      const path = prefix + name
      if (this.recordsByPath.has(path)) continue
      this.recordsByPath.set(path, undefined)
      this.emit({ type: 'task', name, path, state: 'waiting' })
    }
  }

  private finish(record: TaskRecord, event: Omit<TaskEvent, 'type' | 'name' | 'path' | 'state'> = {}): void {
    this.recordsByPath.set(record.path, record)
    this.emit({
      type: 'task',
      name: record.name,
      path: record.path,
      state: record.state,
      durationMs: record.durationMs,
      ...(record.attempts !== undefined && { attempt: record.attempts }),
      ...(record.error !== undefined && { message: record.error }),
      ...(record.mode !== undefined && { mode: record.mode }),
      ...event,
    })
  }

  /** Marks every leaf under a task (or the task itself) skipped / not triggered. */
  private markTree(name: string, spec: TaskSpec, prefix: string, state: 'skipped' | 'not-triggered', reason: string): void {
    const component = this.component(spec)
    if (!component.dag) {
      this.finish({ name, path: prefix + name, state, durationMs: 0, error: reason })
      return
    }
    for (const [child, childSpec] of sortedTasks(component.dag)) this.markTree(child, childSpec, `${prefix}${name}/`, state, reason)
  }

  private async runDag(component: ComponentSpec, inputs: ResolvedInputs, ctx: Context): Promise<Outcome> {
    const tasks = component.dag?.tasks ?? {}
    const outcomes = new Map<string, Promise<Outcome>>()
    const outcomeOf = (name: string): Promise<Outcome> => {
      let promise = outcomes.get(name)
      if (!promise) {
        const spec = tasks[name]
        promise = spec ? this.runTask(name, spec, inputs, ctx, outcomeOf) : Promise.resolve({ state: 'failed', error: `no task "${name}"`, ...NO_OUTPUTS })
        outcomes.set(name, promise)
      }
      return promise
    }
    const names = Object.keys(tasks).sort()
    const results = new Map<string, Outcome>()
    // Dependencies are started before the tasks that wait for them, so a task never starts its
    // upstream itself: that recursed once per task of a chain, and 12,000 chained tasks overflowed
    // the stack.
    await Promise.all(upstreamFirst(names, tasks).map(async (name) => results.set(name, await outcomeOf(name))))
    const failed = names.filter((n) => results.get(n)!.state === 'failed')
    const outputs = dagOutputs(component.dag, results)
    return {
      state: failed.length > 0 ? 'failed' : 'succeeded',
      ...(failed.length > 0 && { error: failed.map((n) => `${n}: ${shorten(firstLine(results.get(n)!.error ?? 'failed'))}`).join('; ') }),
      ...outputs,
    }
  }

  private async runTask(name: string, spec: TaskSpec, parentInputs: ResolvedInputs, ctx: Context, outcomeOf: (name: string) => Promise<Outcome>): Promise<Outcome> {
    const deps = dependenciesOf(spec)
    const upstream = new Map<string, Outcome>()
    for (const dep of deps) upstream.set(dep, await outcomeOf(dep))
    const completedStrategy = spec.triggerPolicy?.strategy === 'ALL_UPSTREAM_TASKS_COMPLETED'
    if (!completedStrategy) {
      const blocking = [...upstream].filter(([, o]) => o.state !== 'succeeded')
      if (blocking.length > 0) {
        const reason = blocking.map(([dep, o]) => `upstream "${dep}" ${o.state === 'failed' ? 'failed' : o.state === 'skipped' ? 'was skipped' : 'was not triggered'}`).join(', ')
        this.markTree(name, spec, ctx.prefix, 'skipped', reason)
        return { state: 'skipped', error: reason, ...NO_OUTPUTS }
      }
    }
    if (this.signal?.aborted) {
      this.markTree(name, spec, ctx.prefix, 'skipped', 'the run was cancelled')
      return { state: 'skipped', error: 'cancelled', ...NO_OUTPUTS }
    }
    const component = this.component(spec)
    let resolved: ResolvedInputs
    try {
      resolved = this.resolveInputs(name, spec, parentInputs, upstream)
    } catch (error) {
      return this.failTree(name, spec, ctx.prefix, (error as Error).message)
    }
    // The driver's trigger condition, on the task's resolved inputs (groups; leaves too if the IR has one).
    const condition = spec.triggerPolicy?.condition
    if (condition) {
      let holds: boolean
      try {
        holds = evaluateCondition(condition, resolved.parameters)
      } catch (error) {
        return this.failTree(name, spec, ctx.prefix, `condition of "${name}" cannot be evaluated: ${(error as Error).message}`)
      }
      if (!holds) {
        this.markTree(name, spec, ctx.prefix, 'not-triggered', `condition of "${name}" is false`)
        return { state: 'not-triggered', ...NO_OUTPUTS }
      }
    }
    if (component.dag) return this.runGroup(name, spec, component, resolved, ctx)
    return this.runLeaf(name, spec, component, resolved, ctx)
  }

  private failTree(name: string, spec: TaskSpec, prefix: string, message: string): Outcome {
    const component = this.component(spec)
    if (component.dag) this.markTree(name, spec, prefix, 'skipped', message)
    else this.finish({ name, path: prefix + name, state: 'failed', durationMs: 0, error: message })
    return { state: 'failed', error: message, ...NO_OUTPUTS }
  }

  /** The driver's input resolution for one task. */
  private resolveInputs(name: string, spec: TaskSpec, parent: ResolvedInputs, upstream: ReadonlyMap<string, Outcome>): ResolvedInputs {
    const parameters: Record<string, Value> = {}
    const constants: [string, string][] = []
    for (const [input, source] of Object.entries(spec.inputs?.parameters ?? {})) {
      let value: Value | undefined
      if (source.runtimeValue) {
        value = source.runtimeValue.constant ?? null
        if (typeof value === 'string') {
          const runtime = RUNTIME_CONSTANT.exec(value)
          if (runtime) value = this.runtimeValue(runtime[1]!, name) ?? value
          else if (value.includes("{{$.inputs.parameters['")) constants.push([input, value])
        }
      } else if (source.componentInputParameter !== undefined) {
        value = parent.parameters[source.componentInputParameter]
      } else if (source.taskOutputParameter) {
        const { producerTask, outputParameterKey } = source.taskOutputParameter
        value = upstream.get(producerTask)?.parameters.get(outputParameterKey)
      } else if (source.taskFinalStatus) {
        const producer = source.taskFinalStatus.producerTask
        const outcome = upstream.get(producer)
        value = {
          state: outcome ? finalStatusState(outcome) : 'SUCCEEDED',
          pipelineJobResourceName: this.options.environment.runId,
          pipelineTaskName: producer,
          error: outcome?.state === 'failed' ? { message: outcome.error ?? 'failed' } : {},
        }
      }
      if (value === undefined) continue
      if (source.parameterExpressionSelector && value !== null) {
        try {
          value = selectParameter(source.parameterExpressionSelector, value) as Value
        } catch (error) {
          throw new Error(`input "${input}": ${(error as Error).message}`)
        }
      }
      parameters[input] = value as Value
    }
    // f-string constants: `…{{$.inputs.parameters['pipelinechannel--x']}}…` read other inputs.
    for (const [input, text] of constants) {
      parameters[input] = text.replace(CHANNEL_IN_CONSTANT, (whole, channel: string) => {
        const v = parameters[channel]
        if (v === undefined) return whole
        // As the driver writes a parameter as text: Go's number format, JSON with sorted keys.
        return driverText(v)
      })
    }
    const artifacts: Record<string, readonly StoredArtifact[]> = {}
    for (const [input, source] of Object.entries(spec.inputs?.artifacts ?? {})) {
      let list: readonly StoredArtifact[] | undefined
      if (source.componentInputArtifact !== undefined) list = parent.artifacts[source.componentInputArtifact]
      else if (source.taskOutputArtifact) {
        const { producerTask, outputArtifactKey } = source.taskOutputArtifact
        list = upstream.get(producerTask)?.artifacts.get(outputArtifactKey)
      }
      if (list !== undefined) artifacts[input] = list
    }
    return { parameters, artifacts }
  }

  private runtimeValue(name: string, task: string): string | undefined {
    const env = this.options.environment
    switch (name) {
      case 'pipeline_job_name':
      case 'pipeline_job_resource_name':
      case 'pipeline_job_uuid':
        return env.runId
      case 'pipeline_task_name':
        return task
      case 'pipeline_root':
        return env.pipelineRoot
      case 'pipeline_job_create_time_utc':
      case 'pipeline_job_schedule_time_utc':
        return new Date().toISOString()
      default:
        return undefined
    }
  }

  private async runGroup(name: string, spec: TaskSpec, component: ComponentSpec, given: ResolvedInputs, ctx: Context): Promise<Outcome> {
    // As the KFP DAG driver does, an input left out (or null) takes its default: a nested
    // pipeline's input default reaches its members.
    const inputs = { ...given, parameters: fillDefaults(component, { ...given.parameters }) }
    if (spec.parameterIterator || spec.artifactIterator) return this.runLoop(name, spec, component, inputs, ctx)
    const scope = ctx.scope?.enter(name, inputs)
    const fresh = ctx.scope?.isPipeline(name) ?? false
    return this.runDag(component, inputs, {
      prefix: `${ctx.prefix}${name}/`,
      scope,
      loopItems: fresh ? {} : ctx.loopItems,
    })
  }

  private async runLoop(name: string, spec: TaskSpec, component: ComponentSpec, inputs: ResolvedInputs, ctx: Context): Promise<Outcome> {
    let items: readonly { parameter?: Value; artifact?: StoredArtifact; key: unknown }[]
    let itemInput: string
    if (spec.parameterIterator) {
      itemInput = spec.parameterIterator.itemInput
      const source = spec.parameterIterator.items
      let list: unknown
      try {
        if (source.raw !== undefined) list = JSON.parse(source.raw)
        else {
          list = inputs.parameters[source.inputParameter ?? '']
          if (typeof list === 'string') list = JSON.parse(list)
        }
      } catch (error) {
        return this.failTree(name, spec, ctx.prefix, `the items of loop "${name}" are not a JSON list: ${(error as Error).message}`)
      }
      if (!Array.isArray(list)) {
        return this.failTree(name, spec, ctx.prefix, `loop "${name}" needs a list to iterate, got ${list === undefined ? 'no value' : JSON.stringify(list)}`)
      }
      items = (list as Value[]).map((item) => ({ parameter: item, key: item }))
    } else {
      const iterator = spec.artifactIterator!
      itemInput = iterator.itemInput
      items = (inputs.artifacts[iterator.items.inputArtifact] ?? []).map((artifact) => ({ artifact, key: artifact.uri }))
    }
    const limit = spec.iteratorPolicy?.parallelismLimit
    const iterations = new Semaphore(limit !== undefined && limit > 0 ? limit : Number.MAX_SAFE_INTEGER)
    items.forEach((_, i) => this.announce(component, `${ctx.prefix}${name}[${i}]/`))
    const results = await Promise.all(
      items.map((item, i) =>
        iterations.run(() => {
          const iterationInputs: ResolvedInputs = {
            parameters: item.parameter !== undefined ? { ...inputs.parameters, [itemInput]: item.parameter } : inputs.parameters,
            artifacts: item.artifact !== undefined ? { ...inputs.artifacts, [itemInput]: [item.artifact] } : inputs.artifacts,
          }
          return this.runDag(component, iterationInputs, {
            prefix: `${ctx.prefix}${name}[${i}]/`,
            scope: ctx.scope,
            loopItems: { ...ctx.loopItems, [name]: item.key },
          })
        }),
      ),
    )
    // Fan-in: every declared output becomes a list over the iterations that produced it. As in
    // the KFP backend, a parameter collected across nested loops is a list of lists (each outer
    // iteration contributes its inner list as one item), while artifact lists stay flat: IR has
    // no list of artifact lists.
    const parameters = new Map<string, Value>()
    const artifacts = new Map<string, readonly StoredArtifact[]>()
    for (const key of Object.keys(component.outputDefinitions?.parameters ?? {})) {
      const values: Value[] = []
      for (const result of results) {
        const value = result.parameters.get(key)
        if (value !== undefined) values.push(value)
      }
      parameters.set(key, values)
    }
    for (const key of Object.keys(component.outputDefinitions?.artifacts ?? {})) {
      const list: StoredArtifact[] = []
      for (const result of results) list.push(...(result.artifacts.get(key) ?? []))
      artifacts.set(key, list)
    }
    const failed = results.map((r, i) => [r, i] as const).filter(([r]) => r.state === 'failed')
    return {
      state: failed.length > 0 ? 'failed' : 'succeeded',
      ...(failed.length > 0 && { error: failed.map(([r, i]) => `iteration ${i}: ${shorten(firstLine(r.error ?? 'failed'))}`).join('; ') }),
      parameters,
      artifacts,
    }
  }

  private async runLeaf(name: string, spec: TaskSpec, component: ComponentSpec, inputs: ResolvedInputs, ctx: Context): Promise<Outcome> {
    const path = ctx.prefix + name
    const executor = this.options.spec.deploymentSpec?.executors?.[component.executorLabel ?? '']
    if (!executor) return this.failTree(name, spec, ctx.prefix, `the IR has no executor "${component.executorLabel}"`)
    // Required inputs must have arrived (an exit task may run after a producer that did not).
    for (const [input, definition] of Object.entries(component.inputDefinitions?.parameters ?? {})) {
      const given = inputs.parameters[input]
      if ((given === undefined || given === null) && !definition.isOptional && definition.defaultValue === undefined) {
        return this.failTree(name, spec, ctx.prefix, `input "${input}" has no value (its producer did not produce one)`)
      }
    }
    for (const [input, definition] of Object.entries(component.inputDefinitions?.artifacts ?? {})) {
      if (!inputs.artifacts[input] && !definition.isOptional) return this.failTree(name, spec, ctx.prefix, `input artifact "${input}" has no value (its producer did not produce one)`)
    }
    const task: LeafTask = { name, path, component, executor, parameters: inputs.parameters, artifacts: inputs.artifacts }
    const cache = this.options.cache
    const base = cache && spec.cachingOptions?.enableCache ? ctx.scope?.keyOf(name, ctx.loopItems) : undefined
    const key = base === undefined ? undefined : withInputs(base, inputs)
    if (cache && key !== undefined) {
      const hit = cache.read(key)
      if (hit) {
        this.finish({ name, path, state: 'cached', durationMs: 0, outputs: hit, cacheKey: key })
        return outcomeFromOutputs(hit)
      }
    }
    const retry = spec.retryPolicy
    const maxRetries = Math.max(0, retry?.maxRetryCount ?? 0)
    const execute = this.options.executeLeaf ?? executeLeaf
    let started: number | undefined
    let last: AttemptResult | undefined
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      if (attempt > 0) {
        const delay = retryDelayMs(retry!, attempt - 1) * (this.options.backoffScale ?? 1)
        const message = `attempt ${attempt} failed: ${firstLine(last && !last.ok ? last.error : '')}; retrying${delay > 0 ? ` in ${formatDelay(delay)}` : ''}`
        this.emit({ type: 'task', name, path, state: 'retrying', attempt, message })
        await sleep(delay, this.signal)
        if (this.signal?.aborted) break
      }
      await this.slots.acquire()
      try {
        if (this.signal?.aborted) break
        started ??= Date.now()
        this.emit({ type: 'task', name, path, state: 'running', attempt: attempt + 1 })
        try {
          last = await execute(task, this.options.environment, attempt)
        } catch (error) {
          last = { ok: false, error: (error as Error).stack ?? String(error) }
        }
      } finally {
        this.slots.release()
      }
      if (last.ok) {
        const durationMs = Date.now() - started
        if (cache && key !== undefined) {
          try {
            cache.write(key, task, last.outputs, durationMs)
          } catch {
            // A cache that cannot be written costs a re-run next time, not this run.
          }
        }
        this.finish({ name, path, state: 'done', durationMs, outputs: last.outputs, attempts: attempt + 1, ...(key !== undefined && { cacheKey: key }), mode: last.mode })
        return outcomeFromOutputs(last.outputs)
      }
    }
    const error = this.signal?.aborted ? 'the run was cancelled' : last && !last.ok ? last.error : 'did not run'
    this.finish({
      name,
      path,
      state: 'failed',
      durationMs: started === undefined ? 0 : Date.now() - started,
      error,
      attempts: Math.max(1, maxRetries + 1),
      ...(last?.mode !== undefined && { mode: last.mode }),
    })
    return { state: 'failed', error, ...NO_OUTPUTS }
  }
}

/**
 * The key a leaf is cached under: its content key (compile-time digest completed with pipeline
 * inputs and loop items) joined with the values it actually received (parameters, and the URIs
 * of its input artifacts). The values make the key complete where the compile-time part cannot
 * see them: which branch fed a oneOf, which items a loop collected.
 */
function withInputs(base: string, inputs: ResolvedInputs): string {
  const artifacts = Object.fromEntries(Object.entries(inputs.artifacts).map(([name, list]) => [name, list.map((a) => a.uri)]))
  return createHash('sha256').update(`${base}:${canonicalJson({ parameters: inputs.parameters, artifacts })}`).digest('hex')
}

function outcomeFromOutputs(outputs: TaskOutputs): Outcome {
  return {
    state: 'succeeded',
    parameters: new Map(Object.entries(outputs.parameters)),
    artifacts: new Map(Object.entries(outputs.artifacts)),
  }
}

function sortedTasks(dag: DagSpec | undefined): [string, TaskSpec][] {
  return Object.entries(dag?.tasks ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

/** A DAG's outputs from its members' outcomes; the first selector with a value wins (oneOf). */
function dagOutputs(dag: DagSpec | undefined, results: ReadonlyMap<string, Outcome>): Pick<Outcome, 'parameters' | 'artifacts'> {
  const parameters = new Map<string, Value>()
  const artifacts = new Map<string, readonly StoredArtifact[]>()
  const usable = (producer: string) => {
    const outcome = results.get(producer)
    return outcome && outcome.state === 'succeeded' ? outcome : undefined
  }
  for (const [key, spec] of Object.entries(dag?.outputs?.parameters ?? {})) {
    const selectors = spec.valueFromParameter ? [spec.valueFromParameter] : (spec.valueFromOneof?.parameterSelectors ?? [])
    for (const selector of selectors) {
      const value = usable(selector.producerSubtask)?.parameters.get(selector.outputParameterKey)
      if (value !== undefined) {
        parameters.set(key, value)
        break
      }
    }
  }
  for (const [key, spec] of Object.entries(dag?.outputs?.artifacts ?? {})) {
    for (const selector of spec.artifactSelectors) {
      const value = usable(selector.producerSubtask)?.artifacts.get(selector.outputArtifactKey)
      if (value !== undefined) {
        artifacts.set(key, value)
        break
      }
    }
  }
  return { parameters, artifacts }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text
}

function shorten(text: string, max = 160): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`
}
