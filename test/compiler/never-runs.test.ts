/**
 * `W_NEVER_RUNS`: a task waiting for a task in another branch of the same if/elif/else never runs.
 * Found through the random differential test: such a wait left a `oneOf` with no value.
 */
import { describe, expect, it } from 'vitest'
import { compile } from '@typeflow/compiler'
import { component, eq, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { runArgo, runKfp } from '../argo/differential.ts'

const step = component({ name: 'step', image: 'alpine:3.20' })

function warned(p: PipelineNode): string[] {
  const result = compile(p, { targets: ['kfp', 'argo'] })
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics))
  return result.warnings.filter((w) => w.code === 'W_NEVER_RUNS').map((w) => `${w.path.join('.')}${w.source ? ` @${w.source.line}` : ''}`)
}

/** An if/elif/else whose last branch waits for a task of the first (directly, or under one more condition). */
function crossBranch(deeper: boolean): PipelineNode {
  return pipeline({ name: 'cross', inputs: { n: param.int({ default: 1 }) } }, (dag, q) => {
    let first: unknown
    dag
      .if(eq(q.n, 1), () => void (first = dag.task(step, {}, { name: 'first' })))
      .elif(eq(q.n, 2), () => void dag.task(step, {}, { name: 'middle' }))
      .else(() => {
        const waits = () => void dag.task(step, {}, { name: 'waits', after: [first as never] })
        if (deeper) dag.if(eq(q.n, 3), waits)
        else waits()
      })
  })
}

describe('a task waiting for a task in a sibling branch', () => {
  it('warns where the wait is written, with the line, also from a condition inside the branch', () => {
    expect(warned(crossBranch(false))).toEqual([expect.stringMatching(/^tasks\.waits\.after @\d+$/)])
    expect(warned(crossBranch(true))).toEqual([expect.stringMatching(/^tasks\.waits\.after @\d+$/)])
  })

  it('says nothing for waits that can be met: after a condition, inside one branch, across two separate ifs', () => {
    const p = pipeline({ name: 'fine', inputs: { n: param.int({ default: 1 }) } }, (dag, q) => {
      let inside: unknown
      dag.if(eq(q.n, 1), () => {
        inside = dag.task(step, {}, { name: 'inside' })
        dag.task(step, {}, { name: 'same-branch', after: [inside as never] })
      })
      dag.if(eq(q.n, 2), () => void dag.task(step, {}, { name: 'other-if', after: [inside as never] }))
      dag.task(step, {}, { name: 'after-all', after: [inside as never] })
    })
    expect(warned(p)).toEqual([])
  })

  it('is right: the task runs on neither target, whichever branch is taken', async () => {
    for (const n of [1, 2, 3]) {
      const kfp = await runKfp(crossBranch(false), () => 'unused', { n })
      const argo = runArgo(crossBranch(false), () => 'unused', { n })
      expect([kfp.deliveries.has('waits'), argo.deliveries.has('waits')]).toEqual([false, false])
    }
  })
})
