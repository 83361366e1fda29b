/**
 * `W_ARGO_SKIPPED_FAN_IN`: a fan-in of a task that runs under a condition inside the loop. KFP
 * leaves the skipped iterations out; Argo cannot, so the Argo target warns (found by the random
 * differential test, test/argo/differential-random.test.ts).
 */
import { describe, expect, it } from 'vitest'
import { collected, component, eq, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { compile, type Target } from '../../packages/compiler/src/compile.ts'

const push = component({ name: 'push', image: 'alpine:3.20', outputs: { r: param.float() } })
const gather = component({ name: 'gather', image: 'alpine:3.20', inputs: { value: param.list() } })

/** A loop over [1, 2] whose task runs only when `n` is 2 (`conditionInside`), or a loop inside that condition. */
function fanIn(conditionInside: boolean): PipelineNode {
  return pipeline({ name: 'fan-in', inputs: { n: param.int({ default: 1 }) } }, (dag, q) => {
    let pushed: { outputs: { r: unknown } } | undefined
    const loopAndGather = () => {
      dag.forEach([1, 2], () => (conditionInside ? void dag.if(eq(q.n, 2), () => void (pushed = dag.task(push))) : void (pushed = dag.task(push))))
      dag.task(gather, { value: collected(pushed!.outputs.r as never) as never })
    }
    if (conditionInside) loopAndGather()
    else dag.if(eq(q.n, 2), loopAndGather)
  })
}

const warnings = (p: PipelineNode, targets: Target[]) => {
  const result = compile(p, { targets })
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics))
  return result.warnings.filter((w) => w.code === 'W_ARGO_SKIPPED_FAN_IN')
}

describe('a fan-in of a task some iterations skip', () => {
  it('warns on the Argo target, where the file and line of the task are given', () => {
    const found = warnings(fanIn(true), ['kfp', 'argo'])
    expect(found.map((w) => [w.path.join('.'), w.message.slice(0, 70)])).toEqual([['tasks.gather.inputs.value', 'collects "push.r" over a loop, but "push" runs under condition-3 insid']])
    expect(found[0]!.source?.file).toMatch(/skipped-fan-in\.test\.ts$/)
  })

  it('says nothing for KFP, which leaves the skipped iterations out', () => {
    expect(warnings(fanIn(true), ['kfp'])).toEqual([])
  })

  it('warns when the task waits for a condition in the loop (it is skipped with it), found by the random differential', () => {
    const first = component({ name: 'first', image: 'alpine:3.20' })
    const p = pipeline({ name: 'waits', inputs: { n: param.int({ default: 1 }) } }, (dag, q) => {
      let pushed: { outputs: { r: unknown } } | undefined
      dag.forEach([1, 2], () => {
        let guarded: unknown
        dag.if(eq(q.n, 2), () => void (guarded = dag.task(first)))
        pushed = dag.task(push, {}, { after: [guarded as never] })
      })
      dag.task(gather, { value: collected(pushed!.outputs.r as never) as never })
    })
    expect(warnings(p, ['argo']).map((w) => w.message)).toEqual([expect.stringMatching(/^collects "push\.r" over a loop, but "push" waits for a task under condition-3 inside it:/)])
  })

  it('warns when a loop around the task inside the loop waits for a condition (the random differential, seed 12)', () => {
    const first = component({ name: 'first', image: 'alpine:3.20' })
    const p = pipeline({ name: 'nested-waits', inputs: { n: param.int({ default: 1 }) } }, (dag, q) => {
      let pushed: { outputs: { r: unknown } } | undefined
      dag.forEach([1, 2], () => {
        let guarded: unknown
        dag.if(eq(q.n, 2), () => void (guarded = dag.task(first)))
        // The inner loop waits for the condition, because a task in it does.
        dag.forEach([3], () => {
          dag.task(first, {}, { after: [guarded as never], name: 'after-first' })
          pushed = dag.task(push)
        })
      })
      dag.task(gather, { value: collected(pushed!.outputs.r as never) as never })
    })
    expect(warnings(p, ['argo']).map((w) => w.message)).toEqual([expect.stringMatching(/^collects "push\.r" over a loop, but "push" waits for a task under condition-3 inside it:/)])
  })

  it('says nothing when the condition is around the loop: every iteration runs the task or none', () => {
    expect(warnings(fanIn(false), ['kfp', 'argo'])).toEqual([])
  })
})
