/**
 * `W_ARGO_SKIPPED_FAN_IN`: a fan-in of a task that runs under a condition inside the loop. KFP
 * leaves the skipped iterations out; Argo cannot, so the Argo target warns (found by the random
 * differential test, test/argo/differential-random.test.ts).
 */
import { describe, expect, it } from 'vitest'
import { collected, component, type Dag, eq, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { compile, type Target } from '../../packages/compiler/src/compile.ts'

const push = component({ name: 'push', image: 'alpine:3.20', outputs: { r: param.float() } })
const gather = component({ name: 'gather', image: 'alpine:3.20', inputs: { value: param.list() } })
const first = component({ name: 'first', image: 'alpine:3.20' })

type Pushed = { outputs: { r: unknown } }

/**
 * A loop over [1, 2] that runs `first` only when `n` is 2 (`guarded`), then what `rest` declares
 * (it returns the `push` task); after the loop, `gather` collects `push.r`.
 */
function waitsInLoop(name: string, rest: (dag: Dag, guarded: unknown) => Pushed): PipelineNode {
  return pipeline({ name, inputs: { n: param.int({ default: 1 }) } }, (dag, q) => {
    let pushed: Pushed | undefined
    dag.forEach([1, 2], () => {
      let guarded: unknown
      dag.if(eq(q.n, 2), () => void (guarded = dag.task(first)))
      pushed = rest(dag, guarded)
    })
    dag.task(gather, { value: collected(pushed!.outputs.r as never) as never })
  })
}

/** A loop over [1, 2] whose task runs only when `n` is 2 (`conditionInside`), or a loop inside that condition. */
function fanIn(conditionInside: boolean): PipelineNode {
  return pipeline({ name: 'fan-in', inputs: { n: param.int({ default: 1 }) } }, (dag, q) => {
    let pushed: Pushed | undefined
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
    const p = waitsInLoop('waits', (dag, guarded) => dag.task(push, {}, { after: [guarded as never] }))
    expect(warnings(p, ['argo']).map((w) => w.message)).toEqual([expect.stringMatching(/^collects "push\.r" over a loop, but "push" waits for a task under condition-3 inside it:/)])
  })

  it('warns when a loop around the task inside the loop waits for a condition (the random differential, seed 12)', () => {
    const p = waitsInLoop('nested-waits', (dag, guarded) => {
      let pushed: Pushed | undefined
      // The inner loop waits for the condition, because a task in it does.
      dag.forEach([3], () => {
        dag.task(first, {}, { after: [guarded as never], name: 'after-first' })
        pushed = dag.task(push)
      })
      return pushed!
    })
    expect(warnings(p, ['argo']).map((w) => w.message)).toEqual([expect.stringMatching(/^collects "push\.r" over a loop, but "push" waits for a task under condition-3 inside it:/)])
  })

  it('warns when the collected value is a nested pipeline\'s oneOf that a run may leave without a value (the random differential, seed 14)', () => {
    const pick = component({ name: 'pick', image: 'alpine:3.20', outputs: { r: param.float() } })
    /**
     * A oneOf over an if/else. `waits`: the else branch waits for a task under an earlier
     * condition, so the whole if/else may be skipped. `inner`: the if branch's task sits under a
     * second condition inside it. `waitsInside`: it waits for a task under such a condition.
     * `waitsPlain`: it waits for an unconditional task in its branch (always fed).
     */
    type Variant = 'plain' | 'waits' | 'inner' | 'waitsInside' | 'waitsPlain'
    const sub = (variant: Variant) =>
      pipeline({ name: 'sub', inputs: { n: param.int() } }, (dag, q) => {
        let guarded: unknown
        dag.if(eq(q.n, 1), () => void (guarded = dag.task(first)))
        let a: Pushed | undefined
        let b: Pushed | undefined
        dag
          .if(eq(q.n, 2), () => {
            if (variant === 'inner') return void dag.if(eq(q.n, 3), () => void (a = dag.task(pick)))
            let before: unknown
            if (variant === 'waitsInside') dag.if(eq(q.n, 3), () => void (before = dag.task(first, {}, { name: 'before' })))
            if (variant === 'waitsPlain') before = dag.task(first, {}, { name: 'before' })
            a = dag.task(pick, {}, before === undefined ? {} : { after: [before as never] })
          })
          .else(() => void (b = dag.task(pick, {}, variant === 'waits' ? { after: [guarded as never] } : {})))
        return { r: dag.oneOf(a!.outputs.r as never, b!.outputs.r as never) }
      })
    const outer = (variant: Variant) =>
      pipeline({ name: 'outer' }, (dag) => {
        let inner: Pushed | undefined
        dag.forEach([1, 2], (n) => void (inner = dag.task(sub(variant), { n })))
        dag.task(gather, { value: collected(inner!.outputs.r as never) as never })
      })
    const unfed = [expect.stringMatching(/^collects "sub\.r" over a loop, but its pipeline's output "r" is a oneOf over condition-branches-\d+, which may have no value:/)]
    expect(warnings(outer('waits'), ['argo']).map((w) => w.message)).toEqual(unfed)
    // The branch runs, but the task it reads may not.
    expect(warnings(outer('inner'), ['argo']).map((w) => w.message)).toEqual(unfed)
    expect(warnings(outer('waitsInside'), ['argo']).map((w) => w.message)).toEqual(unfed)
    // One branch always runs and feeds it.
    expect(warnings(outer('plain'), ['argo'])).toEqual([])
    expect(warnings(outer('waitsPlain'), ['argo'])).toEqual([])
  })

  it('says nothing when the condition is around the loop: every iteration runs the task or none', () => {
    expect(warnings(fanIn(false), ['kfp', 'argo'])).toEqual([])
  })
})
