/**
 * Synthetic pipelines for benchmarks, deterministic for a given shape and size. All but `dsl` are
 * written directly as IR (no builder overhead); `dsl` is built with the DSL (test/bench/dsl-shape.ts),
 * so its build time is the DSL's. `n` is the number of declared task nodes (a task inside a loop
 * counts once, however many times the loop would run it).
 *
 * - `chain`: task i consumes task i-1 (a dataset artifact and a row-count parameter).
 * - `fanout`: one producer feeding n-1 consumers.
 * - `lattice`: layers of ~sqrt(n) tasks, each consuming 2-3 tasks of the previous layer
 *   (artifacts and parameters mixed, an optional third input, some extra `after` edges).
 * - `nested`: blocks of control flow hanging off a binary tree of fan-in tasks. A block is a
 *   parallel loop (over a static list or the `shards` list parameter) whose body holds a task and
 *   either a condition containing a second loop (over `regions`, static or parameter) with tasks
 *   in it (three groups deep), or an if/else (two deep); after the loop, a task reads what the
 *   loop body produced as lists (fan-in), and feeds the next blocks.
 * - `dsl`: rounds of 8 tasks written with `component()`, `dag.task`, if/else, `forEach` and `fmt`
 *   in a loop, as users write them (see dsl-shape.ts).
 *
 * Every few tasks also carry caching off / a cache key, env, resources, retry and a display name,
 * so the emitters exercise their optional paths. Components are shared objects, as in real code.
 *
 * @example
 * ```ts
 * import { syntheticPipeline } from './synthetic.ts'
 * const p = syntheticPipeline('lattice', 1_000)
 * ```
 */
import type {
  BodyNode,
  CommandArgNode,
  ContainerComponentNode,
  IoSpecNode,
  LoopItemsNode,
  LoopNode,
  PipelineNode,
  PlaceholderNode,
  PredicateNode,
  TaskNode,
  ValueSourceNode,
} from '@typeflow/dsl'
import { dslPipeline } from './dsl-shape.ts'

export type SyntheticShape = 'chain' | 'fanout' | 'lattice' | 'nested' | 'dsl'
export const SYNTHETIC_SHAPES: readonly SyntheticShape[] = ['chain', 'fanout', 'lattice', 'nested', 'dsl']

const DATASET: IoSpecNode = { kind: 'artifact', type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' }, isList: false, optional: false }
const OPTIONAL_DATASET: IoSpecNode = { ...DATASET, optional: true }
const MODEL: IoSpecNode = { kind: 'artifact', type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, isList: false, optional: false }
const METRICS: IoSpecNode = { kind: 'artifact', type: { schemaTitle: 'system.Metrics', schemaVersion: '0.0.1' }, isList: false, optional: false }
const INT: IoSpecNode = { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false }
const DOUBLE: IoSpecNode = { kind: 'parameter', type: 'NUMBER_DOUBLE', optional: false }
const STRING: IoSpecNode = { kind: 'parameter', type: 'STRING', optional: false }
const LIST: IoSpecNode = { kind: 'parameter', type: 'LIST', optional: false }

// Pinned by digest like production images: an unpinned image is a policy warning per task, and
// the benchmark measures clean compiles.
const image = (name: string): string => `ghcr.io/acme/${name}@sha256:${name.length.toString(16).padStart(2, '0').repeat(32)}`

function text(...parts: (string | PlaceholderNode)[]): CommandArgNode {
  return { kind: 'text', parts }
}
const value = (name: string): PlaceholderNode => ({ kind: 'placeholder', ref: 'inputValue', name })
const inPath = (name: string): PlaceholderNode => ({ kind: 'placeholder', ref: 'inputPath', name })
const outPath = (name: string): PlaceholderNode => ({ kind: 'placeholder', ref: 'outputPath', name })
const outParam = (name: string): PlaceholderNode => ({ kind: 'placeholder', ref: 'outputParameterFile', name })

const SOURCE: ContainerComponentNode = {
  kind: 'container',
  name: 'source',
  inputs: { uri: STRING, seed: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: true, default: 0 } },
  outputs: { data: DATASET, rows: INT },
  image: image('source'),
  command: [text('python'), text('-m'), text('source')],
  args: [text('--uri=', value('uri')), text('--seed=', value('seed')), text('--out=', outPath('data')), text('--rows=', outParam('rows'))],
}

const TRANSFORM: ContainerComponentNode = {
  kind: 'container',
  name: 'transform',
  inputs: { data: DATASET, rows: INT, scale: { kind: 'parameter', type: 'NUMBER_DOUBLE', optional: true, default: 1 } },
  outputs: { data: DATASET, rows: INT, stats: METRICS },
  image: image('transform'),
  command: [text('python'), text('-m'), text('transform')],
  args: [
    text('--in=', inPath('data')),
    text('--rows=', value('rows')),
    text('--scale=', value('scale')),
    text('--out=', outPath('data')),
    text('--out-rows=', outParam('rows')),
    text('--stats=', outPath('stats')),
  ],
}

const MERGE: ContainerComponentNode = {
  kind: 'container',
  name: 'merge',
  inputs: { left: DATASET, right: DATASET, extra: OPTIONAL_DATASET, rows: INT },
  outputs: { data: DATASET, rows: INT, model: MODEL },
  image: image('merge'),
  command: [text('python'), text('-m'), text('merge')],
  args: [
    text('--left=', inPath('left')),
    text('--right=', inPath('right')),
    { kind: 'ifPresent', input: 'extra', then: [text('--extra=', inPath('extra'))] },
    text('--rows=', value('rows')),
    text('--out=', outPath('data')),
    text('--out-rows=', outParam('rows')),
    text('--model=', outPath('model')),
  ],
}

const taskName = (i: number): string => `task-${i}`
const out = (task: number, output: string): ValueSourceNode => ({ kind: 'taskOutput', task: taskName(task), output })

/** A task with the optional settings sprinkled deterministically by index. */
function task(i: number, component: ContainerComponentNode, inputs: Record<string, ValueSourceNode>, after: string[] = []): TaskNode {
  return {
    kind: 'task',
    name: taskName(i),
    ...(i % 17 === 3 && { displayName: `Step ${i}` }),
    component,
    inputs,
    after,
    caching: i % 5 === 1 ? { enabled: false } : i % 23 === 7 ? { enabled: true, key: `key-${i}` } : { enabled: true },
    env: i % 7 === 2 ? [{ name: 'LOG_LEVEL', value: 'debug' }, { name: 'SHARD', value: String(i) }] : [],
    ...(i % 11 === 4 && { resources: { cpuRequest: '500m', cpuLimit: '2', memoryRequest: '1Gi', memoryLimit: '4Gi' } }),
    ...(i % 13 === 5 && { retry: { maxRetryCount: 3, backoffSeconds: 30, backoffFactor: 2, backoffMaxSeconds: 600 } }),
  }
}

function source(i: number): TaskNode {
  return task(i, SOURCE, { uri: { kind: 'pipelineInput', name: 'uri' }, seed: { kind: 'constant', value: i } })
}

function transform(i: number, from: number): TaskNode {
  return task(i, TRANSFORM, {
    data: out(from, 'data'),
    rows: out(from, 'rows'),
    ...(i % 2 === 0 && { scale: { kind: 'constant', value: 0.5 } }),
  })
}

function chain(n: number): TaskNode[] {
  const body: TaskNode[] = [source(0)]
  for (let i = 1; i < n; i++) body.push(transform(i, i - 1))
  return body
}

function fanout(n: number): TaskNode[] {
  const body: TaskNode[] = [source(0)]
  for (let i = 1; i < n; i++) body.push(transform(i, 0))
  return body
}

function lattice(n: number): TaskNode[] {
  const width = Math.max(1, Math.round(Math.sqrt(n)))
  const body: TaskNode[] = []
  let previous: number[] = []
  for (let start = 0; start < n; start += width) {
    const layer: number[] = []
    for (let i = start; i < Math.min(n, start + width); i++) {
      layer.push(i)
      if (previous.length === 0) {
        body.push(source(i))
        continue
      }
      const j = i - start
      const pick = (k: number): number => previous[k % previous.length]!
      const a = pick(j)
      const b = pick(j * 7 + 3)
      const c = pick(j * 13 + 5)
      const inputs: Record<string, ValueSourceNode> = {
        left: out(a, 'data'),
        right: out(b, 'data'),
        rows: out(a, 'rows'),
        ...(j % 3 === 0 && { extra: out(c, 'data') }),
      }
      body.push(task(i, MERGE, inputs, j % 3 === 1 && c !== a && c !== b ? [taskName(c)] : []))
    }
    previous = layer
  }
  return body
}

// ---------------------------------------------------------------------------------------------
// nested

const PREP: ContainerComponentNode = {
  kind: 'container',
  name: 'prep',
  inputs: { data: DATASET, rows: INT, shard: INT },
  outputs: { data: DATASET, rows: INT, score: DOUBLE },
  image: image('prep'),
  command: [text('prep')],
  args: [
    text('--in=', inPath('data')),
    text('--rows=', value('rows')),
    text('--shard=', value('shard')),
    text('--out=', outPath('data')),
    text('--out-rows=', outParam('rows')),
    text('--score=', outParam('score')),
  ],
}

const FIT: ContainerComponentNode = {
  kind: 'container',
  name: 'fit',
  inputs: { data: DATASET, region: STRING, shard: INT },
  outputs: { model: MODEL, auc: DOUBLE },
  image: image('fit'),
  command: [text('fit')],
  args: [text('--in=', inPath('data')), text('--region=', value('region')), text('--shard=', value('shard')), text('--model=', outPath('model')), text('--auc=', outParam('auc'))],
}

const PUBLISH: ContainerComponentNode = {
  kind: 'container',
  name: 'publish',
  inputs: { model: MODEL, region: STRING, note: { kind: 'parameter', type: 'STRING', optional: true, default: '' } },
  outputs: { uri: STRING },
  image: image('publish'),
  command: [text('publish')],
  args: [
    text('--model=', inPath('model')),
    text('--region=', value('region')),
    { kind: 'ifPresent', input: 'note', then: [text('--note=', value('note'))] },
    text('--uri=', outParam('uri')),
  ],
}

const REPORT: ContainerComponentNode = {
  kind: 'container',
  name: 'report',
  inputs: { data: DATASET, score: DOUBLE },
  outputs: { stats: METRICS },
  image: image('report'),
  command: [text('report')],
  args: [text('--in=', inPath('data')), text('--score=', value('score')), text('--stats=', outPath('stats'))],
}

const GATHER: ContainerComponentNode = {
  kind: 'container',
  name: 'gather',
  inputs: { data: DATASET, rows: LIST, scores: LIST },
  outputs: { data: DATASET, rows: INT },
  image: image('gather'),
  command: [text('gather')],
  args: [text('--in=', inPath('data')), text('--rows=', value('rows')), text('--scores=', value('scores')), text('--out=', outPath('data')), text('--out-rows=', outParam('rows'))],
}

/** Tasks per deep block (loop > condition > loop) and per shallow block (loop > if/else). */
const DEEP_BLOCK = 6
const SHALLOW_BLOCK = 5

/** Declaration state of the nested shape: task numbers and group numbers, both global. */
class NestedBuilder {
  private nextTask = 0
  private nextGroup = 0
  readonly body: BodyNode[] = []

  get tasks(): number {
    return this.nextTask
  }

  task(component: ContainerComponentNode, inputs: Record<string, ValueSourceNode>, after: string[] = []): TaskNode {
    return task(this.nextTask++, component, inputs, after)
  }

  group(prefix: string): string {
    return `${prefix}-${++this.nextGroup}`
  }
}

const loopItem = (loop: string): ValueSourceNode => ({ kind: 'loopItem', loop })
const constant = (v: number | string): ValueSourceNode => ({ kind: 'constant', value: v })
const INT_ITEM: IoSpecNode = { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false }
const STRING_ITEM: IoSpecNode = { kind: 'parameter', type: 'STRING', optional: false }

/**
 * One block fed by `upstream` (a task with `data` and `rows` outputs): returns its fan-in task.
 * Deep blocks: loop { prep, report, condition { fit, loop { fit, publish } } }, gather.
 * Shallow blocks: loop { prep, if { fit, publish } else { report } }, gather.
 */
function nestedBlock(b: NestedBuilder, index: number, upstream: string, deep: boolean): TaskNode {
  const outer = b.group('for-loop')
  const outerItems: LoopItemsNode =
    index % 2 === 0
      ? { kind: 'raw', values: [0, 1, 2, 3].map((k) => k + (index % 5)), itemId: `loop-item-param-${outer.slice('for-loop-'.length)}` }
      : { kind: 'values', from: { kind: 'pipelineInput', name: 'shards' } }
  const prep = b.task(PREP, { data: out2(upstream, 'data'), rows: out2(upstream, 'rows'), shard: loopItem(outer) })
  const loopBody: BodyNode[] = [prep]
  if (deep) {
    loopBody.push(b.task(REPORT, { data: out2(prep.name, 'data'), score: out2(prep.name, 'score') }))
    const condition = b.group('condition')
    const fitAll = b.task(FIT, { data: out2(prep.name, 'data'), region: constant('all'), shard: loopItem(outer) })
    const inner = b.group('for-loop')
    const innerItems: LoopItemsNode =
      index % 3 === 0
        ? { kind: 'raw', values: ['eu', 'us', 'ap'], itemId: `loop-item-param-${inner.slice('for-loop-'.length)}` }
        : { kind: 'values', from: { kind: 'pipelineInput', name: 'regions' } }
    const fitRegion = b.task(FIT, { data: out2(prep.name, 'data'), region: loopItem(inner), shard: loopItem(outer) }, [fitAll.name])
    const publish = b.task(PUBLISH, { model: out2(fitRegion.name, 'model'), region: loopItem(inner), ...(index % 4 === 1 && { note: constant(`block ${index}`) }) })
    const innerLoop: LoopNode = { kind: 'loop', id: inner, items: innerItems, itemSpec: STRING_ITEM, parallelism: 2, body: [fitRegion, publish] }
    loopBody.push({
      kind: 'condition',
      id: condition,
      predicate: { kind: 'compare', op: '>', left: out2(prep.name, 'rows'), right: constant(1000) },
      body: [fitAll, innerLoop],
    })
  } else {
    const branches = b.group('condition-branches')
    const then = b.group('condition')
    const otherwise = b.group('condition')
    const fit = b.task(FIT, { data: out2(prep.name, 'data'), region: constant('eu'), shard: loopItem(outer) })
    const publish = b.task(PUBLISH, { model: out2(fit.name, 'model'), region: constant('eu') })
    const report = b.task(REPORT, { data: out2(prep.name, 'data'), score: out2(prep.name, 'score') })
    const highScore: PredicateNode = {
      kind: 'and',
      items: [
        { kind: 'compare', op: '>=', left: out2(prep.name, 'score'), right: constant(0.5) },
        { kind: 'compare', op: '!=', left: loopItem(outer), right: constant(0) },
      ],
    }
    loopBody.push({
      kind: 'branches',
      id: branches,
      branches: [
        { kind: 'condition', id: then, predicate: highScore, body: [fit, publish] },
        { kind: 'condition', id: otherwise, body: [report] },
      ],
    })
  }
  b.body.push({ kind: 'loop', id: outer, items: outerItems, itemSpec: INT_ITEM, parallelism: 4, body: loopBody })
  const gather = b.task(GATHER, {
    data: out2(upstream, 'data'),
    rows: { kind: 'collected', task: prep.name, output: 'rows' },
    scores: { kind: 'collected', task: prep.name, output: 'score' },
  })
  b.body.push(gather)
  return gather
}

const out2 = (task: string, output: string): ValueSourceNode => ({ kind: 'taskOutput', task, output })

function nestedBody(n: number): { body: BodyNode[]; last: string } {
  const b = new NestedBuilder()
  const root = b.task(SOURCE, { uri: { kind: 'pipelineInput', name: 'uri' }, seed: constant(0) })
  b.body.push(root)
  // Block k reads the fan-in task of block (k-1)/2: a binary tree of blocks, log depth.
  const gathers: string[] = []
  for (let k = 0; ; k++) {
    const deep = k % 2 === 0
    if (n - b.tasks < (deep ? DEEP_BLOCK : SHALLOW_BLOCK)) break
    gathers.push(nestedBlock(b, k, k === 0 ? root.name : gathers[(k - 1) >> 1]!, deep).name)
  }
  // Fewer tasks left than a block holds: a short chain of plain tasks after the last fan-in.
  let last = gathers[gathers.length - 1] ?? root.name
  while (b.tasks < n) {
    const t = b.task(TRANSFORM, { data: out2(last, 'data'), rows: out2(last, 'rows') })
    b.body.push(t)
    last = t.name
  }
  return { body: b.body, last }
}

/** A synthetic pipeline of `n` tasks (n ≥ 1) in the given shape. */
export function syntheticPipeline(shape: SyntheticShape, n: number): PipelineNode {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`)
  if (shape === 'dsl') return dslPipeline(n)
  const { body, last } = shape === 'nested' ? nestedBody(n) : flat(shape, n)
  return {
    kind: 'pipeline',
    name: `synthetic-${shape}-${n}`,
    description: `Synthetic ${shape} pipeline with ${n} tasks.`,
    inputs: {
      uri: { kind: 'parameter', type: 'STRING', optional: true, default: 's3://bucket/raw' },
      ...(shape === 'nested' && {
        shards: { kind: 'parameter', type: 'LIST', optional: true, default: [0, 1, 2, 3, 4, 5, 6, 7] },
        regions: { kind: 'parameter', type: 'LIST', optional: true, default: ['eu', 'us'] },
      }),
    },
    outputs: { result: { spec: DATASET, from: { kind: 'taskOutput', task: last, output: 'data' } } },
    body,
  }
}

function flat(shape: Exclude<SyntheticShape, 'nested' | 'dsl'>, n: number): { body: BodyNode[]; last: string } {
  const body = shape === 'chain' ? chain(n) : shape === 'fanout' ? fanout(n) : lattice(n)
  return { body, last: body[body.length - 1]!.name }
}
