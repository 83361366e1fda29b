/**
 * The graph a pipeline's IR describes, in graph-shape.ts's target-neutral notation, written from
 * the IR alone (independently of the compiler's analysis), so that properties can check that the
 * KFP IR and the Argo DAG describe the graph of the pipeline and not just the same graph.
 */
import type { BodyNode, PipelineNode, PredicateNode, TaskNode, ValueSourceNode } from '@typeflow/dsl'
import { allTasks } from '@typeflow/dsl'
import type { GraphShape } from '../../packages/compiler/src/targets/graph-shape.ts'
import { valuesIn } from './arbitraries.ts'
import { sortNames } from './harness.ts'

// ---------------------------------------------------------------------------------------------
// The graph of the IR itself, in graph-shape.ts's target-neutral notation

const join = (scope: string, name: string): string => (scope === '' ? name : `${scope}/${name}`)

function joinBindings(bindings: Iterable<string>): string {
  const set = new Set<string>()
  for (const b of bindings) for (const part of b.split(' | ')) set.add(part)
  if (set.size > 1) set.delete('constant')
  if (set.size === 0) return 'constant'
  return sortNames(set).join(' | ')
}

export function producersOf(source: ValueSourceNode): string[] {
  switch (source.kind) {
    case 'taskOutput':
    case 'collected':
      return [source.task]
    case 'oneOf':
      return source.sources.map((s) => s.task)
    case 'template':
    case 'composite':
      return valuesIn(source).flatMap(producersOf)
    default:
      return []
  }
}

export function operands(p: PredicateNode | undefined, into: ValueSourceNode[] = []): ValueSourceNode[] {
  if (!p) return into
  if (p.kind === 'compare') into.push(p.left, p.right)
  else if (p.kind === 'not') operands(p.item, into)
  else for (const item of p.items) operands(item, into)
  return into
}

/**
 * The graph a pipeline's IR describes, written as graph-shape.ts reads it from the targets: task
 * and group paths, dependencies lifted to the scope where both ends are members, and where every
 * value comes from (followed through groups and fan-in). Written from the IR alone, independently
 * of the compiler's analysis.
 */
export function irGraphShape(root: PipelineNode): GraphShape {
  const tasks = new Set<string>()
  const groups = new Set<string>()
  const dependencies = new Set<string>()
  const dataEdges = new Set<string>()

  const walk = (q: PipelineNode, at: string, present: ReadonlySet<string>) => {
    // Group path (ids) of every task and group of this pipeline.
    const taskPaths = new Map<string, readonly string[]>()
    const exitOf = new Map<string, string>()
    const groupPaths = new Map<string, readonly string[]>()
    const groupNodes = new Map<string, Exclude<BodyNode, TaskNode>>()
    const visit = (body: readonly BodyNode[], path: readonly string[]) => {
      for (const node of body) {
        if (node.kind === 'task') {
          taskPaths.set(node.name, path)
          continue
        }
        groupPaths.set(node.id, path)
        groupNodes.set(node.id, node)
        if (node.kind === 'branches') {
          for (const br of node.branches) {
            groupPaths.set(br.id, [...path, node.id])
            groupNodes.set(br.id, br)
            visit(br.body, [...path, node.id, br.id])
          }
        } else visit(node.body, [...path, node.id])
        if (node.kind === 'exitHandler') {
          taskPaths.set(node.exitTask.name, path)
          exitOf.set(node.exitTask.name, node.id)
        }
      }
    }
    visit(q.body, [])
    const full = (path: readonly string[], name: string) => join(at, [...path, name].join('/'))
    const taskPath = (name: string) => full(taskPaths.get(name)!, name)
    const groupPath = (id: string) => full(groupPaths.get(id)!, id)

    // Dependencies, lifted; and each task's own dependencies (for the final status it reads).
    const own = new Map<string, Set<string>>()
    const link = (fromPath: readonly string[], toPath: readonly string[]) => {
      let k = 0
      while (k < fromPath.length && k < toPath.length && fromPath[k] === toPath[k]) k++
      if (k >= fromPath.length || k >= toPath.length) throw new Error(`containment dependency ${fromPath.join('/')} -> ${toPath.join('/')}`)
      const scope = fromPath.slice(0, k)
      dependencies.add(`${full(scope, fromPath[k]!)} after ${full(scope, toPath[k]!)}`)
      if (k === fromPath.length - 1) {
        const name = fromPath[k]!
        if (!own.has(name)) own.set(name, new Set())
        own.get(name)!.add(toPath[k]!)
      }
    }
    const locate = (task: string) => [...taskPaths.get(task)!, task]
    const everyTask = [...allTasks(q.body)]
    for (const t of everyTask) {
      const here = locate(t.name)
      for (const source of Object.values(t.inputs)) for (const producer of producersOf(source)) link(here, locate(producer))
      for (const dep of t.after) link(here, locate(dep))
      const handler = exitOf.get(t.name)
      if (handler) link(here, [...groupPaths.get(handler)!, handler])
    }
    for (const [id, g] of groupNodes) {
      const here = [...groupPaths.get(id)!, id]
      const sources = g.kind === 'condition' ? operands(g.predicate) : g.kind === 'loop' && g.items.kind !== 'raw' ? [g.items.from] : []
      for (const source of sources) for (const producer of producersOf(source)) link(here, locate(producer))
    }

    /** Where a value read at `consumer` (a group path) comes from; undefined when nothing is passed. */
    const binding = (source: ValueSourceNode, consumer: readonly string[], reader?: TaskNode): string | undefined => {
      switch (source.kind) {
        case 'constant':
          return 'constant'
        case 'pipelineInput':
          return present.has(source.name) ? `input ${at}:${source.name}` : undefined
        case 'taskOutput':
          return `${taskPath(source.task)}:${source.output}`
        case 'collected': {
          const producer = taskPaths.get(source.task)!
          let k = 0
          while (k < producer.length && k < consumer.length && producer[k] === consumer[k]) k++
          let out = `${taskPath(source.task)}:${source.output}`
          for (let i = k; i < producer.length; i++) out = `collected(${out})`
          return out
        }
        case 'loopItem':
          return `item ${groupPath(source.loop)}${(source.path ?? []).map((f) => `.${f}`).join('')}`
        case 'oneOf':
          return joinBindings(source.sources.map((s) => `${taskPath(s.task)}:${s.output}`))
        case 'taskFinalStatus': {
          const handler = exitOf.get(reader!.name)
          const scope = taskPaths.get(reader!.name)!
          if (handler) return `status ${full(scope, handler)}`
          const deps = sortNames(own.get(reader!.name) ?? [])
          const producer = deps.find((d) => !reader!.after.includes(d)) ?? deps[0]
          return `status ${full(scope, producer!)}`
        }
        case 'template':
          // As the targets pass an f-string's values: each one's binding, an absent one as nothing.
          return joinBindings(source.parts.map((part) => (typeof part === 'string' ? 'constant' : (binding(part, consumer, reader) ?? 'constant'))))
        case 'composite':
          return joinBindings(['constant', ...source.embedded.map((e) => binding(e.source, consumer, reader) ?? 'constant')])
        default:
          throw new Error(`the generator does not make ${(source as { kind: string }).kind} sources`)
      }
    }

    for (const t of everyTask) {
      const path = taskPath(t.name)
      tasks.add(path)
      const given = new Set<string>()
      for (const [input, source] of Object.entries(t.inputs)) {
        const b = binding(source, taskPaths.get(t.name)!, t)
        if (b === undefined) continue
        given.add(input)
        dataEdges.add(`${path}:${input} <- ${b}`)
      }
      if (t.component.kind === 'pipeline') {
        const defaults = Object.entries(t.component.inputs).filter(([, s]) => s.kind === 'parameter' && s.default !== undefined).map(([n]) => n)
        walk(t.component, path, new Set([...given, ...defaults]))
      }
    }
    for (const [id, g] of groupNodes) {
      const path = groupPath(id)
      const kind = g.kind === 'loop' ? `loop${g.parallelism !== undefined ? ` parallelism=${g.parallelism}` : ''}` : g.kind
      groups.add(`${path} ${kind}`)
      const where = groupPaths.get(id)!
      if (g.kind === 'condition') {
        // A branch's condition also negates the branches before it.
        const parent = where.length > 0 ? groupNodes.get(where[where.length - 1]!) : undefined
        const predicates = parent?.kind === 'branches' ? parent.branches.slice(0, parent.branches.indexOf(g) + 1).map((b) => b.predicate) : [g.predicate]
        for (const predicate of predicates) {
          for (const side of operands(predicate)) {
            if (side.kind === 'constant') continue
            const b = binding(side, where)
            if (b !== undefined) dataEdges.add(`${path}#when <- ${b}`)
          }
        }
      }
      if (g.kind === 'loop') {
        const b = g.items.kind === 'raw' ? 'constant' : binding(g.items.from, where)
        if (b !== undefined) dataEdges.add(`${path}#items <- ${b}`)
      }
    }
    for (const [name, out] of Object.entries(q.outputs)) {
      const b = binding(out.from, [])
      if (b !== undefined) dataEdges.add(`${at}#outputs:${name} <- ${b}`)
    }
  }
  walk(root, '', new Set(Object.keys(root.inputs)))
  return { tasks: sortNames(tasks), groups: sortNames(groups), dependencies: sortNames(dependencies), dataEdges: sortNames(dataEdges) }
}

/** Shapes must be equal; the message lists what only one side has. */
export function expectSameShape(actual: GraphShape, expected: GraphShape, actualName: string, expectedName: string): void {
  const lines: string[] = []
  for (const key of ['tasks', 'groups', 'dependencies', 'dataEdges'] as const) {
    const a = new Set(actual[key])
    const e = new Set(expected[key])
    for (const x of a) if (!e.has(x)) lines.push(`  ${key}: only in ${actualName}: ${x}`)
    for (const x of e) if (!a.has(x)) lines.push(`  ${key}: only in ${expectedName}: ${x}`)
  }
  if (lines.length > 0) throw new Error(`${actualName} and ${expectedName} describe different graphs:\n${lines.join('\n')}`)
}
