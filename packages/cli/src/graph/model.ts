/**
 * The graph of a pipeline as a neutral model: what every renderer (Mermaid, SVG, HTML) draws.
 *
 * Built from the analysed pipeline and its cache keys, so the picture can never disagree with
 * what the compiler emits. Everything is in a fixed order (the scope's topological order, ties
 * by name; edges by endpoint names), so the same pipeline always gives the same model, and the
 * renderers the same bytes.
 *
 * @module
 */
import type { AnalysedGroup, AnalysedMember, AnalysedPipeline, AnalysedScope, TaskCacheKey } from '@typeflow/compiler'
import type { JsonValue, PredicateNode, ResourcesNode, ValueSourceNode } from '@typeflow/dsl'

/** How a task is drawn: by what its component is (a TypeScript function apart from other containers), and exit tasks apart. */
export type NodeKind = 'container' | 'function' | 'importer' | 'nested-pipeline' | 'exit-task'

/** Every node kind, in legend order. */
export const NODE_KINDS: readonly NodeKind[] = ['container', 'function', 'importer', 'nested-pipeline', 'exit-task']

/** The control-flow group kinds, as the IR names them. */
export type GroupKind = 'condition' | 'branches' | 'loop' | 'exitHandler'

/** Every group kind, in legend order. */
export const GROUP_KINDS: readonly GroupKind[] = ['exitHandler', 'branches', 'condition', 'loop']

/** What a local run reports for one task. */
export type RunState = 'done' | 'cached' | 'failed' | 'skipped' | 'running' | 'waiting'

/** Every run state, in legend order. */
export const RUN_STATES: readonly RunState[] = ['done', 'cached', 'failed', 'skipped', 'running', 'waiting']

/** One task's result in a run. */
export interface RunStatus {
  readonly state: RunState
  readonly durationMs?: number
}

/** What `--run <file>` holds: a run's result per task name. */
export type RunStatusMap = Readonly<Record<string, RunStatus>>

/** A task's status in the model: a loop's iterations are folded into one. */
export interface NodeStatus extends RunStatus {
  /** How many executions were folded in (loop iterations); 1 for a plain task. */
  readonly runs: number
}

/** One task. */
export interface GraphNode {
  /** The task name: unique in the pipeline. */
  readonly id: string
  readonly kind: NodeKind
  /** What to print on the node: the display name, else the task name. */
  readonly label: string
  /** The component's name. */
  readonly component: string
  /** The short second line: what runs (`container · fraud/train`). */
  readonly subtitle: string
  readonly image?: string
  readonly resources?: ResourcesNode
  /** Resources in words (`cpu 4 · memory 12Gi (limit 16Gi) · 1 × nvidia.com/gpu`). */
  readonly resourcesText?: string
  readonly gpu?: { readonly type: string; readonly count: number }
  readonly cache: {
    /** Hex SHA-256 of everything known at compile time. */
    readonly digest: string
    readonly cacheable: boolean
    readonly reason?: string
    /** Pipeline inputs and loop items whose run-time values complete the key. */
    readonly runtimeInputs: readonly string[]
  }
  /** Enclosing group ids, outermost first. */
  readonly path: readonly string[]
  /** The innermost enclosing group, or null at the top level. */
  readonly parent: string | null
  readonly status?: NodeStatus
}

/** A dependency: data flowing from task to task, or order only (`after`, a group, an exit handler). */
export interface GraphEdge {
  /** A task name or a group id. */
  readonly from: string
  readonly to: string
  readonly kind: 'data' | 'order'
  /** The producer's outputs read (data edges); `name[]` for a loop's collected outputs. */
  readonly outputs: readonly string[]
  /** A word on the edge: the outputs, or `on exit` for an exit handler. */
  readonly label?: string
}

/** A control-flow group, drawn as a cluster around its members. */
export interface GraphGroup {
  readonly id: string
  readonly kind: GroupKind
  /** `if`, `elif`, `else`, `if / else`, `for each`, `exit handler`. */
  readonly keyword: string
  /** The display name, else a description. */
  readonly label: string
  /** The condition or what the loop iterates over, in words. */
  readonly detail?: string
  readonly path: readonly string[]
  readonly parent: string | null
}

/** Summary of a run, when one was given. */
export interface RunSummary {
  readonly counts: Readonly<Partial<Record<RunState, number>>>
  /** Sum of the task durations that were given (executions, not wall-clock). */
  readonly totalMs: number
  /** Task names in the run file that the pipeline does not have. */
  readonly unknownTasks: readonly string[]
}

/** The whole graph. */
export interface GraphModel {
  readonly pipeline: { readonly name: string; readonly label: string; readonly description?: string }
  /** Tasks depth first through the scopes, each scope in topological order. */
  readonly nodes: readonly GraphNode[]
  readonly edges: readonly GraphEdge[]
  /** Groups depth first, parents before children. */
  readonly groups: readonly GraphGroup[]
  readonly run?: RunSummary
}

const compareNames = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * An image name without its registry host and digest.
 *
 * @example
 * ```ts
 * shortImage('registry.acme.dev/fraud/train@sha256:00…') // 'fraud/train'
 * shortImage('alpine:3.20') // 'alpine:3.20'
 * ```
 */
export function shortImage(image: string): string {
  const withoutDigest = image.split('@')[0]!
  const parts = withoutDigest.split('/')
  if (parts.length > 1 && (parts[0]!.includes('.') || parts[0]!.includes(':') || parts[0] === 'localhost')) parts.shift()
  return parts.join('/')
}

function describeResources(r: ResourcesNode): string {
  const pair = (request: string | undefined, limit: string | undefined, what: string) =>
    request !== undefined ? `${what} ${request}${limit !== undefined && limit !== request ? ` (limit ${limit})` : ''}` : limit !== undefined ? `${what} limit ${limit}` : undefined
  return [pair(r.cpuRequest, r.cpuLimit, 'cpu'), pair(r.memoryRequest, r.memoryLimit, 'memory'), r.accelerator && `${r.accelerator.count} × ${r.accelerator.type}`]
    .filter((part): part is string => typeof part === 'string' && part.length > 0)
    .join(' · ')
}

function describeValue(value: JsonValue): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value)
}

function describeSource(source: ValueSourceNode): string {
  switch (source.kind) {
    case 'constant':
      return describeValue(source.value)
    case 'pipelineInput':
      return source.name
    case 'taskOutput':
      return `${source.task}.${source.output}`
    case 'collected':
      return `${source.task}.${source.output}[]`
    case 'loopItem':
      return source.path?.length ? `item.${source.path.join('.')}` : 'item'
    case 'oneOf':
      return source.sources.map((s) => `${s.task}.${s.output}`).join(' | ')
    case 'taskFinalStatus':
      return 'status'
    case 'template':
      return `"${source.parts.map((p) => (typeof p === 'string' ? p : `{${describeSource(p)}}`)).join('')}"`
    case 'composite':
      return `${JSON.stringify(source.value)} with ${source.embedded.map((e) => `${e.path.join('.')}=${describeSource(e.source)}`).join(', ')}`
  }
}

const OPERATORS: Readonly<Record<string, string>> = { '==': '=', '!=': '≠', '<': '<', '<=': '≤', '>': '>', '>=': '≥' }

/**
 * A condition in words.
 *
 * @example
 * ```ts
 * describePredicate(and(ge(scores.outputs.auc, p.minAuc), le(scores.outputs.fairnessGap, p.maxGap)).node)
 * // 'evaluate-holdout.auc ≥ minAuc and evaluate-holdout.fairnessGap ≤ maxGap'
 * ```
 */
export function describePredicate(predicate: PredicateNode, nested = false): string {
  switch (predicate.kind) {
    case 'compare':
      return `${describeSource(predicate.left)} ${OPERATORS[predicate.op] ?? predicate.op} ${describeSource(predicate.right)}`
    case 'and':
    case 'or': {
      const text = predicate.items.map((item) => describePredicate(item, true)).join(` ${predicate.kind} `)
      return nested && predicate.items.length > 1 ? `(${text})` : text
    }
    case 'not':
      return `not ${describePredicate(predicate.item, true)}`
  }
}

/** `earlier`: the predicates of the branches before this condition in its if/elif/else (none for an if). */
function describeGroup(group: AnalysedGroup, earlier: readonly PredicateNode[]): Pick<GraphGroup, 'keyword' | 'label' | 'detail'> {
  const node = group.node
  switch (node.kind) {
    case 'condition': {
      if (node.predicate === undefined) {
        // An else runs when no earlier branch did: said as such, not by its internal id.
        const detail = earlier.length > 0 ? earlier.map((p) => `not (${describePredicate(p)})`).join(' and ') : undefined
        return { keyword: 'else', label: node.displayName ?? 'otherwise', ...(detail !== undefined && { detail }) }
      }
      const detail = describePredicate(node.predicate)
      return { keyword: earlier.length > 0 ? 'elif' : 'if', label: node.displayName ?? detail, detail }
    }
    case 'branches': {
      const words = node.branches.map((b, i) => (b.predicate === undefined ? 'else' : i === 0 ? 'if' : 'elif'))
      return { keyword: words.join(' / '), label: `${node.branches.length} branches` }
    }
    case 'loop': {
      const items = node.items.kind === 'raw' ? `[${node.items.values.map(describeValue).join(', ')}]` : describeSource(node.items.from)
      const detail = `in ${items}${node.parallelism !== undefined ? ` · ${node.parallelism} at a time` : ''}`
      return { keyword: 'for each', label: node.displayName ?? node.id, detail }
    }
    case 'exitHandler':
      return { keyword: 'exit handler', label: node.displayName ?? node.id }
  }
}

/** Keys in a run file may be task paths (`for-loop-2[1]/double`): the task is the last segment. */
function taskOfKey(key: string): string {
  const last = key.split('/').pop() ?? key
  return last.replace(/\[\d+\]$/, '')
}

/** When executions of one task disagree, the most telling state wins. */
const STATE_WEIGHT: Readonly<Record<RunState, number>> = { failed: 6, running: 5, waiting: 4, done: 3, cached: 2, skipped: 1 }

function foldStatus(pipeline: AnalysedPipeline, run: RunStatusMap): { byTask: Map<string, NodeStatus>; unknown: string[] } {
  const byTask = new Map<string, NodeStatus>()
  const unknown: string[] = []
  for (const key of Object.keys(run).sort(compareNames)) {
    const status = run[key]!
    const task = pipeline.tasks.has(key) ? key : taskOfKey(key)
    if (!pipeline.tasks.has(task)) {
      unknown.push(key)
      continue
    }
    const seen = byTask.get(task)
    if (!seen) {
      byTask.set(task, { state: status.state, ...(status.durationMs !== undefined && { durationMs: status.durationMs }), runs: 1 })
      continue
    }
    // Iterations run side by side: the longest one is what the loop waited for.
    const durations = [seen.durationMs, status.durationMs].filter((d): d is number => d !== undefined)
    byTask.set(task, {
      state: STATE_WEIGHT[status.state] > STATE_WEIGHT[seen.state] ? status.state : seen.state,
      ...(durations.length > 0 && { durationMs: Math.max(...durations) }),
      runs: seen.runs + 1,
    })
  }
  return { byTask, unknown }
}

function tasksWithin(member: AnalysedMember): string[] {
  return member.kind === 'task' ? [member.name] : [...member.scope.members.values()].flatMap(tasksWithin)
}

/**
 * Builds the neutral graph model of an analysed pipeline: tasks with their kind, labels, image,
 * GPUs and cache key; groups as clusters; data and order edges; and, when a run's statuses are
 * given, each task's state and duration.
 *
 * @example
 * ```ts
 * import { compile, computeCacheKeys } from '@typeflow/compiler'
 * import { graphModel, toMermaid } from './graph/index.ts'
 *
 * const result = compile(pipeline)
 * if (result.ok) {
 *   const model = graphModel(result.analysed, computeCacheKeys(result.analysed), { 'train-model': { state: 'done', durationMs: 93_000 } })
 *   console.log(toMermaid(model))
 * }
 * ```
 */
export function graphModel(analysed: AnalysedPipeline, cacheKeys: ReadonlyMap<string, TaskCacheKey>, runStatus?: RunStatusMap): GraphModel {
  const folded = runStatus ? foldStatus(analysed, runStatus) : undefined
  const nodes: GraphNode[] = []
  const groups: GraphGroup[] = []

  /** `earlier`: per condition of an if/elif/else in this scope, the predicates of the branches before it. */
  const walk = (scope: AnalysedScope, earlier: ReadonlyMap<string, readonly PredicateNode[]>) => {
    for (const name of scope.order) {
      const member = scope.members.get(name)!
      const parent = member.path.length > 0 ? member.path[member.path.length - 1]! : null
      if (member.kind === 'group') {
        groups.push({ id: member.name, kind: member.node.kind, ...describeGroup(member, earlier.get(member.name) ?? []), path: member.path, parent })
        const inner = new Map<string, readonly PredicateNode[]>()
        if (member.node.kind === 'branches') {
          const all = member.node.branches
          all.forEach((b, i) => inner.set(b.id, all.slice(0, i).flatMap((e) => (e.predicate ? [e.predicate] : []))))
        }
        walk(member.scope, inner)
        continue
      }
      const task = member.node
      const component = task.component
      const key = cacheKeys.get(member.name)
      const kind: NodeKind = member.isExitTask
        ? 'exit-task'
        : component.kind === 'pipeline'
          ? 'nested-pipeline'
          : component.kind === 'container' && component.function !== undefined
            ? 'function'
            : component.kind
      const what =
        component.kind === 'container'
          ? shortImage(component.image)
          : component.kind === 'importer'
            ? component.artifactType.schemaTitle
            : `${member.child?.tasks.size ?? 0} tasks`
      const kindWord = kind === 'nested-pipeline' ? 'pipeline' : kind === 'exit-task' ? 'exit task' : kind === 'function' ? 'TypeScript function' : kind
      const accelerator = task.resources?.accelerator
      const status = folded?.byTask.get(member.name)
      const reason = key?.reason ?? (member.caching ? undefined : 'caching is off for this task')
      nodes.push({
        id: member.name,
        kind,
        label: task.displayName ?? member.name,
        component: component.name,
        subtitle: `${kindWord} · ${what}`,
        ...(component.kind === 'container' && { image: component.image }),
        ...(task.resources !== undefined && { resources: task.resources, resourcesText: describeResources(task.resources) }),
        ...(accelerator !== undefined && accelerator.count > 0 && { gpu: { type: accelerator.type, count: accelerator.count } }),
        cache: {
          digest: key?.digest ?? '',
          cacheable: (key?.cacheable ?? false) && member.caching,
          ...(reason !== undefined && { reason }),
          runtimeInputs: [...(key?.pipelineInputs ?? []), ...(key?.loopItems ?? []).map((loop) => `${loop} item`)],
        },
        path: member.path,
        parent,
        ...(status !== undefined && { status }),
      })
    }
  }
  walk(analysed.root, new Map())

  // Data edges: one per producer and consumer, with every output read.
  const data = new Map<string, { from: string; to: string; outputs: Set<string> }>()
  const addData = (from: string, to: string, output: string) => {
    const id = `${from}\u0000${to}`
    const edge = data.get(id) ?? { from, to, outputs: new Set<string>() }
    edge.outputs.add(output)
    data.set(id, edge)
  }
  for (const task of analysed.tasks.values()) {
    for (const { from } of task.edges) {
      if (from.kind === 'taskOutput') addData(from.task, task.name, from.output)
      else if (from.kind === 'collected') addData(from.task, task.name, `${from.output}[]`)
      else if (from.kind === 'oneOf') for (const s of from.sources) addData(s.task, task.name, s.output)
    }
  }
  const edges: GraphEdge[] = []
  const linked = new Set<string>()
  for (const edge of data.values()) {
    const outputs = [...edge.outputs].sort(compareNames)
    edges.push({ from: edge.from, to: edge.to, kind: 'data', outputs, label: outputs.join(', ') })
    linked.add(`${edge.from}\u0000${edge.to}`)
  }
  // Order edges: `after` between tasks, then dependencies of groups and exit tasks that no
  // drawn edge already shows (a condition reading an upstream output, an exit handler's cleanup).
  for (const task of analysed.tasks.values()) {
    for (const before of task.node.after) {
      if (linked.has(`${before}\u0000${task.name}`) || !analysed.tasks.has(before)) continue
      edges.push({ from: before, to: task.name, kind: 'order', outputs: [] })
      linked.add(`${before}\u0000${task.name}`)
    }
  }
  const lift = (scope: AnalysedScope) => {
    for (const member of scope.members.values()) {
      const inside = tasksWithin(member)
      for (const dep of member.dependsOn) {
        const before = scope.members.get(dep)
        if (!before) continue
        const from = tasksWithin(before)
        if (from.some((f) => inside.some((t) => linked.has(`${f}\u0000${t}`)))) continue
        const exit = member.kind === 'task' && member.isExitTask && before.kind === 'group' && before.node.kind === 'exitHandler'
        edges.push({ from: dep, to: member.name, kind: 'order', outputs: [], ...(exit && { label: 'on exit' }) })
      }
      if (member.kind === 'group') lift(member.scope)
    }
  }
  lift(analysed.root)
  edges.sort((a, b) => compareNames(a.from, b.from) || compareNames(a.to, b.to) || compareNames(a.kind, b.kind))

  const pipeline = analysed.node
  const model: GraphModel = {
    pipeline: { name: pipeline.name, label: pipeline.displayName ?? pipeline.name, ...(pipeline.description !== undefined && { description: pipeline.description }) },
    nodes,
    edges,
    groups,
  }
  if (!folded) return model
  const counts: Partial<Record<RunState, number>> = {}
  let totalMs = 0
  for (const node of nodes) {
    if (!node.status) continue
    counts[node.status.state] = (counts[node.status.state] ?? 0) + 1
    totalMs += node.status.durationMs ?? 0
  }
  return { ...model, run: { counts, totalMs, unknownTasks: folded.unknown } }
}

/**
 * Checks the JSON of a `--run` file: `{ [task]: { state, durationMs? } }`, the same map under
 * `tasks`, or a runner's `run.json` (`tasks: [{ path, state, durationMs }]`). Throws an `Error`
 * saying what is wrong.
 *
 * @example
 * ```ts
 * const run = parseRunStatus(JSON.parse(readFileSync('run.json', 'utf8')))
 * run['train-model'] // { state: 'done', durationMs: 93000 }
 * ```
 */
export function parseRunStatus(json: unknown): RunStatusMap {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
  if (!isObject(json)) throw new Error('expected an object of task name → { state, durationMs }')
  const tasks = json['tasks']
  // A runner's run.json lists its tasks as records with their path in the pipeline.
  const map = Array.isArray(tasks)
    ? Object.fromEntries(tasks.map((t, i) => [isObject(t) && typeof (t['path'] ?? t['name']) === 'string' ? String(t['path'] ?? t['name']) : `#${i}`, t]))
    : isObject(tasks) ? tasks : json
  const out: Record<string, RunStatus> = {}
  for (const [task, value] of Object.entries(map)) {
    if (!isObject(value)) throw new Error(`task "${task}": expected { state, durationMs }`)
    const state = value['state'] === 'succeeded' ? 'done' : value['state'] === 'retrying' ? 'running' : value['state']
    if (typeof state !== 'string' || !(RUN_STATES as readonly string[]).includes(state)) {
      throw new Error(`task "${task}": state must be one of ${RUN_STATES.join(', ')} (got ${JSON.stringify(state)})`)
    }
    const duration = value['durationMs']
    if (duration !== undefined && duration !== null && (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0)) {
      throw new Error(`task "${task}": durationMs must be a non-negative number (got ${JSON.stringify(duration)})`)
    }
    out[task] = { state: state as RunState, ...(typeof duration === 'number' && { durationMs: duration }) }
  }
  return out
}

/**
 * A duration for people: `340 ms`, `12.3 s`, `4 m 05 s`, `1 h 02 m`.
 *
 * @example
 * ```ts
 * formatDuration(93_000) // '1 m 33 s'
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = ms / 1000
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`
  const totalSeconds = Math.round(s)
  const m = Math.floor(totalSeconds / 60)
  if (m < 60) return `${m} m ${String(totalSeconds % 60).padStart(2, '0')} s`
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} m`
}
