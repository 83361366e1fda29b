/**
 * Synthetic pipelines for benchmarks, written directly as IR (no builder overhead), deterministic
 * for a given shape and size.
 *
 * - `chain`: task i consumes task i-1 (a dataset artifact and a row-count parameter).
 * - `fanout`: one producer feeding n-1 consumers.
 * - `lattice`: layers of ~sqrt(n) tasks, each consuming 2-3 tasks of the previous layer
 *   (artifacts and parameters mixed, an optional third input, some extra `after` edges).
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
import type { CommandArgNode, ContainerComponentNode, IoSpecNode, PipelineNode, PlaceholderNode, TaskNode, ValueSourceNode } from '@typeflow/dsl'

export type SyntheticShape = 'chain' | 'fanout' | 'lattice'
export const SYNTHETIC_SHAPES: readonly SyntheticShape[] = ['chain', 'fanout', 'lattice']

const DATASET: IoSpecNode = { kind: 'artifact', type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' }, isList: false, optional: false }
const OPTIONAL_DATASET: IoSpecNode = { ...DATASET, optional: true }
const MODEL: IoSpecNode = { kind: 'artifact', type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, isList: false, optional: false }
const METRICS: IoSpecNode = { kind: 'artifact', type: { schemaTitle: 'system.Metrics', schemaVersion: '0.0.1' }, isList: false, optional: false }
const INT: IoSpecNode = { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false }
const STRING: IoSpecNode = { kind: 'parameter', type: 'STRING', optional: false }

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
  image: 'ghcr.io/acme/source:1.0',
  command: [text('python'), text('-m'), text('source')],
  args: [text('--uri=', value('uri')), text('--seed=', value('seed')), text('--out=', outPath('data')), text('--rows=', outParam('rows'))],
}

const TRANSFORM: ContainerComponentNode = {
  kind: 'container',
  name: 'transform',
  inputs: { data: DATASET, rows: INT, scale: { kind: 'parameter', type: 'NUMBER_DOUBLE', optional: true, default: 1 } },
  outputs: { data: DATASET, rows: INT, stats: METRICS },
  image: 'ghcr.io/acme/transform:1.0',
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
  image: 'ghcr.io/acme/merge:1.0',
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

/** A synthetic pipeline of `n` tasks (n ≥ 1) in the given shape. */
export function syntheticPipeline(shape: SyntheticShape, n: number): PipelineNode {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`)
  const body = shape === 'chain' ? chain(n) : shape === 'fanout' ? fanout(n) : lattice(n)
  const last = body[body.length - 1]!
  return {
    kind: 'pipeline',
    name: `synthetic-${shape}-${n}`,
    description: `Synthetic ${shape} pipeline with ${n} tasks.`,
    inputs: { uri: { kind: 'parameter', type: 'STRING', optional: true, default: 's3://bucket/raw' } },
    outputs: { result: { spec: DATASET, from: { kind: 'taskOutput', task: last.name, output: 'data' } } },
    body,
  }
}
