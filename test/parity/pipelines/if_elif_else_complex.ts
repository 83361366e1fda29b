import { eq, gt, lt, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/if_elif_else_complex.yaml'
export const twins = ['current/valid/if_elif_else_complex.yaml']

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const printAndReturn = c['print-and-return']!
  return pipeline({
    name: 'lucky-number-pipeline',
    inputs: {
      add_drumroll: param.bool({ default: true }),
      repeat_if_lucky_number: param.bool({ default: true }),
      trials: param.list<number>({ default: [1, 2, 3] }),
    },
  }, (dag, p) => {
    const ints = dag.forEach(p.trials, (trial) => {
      const number = dag.task(c['int-0-to-9999']!, {}, { caching: false })
      const n = number.outputs.Output!
      dag.if(eq(p.add_drumroll, true), () => {
        dag.if(eq(trial, 3), () => {
          dag.task(printAndReturn, { text: 'Adding drumroll on last trial!' })
        })
      })
      dag.if(lt(n, 5000), () => {
        const evenOdd = dag.task(c['is-even-or-odd']!, { num: n })
        let even, odd
        dag.if(eq(evenOdd.outputs.Output!, 'even'), () => {
          even = dag.task(printAndReturn, { text: 'Got a low even number!' })
        }).else(() => {
          odd = dag.task(printAndReturn, { text: 'Got a low odd number!' })
        })
        dag.task(printAndReturn, { text: dag.oneOf(even!.outputs.Output!, odd!.outputs.Output!) })
      }).elif(gt(n, 5000), () => {
        const evenOdd = dag.task(c['is-even-or-odd']!, { num: n })
        let even, odd
        dag.if(eq(evenOdd.outputs.Output!, 'even'), () => {
          even = dag.task(printAndReturn, { text: 'Got a high even number!' })
        }).else(() => {
          odd = dag.task(printAndReturn, { text: 'Got a high odd number!' })
        })
        dag.task(printAndReturn, { text: dag.oneOf(even!.outputs.Output!, odd!.outputs.Output!) })
      }).else(() => {
        dag.task(printAndReturn, { text: 'Announcing: Got the lucky number 5000! A one in 10,000 chance.' })
        dag.if(eq(p.repeat_if_lucky_number, true), () => {
          dag.forEach([1, 2], () => {
            dag.task(printAndReturn, { text: 'Announcing again: Got the lucky number 5000! A one in 10,000 chance.' })
          })
        })
      })
      return n
    }, { item: param.int() })
    dag.task(c['print-ints']!, { ints })
  })
}
