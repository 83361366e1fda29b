/**
 * Values known only at run time (task outputs, the items of an output list, a fan-in) reach every
 * container exactly as produced, on Argo as on KFP, whatever they hold (`$$`, `$(VAR)`, `{{…}}`,
 * braces), through groups, loops and nested pipelines, and compare equal to the same constant.
 * Argo scans a template's input values for tags (common.SubstituteParams substitutes the template
 * with its inputs filled in) and the kubelet expands `$` sequences in command lines, so every
 * template input holds kubelet-encoded text: a value read from a task output is encoded by the DAG
 * task that passes it on (see dag.ts), and decoded wherever it is compared.
 */
import { describe, expect, it } from 'vitest'
import { component, eq, fmt, param, pipeline } from '@typeflow/dsl'
import { CORPUS } from '../hostile/corpus.ts'
import { compileArgo } from './helpers.ts'
import { type ContainerRun, runWorkflow } from './run.ts'
import { pair, show } from './value-components.ts'

const VALUES = [
  'plain',
  'a$$b',
  '$(HOME)',
  '$(TYPEFLOW_LBRACE)',
  'ends with $',
  '$',
  '{{workflow.name}}',
  '{{inputs.parameters.v}}',
  '{{=1+1}}',
  '{{item}}',
  '{',
  '{{',
  'x{{',
  'ends with {',
  '{"a":{"b":"$(x)"}}',
  '$({{x}})',
  '%d%e $$( {{{ }}}',
] as const

const gen = component({ name: 'gen', image: 'alpine:3.20', outputs: { s: param.string(), xs: param.list<string>() } })
const gather = component({ name: 'gather', image: 'alpine:3.20', inputs: { all: param.list<string>() }, command: ({ inputs }) => ['echo', inputs.all.value] })
const inner = pipeline({ name: 'inner', inputs: { v: param.string(), vs: param.list<string>() } }, (d, q) => {
  d.task(show, { v: q.v }, { name: 'nested' })
  d.forEach(q.vs, (x) => void d.task(show, { v: x }, { name: 'nested-item' }))
  // Inside, the value arrives encoded, as every template input; compared, it is decoded.
  VALUES.forEach((value, i) => void d.if(eq(q.v, value), () => void d.task(show, { v: 'matched' }, { name: `nested-matched-${i}` })))
  return { back: d.task(gen, {}, { name: 'nested-gen' }).outputs.s }
})

const docs = compileArgo(
  pipeline({ name: 'runtime-values' }, (dag) => {
    const g = dag.task(gen)
    dag.task(show, { v: g.outputs.s }, { name: 'direct' })
    dag.task(show, { v: fmt`<${g.outputs.s}>` }, { name: 'formatted' })
    dag.task(pair, { a: g.outputs.s, b: g.outputs.s }, { name: 'adjacent' })
    // Always true: the group runs, and reads the value as an input of its own.
    dag.if(eq(g.outputs.s, g.outputs.s), () => void dag.task(show, { v: g.outputs.s }, { name: 'in-condition' }))
    dag.forEach(g.outputs.xs, (x) => void dag.task(show, { v: x }, { name: 'item' }))
    const looped = dag.forEach(g.outputs.xs, (x) => {
      dag.task(show, { v: x }, { name: 'item-in-group' })
      return dag.task(gen, {}, { name: 'gen-each' }).outputs.s
    })
    dag.task(gather, { all: looped as never }, { name: 'fan-in' })
    const call = dag.task(inner, { v: g.outputs.s, vs: g.outputs.xs }, { name: 'call' })
    dag.task(show, { v: call.outputs.back }, { name: 'from-nested' })
  }),
)

const argOf = (run: ContainerRun) => run.argv[1]

/** The cases above, then every string of the hostile-input corpus (test/hostile/corpus.ts). */
const CASES: readonly (readonly [string, string])[] = [...VALUES.map((v, i) => [`#${i} ${v}`, v] as const), ...CORPUS.map((c) => [c.id, c.value] as const)]

describe('run-time values on Argo reach the container exactly as produced', () => {
  it.each(CASES)('%s', (_, value) => {
    const result = runWorkflow(docs, { outputs: (run) => (run.task.includes('gen') ? { s: value, xs: JSON.stringify([value]) } : {}) })
    expect(result.phase).toBe('Succeeded')
    const seen = (task: string) => result.runs.filter((r) => r.task === task).map(argOf)
    expect(seen('direct')).toEqual([value])
    expect(seen('formatted')).toEqual([`<${value}>`])
    expect(seen('adjacent')).toEqual([value + value])
    expect(seen('in-condition')).toEqual([value])
    expect(seen('item')).toEqual([value])
    expect(seen('item-in-group')).toEqual([value])
    expect(seen('fan-in')).toEqual([JSON.stringify([value])])
    expect(seen('nested')).toEqual([value])
    expect(seen('nested-item')).toEqual([value])
    const matched = result.runs.filter((r) => r.task.startsWith('nested-matched-')).map((r) => r.task)
    expect(matched).toEqual(VALUES.flatMap((v, i) => (v === value ? [`nested-matched-${i}`] : [])))
    expect(seen('from-nested')).toEqual([value])
  })
})
