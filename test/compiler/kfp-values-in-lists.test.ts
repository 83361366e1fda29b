/**
 * `W_KFP_VALUE_IN_LIST`: a list or dict argument holding values known at run time. The KFP SDK
 * writes a placeholder for each value, and the KFP driver resolves placeholders in string
 * constants only (kubeflow/pipelines#12204), so the task receives them as text; Argo passes the
 * values. The local runner (which runs the KFP IR as the driver does) and the Argo simulator show
 * the difference; the random differential found it once the property generator wrote such lists.
 */
import { describe, expect, it } from 'vitest'
import { compile, type Target } from '@typeflow/compiler'
import { component, fmt, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { byType, runArgo, runKfp } from '../argo/differential.ts'

const make = component({ name: 'make', image: 'alpine:3.20', outputs: { n: param.int() } })
const takeList = component({ name: 'take-list', image: 'alpine:3.20', inputs: { xs: param.list() } })
const takeDict = component({ name: 'take-dict', image: 'alpine:3.20', inputs: { d: param.struct() } })
const takeText = component({ name: 'take-text', image: 'alpine:3.20', inputs: { s: param.string() } })

const lists = pipeline({ name: 'lists', inputs: { who: param.string({ default: 'ada' }) } }, (dag, q) => {
  const n = dag.task(make).outputs.n
  dag.task(takeList, { xs: [q.who, 'fixed', n] as never })
  dag.task(takeDict, { d: { who: q.who, counts: [n] } as never })
  // Neither a constant list nor an f-string is one: the driver resolves string constants.
  dag.task(takeList, { xs: ['a', 'b'] }, { name: 'constant-list' })
  dag.task(takeText, { s: fmt`${q.who} has ${n}` })
})

function warned(p: PipelineNode, targets: Target[]): string[] {
  const result = compile(p, { targets })
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics))
  return result.warnings.filter((w) => w.code === 'W_KFP_VALUE_IN_LIST').map((w) => `${w.path.join('.')}${w.source ? ' (with its line)' : ''}`)
}

describe('a list or dict argument holding values known at run time', () => {
  it('warns on the KFP target, where each such input is given', () => {
    expect(warned(lists, ['kfp', 'argo'])).toEqual(['tasks.take-list.inputs.xs (with its line)', 'tasks.take-dict.inputs.d (with its line)'])
    expect(warned(lists, ['argo'])).toEqual([])
  })

  it('warns for a nested pipeline given such a list, once per place', () => {
    const inner = pipeline({ name: 'inner', inputs: { xs: param.list() } }, (dag, q) => void dag.task(takeList, { xs: q.xs }))
    const outer = pipeline({ name: 'outer' }, (dag) => {
      const n = dag.task(make).outputs.n
      dag.task(inner, { xs: [n] as never })
    })
    expect(warned(outer, ['kfp'])).toEqual(['tasks.inner.inputs.xs (with its line)'])
  })

  it('is what a local run and the Argo simulation deliver: the placeholders on KFP, the values on Argo', async () => {
    const outputs = byType({ STRING: 's', NUMBER_INTEGER: 7, NUMBER_DOUBLE: 0.5, BOOLEAN: true, STRUCT: {}, LIST: [] })
    const kfp = await runKfp(lists, (_t, _o, spec) => outputs(spec))
    const argo = runArgo(lists, (_t, _o, spec) => outputs(spec))
    expect(kfp.deliveries.get('take-list')).toEqual([`xs="[\\"{{$.inputs.parameters['pipelinechannel--who']}}\\",\\"fixed\\",\\"{{$.inputs.parameters['pipelinechannel--make-n']}}\\"]"`])
    expect(argo.deliveries.get('take-list')).toEqual(['xs="[\\"ada\\",\\"fixed\\",7]"'])
    // The f-string and the constant list arrive the same on both.
    expect(kfp.deliveries.get('take-text')).toEqual(argo.deliveries.get('take-text'))
    expect(kfp.deliveries.get('constant-list')).toEqual(argo.deliveries.get('constant-list'))
  })
})
