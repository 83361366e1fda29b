/**
 * The two targets deliver the same parameter values to every component execution: the KFP IR run
 * by the local runner's scheduler and the Argo manifests run by the simulated controller and
 * kubelet (see differential.ts), with hostile task outputs. Structs arrive with their keys sorted
 * on both, as the KFP driver writes them.
 */
import { describe, expect, it } from 'vitest'
import type { IoSpecNode } from '@typeflow/dsl'
import { component, eq, fmt, param, pipeline } from '@typeflow/dsl'
import type { Value } from '../../packages/runtime/src/runner/index.ts'
import { controlFlowPipelines } from './control-flow-pipelines.ts'
import { byType, differences, runArgo, runKfp } from './differential.ts'
import { pair, show } from './value-components.ts'

/** Text that Argo, the kubelet and JSON all read, and a struct whose keys are not in order. */
const hostile = byType({ STRING: 'x{ $$(HOME) {{workflow.name}} $', NUMBER_INTEGER: 3, NUMBER_DOUBLE: 0.75, BOOLEAN: true, STRUCT: { z: 1, a: { '2': 'b{', '10': '$' } }, LIST: ['a{', '$'] })

/** Outputs by type, and the two lists the control-flow pipelines iterate by what their items hold. */
function outputs(_task: string, output: string, spec: IoSpecNode): Value {
  if (output === 'rows') return [{ b: 'r{', a: 1 }, { b: '$', a: 2 }]
  if (output === 'items') return ['p{', '{q', '$', '(HOME)']
  return hostile(spec)
}

const gen = component({ name: 'gen', image: 'alpine:3.20', outputs: { s: param.string(), items: param.list<string>(), config: param.struct() } })
const takeStruct = component({ name: 'take-struct', image: 'alpine:3.20', inputs: { c: param.struct() } })

const EDGES = ['{', 'x{', '{y', '$', '(HOME)', '{{workflow.name}}']

const handWritten = pipeline(
  { name: 'side-by-side', inputs: { edges: param.list<string>({ default: EDGES }), x: param.string({ default: 'a{' }), cfg: param.struct({ default: { b: 1, a: 2, '10': 3, '2': 4 } }) } },
  (dag, q) => {
    const g = dag.task(gen)
    dag.task(show, { v: g.outputs.s }, { name: 'direct' })
    dag.forEach(q.edges, (a) => void dag.forEach(g.outputs.items, (b) => void dag.task(pair, { a: fmt`${a}${b}`, b }, { name: 'pairs' })))
    dag.if(eq(g.outputs.s, 'x{ $$(HOME) {{workflow.name}} $'), () => void dag.task(show, { v: fmt`${q.x}${g.outputs.s}` }, { name: 'guarded' }))
    dag.task(takeStruct, { c: q.cfg }, { name: 'struct-default' })
    dag.task(takeStruct, { c: g.outputs.config }, { name: 'struct-output' })
  },
)

/**
 * Control-flow pipelines where the two runs differ for reasons not settled here: placeholders
 * inside a list or struct constant (`{"n": <a task output>}`) are left unresolved by the local
 * runner, and what the KFP backend's driver does with them is not verified.
 */
const UNSETTLED: ReadonlySet<string> = new Set(['argo-cf/formats'])

/**
 * Items of unknown type compared with booleans: equal only to the boolean they hold, as in KFP's
 * CEL (Argo once parsed any text as a boolean, so `m` equalled false; found by
 * differential-random.test.ts).
 */
const flag = component({ name: 'flag', image: 'alpine:3.20', outputs: { b: param.bool() } })
const untypedItems = pipeline({ name: 'untyped-items', inputs: { mixed: param.list({ default: [true, 'm', false, 'True'] }) } }, (dag, q) => {
  const produced = dag.task(flag).outputs.b
  dag.forEach(q.mixed, (item) => {
    dag.if(eq(item as never, false), () => void dag.task(show, { v: 'equals false' }, { name: 'is-false' }))
    dag.if(eq(item as never, true), () => void dag.task(show, { v: 'equals true' }, { name: 'is-true' }))
    dag.if(eq(item as never, produced), () => void dag.task(show, { v: 'equals the output' }, { name: 'is-output' }))
  })
})

/**
 * A nested pipeline's input default, not passed by its caller, is what its member receives (the
 * KFP DAG driver fills it in); the member's own default does not apply. The local runner once
 * gave the member its own default (found by differential-random.test.ts).
 */
const takeFlag = component({ name: 'take-flag', image: 'alpine:3.20', inputs: { flag: param.bool({ optional: true, default: true }), n: param.int({ default: 1 }) } })
const withDefaults = pipeline({ name: 'with-defaults', inputs: { flag: param.bool({ optional: true, default: false }), n: param.int({ default: 2 }) } }, (dag, q) => {
  dag.task(takeFlag, { flag: q.flag, n: q.n })
})
const nestedDefaults = pipeline({ name: 'nested-defaults' }, (dag) => {
  dag.task(withDefaults, {}, { name: 'inner' })
  dag.forEach([1], () => void dag.task(withDefaults, {}, { name: 'in-loop' }))
})

/**
 * Values inside `fmt` text and a struct item given to a string input, written as the KFP driver
 * writes them: keys in code point order, numbers in Go's format. The local runner once wrote both
 * with JSON.stringify (insertion order, `1e+21`; found by differential-random.test.ts, seed 19).
 */
const writtenAsText = pipeline(
  { name: 'written-as-text', inputs: { cfg: param.struct({ default: { b: 1, a: [2] } }), big: param.float({ default: 1e21 }), items: param.list({ default: [{ z: 1, y: 'x' }] }) } },
  (dag, q) => {
    dag.task(show, { v: fmt`cfg ${q.cfg} big ${q.big}` }, { name: 'in-text' })
    // The item's type comes from its use: a string.
    dag.forEach(q.items, (item) => void dag.task(show, { v: item as never }, { name: 'item-as-text' }))
  },
)

describe('the same values on both targets', () => {
  const cases = [
    { name: 'side-by-side', pipeline: handWritten },
    { name: 'untyped-items', pipeline: untypedItems },
    { name: 'nested-defaults', pipeline: nestedDefaults },
    { name: 'written-as-text', pipeline: writtenAsText },
    ...controlFlowPipelines.filter((c) => !UNSETTLED.has(c.name)),
  ]
  it.each(cases)('$name', async ({ pipeline: p }) => {
    const kfp = await runKfp(p, outputs)
    const argo = runArgo(p, outputs)
    expect(kfp.deliveries.size).toBeGreaterThan(0)
    expect([kfp.state, argo.phase]).toEqual(kfp.state === 'succeeded' ? ['succeeded', 'Succeeded'] : ['failed', 'Failed'])
    expect(differences(kfp.deliveries, argo.deliveries)).toEqual([])
    if (p === nestedDefaults) expect(kfp.deliveries.get('take-flag')).toEqual(['flag="false" n="2"', 'flag="false" n="2"'])
    if (p === writtenAsText) expect([...kfp.deliveries.values()].flat().sort()).toEqual(['v="cfg {\\"a\\":[2],\\"b\\":1} big 1000000000000000000000"', 'v="{\\"y\\":\\"x\\",\\"z\\":1}"'])
    if (p === untypedItems) expect([...kfp.deliveries].map(([task, runs]) => `${task} ×${runs.length}`).sort()).toEqual(['flag ×1', 'is-false ×1', 'is-output ×1', 'is-true ×1'])
  })
})
