import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ContainerComponentNode, PipelineNode, TaskNode } from '@typeflow/dsl'
import { component, pipeline } from '@typeflow/dsl'
import { analysePipeline, compile, computeCacheKeys, isStaticKey, runtimeCacheKey } from '@typeflow/compiler'

const step = (image: string, command: string[] = ['run']): ContainerComponentNode => ({
  kind: 'container',
  name: 'step',
  image,
  inputs: { x: { kind: 'parameter', type: 'STRING', optional: true }, y: { kind: 'parameter', type: 'STRING', optional: true } },
  outputs: { out: { kind: 'parameter', type: 'STRING', optional: false } },
  command: command.map((part) => ({ kind: 'text', parts: [part] })),
})

interface Spec {
  readonly name: string
  readonly image: string
  readonly from?: readonly number[]
  readonly constant?: string
  readonly usesParam?: boolean
  readonly caching?: boolean
}

/** A chain-ish DAG: task i reads from the tasks listed in `from` (all earlier). */
function build(specs: readonly Spec[], tweak: (task: TaskNode, index: number) => TaskNode = (t) => t): PipelineNode {
  const body = specs.map((spec, i): TaskNode => {
    const inputs: Record<string, TaskNode['inputs'][string]> = {}
    const producers = spec.from ?? []
    if (producers[0] !== undefined) inputs['x'] = { kind: 'taskOutput', task: specs[producers[0]]!.name, output: 'out' }
    if (producers[1] !== undefined) inputs['y'] = { kind: 'taskOutput', task: specs[producers[1]]!.name, output: 'out' }
    else if (spec.usesParam) inputs['y'] = { kind: 'pipelineInput', name: 'p' }
    else if (spec.constant !== undefined) inputs['y'] = { kind: 'constant', value: spec.constant }
    return tweak({ kind: 'task', name: spec.name, component: step(spec.image), inputs, after: [], caching: { enabled: spec.caching ?? true }, env: [] }, i)
  })
  return { kind: 'pipeline', name: 'keys', inputs: { p: { kind: 'parameter', type: 'STRING', optional: true, default: 'v' } }, outputs: {}, body }
}

function keysOf(p: PipelineNode) {
  const analysis = analysePipeline(p)
  if (!analysis.ok) throw new Error(JSON.stringify(analysis.diagnostics))
  return computeCacheKeys(analysis.pipeline)
}

const arbSpecs = fc
  .integer({ min: 1, max: 12 })
  .chain((n) =>
    fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        fc.record({
          image: fc.constantFrom('a:1', 'b:2', 'c:3'),
          from: fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, i - 1) }), { maxLength: i === 0 ? 0 : 2 }),
          constant: fc.constantFrom('x', 'y', 'z'),
          usesParam: fc.boolean(),
          caching: fc.boolean(),
        }),
      ),
    ),
  )
  .map((records) => records.map((r, i): Spec => ({ ...r, name: `t${i}` })))

const runs = { seed: 4242, numRuns: process.env['TYPEFLOW_DEEP'] ? 2000 : 150 }
let generated = 0

function downstreamOf(specs: readonly Spec[], index: number): Set<number> {
  const out = new Set([index])
  for (let i = index + 1; i < specs.length; i++) if ((specs[i]!.from ?? []).some((f) => out.has(f))) out.add(i)
  return out
}

describe('cache keys: invariants (property-tested)', () => {
  it('caching off on the task running a nested pipeline warns that its tasks do not inherit it, as in KFP', () => {
    const step = component({ name: 'step', image: 'alpine:3.20', command: ['true'] })
    const inner = pipeline({ name: 'inner' }, (d) => void d.task(step))
    const p = pipeline({ name: 'outer' }, (dag) => {
      dag.task(inner, {}, { name: 'off', caching: false })
      dag.task(inner, {}, { name: 'keyed', caching: { key: 'v2' } })
      dag.task(inner, {}, { name: 'on', caching: true })
    })
    const result = compile(p)
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics))
    expect(result.warnings.filter((w) => w.code === 'W_CACHING_NOT_INHERITED').map((w) => w.path.join('.'))).toEqual(['tasks.keyed.caching', 'tasks.off.caching'])
    // What the KFP SDK writes: the inner task keeps caching on.
    expect(result.analysed.tasks.get('off')!.child!.tasks.get('step')!.caching).toBe(true)
  })

  it('renaming tasks and reordering declarations never change a key', () => {
    fc.assert(
      fc.property(arbSpecs, (specs) => {
        generated++
        const original = keysOf(build(specs))
        const renamed = keysOf(build(specs.map((s, i) => ({ ...s, name: `renamed-${i}` }))))
        specs.forEach((s, i) => expect(renamed.get(`renamed-${i}`)!.digest).toBe(original.get(s.name)!.digest))
        const reversed = build(specs)
        const shuffled = keysOf({ ...reversed, body: [...reversed.body].reverse() })
        for (const [name, key] of original) expect(shuffled.get(name)).toEqual(key)
      }),
      runs,
    )
  })

  it('display names, resources, retries and descriptions never change a key', () => {
    fc.assert(
      fc.property(arbSpecs, (specs) => {
        generated++
        const original = keysOf(build(specs))
        const dressed = keysOf(
          build(specs, (t) => ({
            ...t,
            displayName: `Shown ${t.name}`,
            resources: { cpuLimit: '2', memoryLimit: '4Gi', accelerator: { type: 'nvidia.com/gpu', count: 1 } },
            retry: { maxRetryCount: 3, backoffSeconds: 1, backoffFactor: 2, backoffMaxSeconds: 60 },
          })),
        )
        for (const [name, key] of original) expect(dressed.get(name)!.digest).toBe(key.digest)
      }),
      runs,
    )
  })

  it('changing one image or constant changes that task and everything downstream, and nothing else', () => {
    fc.assert(
      fc.property(arbSpecs, fc.nat(), fc.boolean(), (specs, pick, changeImage) => {
        const index = pick % specs.length
        const target = specs[index]!
        const readsConstant = (target.from ?? []).length < 2 && !target.usesParam
        fc.pre(changeImage || readsConstant)
        generated++
        const changed = specs.map((s, i) => (i !== index ? s : changeImage ? { ...s, image: `${s.image}-new` } : { ...s, constant: `${s.constant}!` }))
        const before = keysOf(build(specs))
        const after = keysOf(build(changed))
        const affected = downstreamOf(specs, index)
        specs.forEach((s, i) => expect(before.get(s.name)!.digest !== after.get(s.name)!.digest).toBe(affected.has(i)))
      }),
      runs,
    )
  })

  it('a task downstream of a task that is not cacheable is never cacheable', () => {
    fc.assert(
      fc.property(arbSpecs, (specs) => {
        generated++
        const keys = keysOf(build(specs))
        specs.forEach((s, i) => {
          const upstreamOff = specs.some((u, j) => j < i && u.caching === false && downstreamOf(specs, j).has(i))
          if (s.caching === false || upstreamOff) expect(keys.get(s.name)!.cacheable).toBe(false)
          else expect(keys.get(s.name)!.cacheable).toBe(true)
        })
      }),
      runs,
    )
  })

  it('run-time values of the pipeline inputs a task depends on (through ancestors too) complete its key', () => {
    const keys = keysOf(build([{ name: 'a', image: 'i', usesParam: true }, { name: 'b', image: 'i', from: [0] }, { name: 'c', image: 'i', constant: 'k' }]))
    expect(keys.get('b')!.pipelineInputs).toEqual(['p'])
    expect(isStaticKey(keys.get('c')!)).toBe(true)
    expect(isStaticKey(keys.get('b')!)).toBe(false)
    const one = runtimeCacheKey(keys.get('b')!, { p: 'one' }, {})
    const two = runtimeCacheKey(keys.get('b')!, { p: 'two' }, {})
    expect(one).not.toBe(two)
    expect(runtimeCacheKey(keys.get('b')!, { p: 'one' }, {})).toBe(one)
    expect(runtimeCacheKey(keys.get('c')!, { p: 'one' }, {})).toBe(keys.get('c')!.digest)
  })
})

describe('cache keys: no collisions', () => {
  it('100,000 distinct tasks get 100,000 distinct keys', () => {
    const specs: Spec[] = Array.from({ length: 100_000 }, (_, i) => ({ name: `t${i}`, image: `img:${i % 97}`, constant: `c${Math.floor(i / 97)}` }))
    const keys = keysOf(build(specs))
    expect(new Set([...keys.values()].map((k) => k.digest)).size).toBe(100_000)
  })
})

describe('cache keys: generated pipelines', () => {
  it('counts', () => {
    console.log(`property cache-keys: ${generated} generated pipelines`)
    expect(generated).toBeGreaterThan(0)
  })
})
