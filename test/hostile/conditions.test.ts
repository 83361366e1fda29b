/**
 * Hostile strings as the constants of conditions: a condition comparing a parameter with one holds
 * for exactly that string, on both targets. KFP writes the constant into a CEL string literal
 * (read as CEL defines it, line breaks escaped; see test/runner/cel.test.ts), Argo into an
 * expression literal, while the parameter's default is written as text Argo substitutes and the
 * kubelet decodes.
 */
import { describe, expect, it } from 'vitest'
import { component, eq, param, pipeline } from '@typeflow/dsl'
import { checkCel, evaluateCondition } from '../../packages/runtime/src/runner/index.ts'
import { emitKfp } from '../../packages/compiler/src/compile.ts'
import { analysed, compileArgo } from '../argo/helpers.ts'
import { runWorkflow } from '../argo/run.ts'
import { CORPUS } from './corpus.ts'

type Json = Record<string, any>

const show = component({ name: 'show', image: 'alpine:3.20', inputs: { v: param.string() }, command: ({ inputs }) => ['echo', inputs.v.value] })

/** Tasks `same` (under `x == value`) and `other` (under `x == value + "."`), with `x` defaulting to `value`. */
const guarded = (value: string) =>
  pipeline({ name: 'guarded', inputs: { x: param.string({ default: value }) } }, (dag, q) => {
    dag.if(eq(q.x, value), () => void dag.task(show, { v: 'same' }, { name: 'same' }))
    dag.if(eq(q.x, `${value}.`), () => void dag.task(show, { v: 'other' }, { name: 'other' }))
  })

describe('hostile strings compared in conditions', () => {
  it.each(CORPUS.map((c) => [c.id, c.value] as const))('%s', (_, value) => {
    const p = guarded(value)
    // KFP: each condition parses as CEL and holds when its task is `same`.
    const spec = emitKfp(analysed(p))[0] as Json
    const holds: Record<string, boolean> = {}
    for (const task of Object.values(spec['root']['dag']['tasks'] as Json)) {
      const condition = task['triggerPolicy']['condition'] as string
      expect(() => checkCel(condition)).not.toThrow()
      const inner = Object.keys(spec['components'][task['componentRef']['name']]['dag']['tasks'])
      holds[inner.join()] = evaluateCondition(condition, { 'pipelinechannel--x': value })
    }
    expect(holds).toEqual({ same: true, other: false })
    // Argo: the default reaches the comparison as written.
    const run = runWorkflow(compileArgo(p))
    expect(run.phase).toBe('Succeeded')
    expect(run.runs.map((r) => r.task)).toEqual(['same'])
  })
})
