/**
 * Invalid pipelines, each with the one diagnostic code the compiler must give it: a valid pipeline
 * from ./arbitraries.ts plus one mutation. Two families:
 *
 * - {@link mutationArb} / {@link applyMutation}: edits of the IR (what a JavaScript user, a loaded
 *   component or a buggy tool can produce): cycles, dangling references, duplicate and invalid
 *   names, type mismatches, missing and unknown arguments, bad placeholders, values read outside
 *   their group, bad loop settings, bad resource quantities, platform policy violations, names of
 *   `Object.prototype` members. Each applies to the root pipeline or to a nested one.
 * - {@link dslMutationArb} / {@link dslMutationCase}: the same pipeline re-declared through the DSL
 *   with one mistake a TypeScript user makes through `as any` or a late `.after()`.
 *
 * Each case prints (fast-check `toString`) what was changed, the expected code and the pipeline.
 */
import fc from 'fast-check'
import type {
  AnyTask,
  ArtifactSpecNode,
  BodyNode,
  ComponentNode,
  ConditionNode,
  ContainerComponentNode,
  DiagnosticCode,
  IoSpecNode,
  JsonValue,
  LoopNode,
  PipelineNode,
  PlaceholderNode,
  PredicateNode,
  Runnable,
  TaskNode,
  ValueSourceNode,
} from '@typeflow/dsl'
import { allTasks, componentOutputs, deepFreeze } from '@typeflow/dsl'
import {
  atPipeline,
  describePredicate,
  exposedSpec,
  formatPipeline,
  groupsOf,
  mapBody,
  parameterFits,
  pick,
  pipelinesOf,
  printable,
  rebuildWithDsl,
  renameTask,
  tasksWithPaths,
  type UsableParameterType,
} from './arbitraries.ts'

// ---------------------------------------------------------------------------------------------
// Mutations of the IR

export const MUTATION_KINDS = [
  'cycle',
  'cycleThroughGroup',
  'modelIntoDataset',
  'artifactMismatch',
  'parameterMismatch',
  'wrongConstant',
  'stringVersusNumber',
  'missingInput',
  'unknownInput',
  'danglingTask',
  'duplicateTask',
  'duplicateGroupId',
  'invalidName',
  'unknownPipelineInput',
  'unknownOutput',
  'badPlaceholder',
  'outputOutsideCondition',
  'itemOutsideLoop',
  'badParallelism',
  'emptyStaticLoop',
  'badQuantity',
  'badAcceleratorCount',
  'podSettingsWithoutPod',
  'gpuWithoutMemoryLimit',
  'literalSecret',
  'prototypeInput',
  'prototypePipelineInput',
  'prototypeOutput',
  'prototypeMissingInput',
] as const
export type MutationKind = (typeof MUTATION_KINDS)[number]

export const EXPECTED_CODE: Readonly<Record<MutationKind, DiagnosticCode>> = {
  cycle: 'E_CYCLE',
  cycleThroughGroup: 'E_CYCLE',
  modelIntoDataset: 'E_TYPE_MISMATCH',
  artifactMismatch: 'E_TYPE_MISMATCH',
  parameterMismatch: 'E_TYPE_MISMATCH',
  wrongConstant: 'E_TYPE_MISMATCH',
  stringVersusNumber: 'E_TYPE_MISMATCH',
  missingInput: 'E_MISSING_INPUT',
  unknownInput: 'E_UNKNOWN_INPUT',
  danglingTask: 'E_UNKNOWN_TASK',
  duplicateTask: 'E_DUPLICATE_TASK',
  duplicateGroupId: 'E_DUPLICATE_NAME',
  invalidName: 'E_INVALID_NAME',
  unknownPipelineInput: 'E_UNKNOWN_PIPELINE_INPUT',
  unknownOutput: 'E_UNKNOWN_OUTPUT',
  badPlaceholder: 'E_INVALID_PLACEHOLDER',
  outputOutsideCondition: 'E_INVALID_REFERENCE',
  itemOutsideLoop: 'E_INVALID_REFERENCE',
  badParallelism: 'E_INVALID_CONSTANT',
  emptyStaticLoop: 'E_INVALID_CONSTANT',
  badQuantity: 'E_INVALID_CONSTANT',
  badAcceleratorCount: 'E_INVALID_CONSTANT',
  podSettingsWithoutPod: 'E_INVALID_CONSTANT',
  gpuWithoutMemoryLimit: 'E_GPU_WITHOUT_MEMORY_LIMIT',
  literalSecret: 'E_LITERAL_SECRET',
  prototypeInput: 'E_UNKNOWN_INPUT',
  prototypePipelineInput: 'E_UNKNOWN_PIPELINE_INPUT',
  prototypeOutput: 'E_UNKNOWN_OUTPUT',
  prototypeMissingInput: 'E_MISSING_INPUT',
}

export interface Mutation {
  readonly kind: MutationKind
  /** Which pipeline to mutate: an index into {@link pipelinesOf} (root first). */
  readonly scope: number
  readonly target: number
  readonly variant: number
}

export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom(...MUTATION_KINDS),
  scope: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat({ max: 7 }) }),
  target: fc.nat({ max: 63 }),
  variant: fc.nat({ max: 63 }),
})

/** An invalid pipeline and the one code it must get. */
export interface InvalidCase {
  readonly pipeline: PipelineNode
  readonly expected: DiagnosticCode
  /** What was changed, in words. */
  readonly change: string
}

const NOOP: ContainerComponentNode = { kind: 'container', name: 'noop', inputs: {}, outputs: {}, image: 'alpine:3.20' }
const STRING: IoSpecNode = { kind: 'parameter', type: 'STRING', optional: false }
const READER = (spec: IoSpecNode): ContainerComponentNode => ({ kind: 'container', name: 'reader', inputs: { in: exposedSpec(spec) }, outputs: {}, image: 'alpine:3.20' })

function plainTask(name: string, component: ComponentNode, inputs: Record<string, ValueSourceNode> = {}, after: string[] = []): TaskNode {
  return { kind: 'task', name, component, inputs, after, caching: {}, env: [] }
}

/** Tasks directly in a pipeline's body (not in groups): what most mutations edit. */
const topTasks = (q: PipelineNode): TaskNode[] => q.body.filter((n): n is TaskNode => n.kind === 'task')

/** Replaces the `index`-th top-level task. */
function replaceTop(q: PipelineNode, index: number, task: TaskNode): PipelineNode {
  const old = topTasks(q)[index]!
  return { ...q, body: q.body.map((n) => (n === old ? task : n)) }
}

function append(q: PipelineNode, ...nodes: BodyNode[]): PipelineNode {
  return { ...q, body: [...q.body, ...nodes] }
}

/** The task with argument `input` replaced, added or (source undefined) removed; safe for any name, `__proto__` included. */
function withInput(task: TaskNode, input: string, source: ValueSourceNode | undefined): TaskNode {
  const kept = Object.entries(task.inputs).filter(([name]) => name !== input)
  return { ...task, inputs: Object.fromEntries(source === undefined ? kept : [...kept, [input, source]]) }
}

/** (top-level task index, argument name) of every argument of a declared input. */
function wiredInputs(q: PipelineNode): { index: number; input: string }[] {
  const out: { index: number; input: string }[] = []
  topTasks(q).forEach((t, index) => {
    for (const input of Object.keys(t.inputs)) if (Object.hasOwn(t.component.inputs, input)) out.push({ index, input })
  })
  return out
}

const isStatus = (spec: IoSpecNode | undefined) => spec?.kind === 'parameter' && spec.type === 'TASK_FINAL_STATUS'

function describeSpec(spec: IoSpecNode): string {
  const flags = spec.optional ? '?' : ''
  if (spec.kind === 'parameter') return `${spec.type}${flags}`
  return `${spec.isList ? 'list<' : ''}${spec.type.schemaTitle}@${spec.type.schemaVersion}${spec.isList ? '>' : ''}${flags}`
}

/** The next free group number of a pipeline (ids stay unique). */
function nextGroupNumber(p: PipelineNode): number {
  let max = 0
  for (const { node } of groupsOf(p.body)) {
    for (const id of [node.id, node.kind === 'loop' && node.items.kind === 'raw' ? node.items.itemId : '']) {
      const m = /-(\d+)$/.exec(id)
      if (m) max = Math.max(max, Number(m[1]))
    }
  }
  return max + 1
}

const WRONG_CONSTANTS: Readonly<Record<UsableParameterType, readonly JsonValue[]>> = {
  STRING: [1, true, null, ['a'], { a: 'b' }],
  NUMBER_INTEGER: ['1', 1.5, true, null, [1]],
  NUMBER_DOUBLE: ['1.5', true, null, {}],
  BOOLEAN: ['true', 0, 1, null],
  LIST: [{}, 'a,b', 1, null],
  STRUCT: [[], 'x', 1, null],
}
const ARTIFACT_CONSTANTS: readonly JsonValue[] = ['s3://bucket/data', 1, null, {}]
const INVALID_NAMES = ['Bad_Name', 'UPPER', 'has space', 'trailing-', '-leading', 'dot.name', '', 'x'.repeat(129), 'ünï'] as const
const BAD_QUANTITIES = ['lots', '1.5.3Gi', '10 Gi', '', '-1', '2 cores'] as const
const SECRET_NAMES = ['API_TOKEN', 'DB_PASSWORD', 'AWS_SECRET_ACCESS_KEY', 'github_token', 'ApiKey'] as const

/** Names of `Object.prototype` members: a lookup with `record[name]` or `name in record` finds them on any object. */
export const PROTOTYPE_NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'] as const

/** Certainly incompatible under KFP's rule: list vs single, or (neither side `system.Artifact`) another title or major version. */
function artifactsClash(given: ArtifactSpecNode, expected: ArtifactSpecNode): boolean {
  if (given.isList !== expected.isList) return true
  if (given.type.schemaTitle === 'system.Artifact' || expected.type.schemaTitle === 'system.Artifact') return false
  const major = (v: string) => v.split('.')[0]
  return given.type.schemaTitle !== expected.type.schemaTitle || major(given.type.schemaVersion) !== major(expected.type.schemaVersion)
}

interface Rewiring {
  readonly consumer: number
  readonly input: string
  readonly producer: string
  readonly output: string
  readonly given: IoSpecNode
  readonly expected: IoSpecNode
}

/** (top-level consumer input, earlier top-level producer output) pairs whose types clash. */
function mismatches(q: PipelineNode, clash: (given: IoSpecNode, expected: IoSpecNode) => boolean): Rewiring[] {
  const out: Rewiring[] = []
  const tops = topTasks(q)
  tops.forEach((t, consumer) => {
    for (const [input, expected] of Object.entries(t.component.inputs)) {
      if (isStatus(expected)) continue
      for (const u of tops.slice(0, consumer)) {
        for (const [output, given] of Object.entries(componentOutputs(u.component))) {
          if (clash(given, expected)) out.push({ consumer, input, producer: u.name, output, given, expected })
        }
      }
    }
  })
  return out
}

function rewire(q: PipelineNode, r: Rewiring): { pipeline: PipelineNode; change: string } {
  const t = topTasks(q)[r.consumer]!
  return {
    pipeline: replaceTop(q, r.consumer, withInput(t, r.input, { kind: 'taskOutput', task: r.producer, output: r.output })),
    change: `${t.name}.${r.input} (${describeSpec(r.expected)}) now takes ${r.producer}.${r.output} (${describeSpec(r.given)})`,
  }
}

function appendPair(q: PipelineNode, outputs: Record<string, IoSpecNode>, inputs: Record<string, IoSpecNode>, what: string): { pipeline: PipelineNode; change: string } {
  const producer: ContainerComponentNode = { ...NOOP, name: 'producer', outputs }
  const consumer: ContainerComponentNode = { ...NOOP, name: 'consumer', inputs }
  return {
    pipeline: append(q, plainTask('mut-producer', producer), plainTask('mut-consumer', consumer, { in: { kind: 'taskOutput', task: 'mut-producer', output: 'out' } })),
    change: `added mut-producer feeding mut-consumer: ${what}`,
  }
}

/** A top-level container task to give bad settings to, or a new one. */
function containerTarget(q: PipelineNode, target: number): { pipeline: PipelineNode; index: number } {
  const containers = topTasks(q).flatMap((t, index) => (t.component.kind === 'container' ? [index] : []))
  if (containers.length > 0) return { pipeline: q, index: pick(containers, target) }
  const out = append(q, plainTask('mut-step', NOOP))
  return { pipeline: out, index: topTasks(out).length - 1 }
}

type Mutator = (q: PipelineNode, target: number, variant: number, everyName: ReadonlySet<string>) => { pipeline: PipelineNode; change: string }

function prototypeMutator(kind: 'input' | 'pipelineInput' | 'output' | 'missing'): Mutator {
  const reader: ContainerComponentNode = { ...NOOP, name: 'reader', inputs: { in: STRING } }
  return (q, target, variant) => {
    const name = pick(PROTOTYPE_NAMES, variant)
    const tops = topTasks(q)
    switch (kind) {
      case 'input': {
        if (tops.length === 0) return { pipeline: append(q, plainTask('mut-noop', NOOP, Object.fromEntries([[name, { kind: 'constant', value: 1 }]]))), change: `added mut-noop with an argument ${JSON.stringify(name)}` }
        const index = target % tops.length
        const t = tops[index]!
        return { pipeline: replaceTop(q, index, withInput(t, name, { kind: 'constant', value: 1 })), change: `${t.name} given undeclared argument ${JSON.stringify(name)}` }
      }
      case 'pipelineInput': {
        const wired = wiredInputs(q).filter((c) => !isStatus(tops[c.index]!.component.inputs[c.input]))
        if (wired.length === 0) return { pipeline: append(q, plainTask('mut-reader', reader, { in: { kind: 'pipelineInput', name } })), change: `added mut-reader of p.${name}` }
        const c = pick(wired, target)
        const t = tops[c.index]!
        return { pipeline: replaceTop(q, c.index, withInput(t, c.input, { kind: 'pipelineInput', name })), change: `${t.name}.${c.input} now reads p.${name}` }
      }
      case 'output': {
        const wired = wiredInputs(q).filter((c) => c.index > 0 && !isStatus(tops[c.index]!.component.inputs[c.input]))
        if (wired.length === 0) {
          return {
            pipeline: append(q, plainTask('mut-source', NOOP), plainTask('mut-reader', reader, { in: { kind: 'taskOutput', task: 'mut-source', output: name } })),
            change: `added mut-reader of mut-source.${name}`,
          }
        }
        const c = pick(wired, target)
        const t = tops[c.index]!
        const producer = pick(tops.slice(0, c.index), target)
        return { pipeline: replaceTop(q, c.index, withInput(t, c.input, { kind: 'taskOutput', task: producer.name, output: name })), change: `${t.name}.${c.input} now reads ${producer.name}.${name}` }
      }
      case 'missing': {
        const needy: ContainerComponentNode = { ...NOOP, name: 'needy', inputs: Object.fromEntries([[name, STRING]]) }
        return { pipeline: append(q, plainTask('mut-needy', needy)), change: `added mut-needy without its required input ${JSON.stringify(name)}` }
      }
    }
  }
}

const mutators: Readonly<Record<MutationKind, Mutator>> = {
  cycle(q, target, variant) {
    const tops = topTasks(q)
    const n = tops.length
    if (n === 0) return { pipeline: append(q, plainTask('mut-loop', NOOP, {}, ['mut-loop'])), change: 'added task mut-loop after itself' }
    // A data edge closed by an `after` edge, when there is one and the variant asks for it.
    const edges: [number, number][] = []
    tops.forEach((t, j) => {
      for (const s of Object.values(t.inputs)) {
        if (s.kind !== 'taskOutput') continue
        const i = tops.findIndex((u) => u.name === s.task)
        if (i >= 0 && i !== j) edges.push([i, j])
      }
    })
    if (variant % 3 === 1 && edges.length > 0) {
      const [i, j] = pick(edges, target)
      const producer = tops[i]!
      const consumer = tops[j]!
      return {
        pipeline: replaceTop(q, i, { ...producer, after: [...producer.after, consumer.name] }),
        change: `${producer.name} (which feeds ${consumer.name}) now runs after ${consumer.name}`,
      }
    }
    const a = target % n
    if (variant % 3 === 0 || n === 1) {
      const t = tops[a]!
      return { pipeline: replaceTop(q, a, { ...t, after: [...t.after, t.name] }), change: `${t.name} runs after itself` }
    }
    const b = (a + 1 + (variant % (n - 1))) % n
    const [i, j] = a < b ? [a, b] : [b, a]
    const first = tops[i]!
    const second = tops[j]!
    let out = replaceTop(q, i, { ...first, after: [...first.after, second.name] })
    if (!second.after.includes(first.name)) out = replaceTop(out, j, { ...second, after: [...second.after, first.name] })
    return { pipeline: out, change: `${first.name} and ${second.name} run after each other` }
  },

  cycleThroughGroup(q, target, variant) {
    let out = q
    const groups = q.body.filter((n): n is Exclude<BodyNode, TaskNode> => n.kind !== 'task' && [...allTasks([n])].some((t) => n.kind !== 'exitHandler' || t !== n.exitTask))
    let group: Exclude<BodyNode, TaskNode>
    if (groups.length > 0) group = pick(groups, target)
    else {
      const id = `condition-${nextGroupNumber(q)}`
      group = { kind: 'condition', id, predicate: { kind: 'compare', op: '!=', left: { kind: 'constant', value: 1 }, right: { kind: 'constant', value: 2 } }, body: [plainTask('mut-inner', NOOP)] }
      out = append(out, group)
    }
    const inner = [...allTasks([group])].filter((t) => group.kind !== 'exitHandler' || t !== group.exitTask)
    const t = pick(inner, variant)
    const tops = topTasks(out)
    let a: string
    if (tops.length > 0) a = pick(tops, variant >> 2).name
    else {
      a = 'mut-outer'
      out = { ...out, body: [plainTask(a, NOOP), ...out.body] }
    }
    const pipeline = { ...out, body: mapBody(out.body, { task: (task) => (task.name === a ? { ...task, after: [...task.after, t.name] } : task.name === t.name ? { ...task, after: [...task.after, a] } : task) }) }
    return { pipeline, change: `${a} (top level) now runs after ${t.name} (inside ${group.id}), which runs after ${a}` }
  },

  modelIntoDataset(q, target) {
    const tops = topTasks(q)
    const isDataset = (spec: IoSpecNode) => spec.kind === 'artifact' && !spec.isList && spec.type.schemaTitle === 'system.Dataset'
    const candidates: { consumer: number; input: string; producer: string; output: string }[] = []
    tops.forEach((t, j) => {
      for (const [input, spec] of Object.entries(t.component.inputs)) {
        if (!isDataset(spec)) continue
        for (const u of tops.slice(0, j)) {
          for (const [output, out] of Object.entries(componentOutputs(u.component))) {
            if (out.kind === 'artifact' && !out.isList && out.type.schemaTitle === 'system.Model') candidates.push({ consumer: j, input, producer: u.name, output })
          }
        }
      }
    })
    if (candidates.length > 0) {
      const c = pick(candidates, target)
      const consumer = tops[c.consumer]!
      return {
        pipeline: replaceTop(q, c.consumer, withInput(consumer, c.input, { kind: 'taskOutput', task: c.producer, output: c.output })),
        change: `${consumer.name}.${c.input} (Dataset) now takes ${c.producer}.${c.output} (Model)`,
      }
    }
    const model: IoSpecNode = { kind: 'artifact', type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, isList: false, optional: false }
    const dataset: IoSpecNode = { kind: 'artifact', type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' }, isList: false, optional: false }
    const producer: ContainerComponentNode = { ...NOOP, name: 'make-model', outputs: { model } }
    // A Dataset input but no Model upstream: a Model producer declared right before the consumer.
    const consumers: { index: number; input: string }[] = []
    tops.forEach((t, index) => {
      for (const [input, spec] of Object.entries(t.component.inputs)) if (isDataset(spec)) consumers.push({ index, input })
    })
    if (consumers.length > 0) {
      const c = pick(consumers, target)
      const t = tops[c.index]!
      const body = q.body.flatMap((n) => (n === t ? [plainTask('mut-model', producer), withInput(t, c.input, { kind: 'taskOutput', task: 'mut-model', output: 'model' })] : [n]))
      return { pipeline: { ...q, body }, change: `${t.name}.${c.input} (Dataset) now takes the Model of a new task mut-model` }
    }
    const consumer: ContainerComponentNode = { ...NOOP, name: 'read-data', inputs: { data: dataset } }
    return {
      pipeline: append(q, plainTask('mut-producer', producer), plainTask('mut-consumer', consumer, { data: { kind: 'taskOutput', task: 'mut-producer', output: 'model' } })),
      change: 'added mut-producer (Model) feeding mut-consumer (Dataset)',
    }
  },

  artifactMismatch(q, target) {
    const candidates = mismatches(q, (given, expected) => given.kind === 'artifact' && expected.kind === 'artifact' && artifactsClash(given, expected))
    if (candidates.length > 0) return rewire(q, pick(candidates, target))
    const v1: IoSpecNode = { kind: 'artifact', type: { schemaTitle: 'acme.FeatureSet', schemaVersion: '1.0.0' }, isList: false, optional: false }
    const v2: IoSpecNode = { ...v1, type: { schemaTitle: 'acme.FeatureSet', schemaVersion: '2.1.0' } }
    return appendPair(q, { out: v2 }, { in: v1 }, 'FeatureSet@2.1.0 into FeatureSet@1.0.0')
  },

  parameterMismatch(q, target) {
    const candidates = mismatches(q, (given, expected) => given.kind === 'parameter' && expected.kind === 'parameter' && !parameterFits(given.type, expected.type))
    if (candidates.length > 0) return rewire(q, pick(candidates, target))
    const double: IoSpecNode = { kind: 'parameter', type: 'NUMBER_DOUBLE', optional: false }
    return appendPair(q, { out: double }, { in: { ...double, type: 'NUMBER_INTEGER' } }, 'NUMBER_DOUBLE into NUMBER_INTEGER')
  },

  wrongConstant(q, target, variant) {
    const candidates: { index: number; input: string; spec: IoSpecNode }[] = []
    topTasks(q).forEach((t, index) => {
      for (const [input, spec] of Object.entries(t.component.inputs)) if (!isStatus(spec)) candidates.push({ index, input, spec })
    })
    if (candidates.length > 0) {
      const c = pick(candidates, target)
      const value: JsonValue = c.spec.kind === 'parameter' ? pick(WRONG_CONSTANTS[c.spec.type as UsableParameterType], variant) : pick(ARTIFACT_CONSTANTS, variant)
      const t = topTasks(q)[c.index]!
      return { pipeline: replaceTop(q, c.index, withInput(t, c.input, { kind: 'constant', value })), change: `${t.name}.${c.input} (${describeSpec(c.spec)}) given constant ${JSON.stringify(value)}` }
    }
    const counter: ContainerComponentNode = { ...NOOP, name: 'count', inputs: { count_0: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false } } }
    return { pipeline: append(q, plainTask('mut-count', counter, { count_0: { kind: 'constant', value: 'ten' } })), change: 'added mut-count with count_0 = "ten"' }
  },

  stringVersusNumber(q, target, variant) {
    const strings = Object.entries(q.inputs).filter(([, s]) => s.kind === 'parameter' && s.type === 'STRING')
    const numbers = Object.entries(q.inputs).filter(([, s]) => s.kind === 'parameter' && (s.type === 'NUMBER_INTEGER' || s.type === 'NUMBER_DOUBLE'))
    const stringSide: ValueSourceNode = strings.length > 0 && variant % 2 === 0 ? { kind: 'pipelineInput', name: pick(strings, target)[0] } : { kind: 'constant', value: 'text' }
    const numberSide: ValueSourceNode = numbers.length > 0 && variant % 3 === 0 ? { kind: 'pipelineInput', name: pick(numbers, target)[0] } : { kind: 'constant', value: 3 }
    const bad: PredicateNode = variant % 4 < 2 ? { kind: 'compare', op: '==', left: stringSide, right: numberSide } : { kind: 'compare', op: '<', left: numberSide, right: stringSide }
    const conditions = [...groupsOf(q.body)].filter((g) => g.node.kind === 'condition' && g.node.predicate !== undefined)
    if (conditions.length > 0) {
      const id = pick(conditions, target).node.id
      const wrap = (p: PredicateNode): PredicateNode => (variant % 5 === 0 ? { kind: 'not', item: bad } : variant % 5 === 1 ? { kind: 'or', items: [bad, p] } : { kind: 'and', items: [p, bad] })
      const pipeline = { ...q, body: mapBody(q.body, { group: (g) => (g.kind === 'condition' && g.id === id && g.predicate !== undefined ? { ...g, predicate: wrap(g.predicate) } : g) }) }
      return { pipeline, change: `${id} now also compares ${describePredicate(bad)}` }
    }
    const id = `condition-${nextGroupNumber(q)}`
    return { pipeline: append(q, { kind: 'condition', id, predicate: bad, body: [plainTask('mut-guarded', NOOP)] }), change: `added ${id} comparing ${describePredicate(bad)}` }
  },

  missingInput(q, target) {
    const candidates: { index: number; input: string }[] = []
    topTasks(q).forEach((t, index) => {
      for (const [input, spec] of Object.entries(t.component.inputs)) if (!spec.optional && Object.hasOwn(t.inputs, input)) candidates.push({ index, input })
    })
    if (candidates.length > 0) {
      const c = pick(candidates, target)
      const t = topTasks(q)[c.index]!
      return { pipeline: replaceTop(q, c.index, withInput(t, c.input, undefined)), change: `removed the argument of ${t.name}.${c.input}` }
    }
    const needy: ContainerComponentNode = { ...NOOP, name: 'needy', inputs: { text_0: STRING } }
    return { pipeline: append(q, plainTask('mut-needy', needy)), change: 'added mut-needy without its required text_0' }
  },

  unknownInput(q, target, variant) {
    const tops = topTasks(q)
    if (tops.length === 0) return { pipeline: append(q, plainTask('mut-noop', NOOP, { nope: { kind: 'constant', value: 1 } })), change: 'added mut-noop with an argument "nope"' }
    const index = target % tops.length
    const t = tops[index]!
    const first = Object.keys(t.component.inputs)[0]
    const candidates = ['nope', 'no_such_input', ...(first !== undefined ? [first.toUpperCase(), `${first}_`, ` ${first}`] : [])]
    let name = pick(candidates, variant)
    while (Object.hasOwn(t.component.inputs, name)) name = `${name}_x`
    return { pipeline: replaceTop(q, index, withInput(t, name, { kind: 'constant', value: 1 })), change: `${t.name} given undeclared argument ${JSON.stringify(name)}` }
  },

  danglingTask(q, target, variant, everyName) {
    // Every task of this pipeline, in groups too: reading one of those from outside is another error.
    const here = new Set([...allTasks(q.body)].map((t) => t.name))
    const ghosts = ['ghost', 'missing-task', ...everyName].filter((n) => !here.has(n))
    const ghost = pick(ghosts, variant >> 2)
    const how = variant % 4
    const tops = topTasks(q)
    const wired = wiredInputs(q).filter((c) => !isStatus(tops[c.index]!.component.inputs[c.input]))
    const outputNames = Object.keys(q.outputs)
    if (how === 1 && wired.length > 0) {
      const c = pick(wired, target)
      const t = tops[c.index]!
      return { pipeline: replaceTop(q, c.index, withInput(t, c.input, { kind: 'taskOutput', task: ghost, output: 'out' })), change: `${t.name}.${c.input} now reads ${ghost}.out` }
    }
    if (how === 2 && outputNames.length > 0) {
      const name = pick(outputNames, target)
      const out = q.outputs[name]!
      return { pipeline: { ...q, outputs: { ...q.outputs, [name]: { ...out, from: { kind: 'taskOutput', task: ghost, output: 'out' } } } }, change: `pipeline output ${name} now reads ${ghost}.out` }
    }
    if (tops.length === 0) return { pipeline: append(q, plainTask('mut-waiter', NOOP, {}, [ghost])), change: `added mut-waiter after ${ghost}` }
    const index = target % tops.length
    const t = tops[index]!
    return { pipeline: replaceTop(q, index, { ...t, after: [...t.after, ghost] }), change: `${t.name} now runs after ${ghost}` }
  },

  duplicateTask(q, target, variant) {
    const tops = topTasks(q)
    const every = [...allTasks(q.body)]
    if (every.length === 0) return { pipeline: append(q, plainTask('mut-twin', NOOP), plainTask('mut-twin', NOOP)), change: 'added two tasks named mut-twin' }
    if (variant % 2 === 0 && tops.length > 0) {
      const original = tops[target % tops.length]!
      const at = (variant >> 1) % (q.body.length + 1)
      return { pipeline: { ...q, body: [...q.body.slice(0, at), original, ...q.body.slice(at)] }, change: `copy of ${original.name} declared again at body[${at}]` }
    }
    const original = every[target % every.length]!
    return { pipeline: append(q, plainTask(original.name, NOOP)), change: `another task named ${original.name} appended at the top level` }
  },

  duplicateGroupId(q, target, variant) {
    // Half the time, an existing group renamed after another group or a task: what depends on
    // either (a oneOf over its chain, an `after` across it, a loop item, a fan-in) must not add
    // codes of its own (FIXED BUGS 11 and 13). Otherwise two new groups of one id.
    if ((variant >> 2) % 2 === 1) {
      const renamable = [...groupsOf(q.body)].map((g) => g.node).filter((g) => g.kind === 'condition' || g.kind === 'exitHandler')
      const others = (group: { id: string }) => [...renamable.map((g) => g.id), ...[...allTasks(q.body)].map((t) => t.name)].filter((id) => id !== group.id)
      if (renamable.length > 0 && others(pick(renamable, target)).length > 0) {
        const group = pick(renamable, target)
        const id = pick(others(group), variant >> 3)
        const pipeline = { ...q, body: mapBody(q.body, { group: (g) => (g.kind === group.kind && g.id === group.id ? { ...g, id } : g) }) }
        return { pipeline, change: `${group.id} renamed ${id}, the name of another group or task` }
      }
    }
    const id = `condition-${nextGroupNumber(q)}`
    const always: PredicateNode = { kind: 'compare', op: '==', left: { kind: 'constant', value: 1 }, right: { kind: 'constant', value: variant % 3 } }
    const twins: BodyNode[] = [{ kind: 'condition', id, predicate: always, body: [plainTask('mut-a', NOOP)] }, { kind: 'condition', id, predicate: always, body: variant % 2 === 0 ? [plainTask('mut-b', NOOP)] : [] }]
    // Declared side by side, or one of them inside an existing group's body (where ids must still be unique).
    const hosts = [...groupsOf(q.body)].map((g) => g.node).filter((g) => g.kind === 'condition' || g.kind === 'loop' || g.kind === 'exitHandler')
    if (hosts.length > 0 && (variant >> 1) % 2 === 1) {
      const host = pick(hosts, target)
      const pipeline = { ...append(q, twins[0]!), body: [...mapBody(q.body, { group: (g) => (g === host || (g.kind === host.kind && g.id === host.id) ? { ...g, body: [...(g as { body: readonly BodyNode[] }).body, twins[1]!] } : g) }), twins[0]!] }
      return { pipeline, change: `added ${id} at the top and another ${id} inside ${host.id}` }
    }
    return { pipeline: append(q, ...twins), change: `added two groups named ${id}` }
  },

  invalidName(q, target, variant) {
    const bad = pick(INVALID_NAMES, variant)
    const every = [...allTasks(q.body)]
    if (every.length === 0 || variant % 5 === 4) return { pipeline: { ...q, name: bad }, change: `pipeline renamed to ${JSON.stringify(bad)}` }
    const t = every[target % every.length]!
    return { pipeline: renameTask(q, t.name, bad), change: `task ${t.name} renamed to ${JSON.stringify(bad)} (references too)` }
  },

  unknownPipelineInput(q, target) {
    const tops = topTasks(q)
    const wired = wiredInputs(q).filter((c) => !isStatus(tops[c.index]!.component.inputs[c.input]))
    let name = 'no_such_input'
    while (Object.hasOwn(q.inputs, name)) name = `${name}_x`
    if (wired.length > 0) {
      const c = pick(wired, target)
      const t = tops[c.index]!
      return { pipeline: replaceTop(q, c.index, withInput(t, c.input, { kind: 'pipelineInput', name })), change: `${t.name}.${c.input} now reads p.${name}` }
    }
    const reader: ContainerComponentNode = { ...NOOP, name: 'takes-any', inputs: { in: STRING } }
    return { pipeline: append(q, plainTask('mut-reader', reader, { in: { kind: 'pipelineInput', name } })), change: `added mut-reader of p.${name}` }
  },

  unknownOutput(q, target, variant) {
    const tops = topTasks(q)
    const wired = wiredInputs(q).filter((c) => c.index > 0 && !isStatus(tops[c.index]!.component.inputs[c.input]))
    const outputNames = Object.keys(q.outputs)
    if (variant % 3 === 2 && outputNames.length > 0) {
      const name = pick(outputNames, target)
      const out = q.outputs[name]!
      if (out.from.kind === 'taskOutput') {
        return {
          pipeline: { ...q, outputs: { ...q.outputs, [name]: { ...out, from: { ...out.from, output: 'no_such_output' } } } },
          change: `pipeline output ${name} now reads ${out.from.task}.no_such_output`,
        }
      }
    }
    if (wired.length > 0) {
      const c = pick(wired, target)
      const t = tops[c.index]!
      const producer = pick(tops.slice(0, c.index), variant)
      return {
        pipeline: replaceTop(q, c.index, withInput(t, c.input, { kind: 'taskOutput', task: producer.name, output: 'no_such_output' })),
        change: `${t.name}.${c.input} now reads ${producer.name}.no_such_output`,
      }
    }
    const reader: ContainerComponentNode = { ...NOOP, name: 'takes-any', inputs: { in: STRING } }
    return {
      pipeline: append(q, plainTask('mut-source', NOOP), plainTask('mut-reader', reader, { in: { kind: 'taskOutput', task: 'mut-source', output: 'nope' } })),
      change: 'added mut-reader of mut-source.nope',
    }
  },

  badPlaceholder(q, target, variant) {
    const containers = topTasks(q).flatMap((t, index) => (t.component.kind === 'container' ? [{ index, component: t.component }] : []))
    const refs = ['inputValue', 'inputPath', 'outputPath', 'outputParameterFile'] as const
    if (containers.length > 0) {
      const c = pick(containers, target)
      const ref = pick(refs, variant)
      const side = ref.startsWith('input') ? c.component.inputs : c.component.outputs
      // Either a name the component lacks, or an existing one of the wrong kind for this placeholder.
      const wrongKind = Object.entries(side).find(([, spec]) => (spec.kind === 'artifact') === (ref === 'inputValue' || ref === 'outputParameterFile'))
      let name = wrongKind !== undefined && variant % 2 === 1 ? wrongKind[0] : 'ghost'
      if (name === 'ghost') while (Object.hasOwn(side, name)) name = `${name}_x`
      const placeholder: PlaceholderNode = { kind: 'placeholder', ref, name }
      const component: ContainerComponentNode = { ...c.component, args: [...(c.component.args ?? []), { kind: 'text', parts: ['--bad=', placeholder] }] }
      const t = topTasks(q)[c.index]!
      return { pipeline: replaceTop(q, c.index, { ...t, component }), change: `${t.name}'s command line gained {${ref}:${name}}` }
    }
    const broken: ContainerComponentNode = { ...NOOP, name: 'broken', command: [{ kind: 'text', parts: [{ kind: 'placeholder', ref: 'inputValue', name: 'ghost' }] }] }
    return { pipeline: append(q, plainTask('mut-broken', broken)), change: 'added mut-broken whose command reads {inputValue:ghost}' }
  },

  outputOutsideCondition(q, target, variant) {
    const inside = tasksWithPaths(q.body).filter(({ task, groups }) => groups.some((g) => g.kind === 'condition') && Object.keys(componentOutputs(task.component)).length > 0)
    if (inside.length > 0) {
      const { task } = pick(inside, target)
      const [output, spec] = pick(Object.entries(componentOutputs(task.component)), variant)
      return {
        pipeline: append(q, plainTask('mut-reader', READER(spec), { in: { kind: 'taskOutput', task: task.name, output } })),
        change: `added mut-reader at the top, reading ${task.name}.${output} from inside a condition`,
      }
    }
    const id = `condition-${nextGroupNumber(q)}`
    const producer: ContainerComponentNode = { ...NOOP, name: 'producer', outputs: { out: STRING } }
    const condition: ConditionNode = {
      kind: 'condition',
      id,
      predicate: { kind: 'compare', op: '==', left: { kind: 'constant', value: 'a' }, right: { kind: 'constant', value: 'a' } },
      body: [plainTask('mut-inner', producer)],
    }
    return {
      pipeline: append(q, condition, plainTask('mut-reader', READER(STRING), { in: { kind: 'taskOutput', task: 'mut-inner', output: 'out' } })),
      change: `added ${id} holding mut-inner, and mut-reader outside it reading mut-inner.out`,
    }
  },

  itemOutsideLoop(q, target, variant) {
    const loops = [...groupsOf(q.body)].filter((g) => g.node.kind === 'loop')
    let out = q
    let loop: string
    let change: string
    if (loops.length > 0) {
      loop = pick(loops, target).node.id
      change = `item of ${loop}`
    } else {
      const n = nextGroupNumber(q)
      loop = `for-loop-${n + 1}`
      const node: LoopNode = { kind: 'loop', id: loop, items: { kind: 'raw', values: ['x', 'y'], itemId: `loop-item-param-${n}` }, itemSpec: STRING, body: [plainTask('mut-looped', NOOP)] }
      out = append(q, node)
      change = `item of a new ${loop}`
    }
    const item: ValueSourceNode = variant % 3 === 2 ? { kind: 'loopItem', loop, path: ['a'] } : { kind: 'loopItem', loop }
    if (variant % 2 === 1) {
      const id = `condition-${nextGroupNumber(out)}`
      const condition: ConditionNode = { kind: 'condition', id, predicate: { kind: 'compare', op: '==', left: item, right: { kind: 'constant', value: 'x' } }, body: [plainTask('mut-guarded', NOOP)] }
      return { pipeline: append(out, condition), change: `${change} compared by a new top-level ${id}` }
    }
    return { pipeline: append(out, plainTask('mut-reader', READER(STRING), { in: item })), change: `${change} read by a new top-level task mut-reader` }
  },

  badParallelism(q, target, variant) {
    const value = pick([0, -1, 1.5, -3, 0.5], variant)
    const loops = [...groupsOf(q.body)].filter((g) => g.node.kind === 'loop')
    if (loops.length > 0) {
      const id = pick(loops, target).node.id
      return { pipeline: { ...q, body: mapBody(q.body, { group: (g) => (g.kind === 'loop' && g.id === id ? { ...g, parallelism: value } : g) }) }, change: `${id} given parallelism ${value}` }
    }
    const n = nextGroupNumber(q)
    const node: LoopNode = { kind: 'loop', id: `for-loop-${n + 1}`, items: { kind: 'raw', values: [1, 2], itemId: `loop-item-param-${n}` }, itemSpec: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false }, parallelism: value, body: [plainTask('mut-looped', NOOP)] }
    return { pipeline: append(q, node), change: `added for-loop-${n + 1} with parallelism ${value}` }
  },

  emptyStaticLoop(q, target) {
    const loops = [...groupsOf(q.body)].filter((g) => g.node.kind === 'loop' && g.node.items.kind === 'raw')
    if (loops.length > 0) {
      const id = pick(loops, target).node.id
      const pipeline = { ...q, body: mapBody(q.body, { group: (g) => (g.kind === 'loop' && g.id === id && g.items.kind === 'raw' ? { ...g, items: { ...g.items, values: [] } } : g) }) }
      return { pipeline, change: `${id} now loops over []` }
    }
    const n = nextGroupNumber(q)
    const node: LoopNode = { kind: 'loop', id: `for-loop-${n + 1}`, items: { kind: 'raw', values: [], itemId: `loop-item-param-${n}` }, itemSpec: STRING, body: [plainTask('mut-looped', NOOP)] }
    return { pipeline: append(q, node), change: `added for-loop-${n + 1} over []` }
  },

  badQuantity(q, target, variant) {
    const { pipeline, index } = containerTarget(q, target)
    const t = topTasks(pipeline)[index]!
    const field = pick(['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit'] as const, variant)
    const value = pick(BAD_QUANTITIES, variant >> 2)
    return { pipeline: replaceTop(pipeline, index, { ...t, resources: { ...t.resources, [field]: value } }), change: `${t.name} given resources.${field} ${JSON.stringify(value)}` }
  },

  badAcceleratorCount(q, target, variant) {
    const { pipeline, index } = containerTarget(q, target)
    const t = topTasks(pipeline)[index]!
    const count = pick([-1, 1.5, -0.5, 2 ** 53], variant)
    return {
      pipeline: replaceTop(pipeline, index, { ...t, resources: { ...t.resources, memoryLimit: '1Gi', accelerator: { type: 'nvidia.com/gpu', count } } }),
      change: `${t.name} given ${count} GPUs`,
    }
  },

  podSettingsWithoutPod(q, target, variant) {
    // Env and resources on a task that runs a nested pipeline or an importer (no pod of its own).
    const tops = topTasks(q)
    const podless = tops.flatMap((t, index) => (t.component.kind !== 'container' ? [index] : []))
    const setting = variant % 2 === 0 ? { env: [{ name: 'MODE', value: 'fast' }] } : { resources: { cpuLimit: '2', memoryLimit: '1Gi' } }
    const what = 'env' in setting ? 'env MODE=fast' : 'resources'
    if (podless.length > 0) {
      const index = pick(podless, target)
      const t = tops[index]!
      return { pipeline: replaceTop(q, index, { ...t, ...setting }), change: `${t.name} (runs ${t.component.kind === 'pipeline' ? 'a pipeline' : 'an importer'}) given ${what}` }
    }
    const importer: ComponentNode = {
      kind: 'importer', name: 'importer', inputs: { uri: STRING }, outputs: { artifact: { kind: 'artifact', type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' }, isList: false, optional: false } },
      artifactType: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' }, reimport: false,
    }
    return { pipeline: append(q, { ...plainTask('mut-importer', importer, { uri: { kind: 'constant', value: 's3://bucket/x' } }), ...setting }), change: `added mut-importer with ${what}` }
  },

  gpuWithoutMemoryLimit(q, target, variant) {
    const { pipeline, index } = containerTarget(q, target)
    const t = topTasks(pipeline)[index]!
    const { memoryLimit: _dropped, ...rest } = t.resources ?? {}
    const type = pick(['nvidia.com/gpu', 'NVIDIA_TESLA_T4'], variant)
    return { pipeline: replaceTop(pipeline, index, { ...t, resources: { ...rest, accelerator: { type, count: 1 } } }), change: `${t.name} requests a ${type} without a memory limit` }
  },

  literalSecret(q, target, variant) {
    const { pipeline, index } = containerTarget(q, target)
    const t = topTasks(pipeline)[index]!
    const name = pick(SECRET_NAMES, variant)
    return { pipeline: replaceTop(pipeline, index, { ...t, env: [...t.env, { name, value: 'hunter2' }] }), change: `${t.name} given env ${name}="hunter2"` }
  },

  prototypeInput: prototypeMutator('input'),
  prototypePipelineInput: prototypeMutator('pipelineInput'),
  prototypeOutput: prototypeMutator('output'),
  prototypeMissingInput: prototypeMutator('missing'),
}

/** Applies a mutation to a valid pipeline; the result must fail with `expected` (and only that code). */
export function applyMutation(p: PipelineNode, m: Mutation): InvalidCase {
  const count = pipelinesOf(p).length
  const index = m.scope % count
  const everyName = new Set(pipelinesOf(p).flatMap((q) => [...allTasks(q.body)].map((t) => t.name)))
  let change = ''
  const mutated = atPipeline(p, index, (q) => {
    const r = mutators[m.kind](q, m.target, m.variant, everyName)
    change = r.change
    return r.pipeline
  })
  const where = index === 0 ? 'root' : `nested pipeline #${index}`
  const result: InvalidCase = { pipeline: deepFreeze(mutated), expected: EXPECTED_CODE[m.kind], change: `${m.kind} in ${where}: ${change}` }
  return printable(result, () => `// ${result.change}\n// expect ${result.expected}\n${formatPipeline(result.pipeline)}`)
}

// ---------------------------------------------------------------------------------------------
// Mistakes made through the DSL

export const DSL_MUTATION_KINDS = [
  'afterCycle',
  'wrongTypeAsAny',
  'unknownArgAsAny',
  'missingArgAsAny',
  'duplicateName',
  'invalidName',
  'badParallelism',
  'badQuantity',
  'badDuration',
] as const
export type DslMutationKind = (typeof DSL_MUTATION_KINDS)[number]

export const DSL_EXPECTED: Readonly<Record<DslMutationKind, DiagnosticCode>> = {
  afterCycle: 'E_CYCLE',
  wrongTypeAsAny: 'E_TYPE_MISMATCH',
  unknownArgAsAny: 'E_UNKNOWN_INPUT',
  missingArgAsAny: 'E_MISSING_INPUT',
  duplicateName: 'E_DUPLICATE_TASK',
  invalidName: 'E_INVALID_NAME',
  badParallelism: 'E_INVALID_CONSTANT',
  badQuantity: 'E_INVALID_CONSTANT',
  badDuration: 'E_INVALID_DURATION',
}

/** The DSL reports these while the pipeline is declared (a `TypeflowError` from `pipeline()`), the rest when compiling. */
export const DSL_REJECTS_AT_DECLARATION: ReadonlySet<DslMutationKind> = new Set(['badDuration'])

export interface DslMutation {
  readonly kind: DslMutationKind
  readonly target: number
  readonly variant: number
}

export const dslMutationArb: fc.Arbitrary<DslMutation> = fc.record({
  kind: fc.constantFrom(...DSL_MUTATION_KINDS),
  target: fc.nat({ max: 63 }),
  variant: fc.nat({ max: 63 }),
})

/** A pipeline to declare through the DSL with one mistake, and the code the mistake must get. */
export interface DslCase {
  /** Declares the pipeline (may throw a TypeflowError for DSL_REJECTS_AT_DECLARATION kinds). */
  readonly build: () => PipelineNode
  readonly kind: DslMutationKind
  readonly expected: DiagnosticCode
  readonly change: string
}

const asRunnable = (c: ComponentNode) => c as unknown as Runnable

/**
 * The generated pipeline `p` re-declared with {@link rebuildWithDsl} (root pipeline only), with
 * one mistake of kind `m.kind` made the way a TypeScript user makes it: `as any` arguments, a bad
 * option, a `.after()` that closes a cycle. When `p` has nothing to make the mistake on, a task is
 * added at the end of the body to make it on.
 */
export function dslMutationCase(p: PipelineNode, m: DslMutation): DslCase {
  const located = tasksWithPaths(p.body)
  const tasks = located.map((l) => l.task)
  const containers = tasks.filter((t) => t.component.kind === 'container')
  const expected = DSL_EXPECTED[m.kind]
  let change = ''
  let hooks: Parameters<typeof rebuildWithDsl>[1] = {}
  const addAtEnd = (what: string, add: (dag: { task: (r: Runnable, a: Record<string, unknown>, o: Record<string, unknown>) => AnyTask; forEach: (l: unknown, b: (i: unknown) => void, o: object) => void }) => void) => {
    change = `added at the end: ${what}`
    hooks = { end: ({ dag }) => add({ task: (r, a, o) => dag.task(r, a, o), forEach: dag.forEach }) }
  }
  switch (m.kind) {
    case 'afterCycle': {
      // Siblings (same group path) where the later one already depends on the earlier one.
      const pairs: [string, string][] = []
      for (const later of located) {
        if (later.task.ignoreUpstreamFailure) continue
        const reads = new Set([...later.task.after, ...Object.values(later.task.inputs).flatMap((s) => (s.kind === 'taskOutput' ? [s.task] : []))])
        for (const earlier of located) {
          if (earlier !== later && reads.has(earlier.task.name) && earlier.path.join('/') === later.path.join('/') && !earlier.task.ignoreUpstreamFailure) pairs.push([earlier.task.name, later.task.name])
        }
      }
      if (pairs.length > 0 && m.variant % 2 === 0) {
        const [a, b] = pick(pairs, m.target)
        change = `${a}.after(${b}), and ${b} already depends on ${a}`
        hooks = { end: ({ handles }) => void handles.get(a)!.after(handles.get(b)!) }
      } else if (tasks.length > 0) {
        const a = pick(tasks, m.target).name
        change = `${a}.after(${a})`
        hooks = { end: ({ handles }) => void handles.get(a)!.after(handles.get(a)!) }
      } else {
        addAtEnd('x = dag.task(noop); x.after(x)', (dag) => {
          const x = dag.task(asRunnable(NOOP), {}, { name: 'mut-loop' })
          x.after(x)
        })
      }
      break
    }
    case 'wrongTypeAsAny': {
      const candidates = tasks.flatMap((t) => Object.entries(t.component.inputs).filter(([, spec]) => !isStatus(spec)).map(([input, spec]) => ({ t, input, spec })))
      const artifactInputs = Object.keys(p.inputs).filter((k) => p.inputs[k]!.kind === 'artifact')
      if (candidates.length > 0) {
        const c = pick(candidates, m.target)
        const useRef = c.spec.kind === 'parameter' && artifactInputs.length > 0 && m.variant % 3 === 0
        const value: JsonValue = c.spec.kind === 'parameter' ? pick(WRONG_CONSTANTS[c.spec.type as UsableParameterType], m.variant) : pick(ARTIFACT_CONSTANTS, m.variant)
        change = useRef ? `${c.t.name}: { ${c.input}: p.${pick(artifactInputs, m.variant)} as any } (an artifact for ${describeSpec(c.spec)})` : `${c.t.name}: { ${c.input}: ${JSON.stringify(value)} as any } (${describeSpec(c.spec)})`
        let inputs: Readonly<Record<string, unknown>> = {}
        hooks = {
          start: (refs) => void (inputs = refs),
          task: (t, args) => void (t.name === c.t.name && (args[c.input] = useRef ? inputs[pick(artifactInputs, m.variant)] : value)),
        }
      } else {
        addAtEnd('dag.task(count, { count_0: "ten" as any })', (dag) => {
          dag.task(asRunnable({ ...NOOP, name: 'count', inputs: { count_0: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false } } }), { count_0: 'ten' }, { name: 'mut-count' })
        })
      }
      break
    }
    case 'unknownArgAsAny': {
      const candidates = tasks.filter((t) => t.component.kind !== 'importer')
      if (candidates.length > 0) {
        const t = pick(candidates, m.target)
        const name = pick(['nope', ...PROTOTYPE_NAMES.filter((n) => n !== '__proto__')], m.variant)
        change = `${t.name}: { ...args, ${name}: 1 } as any`
        hooks = { task: (u, args) => void (u.name === t.name && Object.defineProperty(args, name, { value: 1, enumerable: true, writable: true, configurable: true })) }
      } else addAtEnd('dag.task(noop, { nope: 1 } as any)', (dag) => void dag.task(asRunnable(NOOP), { nope: 1 }, { name: 'mut-noop' }))
      break
    }
    case 'missingArgAsAny': {
      const candidates = tasks.filter((t) => t.component.kind !== 'importer').flatMap((t) => Object.entries(t.component.inputs).filter(([input, spec]) => !spec.optional && Object.hasOwn(t.inputs, input)).map(([input]) => ({ t, input })))
      if (candidates.length > 0) {
        const c = pick(candidates, m.target)
        change = `${c.t.name}: its required argument ${c.input} left out ({} as any)`
        hooks = { task: (t, args) => void (t.name === c.t.name && delete args[c.input]) }
      } else addAtEnd('dag.task(needy, {} as any)', (dag) => void dag.task(asRunnable({ ...NOOP, name: 'needy', inputs: { text_0: STRING } }), {}, { name: 'mut-needy' }))
      break
    }
    case 'duplicateName': {
      // A task takes the name of any task declared before it, also one whose outputs are read
      // later (FIXED BUG 12: the DSL threw a misleading E_INVALID_OUTPUT for a returned one).
      const order = declarationOrder(p.body)
      if (order.length > 1) {
        const at = 1 + (m.target % (order.length - 1))
        const t = order[at]!
        const other = pick(order.slice(0, at), m.variant)
        change = `${t.name} declared with { name: ${JSON.stringify(other.name)} }`
        hooks = { task: (u, _args, options) => void (u.name === t.name && (options['name'] = other.name)) }
      } else {
        addAtEnd('two dag.task(noop, {}, { name: "mut-twin" })', (dag) => {
          dag.task(asRunnable(NOOP), {}, { name: 'mut-twin' })
          dag.task(asRunnable(NOOP), {}, { name: 'mut-twin' })
        })
      }
      break
    }
    case 'invalidName': {
      const bad = pick(INVALID_NAMES, m.variant)
      if (tasks.length > 0) {
        const t = pick(tasks, m.target)
        change = `${t.name} declared with { name: ${JSON.stringify(bad)} }`
        hooks = { task: (u, _args, options) => void (u.name === t.name && (options['name'] = bad)) }
      } else addAtEnd(`dag.task(noop, {}, { name: ${JSON.stringify(bad)} })`, (dag) => void dag.task(asRunnable(NOOP), {}, { name: bad }))
      break
    }
    case 'badParallelism': {
      const value = pick([0, -1, 1.5, -3, 0.5], m.variant)
      const loops = [...groupsOf(p.body)].map((g) => g.node).filter((g): g is LoopNode => g.kind === 'loop')
      if (loops.length > 0) {
        const loop = pick(loops, m.target)
        change = `dag.forEach(…, { parallelism: ${value} }) for ${loop.id}`
        hooks = { loop: (node, options) => void (node.id === loop.id && (options['parallelism'] = value)) }
      } else {
        addAtEnd(`dag.forEach([1, 2], …, { parallelism: ${value} })`, (dag) => dag.forEach([1, 2], () => void dag.task(asRunnable(NOOP), {}, { name: 'mut-looped' }), { parallelism: value }))
      }
      break
    }
    case 'badQuantity': {
      const field = pick(['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit'] as const, m.variant)
      const value = pick(BAD_QUANTITIES, m.variant >> 2)
      if (containers.length > 0) {
        const t = pick(containers, m.target)
        change = `${t.name} declared with resources.${field} ${JSON.stringify(value)}`
        hooks = { task: (u, _args, options) => void (u.name === t.name && (options['resources'] = { ...(options['resources'] as object | undefined), [field]: value })) }
      } else addAtEnd(`dag.task(noop, {}, { resources: { ${field}: ${JSON.stringify(value)} } })`, (dag) => void dag.task(asRunnable(NOOP), {}, { name: 'mut-step', resources: { [field]: value } }))
      break
    }
    case 'badDuration': {
      const backoff = pick(['5 minutes', '1y', '-5s', 'soon', '1.5.2m'], m.variant)
      if (containers.length > 0) {
        const t = pick(containers, m.target)
        change = `${t.name} declared with retry { count: 2, backoff: ${JSON.stringify(backoff)} }`
        hooks = { task: (u, _args, options) => void (u.name === t.name && (options['retry'] = { count: 2, backoff })) }
      } else addAtEnd(`dag.task(noop, {}, { retry: { count: 2, backoff: ${JSON.stringify(backoff)} } })`, (dag) => void dag.task(asRunnable(NOOP), {}, { name: 'mut-step', retry: { count: 2, backoff } }))
      break
    }
  }
  const result: DslCase = { build: () => rebuildWithDsl(p, hooks), kind: m.kind, expected, change: `${m.kind}: ${change}` }
  return printable(result, () => `// through the DSL: ${result.change}\n// expect ${expected}\n${formatPipeline(p)}`)
}

/** Tasks in the order the DSL declares them (an exit task before its handler's body, as `dag.exitHandler` runs it). */
function declarationOrder(body: readonly BodyNode[]): TaskNode[] {
  const out: TaskNode[] = []
  for (const node of body) {
    if (node.kind === 'task') out.push(node)
    else if (node.kind === 'branches') for (const br of node.branches) out.push(...declarationOrder(br.body))
    else {
      if (node.kind === 'exitHandler') out.push(node.exitTask)
      out.push(...declarationOrder(node.body))
    }
  }
  return out
}

