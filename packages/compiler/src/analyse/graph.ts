import type { GroupNode, IoSpecNode, PipelineNode, PredicateNode, TaskNode, ValueSourceNode } from '@typeflow/dsl'

/** One data edge: the task input `input` is fed by `from`. */
export interface DataEdge {
  readonly input: string
  readonly from: ValueSourceNode
}

/** A task with everything the targets need to know about its place in the graph. */
export interface AnalysedTask {
  readonly kind: 'task'
  readonly name: string
  readonly node: TaskNode
  /** Group ids from the pipeline root down to the scope holding this task. */
  readonly path: readonly string[]
  /** Siblings in the same scope this task waits for (data and `after`, lifted to this scope), sorted. */
  readonly dependsOn: readonly string[]
  /** Inputs in name order. */
  readonly edges: readonly DataEdge[]
  /** The analysed nested pipeline when this task runs a pipeline. */
  readonly child?: AnalysedPipeline
  /** True for the cleanup task of an exit handler. */
  readonly isExitTask: boolean
  /** Whether results may be reused: the task's choice, else its pipeline's, else the compile default. */
  readonly caching: boolean
}

/** A control-flow group with its own scope of members. */
export interface AnalysedGroup {
  readonly kind: 'group'
  /** The group id (`condition-2`, `for-loop-3`, …). */
  readonly name: string
  readonly node: GroupNode
  readonly path: readonly string[]
  /** Siblings in the enclosing scope this group waits for, sorted. */
  readonly dependsOn: readonly string[]
  readonly scope: AnalysedScope
}

/**
 * A member of a scope: a task, or a control-flow group with its own scope.
 *
 * @example
 * ```ts
 * const names = [...scope.members.values()].map((m: AnalysedMember) => m.name)
 * ```
 */
export type AnalysedMember = AnalysedTask | AnalysedGroup

/** One DAG level: the pipeline root or the inside of a group. */
export interface AnalysedScope {
  readonly members: ReadonlyMap<string, AnalysedMember>
  /** Topological order, ties broken by name: independent of declaration order. */
  readonly order: readonly string[]
}

/**
 * A validated pipeline with its graph resolved: the single input of every target, so that KFP and
 * Argo output can never disagree about tasks, groups, edges or order.
 */
export interface AnalysedPipeline {
  readonly node: PipelineNode
  readonly root: AnalysedScope
  /** Every task at any depth (not inside nested pipelines), by name. */
  readonly tasks: ReadonlyMap<string, AnalysedTask>
  /** Every control-flow group at any depth, by id. */
  readonly groups: ReadonlyMap<string, AnalysedGroup>
  /** The declared type of every value source a task or group reads, keyed by {@link sourceKey}. */
  readonly sourceSpecs: ReadonlyMap<string, IoSpecNode>
}

/**
 * Calls `visit` for a pipeline and for each pipeline nested in it, once each (a nested pipeline used
 * twice is one analysed pipeline), with the diagnostic path of the task first running it.
 *
 * @example
 * ```ts
 * forEachPipeline(analysed, (pipeline, prefix) => console.log([...prefix, pipeline.node.name].join('.')))
 * ```
 */
export function forEachPipeline(root: AnalysedPipeline, visit: (pipeline: AnalysedPipeline, prefix: readonly string[]) => void): void {
  const seen = new WeakSet<AnalysedPipeline>()
  const walk = (pipeline: AnalysedPipeline, prefix: readonly string[]): void => {
    if (seen.has(pipeline)) return
    seen.add(pipeline)
    visit(pipeline, prefix)
    for (const task of pipeline.tasks.values()) if (task.child) walk(task.child, [...prefix, 'tasks', task.name])
  }
  walk(root, [])
}

const sourceKeys = new WeakMap<ValueSourceNode, string>()

/** A stable string for a value source, for maps and punch-through names. */
export function sourceKey(source: ValueSourceNode): string {
  // Asked for again and again for the same source by the analysis and both targets: a new string
  // each time was a new hash of it in every map it was looked up in.
  let key = sourceKeys.get(source)
  if (key === undefined) sourceKeys.set(source, (key = newSourceKey(source)))
  return key
}

function newSourceKey(source: ValueSourceNode): string {
  switch (source.kind) {
    case 'constant':
      return `constant:${JSON.stringify(source.value)}`
    case 'pipelineInput':
      return `input:${source.name}`
    case 'taskOutput':
      return `task:${source.task}:${source.output}`
    case 'collected':
      return `collected:${source.task}:${source.output}`
    case 'loopItem':
      return `item:${source.loop}${source.path ? `:${source.path.join('.')}` : ''}`
    case 'oneOf':
      return `oneOf:${source.branches}:${source.sources.map((s) => `${s.task}.${s.output}`).join(',')}`
    case 'taskFinalStatus':
      return 'status'
    case 'template':
      return `template:${JSON.stringify(source.parts.map((p) => (typeof p === 'string' ? p : sourceKey(p))))}`
    case 'composite':
      return `composite:${JSON.stringify([source.value, source.embedded.map((e) => [e.path, sourceKey(e.source)])])}`
  }
}

/** The values a source reads: itself, or for f-strings and composites the values inside them. */
export function readSources(source: ValueSourceNode): ValueSourceNode[] {
  switch (source.kind) {
    case 'template':
      return source.parts.flatMap((part) => (typeof part === 'string' ? [] : readSources(part)))
    case 'composite':
      return source.embedded.flatMap((e) => readSources(e.source))
    default:
      return [source]
  }
}

/** Task names whose outputs a value source reads, including inside f-strings and composites. */
export function producersOfSource(source: ValueSourceNode, into: string[] = []): string[] {
  // Walked here rather than through readSources: analysis asks this of every argument.
  switch (source.kind) {
    case 'taskOutput':
    case 'collected':
      into.push(source.task)
      break
    case 'oneOf':
      for (const option of source.sources) into.push(option.task)
      break
    case 'template':
      for (const part of source.parts) if (typeof part !== 'string') producersOfSource(part, into)
      break
    case 'composite':
      for (const embedded of source.embedded) producersOfSource(embedded.source, into)
      break
  }
  return into
}

/** Every operand a condition compares (constants included), depth first. */
export function predicateOperands(predicate: PredicateNode | undefined, into: ValueSourceNode[] = []): ValueSourceNode[] {
  if (!predicate) return into
  if (predicate.kind === 'compare') into.push(predicate.left, predicate.right)
  else if (predicate.kind === 'not') predicateOperands(predicate.item, into)
  else for (const item of predicate.items) predicateOperands(item, into)
  return into
}

/**
 * Whether a run may skip a task or group of `pipeline`: it sits under a condition, or waits for (or
 * sits in a group that waits for) something a run may skip. Failures are not skips: they stop the
 * run. Members in `running` are known to run: neither their conditions nor what they wait for count.
 */
export function maySkip(pipeline: AnalysedPipeline, name: string, running: ReadonlySet<string> = new Set(), seen = new Set<string>()): boolean {
  const member = pipeline.tasks.get(name) ?? pipeline.groups.get(name)
  if (!member || running.has(name) || seen.has(name)) return false
  seen.add(name)
  if (member.kind === 'group' && member.node.kind === 'condition') return true
  // A condition around it is found as a group on its path.
  return member.path.some((other) => maySkip(pipeline, other, running, seen)) || member.dependsOn.some((other) => maySkip(pipeline, other, running, seen))
}

/** Code-point order, the same on every machine and locale (Python's default string order). */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Kahn's algorithm with a binary heap on names: O((V + E) log V). Returns the order, or the
 * members left on a cycle when there is one.
 */
export function topologicalOrder(
  names: readonly string[],
  dependsOn: ReadonlyMap<string, readonly string[]>,
): { readonly order: string[]; readonly cyclic: readonly string[] } {
  if (names.length <= SMALL_GRAPH) return smallTopologicalOrder(names, dependsOn)
  // Members by rank in name order (the default sort compares code units, as compareNames does):
  // the heap then compares numbers, not strings, which a scope of 100k tasks makes millions of times.
  const sorted = [...names].sort()
  const rank = new Map<string, number>()
  for (let i = 0; i < sorted.length; i++) rank.set(sorted[i]!, i)
  const count = sorted.length
  const indegree = new Int32Array(count)
  const edgeFrom: number[] = []
  const edgeTo: number[] = []
  for (const name of names) {
    const to = rank.get(name)!
    for (const dep of dependsOn.get(name) ?? []) {
      const from = rank.get(dep)
      if (from === undefined) continue
      indegree[to]!++
      edgeFrom.push(from)
      edgeTo.push(to)
    }
  }
  // Dependents of each member, packed: those of rank r are dependents[start[r] .. start[r + 1]).
  const start = new Int32Array(count + 1)
  for (const from of edgeFrom) start[from + 1]!++
  for (let r = 0; r < count; r++) start[r + 1]! += start[r]!
  const dependents = new Int32Array(edgeFrom.length)
  const filled = start.slice(0, count)
  for (let e = 0; e < edgeFrom.length; e++) dependents[filled[edgeFrom[e]!]!++] = edgeTo[e]!
  const heap = new RankHeap(count)
  for (let r = 0; r < count; r++) if (indegree[r] === 0) heap.push(r)
  const order: string[] = []
  while (heap.size > 0) {
    const r = heap.pop()
    order.push(sorted[r]!)
    for (let e = start[r]!; e < start[r + 1]!; e++) {
      const next = dependents[e]!
      if (--indegree[next]! === 0) heap.push(next)
    }
  }
  const cyclic = order.length === names.length ? [] : names.filter((n) => indegree[rank.get(n)!]! > 0)
  return { order, cyclic }
}

/**
 * Graphs up to this size take `smallTopologicalOrder`. Nested control flow makes thousands of
 * scopes of two to four members (7,274 scopes at nested 10,000 tasks), where the heap's sorted
 * copy, rank map and five typed arrays cost more than scanning the few members.
 */
const SMALL_GRAPH = 16

/** `topologicalOrder` by scanning: each step takes the first ready member in name order. O(V² + V·E). */
function smallTopologicalOrder(names: readonly string[], dependsOn: ReadonlyMap<string, readonly string[]>): { readonly order: string[]; readonly cyclic: readonly string[] } {
  const sorted = names.length < 2 ? names : [...names].sort()
  const count = sorted.length
  // What each member waits for, by index in `sorted` (a dependency listed twice counts twice, as in the heap version).
  const waitsFor: number[][] = []
  const indegree: number[] = []
  for (let r = 0; r < count; r++) {
    const waits: number[] = []
    for (const dep of dependsOn.get(sorted[r]!) ?? []) {
      const from = sorted.indexOf(dep)
      if (from >= 0) waits.push(from)
    }
    waitsFor.push(waits)
    indegree.push(waits.length)
  }
  const order: string[] = []
  for (;;) {
    let ready = 0
    while (ready < count && indegree[ready] !== 0) ready++
    if (ready === count) break
    order.push(sorted[ready]!)
    indegree[ready] = -1
    for (let r = 0; r < count; r++) for (const from of waitsFor[r]!) if (from === ready) indegree[r]!--
  }
  const cyclic = order.length === count ? [] : names.filter((n) => indegree[sorted.indexOf(n)]! > 0)
  return { order, cyclic }
}

/** One cycle through the given members, as a path in execution order that ends where it starts. */
export function findCycle(cyclic: readonly string[], dependsOn: ReadonlyMap<string, readonly string[]>): string[] {
  const inCycleSet = new Set(cyclic)
  const start = [...cyclic].sort(compareNames)[0]!
  const seen = new Map<string, number>()
  const path: string[] = []
  let current = start
  while (!seen.has(current)) {
    seen.set(current, path.length)
    path.push(current)
    const next = (dependsOn.get(current) ?? []).filter((d) => inCycleSet.has(d)).sort(compareNames)[0]
    if (next === undefined) break
    current = next
  }
  const from = seen.get(current) ?? 0
  // Dependencies point backwards in time; reverse so the path reads in execution order.
  return [...path.slice(from), current].reverse()
}

/** A binary min-heap of ranks, at most `capacity` at once. */
class RankHeap {
  private readonly items: Int32Array
  size = 0
  constructor(capacity: number) {
    this.items = new Int32Array(capacity)
  }
  push(value: number): void {
    const items = this.items
    let i = this.size++
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (items[parent]! <= value) break
      items[i] = items[parent]!
      i = parent
    }
    items[i] = value
  }
  pop(): number {
    const items = this.items
    const top = items[0]!
    const last = items[--this.size]!
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      if (left >= this.size) break
      const right = left + 1
      const child = right < this.size && items[right]! < items[left]! ? right : left
      if (items[child]! >= last) break
      items[i] = items[child]!
      i = child
    }
    items[i] = last
    return top
  }
}
