/**
 * `W_OPTIONAL_WITHOUT_VALUE`: a pipeline input that is optional without a default, read where a
 * value is needed. The two targets really do differ there (KFP fails the task, Argo passes ''),
 * as the local runner and the Argo simulator show; the differential test on random pipelines
 * found it.
 */
import { describe, expect, it } from 'vitest'
import { compile } from '@typeflow/compiler'
import { artifact, component, Dataset, eq, fmt, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { runArgo, runKfp } from '../argo/differential.ts'

const needs = component({ name: 'needs', image: 'alpine:3.20', inputs: { flag: param.bool() } })
const lenient = component({ name: 'lenient', image: 'alpine:3.20', inputs: { flag: param.bool({ default: true }), maybe: param.bool({ optional: true }) } })
const each = component({ name: 'each', image: 'alpine:3.20', inputs: { x: param.string() } })
const takeList = component({ name: 'take-list', image: 'alpine:3.20', inputs: { xs: param.list() } })
const optionalText = component({ name: 'optional-reader', image: 'alpine:3.20', inputs: { s: param.string({ optional: true }) } })

function warned(p: PipelineNode): string[] {
  const result = compile(p, { targets: ['kfp', 'argo'] })
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics))
  return result.warnings.filter((w) => w.code === 'W_OPTIONAL_WITHOUT_VALUE').map((w) => `${w.path.join('.')}${w.source ? ` @${w.source.line}` : ''}`)
}

describe('an optional input without a default, read where a value is needed', () => {
  it('warns where a required input, a loop or a condition reads it, with the line', () => {
    const p = pipeline({ name: 'reads', inputs: { flag: param.bool({ optional: true }), names: param.list<string>({ optional: true }), set: param.bool({ optional: true, default: false }) } }, (dag, q) => {
      dag.task(needs, { flag: q.flag })
      dag.task(lenient, { flag: q.flag, maybe: q.flag })
      dag.task(needs, { flag: q.set }, { name: 'defaulted' })
      dag.forEach(q.names, (x) => void dag.task(each, { x }))
      dag.if(eq(q.flag, true), () => void dag.task(each, { x: 'then' }, { name: 'then' }))
    })
    expect(warned(p)).toEqual([expect.stringMatching(/^tasks\.needs\.inputs\.flag @\d+$/), expect.stringMatching(/^groups\.condition-\d+ @\d+$/), expect.stringMatching(/^groups\.for-loop-\d+ @\d+$/)])
  })

  it("follows a nested pipeline's inputs: left out without a default, or required", () => {
    const inner = pipeline({ name: 'inner', inputs: { flag: param.bool({ optional: true }), fixed: param.bool({ optional: true, default: true }) } }, (dag, q) => {
      dag.task(needs, { flag: q.flag })
      dag.task(needs, { flag: q.fixed }, { name: 'fixed' })
    })
    const strict = pipeline({ name: 'strict', inputs: { flag: param.bool() } }, (dag, q) => void dag.task(needs, { flag: q.flag }))
    const p = pipeline({ name: 'outer', inputs: { maybe: param.bool({ optional: true }) } }, (dag, q) => {
      dag.task(inner, {}, { name: 'left-out' })
      dag.task(inner, { flag: true, fixed: q.maybe }, { name: 'given' })
      dag.task(strict, { flag: q.maybe })
    })
    expect(warned(p)).toEqual([expect.stringMatching(/^tasks\.left-out\.tasks\.needs\.inputs\.flag @/), expect.stringMatching(/^tasks\.strict\.inputs\.flag @/)])
  })

  it('counts an optional artifact a nested pipeline is not given, read where it is required', () => {
    const reads = component({ name: 'reads', image: 'alpine:3.20', inputs: { data: artifact(Dataset) } })
    const inner = pipeline({ name: 'inner', inputs: { data: artifact(Dataset, { optional: true }) } }, (dag, q) => void dag.task(reads, { data: q.data }))
    const p = pipeline({ name: 'outer', inputs: { data: artifact(Dataset) } }, (dag, q) => {
      dag.task(inner, {}, { name: 'left-out' })
      dag.task(inner, { data: q.data }, { name: 'given' })
    })
    expect(warned(p)).toEqual([expect.stringMatching(/^tasks\.left-out\.tasks\.reads\.inputs\.data @/)])
  })

  it('warns where it is read inside an f-string, a list or a dict, even by an optional input (the random differential, seed 38)', async () => {
    const inner = pipeline({ name: 'inner', inputs: { who: param.string({ optional: true }) } }, (dag, q) => {
      dag.task(each, { x: fmt`hello ${q.who}` })
      dag.task(optionalText, { s: fmt`${q.who}` })
      dag.task(takeList, { xs: [q.who] as never })
    })
    const p = pipeline({ name: 'outer' }, (dag) => void dag.task(inner, {}, { name: 'left-out' }))
    expect(warned(p)).toEqual([
      expect.stringMatching(/^tasks\.left-out\.tasks\.each\.inputs\.x @\d+$/),
      expect.stringMatching(/^tasks\.left-out\.tasks\.optional-reader\.inputs\.s @\d+$/),
      expect.stringMatching(/^tasks\.left-out\.tasks\.take-list\.inputs\.xs @\d+$/),
    ])
    // KFP has no value to put in the text (a local run leaves the placeholder); Argo puts ''.
    const kfp = await runKfp(p, () => 'unused')
    const argo = runArgo(p, () => 'unused')
    expect(kfp.deliveries.get('each')).toEqual([`x="hello {{$.inputs.parameters['pipelinechannel--who']}}"`])
    expect(argo.deliveries.get('each')).toEqual(['x="hello "'])
  })

  it('is right about the targets: KFP fails the task, Argo hands it an empty value', async () => {
    const p = pipeline({ name: 'left-out', inputs: { flag: param.bool({ optional: true }) } }, (dag, q) => void dag.task(needs, { flag: q.flag }))
    const kfp = await runKfp(p, () => 'unused')
    const argo = runArgo(p, () => 'unused')
    expect([kfp.state, kfp.error]).toEqual(['failed', expect.stringContaining('input "flag" has no value')])
    expect([argo.phase, argo.deliveries.get('needs')]).toEqual(['Succeeded', ['']])
  })
})
