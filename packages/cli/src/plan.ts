/**
 * `typeflow plan`: what a pipeline will do before it runs. For every task its cache key and the
 * ingredients of that key, its resources and node placement; for the pipeline the accelerators
 * it requests in total and at most at once, and its critical path, from duration estimates when
 * there are any.
 *
 * @module
 */
import type { AnalysedMember, AnalysedPipeline, AnalysedScope, AnalysedTask, TaskCacheKey } from '@typeflow/compiler'
import { acceleratorResource, computeCacheKeys, isStaticKey, runtimeCacheKey } from '@typeflow/compiler'
import type { JsonValue, KubernetesNode, LoopNode, ResourcesNode, ValueSourceNode } from '@typeflow/dsl'
import { formatSeconds } from './durations.ts'

/** Where a task's duration in the plan comes from. */
export type DurationOrigin = 'file' | 'run' | 'missing' | 'unit'

/** The accelerator a task requests. */
export interface PlannedAccelerator {
  /** As written in the pipeline (`nvidia.com/gpu`, `NVIDIA_TESLA_T4`), or `run-time` when read from a parameter. */
  readonly type: string
  /** The Kubernetes resource it is counted as (`nvidia.com/gpu`, `google.com/tpu`). */
  readonly resource: string
  /** Per copy; null when a parameter decides it at run time and its value is not known here. */
  readonly count: number | null
  readonly model?: string
}

/** Where a task's pod may be scheduled. */
export interface PlannedPlacement {
  readonly nodeSelector?: Readonly<Record<string, string>>
  readonly nodeSelectorJson?: ValueSourceNode
  readonly tolerations?: KubernetesNode['tolerations']
  readonly nodeAffinity?: KubernetesNode['nodeAffinity']
}

/** One task in the plan. Tasks of a nested pipeline appear as `<pipeline task>/<task>`. */
export interface PlannedTask {
  /** The task path: its name, prefixed with the tasks running nested pipelines around it. */
  readonly name: string
  readonly displayName?: string
  /** Enclosing control-flow groups, outermost first (those of a nested pipeline prefixed like the task). */
  readonly groups: readonly string[]
  readonly component: string
  readonly image?: string
  readonly cache: {
    readonly enabled: boolean
    readonly cacheable: boolean
    readonly reason?: string
    readonly digest: string
    /** The full key when every run-time value it needs was given with --param (or has a default). */
    readonly key?: string
    readonly dependsOnInputs: readonly string[]
    readonly dependsOnLoopItems: readonly string[]
    /** The canonical record hashed into the digest. */
    readonly ingredients: JsonValue
    /** Each input and where its value comes from, for people (`features ← materialize-features.train`). */
    readonly inputs: readonly string[]
  }
  readonly resources?: ResourcesNode
  readonly accelerator?: PlannedAccelerator
  readonly placement?: PlannedPlacement
  /** Copies that may run at once (enclosing loops' items, capped by their parallelism); null when only known at run time. */
  readonly copies: number | null
  /** Executions in one run (every iteration of the enclosing loops); null when only known at run time. */
  readonly executions: number | null
  /** One execution, in the plan's unit. */
  readonly duration: number
  readonly durationFrom: DurationOrigin
  /** Earliest start of its first execution when everything starts as soon as it can, in the plan's unit. */
  readonly start: number
}

/** One task on the critical path. */
export interface CriticalStep {
  readonly task: string
  /** One execution, in the plan's unit. */
  readonly duration: number
  /** How often it lies on the path: the rounds of the loops around it (1 outside loops). */
  readonly times: number
}

/** What `typeflow plan` reports. */
export interface Plan {
  readonly pipeline: string
  /** `seconds` with estimates; `tasks` without: every task then counts 1. */
  readonly unit: 'seconds' | 'tasks'
  /** Where estimates came from, and tasks that had none (they count 0 seconds). Null without estimates. */
  readonly estimates: { readonly from: readonly string[]; readonly missing: readonly string[] } | null
  readonly tasks: readonly PlannedTask[]
  readonly accelerators: {
    /** Requested over a whole run: every execution of every task, every branch of a condition, by resource. */
    readonly total: Readonly<Record<string, number>>
    /** The most in use at once when everything that can run in parallel does, by resource. */
    readonly peak: Readonly<Record<string, number>>
    /** The tasks making up each peak. */
    readonly peakTasks: Readonly<Record<string, readonly string[]>>
    /** False when a loop's size or an accelerator count is only known at run time (the numbers are then lower bounds). */
    readonly exact: boolean
  }
  readonly criticalPath: {
    /** Its length, in the plan's unit. */
    readonly total: number
    readonly steps: readonly CriticalStep[]
    /** False when a loop with a parallelism limit has a size only known at run time (counted as one round). */
    readonly exact: boolean
  }
  readonly assumptions: readonly string[]
}

/** Options of {@link planPipeline}. */
export interface PlanOptions {
  /** Values of the pipeline's inputs; defaults fill in the rest. */
  readonly params?: Readonly<Record<string, unknown>>
  /** Seconds per task path, with where each came from; tasks missing count 0. Absent: every task counts 1 unit. */
  readonly durations?: ReadonlyMap<string, { readonly seconds: number; readonly from: 'file' | 'run' }>
  /** Where the estimates came from, for people (`durations.json`, `run 20260102-…`). */
  readonly estimatesFrom?: readonly string[]
}

/** One pipeline level: the root, or a nested pipeline run by a task. */
interface Level {
  readonly pipeline: AnalysedPipeline
  /** `''` at the root, `first/` inside the pipeline run by task `first`. */
  readonly prefix: string
  readonly values: Readonly<Record<string, unknown>>
  readonly keys: ReadonlyMap<string, TaskCacheKey>
}

interface LoopAt {
  readonly node: LoopNode
  readonly values: Readonly<Record<string, unknown>>
}

interface Leaf {
  readonly id: string
  readonly task: AnalysedTask
  readonly level: Level
  readonly groups: readonly string[]
  readonly loops: readonly LoopAt[]
  readonly preds: ReadonlySet<string>
}

const keysByPipeline = new WeakMap<AnalysedPipeline, ReadonlyMap<string, TaskCacheKey>>()
function keysOf(pipeline: AnalysedPipeline): ReadonlyMap<string, TaskCacheKey> {
  let keys = keysByPipeline.get(pipeline)
  if (!keys) keysByPipeline.set(pipeline, (keys = computeCacheKeys(pipeline)))
  return keys
}

function withDefaults(pipeline: AnalysedPipeline, given: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(pipeline.node.inputs)) if (spec.kind === 'parameter' && spec.default !== undefined) values[name] = spec.default
  return { ...values, ...given }
}

function knownValue(source: ValueSourceNode, values: Readonly<Record<string, unknown>>): { value: unknown } | undefined {
  if (source.kind === 'constant') return { value: source.value }
  if (source.kind === 'pipelineInput' && Object.hasOwn(values, source.name)) return { value: values[source.name] }
  return undefined
}

function rootLevel(pipeline: AnalysedPipeline, params: Readonly<Record<string, unknown>>): Level {
  return { pipeline, prefix: '', values: withDefaults(pipeline, params), keys: keysOf(pipeline) }
}

function childLevel(level: Level, task: AnalysedTask): Level {
  const child = task.child!
  const given: Record<string, unknown> = {}
  for (const { input, from } of task.edges) {
    const known = knownValue(from, level.values)
    if (known) given[input] = known.value
  }
  return { pipeline: child, prefix: `${level.prefix}${task.name}/`, values: withDefaults(child, given), keys: keysOf(child) }
}

/** Items of a loop, when known before the run: a literal list, or a list input with a known value. */
function loopWidth(loop: LoopAt): number | null {
  const items = loop.node.items
  if (items.kind === 'raw') return items.values.length
  if (items.kind !== 'values') return null
  let list = knownValue(items.from, loop.values)?.value
  if (typeof list === 'string') {
    try {
      list = JSON.parse(list)
    } catch {
      return null
    }
  }
  return Array.isArray(list) ? list.length : null
}

const parallelismOf = (loop: LoopNode) => (loop.parallelism !== undefined && loop.parallelism > 0 ? loop.parallelism : undefined)

/** Iterations running at once. */
function loopCopies(loop: LoopAt): number | null {
  const width = loopWidth(loop)
  const limit = parallelismOf(loop.node)
  if (width === null) return limit ?? null
  return limit === undefined ? width : Math.min(limit, width)
}

/** Rounds the body runs one after another: ceil(items / parallelism); null when unknown. */
function loopRounds(loop: LoopAt): number | null {
  const width = loopWidth(loop)
  const limit = parallelismOf(loop.node)
  if (width === null) return limit === undefined ? 1 : null
  if (width === 0) return 0
  return Math.ceil(width / Math.min(limit ?? width, width))
}

const product = (factors: readonly (number | null)[]): number | null => factors.reduce<number | null>((a, b) => (a === null || b === null ? null : a * b), 1)

/** Every leaf task inside a member (through groups and nested pipelines), by task path. */
function leavesOf(level: Level, member: AnalysedMember): string[] {
  if (member.kind === 'group') return [...member.scope.members.values()].flatMap((m) => leavesOf(level, m))
  if (!member.child) return [`${level.prefix}${member.name}`]
  const inner = childLevel(level, member)
  return [...inner.pipeline.root.members.values()].flatMap((m) => leavesOf(inner, m))
}

interface Flattened {
  readonly leaves: Leaf[]
  /** For each if/elif/else chain, the leaves of each branch in order: at most one branch runs. */
  readonly exclusive: string[][][]
  /** Every task running a nested pipeline, by task path. */
  readonly pipelineTasks: string[]
}

function flatten(level: Level, scope: AnalysedScope, inherited: readonly string[], groups: readonly string[], loops: readonly LoopAt[], out: Flattened): void {
  for (const name of scope.order) {
    const member = scope.members.get(name)!
    // A member waits for its own dependencies and for everything its enclosing groups wait for.
    const own = [...inherited, ...member.dependsOn.flatMap((dep) => leavesOf(level, scope.members.get(dep)!))]
    if (member.kind === 'task') {
      if (member.child) {
        out.pipelineTasks.push(`${level.prefix}${name}`)
        const inner = childLevel(level, member)
        flatten(inner, inner.pipeline.root, own, groups, loops, out)
      } else {
        out.leaves.push({ id: `${level.prefix}${name}`, task: member, level, groups, loops, preds: new Set(own) })
      }
      continue
    }
    const node = member.node
    const inner = node.kind === 'loop' ? [...loops, { node, values: level.values }] : loops
    flatten(level, member.scope, own, [...groups, `${level.prefix}${name}`], inner, out)
    if (node.kind === 'branches') {
      out.exclusive.push(node.branches.map((branch) => {
        const m = member.scope.members.get(branch.id)
        return m ? leavesOf(level, m) : []
      }))
    }
  }
}

/**
 * Task paths `typeflow plan` knows for a pipeline: the tasks it lists (what a durations file may
 * name) and the tasks that run nested pipelines (whose own tasks are named `<task>/<inner task>`).
 *
 * @example
 * ```ts
 * planTaskPaths(analysed) // { tasks: ['first/make', 'first/double', 'read-text'], pipelineTasks: ['first'] }
 * ```
 */
export function planTaskPaths(pipeline: AnalysedPipeline, params: Readonly<Record<string, unknown>> = {}): { readonly tasks: readonly string[]; readonly pipelineTasks: readonly string[] } {
  const out: Flattened = { leaves: [], exclusive: [], pipelineTasks: [] }
  flatten(rootLevel(pipeline, params), pipeline.root, [], [], [], out)
  return { tasks: out.leaves.map((l) => l.id).sort(), pipelineTasks: out.pipelineTasks.sort() }
}

/**
 * The plan's task path for a task path the local runner records (`exit-handler-1/for-loop-2[3]/train`,
 * `first/combine`): group ids and loop indices dropped, nested pipelines kept. Undefined when the
 * pipeline has no such task (it changed since that run).
 *
 * @example
 * ```ts
 * taskPathOfRunRecord(analysed, 'exit-handler-1/condition-branches-2/condition-3/register-model') // 'register-model'
 * ```
 */
export function taskPathOfRunRecord(pipeline: AnalysedPipeline, recorded: string): string | undefined {
  let level = pipeline
  let prefix = ''
  const segments = recorded.split('/')
  for (const [index, segment] of segments.entries()) {
    const name = segment.replace(/\[\d+\]$/, '')
    if (level.groups.has(name)) continue
    const task = level.tasks.get(name)
    if (!task) return undefined
    if (task.child) {
      prefix += `${name}/`
      level = task.child
      continue
    }
    return index === segments.length - 1 ? `${prefix}${name}` : undefined
  }
  return undefined
}

function describeSource(source: ValueSourceNode, level: Level): string {
  const short = (value: unknown) => {
    const text = JSON.stringify(value) ?? String(value)
    return text.length > 40 ? `${text.slice(0, 37)}...` : text
  }
  switch (source.kind) {
    case 'constant':
      return `= ${short(source.value)}`
    case 'pipelineInput':
      return Object.hasOwn(level.values, source.name) ? `input ${source.name} (${short(level.values[source.name])})` : `input ${source.name}`
    case 'taskOutput':
      return `${level.prefix}${source.task}.${source.output}`
    case 'collected':
      return `every ${level.prefix}${source.task}.${source.output}`
    case 'loopItem':
      return `item of ${level.prefix}${source.loop}${source.path?.length ? `.${source.path.join('.')}` : ''}`
    case 'oneOf':
      return `one of ${source.sources.map((s) => `${level.prefix}${s.task}.${s.output}`).join(' | ')}`
    case 'taskFinalStatus':
      return 'final status'
    case 'template':
      return `text with ${source.parts.filter((p) => typeof p !== 'string').map((p) => describeSource(p as ValueSourceNode, level)).join(', ')}`
    case 'composite':
      return `${short(source.value)} with ${source.embedded.map((e) => describeSource(e.source, level)).join(', ')}`
  }
}

function acceleratorOf(task: AnalysedTask, values: Readonly<Record<string, unknown>>): PlannedAccelerator | undefined {
  const r = task.node.resources
  const stated = r?.accelerator
  if (stated) return stated.count > 0 ? { type: stated.type, resource: acceleratorResource(stated.type), count: stated.count, ...(stated.model !== undefined && { model: stated.model }) } : undefined
  const dynamic = r?.fromParameters?.accelerator
  if (!dynamic) return undefined
  const typeValue = typeof dynamic.type === 'string' ? dynamic.type : knownValue(dynamic.type, values)?.value
  const type = typeof typeValue === 'string' ? typeValue : 'run-time'
  const countValue = typeof dynamic.count === 'number' ? dynamic.count : knownValue(dynamic.count, values)?.value
  const count = typeof countValue === 'number' ? countValue : typeof countValue === 'string' && /^\d+$/.test(countValue) ? Number(countValue) : null
  if (count === 0) return undefined
  return { type, resource: type === 'run-time' ? 'run-time' : acceleratorResource(type), count, ...(dynamic.model !== undefined && { model: dynamic.model }) }
}

function placementOf(k: KubernetesNode | undefined): PlannedPlacement | undefined {
  if (!k) return undefined
  const placement: PlannedPlacement = {
    ...(k.nodeSelector !== undefined && Object.keys(k.nodeSelector).length > 0 && { nodeSelector: k.nodeSelector }),
    ...(k.nodeSelectorJson !== undefined && { nodeSelectorJson: k.nodeSelectorJson }),
    ...(k.tolerations !== undefined && k.tolerations.length > 0 && { tolerations: k.tolerations }),
    ...(k.nodeAffinity !== undefined && k.nodeAffinity.length > 0 && { nodeAffinity: k.nodeAffinity }),
  }
  return Object.keys(placement).length > 0 ? placement : undefined
}

/**
 * The largest total weight of tasks no two of which are ordered (an antichain): the most that
 * can be in use at once. Computed as a minimum chain cover (Dilworth) through a maximum flow on
 * the bipartite graph of the order; the tasks come from the minimum cut.
 */
function heaviestAntichain(ids: readonly string[], weight: ReadonlyMap<string, number>, before: (a: string, b: string) => boolean): { total: number; members: string[] } {
  const n = ids.length
  if (n === 0) return { total: 0, members: [] }
  // Nodes: 0 source, 1..n left copies, n+1..2n right copies, 2n+1 sink.
  const size = 2 * n + 2
  const sink = size - 1
  const capacity = new Float64Array(size * size)
  const edges: number[][] = Array.from({ length: size }, () => [])
  const add = (a: number, b: number, c: number) => {
    capacity[a * size + b] = capacity[a * size + b]! + c
  }
  const link = (a: number, b: number, c: number) => {
    add(a, b, c)
    edges[a]!.push(b)
    edges[b]!.push(a)
  }
  for (let i = 0; i < n; i++) {
    const w = weight.get(ids[i]!)!
    link(0, 1 + i, w)
    link(1 + n + i, sink, w)
    for (let j = 0; j < n; j++) if (i !== j && before(ids[i]!, ids[j]!)) link(1 + i, 1 + n + j, Number.POSITIVE_INFINITY)
  }
  const reachable = (): Int32Array => {
    const parent = new Int32Array(size).fill(-1)
    parent[0] = 0
    const queue = [0]
    while (queue.length > 0) {
      const a = queue.shift()!
      for (const b of edges[a]!) {
        if (parent[b] === -1 && capacity[a * size + b]! > 0) {
          parent[b] = a
          queue.push(b)
        }
      }
    }
    return parent
  }
  let flow = 0
  for (;;) {
    const parent = reachable()
    if (parent[sink] === -1) break
    let push = Number.POSITIVE_INFINITY
    for (let b = sink; b !== 0; b = parent[b]!) push = Math.min(push, capacity[parent[b]! * size + b]!)
    for (let b = sink; b !== 0; b = parent[b]!) {
      add(parent[b]!, b, -push)
      add(b, parent[b]!, push)
    }
    flow += push
  }
  const cut = reachable()
  const members = ids.filter((id, i) => weight.get(id)! > 0 && cut[1 + i] !== -1 && cut[1 + n + i] === -1)
  const total = [...weight.values()].reduce((a, b) => a + b, 0) - flow
  return { total, members }
}

/**
 * Builds the plan of an analysed pipeline.
 *
 * - Cache keys with their ingredients, as the compiler and the local runner compute them.
 * - Accelerators: the total over a run, and the peak: the heaviest set of tasks none of which
 *   waits for another (an antichain of the DAG), each weighted by its accelerator count times the
 *   copies its loops run at once (items, capped by `parallelism`). Branches of one if/elif/else
 *   never run together.
 * - The critical path: the longest chain of an as-soon-as-possible schedule. A loop's body counts
 *   ceil(items / parallelism) times when its items are known. With `durations`, tasks take their
 *   estimate (0 s without one); without any, every task counts 1.
 *
 * @example
 * ```ts
 * import { compile } from '@typeflow/compiler'
 * const result = compile(fraudTraining)
 * if (result.ok) {
 *   const plan = planPipeline(result.analysed, { durations: new Map([['train-model', { seconds: 7200, from: 'file' }]]) })
 *   console.log(plan.accelerators.peak, plan.criticalPath.total)
 * }
 * ```
 */
export function planPipeline(pipeline: AnalysedPipeline, options: PlanOptions = {}): Plan {
  const root = rootLevel(pipeline, options.params ?? {})
  const flat: Flattened = { leaves: [], exclusive: [], pipelineTasks: [] }
  flatten(root, pipeline.root, [], [], [], flat)
  const estimated = options.durations !== undefined
  const durationOf = (id: string): { value: number; from: DurationOrigin } => {
    if (!estimated) return { value: 1, from: 'unit' }
    const known = options.durations!.get(id)
    return known ? { value: known.seconds, from: known.from } : { value: 0, from: 'missing' }
  }

  // The critical path, scope by scope: a group lasts as long as its own critical path (a loop:
  // that many rounds), a task running a pipeline as long as that pipeline's.
  const starts = new Map<string, number>()
  let pathExact = true
  interface Segment {
    length: number
    steps: CriticalStep[]
  }
  const scopePath = (level: Level, scope: AnalysedScope, at: number): Segment => {
    const finish = new Map<string, number>()
    const via = new Map<string, string | undefined>()
    const segments = new Map<string, Segment>()
    for (const name of scope.order) {
      const member = scope.members.get(name)!
      let start = 0
      let from: string | undefined
      for (const dep of member.dependsOn) {
        const f = finish.get(dep)!
        // Ties go to the first name, so the path is the same on every machine.
        if (from === undefined || f > start || (f === start && dep < from)) {
          start = Math.max(start, f)
          from = dep
        }
      }
      const segment = memberPath(level, member, at + start)
      finish.set(name, start + segment.length)
      via.set(name, from)
      segments.set(name, segment)
    }
    let last: string | undefined
    for (const name of [...scope.order].sort()) if (last === undefined || finish.get(name)! > finish.get(last)!) last = name
    const steps: CriticalStep[] = []
    for (let member = last; member !== undefined; member = via.get(member)) steps.unshift(...segments.get(member)!.steps)
    return { length: last === undefined ? 0 : finish.get(last)!, steps }
  }
  const memberPath = (level: Level, member: AnalysedMember, at: number): Segment => {
    if (member.kind === 'task') {
      if (member.child) {
        const inner = childLevel(level, member)
        return scopePath(inner, inner.pipeline.root, at)
      }
      const id = `${level.prefix}${member.name}`
      starts.set(id, at)
      const d = durationOf(id).value
      return { length: d, steps: [{ task: id, duration: d, times: 1 }] }
    }
    const inner = scopePath(level, member.scope, at)
    if (member.node.kind !== 'loop') return inner
    let rounds = loopRounds({ node: member.node, values: level.values })
    if (rounds === null) {
      pathExact = false
      rounds = 1
    }
    return { length: inner.length * rounds, steps: inner.steps.map((s) => ({ ...s, times: s.times * rounds })) }
  }
  const critical = scopePath(root, pipeline.root, 0)

  const tasks: PlannedTask[] = []
  const accelerators = new Map<string, PlannedAccelerator>()
  for (const leaf of [...flat.leaves].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const { task, level } = leaf
    const key = level.keys.get(task.name)!
    const known = key.pipelineInputs.every((i) => Object.hasOwn(level.values, i)) && key.loopItems.length === 0
    const component = task.node.component
    const accelerator = acceleratorOf(task, level.values)
    if (accelerator) accelerators.set(leaf.id, accelerator)
    const placement = placementOf(task.node.kubernetes)
    const duration = durationOf(leaf.id)
    tasks.push({
      name: leaf.id,
      ...(task.node.displayName !== undefined && { displayName: task.node.displayName }),
      groups: leaf.groups,
      component: component.name,
      ...(component.kind === 'container' && { image: component.image }),
      cache: {
        enabled: task.caching,
        cacheable: key.cacheable,
        ...(key.reason !== undefined && { reason: key.reason }),
        digest: key.digest,
        ...(key.cacheable && (isStaticKey(key) || known) && { key: runtimeCacheKey(key, level.values, {}) }),
        dependsOnInputs: key.pipelineInputs,
        dependsOnLoopItems: key.loopItems,
        ingredients: key.ingredients,
        inputs: task.edges.map((e) => `${e.input} ← ${describeSource(e.from, level)}`),
      },
      ...(task.node.resources !== undefined && { resources: task.node.resources }),
      ...(accelerator !== undefined && { accelerator }),
      ...(placement !== undefined && { placement }),
      copies: product(leaf.loops.map(loopCopies)),
      executions: product(leaf.loops.map(loopWidth)),
      duration: duration.value,
      durationFrom: duration.from,
      start: starts.get(leaf.id) ?? 0,
    })
  }

  // Accelerators in use at once: an antichain of the order "a finishes before b starts", where
  // the branches of one if/elif/else are ordered too (only one of them runs).
  const successors = new Map<string, Set<string>>()
  const follow = (a: string, b: string) => {
    let set = successors.get(a)
    if (!set) successors.set(a, (set = new Set()))
    set.add(b)
  }
  for (const leaf of flat.leaves) for (const p of leaf.preds) follow(p, leaf.id)
  for (const chain of flat.exclusive) for (let i = 0; i + 1 < chain.length; i++) for (const a of chain[i]!) for (const b of chain[i + 1]!) follow(a, b)
  const reach = new Map<string, Set<string>>()
  const reachable = (id: string): Set<string> => {
    let seen = reach.get(id)
    if (seen) return seen
    seen = new Set()
    const stack = [...(successors.get(id) ?? [])]
    while (stack.length > 0) {
      const next = stack.pop()!
      if (seen.has(next)) continue
      seen.add(next)
      for (const s of successors.get(next) ?? []) stack.push(s)
    }
    reach.set(id, seen)
    return seen
  }
  let exact = true
  const total = new Map<string, number>()
  const byResource = new Map<string, { ids: string[]; weight: Map<string, number> }>()
  for (const task of tasks) {
    const a = task.accelerator
    if (!a) continue
    if (a.count === null || task.copies === null || task.executions === null) exact = false
    const count = a.count ?? 0
    total.set(a.resource, (total.get(a.resource) ?? 0) + count * (task.executions ?? 1))
    const bucket = byResource.get(a.resource) ?? { ids: [], weight: new Map<string, number>() }
    bucket.ids.push(task.name)
    bucket.weight.set(task.name, count * (task.copies ?? 1))
    byResource.set(a.resource, bucket)
  }
  const peak: Record<string, number> = {}
  const peakTasks: Record<string, string[]> = {}
  for (const resource of [...byResource.keys()].sort()) {
    const { ids, weight } = byResource.get(resource)!
    const best = heaviestAntichain(ids, weight, (a, b) => reachable(a).has(b))
    peak[resource] = best.total
    peakTasks[resource] = best.members
  }

  const assumptions = [
    estimated
      ? 'each task takes its estimate (0 s without one) and starts as soon as what it waits for is done'
      : 'no duration estimates: every task counts 1 unit and starts as soon as what it waits for is done',
    "a loop's body counts ceil(items / parallelism) times on the critical path; a loop without a parallelism limit runs all its items at once",
    'the longest branch of a condition is on the critical path; for accelerators, every branch is counted, but branches of one if/elif/else never run together',
    'loop sizes come from literal lists, or from list inputs given with --param or their defaults',
  ]
  return {
    pipeline: pipeline.node.name,
    unit: estimated ? 'seconds' : 'tasks',
    estimates: estimated ? { from: options.estimatesFrom ?? [], missing: tasks.filter((t) => t.durationFrom === 'missing').map((t) => t.name) } : null,
    tasks,
    accelerators: {
      total: Object.fromEntries([...total].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
      peak,
      peakTasks,
      exact,
    },
    criticalPath: { total: critical.length, steps: critical.steps, exact: pathExact },
    assumptions,
  }
}

/**
 * The plan as text for a terminal.
 *
 * @example
 * ```ts
 * process.stdout.write(renderPlan(plan, useColour(process.stdout)))
 * ```
 */
export function renderPlan(plan: Plan, colour: boolean): string {
  const dim = (s: string) => (colour ? `\u001b[2m${s}\u001b[0m` : s)
  const bold = (s: string) => (colour ? `\u001b[1m${s}\u001b[0m` : s)
  const amount = (n: number) => (plan.unit === 'seconds' ? formatSeconds(n) : `${n} unit${n === 1 ? '' : 's'}`)
  const lines = [bold(`Plan for ${plan.pipeline}: ${plan.tasks.length} task${plan.tasks.length === 1 ? '' : 's'}`), '']
  for (const task of [...plan.tasks].sort((a, b) => a.start - b.start || (a.name < b.name ? -1 : 1))) {
    const where = task.groups.length ? dim(` in ${task.groups.join(' > ')}`) : ''
    const many = task.copies === 1 && task.executions === 1 ? '' : `, ${task.executions ?? '?'} executions, ${task.copies ?? '?'} at once`
    const timing =
      plan.unit === 'seconds'
        ? `starts at ${formatSeconds(task.start)}, takes ${task.durationFrom === 'missing' ? '0s (no estimate)' : `${formatSeconds(task.duration)} (${task.durationFrom === 'file' ? 'estimate' : 'measured'})`}`
        : `step ${task.start + 1}`
    const shown = task.displayName !== undefined ? ` "${task.displayName}"` : ''
    lines.push(`${bold(task.name)}${shown}${where}  ${timing}${many}`)
    const cache = !task.cache.enabled
      ? 'caching off'
      : !task.cache.cacheable
        ? `never reused: ${task.cache.reason}`
        : task.cache.key
          ? `key ${task.cache.key.slice(0, 16)}`
          : `digest ${task.cache.digest.slice(0, 16)} + run-time values of ${[...task.cache.dependsOnInputs, ...task.cache.dependsOnLoopItems.map((l) => `${l} item`)].join(', ')}`
    lines.push(`  cache     ${cache}`)
    const ingredients = task.cache.ingredients as { component?: string; env?: [string, string][] } | null
    const from = [
      ingredients?.component !== undefined ? `component ${ingredients.component.slice(0, 12)}` : undefined,
      ingredients?.env?.length ? `env ${ingredients.env.map(([name]) => name).join(', ')}` : undefined,
      ...task.cache.inputs,
    ].filter((part): part is string => part !== undefined)
    if (from.length > 0) lines.push(`  from      ${from.join('; ')}`)
    if (task.image) lines.push(`  image     ${task.image}`)
    const r = task.resources
    if (r) {
      const p = r.fromParameters
      const parts = [
        r.cpuRequest && `cpu ${r.cpuRequest}`,
        r.cpuLimit && `cpu limit ${r.cpuLimit}`,
        r.memoryRequest && `memory ${r.memoryRequest}`,
        r.memoryLimit && `memory limit ${r.memoryLimit}`,
        p?.cpuRequest && 'cpu from a parameter',
        p?.cpuLimit && 'cpu limit from a parameter',
        p?.memoryRequest && 'memory from a parameter',
        p?.memoryLimit && 'memory limit from a parameter',
        task.accelerator && `${task.accelerator.count ?? '?'} × ${task.accelerator.type}${task.accelerator.model ? ` (${task.accelerator.model})` : ''}`,
      ].filter(Boolean)
      if (parts.length > 0) lines.push(`  resources ${parts.join(', ')}`)
    }
    const placed = task.placement
    if (placed) {
      const parts = [
        placed.nodeSelector && `nodes with ${Object.entries(placed.nodeSelector).map(([k, v]) => `${k}=${v}`).join(', ')}`,
        placed.nodeSelectorJson && 'node selector from a parameter',
        placed.tolerations && `tolerates ${placed.tolerations.map((t) => ('json' in t ? 'tolerations from a parameter' : `${t.key ?? '*'} ${t.operator}${t.value !== undefined ? ` ${t.value}` : ''}${t.effect ? ` ${t.effect}` : ''}`)).join(', ')}`,
        placed.nodeAffinity && `${placed.nodeAffinity.length} node affinity term${placed.nodeAffinity.length === 1 ? '' : 's'}`,
      ].filter(Boolean)
      lines.push(`  placement ${parts.join('; ')}`)
    }
  }
  lines.push('')
  const resources = Object.keys(plan.accelerators.total)
  if (resources.length === 0) {
    lines.push('Accelerators: none requested')
  } else {
    lines.push(`Accelerators${plan.accelerators.exact ? '' : ' (at least: some loop sizes or counts are only known at run time)'}:`)
    for (const resource of resources) {
      lines.push(`  ${resource}: ${plan.accelerators.total[resource]} in total, at most ${plan.accelerators.peak[resource]} at once (${plan.accelerators.peakTasks[resource]!.join(', ')})`)
    }
  }
  const path = plan.criticalPath
  const caveat = path.exact ? '' : ', at least: a limited loop of unknown size counts one round'
  if (plan.unit === 'tasks') {
    lines.push(`Critical path: ${amount(path.total)} (no duration estimates: every task counts 1 unit; pass --durations <file.json> or --from-run${caveat})`)
  } else {
    lines.push(`Critical path: ${formatSeconds(path.total)} (estimates from ${plan.estimates!.from.join(' and ')}${caveat})`)
  }
  const width = Math.max(0, ...path.steps.map((s) => s.task.length))
  for (const step of path.steps) {
    const times = step.times === 1 ? '' : ` × ${step.times} rounds = ${amount(step.duration * step.times)}`
    lines.push(`  ${step.task.padEnd(width)}  ${amount(step.duration)}${times}`)
  }
  if (plan.estimates && plan.estimates.missing.length > 0) lines.push(`No estimate (counted as 0s): ${plan.estimates.missing.join(', ')}`)
  lines.push(dim(`Assuming ${plan.assumptions.join('; ')}.`))
  return `${lines.join('\n')}\n`
}
