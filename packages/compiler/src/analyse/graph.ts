import type { PipelineNode, TaskNode, ValueSourceNode } from '@typeflow/dsl'

/** One data edge: the task input `input` is fed by `from`. */
export interface DataEdge {
  readonly input: string
  readonly from: ValueSourceNode
}

/** A task with everything the targets need to know about its place in the graph. */
export interface AnalysedTask {
  readonly node: TaskNode
  /** Every task this one waits for (data producers and `after`), sorted by name. */
  readonly dependsOn: readonly string[]
  /** Tasks that feed this one data, sorted by name. */
  readonly dataProducers: readonly string[]
  /** Inputs in name order. */
  readonly edges: readonly DataEdge[]
  /** The analysed nested pipeline when this task runs a pipeline. */
  readonly child?: AnalysedPipeline
}

/**
 * A validated pipeline with its graph resolved: the single input of every target, so that KFP and
 * Argo output can never disagree about tasks, edges or order.
 */
export interface AnalysedPipeline {
  readonly node: PipelineNode
  readonly tasks: ReadonlyMap<string, AnalysedTask>
  /** Topological order, ties broken by task name: independent of declaration order. */
  readonly order: readonly string[]
}

/** Producer task names a task depends on for data, sorted. */
export function producersOf(task: TaskNode): string[] {
  const producers = new Set<string>()
  for (const source of Object.values(task.inputs)) if (source.kind === 'taskOutput') producers.add(source.task)
  return [...producers].sort(compareNames)
}

/** Code-point order, the same on every machine and locale (Python's default string order). */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Kahn's algorithm with a binary heap on names: O((V + E) log V). Returns the order, or the
 * tasks left on a cycle when there is one.
 */
export function topologicalOrder(
  names: readonly string[],
  dependsOn: ReadonlyMap<string, readonly string[]>,
): { readonly order: string[]; readonly cyclic: readonly string[] } {
  const indegree = new Map<string, number>()
  const dependents = new Map<string, string[]>()
  for (const name of names) {
    indegree.set(name, 0)
    dependents.set(name, [])
  }
  for (const name of names) {
    for (const dep of dependsOn.get(name) ?? []) {
      if (!indegree.has(dep)) continue
      indegree.set(name, indegree.get(name)! + 1)
      dependents.get(dep)!.push(name)
    }
  }
  const heap = new NameHeap()
  for (const name of names) if (indegree.get(name) === 0) heap.push(name)
  const order: string[] = []
  while (heap.size > 0) {
    const name = heap.pop()
    order.push(name)
    for (const next of dependents.get(name)!) {
      const remaining = indegree.get(next)! - 1
      indegree.set(next, remaining)
      if (remaining === 0) heap.push(next)
    }
  }
  const cyclic = order.length === names.length ? [] : names.filter((n) => indegree.get(n)! > 0)
  return { order, cyclic }
}

/** One cycle through the given tasks, as a path that starts and ends at the same task. */
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

class NameHeap {
  private readonly items: string[] = []
  get size(): number {
    return this.items.length
  }
  push(value: string): void {
    const items = this.items
    items.push(value)
    let i = items.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (items[parent]! <= value) break
      items[i] = items[parent]!
      i = parent
    }
    items[i] = value
  }
  pop(): string {
    const items = this.items
    const top = items[0]!
    const last = items.pop()!
    if (items.length > 0) {
      let i = 0
      for (;;) {
        const left = 2 * i + 1
        if (left >= items.length) break
        const right = left + 1
        const child = right < items.length && items[right]! < items[left]! ? right : left
        if (items[child]! >= last) break
        items[i] = items[child]!
        i = child
      }
      items[i] = last
    }
    return top
  }
}
