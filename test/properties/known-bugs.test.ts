/**
 * Bugs the property suites found, each as its smallest pipeline. `it.fails`: each asserts the
 * correct behaviour and currently fails; when one starts passing, the bug is fixed — make it an
 * `it` (a regression test), and drop its detour (KNOWN_BUGS in ./arbitraries.ts and the notes
 * next to the properties; `TYPEFLOW_KNOWN_BUGS=1` turns the detours off so the properties find
 * them again). Fixed since they were found, kept as regression tests: 1a, 1b (graph-shape.ts's
 * Argo reader reported `#when <- constant` / `#items <- constant` where nothing is read), 2 (a
 * nested pipeline's digest hashed its body in declaration order), 3a, 3b
 * (KFP groups did not expose a fan-in or oneOf read only by a later group), 4 (Argo ordered a
 * loop's outputs by the declaration order of the pipeline outputs), 5 (`plan`'s reason depended
 * on `after` order), 6 (KFP gave the items of nested loops over one list one channel), 7 (an
 * exit task waiting for a task of an earlier exit handler got that handler's status), 8
 * (argoGraphShape split a `when` on a oneOf), 9 (duplicate names: codes depended on declaration
 * order), 10 (env and resources on a pipeline task were dropped; now E_INVALID_CONSTANT, a
 * mutation of ./mutations.ts), 11 (a task and a group of one name), 12 (the DSL threw on a
 * returned output of a task whose name was declared again), 13 (two groups of one id also
 * failed what depends on them) and 14 (an ignoreUpstreamFailure task reading an output that does
 * not exist, or of the wrong type, got the rule about failed producers instead of E_UNKNOWN_OUTPUT
 * or E_TYPE_MISMATCH) and 15 (KFP: a group did not declare a oneOf or fan-in read only inside an
 * f-string or a list or dict by a later group).
 */
import { describe, expect, it } from 'vitest'
import { eq, pipeline, TypeflowError } from '@typeflow/dsl'
import type { BodyNode, ContainerComponentNode, IoSpecNode, JsonValue, LoopNode, PipelineNode, TaskNode, ValueSourceNode } from '@typeflow/dsl'
import { argoGraphShape, kfpGraphShape } from '../../packages/compiler/src/targets/graph-shape.ts'
import { expectSameShape, irGraphShape } from './graph.ts'
import { compileOk, compileSafely, documentsOf, keysOf, obj } from './harness.ts'

const STRING_SPEC = { kind: 'parameter', type: 'STRING', optional: false } as const
const INT_SPEC = { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false } as const
const LIST_SPEC = { kind: 'parameter', type: 'LIST', optional: false } as const
const STATUS_SPEC = { kind: 'parameter', type: 'TASK_FINAL_STATUS', optional: false } as const

function step(name: string, inputs: Readonly<Record<string, IoSpecNode>> = {}, outputs: Readonly<Record<string, IoSpecNode>> = {}): ContainerComponentNode {
  return { kind: 'container', name, inputs, outputs, image: 'alpine:3.20' }
}
function run(name: string, component: TaskNode['component'], inputs: Record<string, ValueSourceNode> = {}, after: string[] = []): TaskNode {
  return { kind: 'task', name, component, inputs, after, caching: {}, env: [] }
}
function staticLoop(n: number, values: JsonValue[], body: BodyNode[]): LoopNode {
  return { kind: 'loop', id: `for-loop-${n + 1}`, items: { kind: 'raw', values, itemId: `loop-item-param-${n}` }, itemSpec: INT_SPEC, body }
}
const flow = (body: BodyNode[], extra: Partial<PipelineNode> = {}): PipelineNode => ({ kind: 'pipeline', name: 'flow', inputs: {}, outputs: {}, body, ...extra })
const shapes = (p: PipelineNode) => {
  const out = compileOk(p)
  return { ir: irGraphShape(p), kfp: kfpGraphShape(documentsOf(out.kfp!)), argo: argoGraphShape(documentsOf(out.argo!)), out }
}

describe('bugs found by the properties (it.fails until fixed)', () => {
  it('FIXED BUG 1a (graph-shape.ts): a condition on constants only reads nothing, on both targets (Argo gave `#when <- constant`)', () => {
    const { kfp, argo } = shapes(flow([{ kind: 'condition', id: 'condition-1', predicate: { kind: 'compare', op: '==', left: { kind: 'constant', value: 1 }, right: { kind: 'constant', value: 1 } }, body: [run('a', step('a'))] }]))
    expectSameShape(argo, kfp, 'Argo', 'KFP IR')
  })

  it('FIXED BUG 1b (graph-shape.ts): a loop over an optional nested-pipeline input the caller leaves out reads nothing, on both targets (Argo gave `#items <- constant`)', () => {
    const sub: PipelineNode = {
      kind: 'pipeline', name: 'sub', inputs: { xs: { kind: 'parameter', type: 'LIST', optional: true } }, outputs: {},
      body: [{ kind: 'loop', id: 'for-loop-1', items: { kind: 'values', from: { kind: 'pipelineInput', name: 'xs' } }, itemSpec: STRING_SPEC, body: [] }],
    }
    const { kfp, argo } = shapes(flow([run('sub', sub)]))
    expectSameShape(argo, kfp, 'Argo', 'KFP IR')
  })

  it('FIXED BUG 2 (cache keys): a nested pipeline\'s digest depends on the declaration order of its body, and so do Argo\'s bytes', () => {
    const produce = step('produce', {}, { y: STRING_SPEC })
    const sub = (order: 'xy' | 'yx'): PipelineNode => {
      const [x, y] = [run('x', produce), run('y', produce)]
      return { kind: 'pipeline', name: 'sub', inputs: {}, outputs: { res: { spec: STRING_SPEC, from: { kind: 'taskOutput', task: 'y', output: 'y' } } }, body: order === 'xy' ? [x, y] : [y, x] }
    }
    const p = (order: 'xy' | 'yx') => flow([run('sub', sub(order)), run('reader', step('reader', { v: STRING_SPEC }), { v: { kind: 'taskOutput', task: 'sub', output: 'res' } })])
    expect(keysOf(p('yx')).get('sub')!.digest).toBe(keysOf(p('xy')).get('sub')!.digest)
    expect(compileOk(p('yx')).argo).toBe(compileOk(p('xy')).argo)
  })

  it('FIXED BUG 3a (KFP): a loop over a fan-in list reads a loop output that the loop producing it declares', () => {
    const { ir, kfp } = shapes(flow([
      staticLoop(1, [1, 2], [run('produce', step('produce', {}, { y: STRING_SPEC }))]),
      { kind: 'loop', id: 'for-loop-3', items: { kind: 'values', from: { kind: 'collected', task: 'produce', output: 'y' } }, itemSpec: STRING_SPEC, body: [run('use', step('use', { v: STRING_SPEC }), { v: { kind: 'loopItem', loop: 'for-loop-3' } })] },
    ]))
    expectSameShape(kfp, ir, 'KFP IR', 'pipeline IR')
  })

  it('FIXED BUG 3b (KFP): a condition on a oneOf reads an output that the if/elif/else group declares', () => {
    const pickOne = step('pick', {}, { y: INT_SPEC })
    const { ir, kfp } = shapes(flow([
      {
        kind: 'branches', id: 'condition-branches-1', branches: [
          { kind: 'condition', id: 'condition-2', predicate: { kind: 'compare', op: '==', left: { kind: 'pipelineInput', name: 'flag' }, right: { kind: 'constant', value: true } }, body: [run('pick-a', pickOne)] },
          { kind: 'condition', id: 'condition-3', body: [run('pick-b', pickOne)] },
        ],
      },
      {
        kind: 'condition', id: 'condition-4',
        predicate: { kind: 'compare', op: '>', left: { kind: 'oneOf', branches: 'condition-branches-1', sources: [{ kind: 'taskOutput', task: 'pick-a', output: 'y' }, { kind: 'taskOutput', task: 'pick-b', output: 'y' }] }, right: { kind: 'constant', value: 1 } },
        body: [run('big', step('big'))],
      },
    ], { inputs: { flag: { kind: 'parameter', type: 'BOOLEAN', optional: false } } }))
    expectSameShape(kfp, ir, 'KFP IR', 'pipeline IR')
  })

  it('FIXED BUG 4 (Argo): the order of a loop template\'s outputs does not follow the declaration order of the pipeline outputs', () => {
    const produce = step('produce', {}, { y: STRING_SPEC })
    const collectedOf = (task: string) => ({ spec: LIST_SPEC, from: { kind: 'collected', task, output: 'y' } as const })
    const body = [staticLoop(1, [0], [run('a', produce), run('b', produce)])]
    const one = compileOk(flow(body, { outputs: { first: collectedOf('b'), second: collectedOf('a') } }))
    const two = compileOk(flow(body, { outputs: { second: collectedOf('a'), first: collectedOf('b') } }))
    expect(two.kfp).toBe(one.kfp)
    expect(two.argo).toBe(one.argo)
  })

  it('FIXED BUG 5 (cache keys): why a task is not cacheable (`typeflow plan`) does not depend on the order of its `after` list', () => {
    const off = (name: string): TaskNode => ({ ...run(name, step('s')), caching: { enabled: false } })
    const p = (after: string[]) => flow([off('a'), off('b'), run('c', step('s'), {}, after)])
    expect(keysOf(p(['b', 'a'])).get('c')!.reason).toBe(keysOf(p(['a', 'b'])).get('c')!.reason)
  })

  it('FIXED BUG 6 (KFP): in nested loops over the same list, the outer item reads as the inner one (one channel name for both)', () => {
    const values = (id: string, body: BodyNode[]): LoopNode => ({ kind: 'loop', id, items: { kind: 'values', from: { kind: 'pipelineInput', name: 'xs' } }, itemSpec: STRING_SPEC, body })
    const use = run('use', step('use', { v: STRING_SPEC, w: STRING_SPEC }), { v: { kind: 'loopItem', loop: 'for-loop-1' }, w: { kind: 'loopItem', loop: 'for-loop-2' } })
    const { ir, kfp, argo, out } = shapes(flow([values('for-loop-1', [values('for-loop-2', [use])])], { inputs: { xs: LIST_SPEC } }))
    expectSameShape(kfp, ir, 'KFP IR', 'pipeline IR')
    expectSameShape(argo, ir, 'Argo', 'pipeline IR')
    // The outer loop keeps the SDK's name; the inner one (the SDK would give it the same) takes `-2`.
    const at = (value: unknown, ...path: string[]) => path.reduce((v, key) => obj(v, key)[key], value)
    const kfpDoc = documentsOf(out.kfp!)[0]
    expect(at(kfpDoc, 'components', 'comp-for-loop-1', 'dag', 'tasks', 'for-loop-2', 'parameterIterator', 'itemInput')).toBe('pipelinechannel--xs-loop-item-2')
    expect(at(kfpDoc, 'components', 'comp-for-loop-2', 'dag', 'tasks', 'use', 'inputs', 'parameters')).toEqual({
      v: { componentInputParameter: 'pipelinechannel--xs-loop-item' },
      w: { componentInputParameter: 'pipelinechannel--xs-loop-item-2' },
    })
    // The outer item also reaches the inner loop's component as the operand of a condition between
    // them (the SDK punches it through to the tasks inside); with no such read, the SDK's name stays.
    const onlyInner = run('use', step('use', { w: STRING_SPEC }), { w: { kind: 'loopItem', loop: 'for-loop-3' } })
    const between = (body: BodyNode[]): BodyNode => ({ kind: 'condition', id: 'condition-2', predicate: { kind: 'compare', op: '==', left: { kind: 'loopItem', loop: 'for-loop-1' }, right: { kind: 'constant', value: 'a' } }, body })
    for (const [outer, itemInput] of [[between, 'pipelinechannel--xs-loop-item-2'], [(body: BodyNode[]) => values('for-loop-2', body), 'pipelinechannel--xs-loop-item']] as const) {
      const nested = shapes(flow([values('for-loop-1', [outer([values('for-loop-3', [onlyInner])])])], { inputs: { xs: LIST_SPEC } }))
      expectSameShape(nested.kfp, nested.ir, 'KFP IR', 'pipeline IR')
      expectSameShape(nested.argo, nested.ir, 'Argo', 'pipeline IR')
      const holder = outer === between ? 'comp-condition-2' : 'comp-for-loop-2'
      expect(at(documentsOf(nested.out.kfp!)[0], 'components', holder, 'dag', 'tasks', 'for-loop-3', 'parameterIterator', 'itemInput')).toBe(itemInput)
    }
  })

  it('FIXED BUG 7 (KFP and Argo): an exit task that also waits for a task of an earlier exit handler receives its own handler\'s status', () => {
    const notify = step('notify', { status: STATUS_SPEC })
    const status = { status: { kind: 'taskFinalStatus' } as const }
    const { ir, kfp, argo } = shapes(flow([
      { kind: 'exitHandler', id: 'exit-handler-1', exitTask: run('notify', notify, status), body: [run('prep', step('prep'))] },
      { kind: 'exitHandler', id: 'exit-handler-2', exitTask: run('notify-2', notify, status, ['prep']), body: [run('train', step('train'))] },
    ]))
    const found: string[] = []
    for (const [name, shape] of [['KFP IR', kfp], ['Argo', argo]] as const) {
      try {
        expectSameShape(shape, ir, name, 'pipeline IR')
      } catch (error) {
        found.push((error as Error).message)
      }
    }
    expect(found).toEqual([])
  })

  it('FIXED BUG 8 (graph-shape.ts): Argo\'s condition on a oneOf value reads as one edge per branch instead of one oneOf edge (KFP: `a | b`)', () => {
    const pickOne = step('pick', {}, { out: STRING_SPEC })
    const oneOf = { kind: 'oneOf', branches: 'condition-branches-1', sources: [{ kind: 'taskOutput', task: 'pick', output: 'out' }, { kind: 'taskOutput', task: 'pick-2', output: 'out' }] } as const
    const { ir, kfp, argo } = shapes(flow([
      {
        kind: 'branches', id: 'condition-branches-1', branches: [
          { kind: 'condition', id: 'condition-2', predicate: { kind: 'compare', op: '==', left: { kind: 'constant', value: 1 }, right: { kind: 'constant', value: 0 } }, body: [run('pick', pickOne)] },
          { kind: 'condition', id: 'condition-3', body: [run('pick-2', pickOne)] },
        ],
      },
      { kind: 'condition', id: 'condition-4', predicate: { kind: 'compare', op: '==', left: oneOf, right: { kind: 'constant', value: '' } }, body: [] },
    ]))
    // The Argo file is right (`when` reads the chain's `condition-branches-1-oneof` output, like a task
    // argument does); argoGraphShape splits a `when` binding on ` | ` (meant for several operands) and so
    // splits the oneOf's sources into separate edges.
    expectSameShape(kfp, ir, 'KFP IR', 'pipeline IR')
    expectSameShape(argo, kfp, 'Argo', 'KFP IR')
  })

  it('FIXED BUG 9 (analysis): with two tasks of one name, a reference to the name resolves to the first declared, so the codes depend on declaration order', () => {
    const producer = run('a', step('produce', {}, { y: STRING_SPEC }))
    const noop = run('a', step('noop'))
    const reader = run('b', step('reader', { v: STRING_SPEC }), { v: { kind: 'taskOutput', task: 'a', output: 'y' } })
    const codes = (body: BodyNode[]) => {
      const result = compileSafely(flow(body), ['kfp'])
      return result.ok ? [] : [...new Set(result.diagnostics.map((d) => d.code))]
    }
    expect(codes([producer, noop, reader])).toEqual(['E_DUPLICATE_TASK'])
    // Declared the other way round, the reference finds the noop and a spurious E_UNKNOWN_OUTPUT follows.
    expect(codes([noop, producer, reader])).toEqual(['E_DUPLICATE_TASK'])
  })

  it('FIXED BUG 10 (KFP and Argo): env and resources given to a task that runs a nested pipeline are refused, not dropped without a diagnostic', () => {
    const sub: PipelineNode = { kind: 'pipeline', name: 'sub', inputs: {}, outputs: {}, body: [run('inner', step('inner'))] }
    const p = flow([{ ...run('sub', sub), env: [{ name: 'MODE', value: 'fast' }], resources: { cpuLimit: '2', memoryLimit: '1Gi' } }])
    const result = compileSafely(p, ['kfp', 'argo'])
    expect(result.ok ? [] : result.diagnostics.map((d) => `${d.code} ${d.path.join('.')}`)).toEqual(['E_INVALID_CONSTANT tasks.sub.env', 'E_INVALID_CONSTANT tasks.sub.resources'])
  })

  it('FIXED BUG 11 (analysis): a task and a group of one name get E_DUPLICATE_NAME or E_DUPLICATE_TASK depending on which is declared first', () => {
    const group: BodyNode = { kind: 'condition', id: 'a', predicate: { kind: 'compare', op: '==', left: { kind: 'constant', value: 1 }, right: { kind: 'constant', value: 1 } }, body: [] }
    const codes = (body: BodyNode[]) => {
      const result = compileSafely(flow(body), ['kfp'])
      return result.ok ? [] : [...new Set(result.diagnostics.map((d) => d.code))]
    }
    expect(codes([run('a', step('a')), group])).toEqual(['E_DUPLICATE_NAME'])
    expect(codes([group, run('a', step('a'))])).toEqual(['E_DUPLICATE_NAME'])
    // Found with FIXED BUG 13's mutations: no task is left under the name, and an `after` on it got E_UNKNOWN_TASK too.
    expect(codes([group, run('a', step('a')), run('b', step('b'), {}, ['a'])])).toEqual(['E_DUPLICATE_NAME'])
  })

  it('FIXED BUG 12 (DSL): a task in a loop named like an earlier task whose output the pipeline returns makes pipeline() throw a misleading E_INVALID_OUTPUT instead of E_DUPLICATE_TASK', () => {
    const produce = step('produce', {}, { out: STRING_SPEC }) as never
    const noop = step('noop') as never
    const out = (task: { outputs: unknown }) => (task.outputs as Record<string, unknown>)['out'] as never
    const codesOf = (declare: () => PipelineNode) => {
      try {
        const result = compileSafely(declare(), ['kfp'])
        return result.ok ? [] : [...new Set(result.diagnostics.map((d) => d.code))]
      } catch (error) {
        // Was: "E_INVALID_OUTPUT at outputs: pipeline output refers to a value outside this pipeline".
        return error instanceof TypeflowError ? error.diagnostics.map((d) => `thrown ${d.code}`) : [String(error)]
      }
    }
    const returned = () =>
      pipeline({ name: 'flow' }, (dag) => {
        const a = dag.task(produce, {}, { name: 'a' })
        dag.forEach([0], () => void dag.task(noop, {}, { name: 'a' }))
        return { res: out(a) }
      })
    expect(codesOf(returned), 'returned').toEqual(['E_DUPLICATE_TASK'])
    // The same per-name records placed a oneOf source where its namesake was declared: "oneOf() takes
    // outputs of tasks in different branches of one if/elif/else".
    const oneOf = () =>
      pipeline({ name: 'flow' }, (dag) => {
        const picks: { outputs: unknown }[] = []
        dag.if(eq(1, 1), () => void picks.push(dag.task(produce, {}, { name: 'a' }))).else(() => void picks.push(dag.task(produce, {}, { name: 'b' })))
        dag.task(noop, {}, { name: 'a' })
        return { res: dag.oneOf(out(picks[0]!), out(picks[1]!)) }
      })
    expect(codesOf(oneOf), 'oneOf').toEqual(['E_DUPLICATE_TASK'])
  })

  it('FIXED BUG 13 (analysis): two groups of one id also fail what depends on them: a oneOf over their chain (E_INVALID_REFERENCE), an `after` across them (E_CYCLE)', () => {
    const pickOne = step('pick', {}, { out: STRING_SPEC })
    const sub: PipelineNode = {
      kind: 'pipeline', name: 'sub', inputs: {},
      outputs: { res: { spec: STRING_SPEC, from: { kind: 'oneOf', branches: 'condition-branches-1', sources: [{ kind: 'taskOutput', task: 'pick', output: 'out' }, { kind: 'taskOutput', task: 'pick-2', output: 'out' }] } } },
      body: [{
        kind: 'branches', id: 'condition-branches-1', branches: [
          { kind: 'condition', id: 'condition-3', predicate: { kind: 'compare', op: '==', left: { kind: 'constant', value: 1 }, right: { kind: 'constant', value: 0 } }, body: [run('pick', pickOne)] },
          { kind: 'condition', id: 'condition-3', body: [run('pick-2', pickOne)] },
        ],
      }],
    }
    const codes = (p: PipelineNode) => {
      const result = compileSafely(p, ['kfp'])
      return result.ok ? [] : [...new Set(result.diagnostics.map((d) => d.code))]
    }
    // Like two tasks of one name (FIXED BUG 9): the duplicate is the one error, not what follows from it.
    expect(codes(flow([run('sub', sub)])), 'oneOf').toEqual(['E_DUPLICATE_NAME'])
    // The second handler's task waits for the first handler's exit task, which waits for "exit-handler-2": a cycle by name.
    const notify = (name: string) => run(name, step('notify', { status: STATUS_SPEC }), { status: { kind: 'taskFinalStatus' } })
    const twins = flow([
      { kind: 'exitHandler', id: 'exit-handler-2', exitTask: notify('notify'), body: [] },
      { kind: 'exitHandler', id: 'exit-handler-2', exitTask: notify('notify-2'), body: [run('prep', step('prep'), {}, ['notify'])] },
    ])
    expect(codes(twins), 'after').toEqual(['E_DUPLICATE_NAME'])
  })

  it('FIXED BUG 14 (analysis): a task that ignores upstream failure and reads an output that does not exist gets E_UNKNOWN_OUTPUT, not the rule about failed producers', () => {
    // Found by `pnpm test:deep` (invalid-mutations, seed 20250611, after 1,825 pipelines).
    const reader = { ...run('read', step('read', { text: STRING_SPEC }), { text: { kind: 'taskOutput', task: 'prep', output: 'no_such_output' } }), ignoreUpstreamFailure: true }
    const codes = (p: PipelineNode) => {
      const result = compileSafely(p, ['kfp', 'argo'])
      return result.ok ? [] : result.diagnostics.map((d) => d.code)
    }
    expect(codes(flow([run('prep', step('prep')), reader]))).toEqual(['E_UNKNOWN_OUTPUT'])
    // And one of the wrong type is E_TYPE_MISMATCH (found next, by the same property).
    const wrongType = { ...run('read', step('read', { text: STRING_SPEC }), { text: { kind: 'taskOutput', task: 'prep', output: 'n' } }), ignoreUpstreamFailure: true }
    expect(codes(flow([run('prep', step('prep', {}, { n: LIST_SPEC })), wrongType]))).toEqual(['E_TYPE_MISMATCH'])
    // An output that exists keeps the rule: a failed producer leaves a required input without a value.
    const real = { ...run('read', step('read', { text: STRING_SPEC }), { text: { kind: 'taskOutput', task: 'prep', output: 'out' } }), ignoreUpstreamFailure: true }
    expect(codes(flow([run('prep', step('prep', {}, { out: STRING_SPEC })), real]))).toEqual(['E_INVALID_REFERENCE'])
  })

  it('FIXED BUG 15 (KFP): a oneOf inside an f-string, read in a loop beside its if/else, is an output the if/else group declares', () => {
    // Found by `pnpm test:deep` (same-graph, seed 36), once the generator wrote f-strings.
    const pickOne = step('pick', {}, { out: STRING_SPEC })
    const picked: ValueSourceNode = { kind: 'oneOf', branches: 'condition-branches-2', sources: [{ kind: 'taskOutput', task: 'pick', output: 'out' }, { kind: 'taskOutput', task: 'pick-2', output: 'out' }] }
    const { ir, kfp, argo } = shapes(flow([
      {
        kind: 'branches', id: 'condition-branches-2', branches: [
          { kind: 'condition', id: 'condition-3', predicate: { kind: 'compare', op: '==', left: { kind: 'pipelineInput', name: 'flag' }, right: { kind: 'constant', value: true } }, body: [run('pick', pickOne)] },
          { kind: 'condition', id: 'condition-4', body: [run('pick-2', pickOne)] },
        ],
      },
      staticLoop(5, [0], [run('prep', step('prep', { text: STRING_SPEC }), { text: { kind: 'template', parts: ['picked ', picked] } })]),
    ], { inputs: { flag: { kind: 'parameter', type: 'BOOLEAN', optional: false } } }))
    expectSameShape(kfp, ir, 'KFP IR', 'pipeline IR')
    expectSameShape(argo, ir, 'Argo DAG', 'pipeline IR')
  })
})
