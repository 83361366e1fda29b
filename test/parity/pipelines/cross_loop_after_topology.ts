import { pipeline, type AnyTask, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/cross_loop_after_topology.yaml'
export const twins = ['current/valid/cross_loop_after_topology.yaml']

export function build(goldenText: string): PipelineNode {
  const printOp = loadPipelineComponents(goldenText)['print-op']!
  return pipeline({ name: 'my-pipeline' }, (dag) => {
    let one: AnyTask | undefined
    dag.forEach([1, 2], () => {
      one = dag.task(printOp, { message: 'one' })
    })
    dag.forEach([1, 2], () => {
      dag.task(printOp, { message: 'two' }, { after: [one!] })
    })
    dag.forEach([1, 2], () => {
      const three = dag.task(printOp, { message: 'three' })
      dag.forEach([1, 2], () => {
        dag.task(printOp, { message: 'four' }, { after: [three] })
      })
    })
    let five: AnyTask | undefined
    dag.forEach([1, 2], () => {
      five = dag.task(printOp, { message: 'five' })
    })
    dag.task(printOp, { message: 'six' }, { after: [five!] })
    dag.forEach([1, 2], () => {
      let seven: AnyTask | undefined
      dag.forEach([1, 2], () => {
        seven = dag.task(printOp, { message: 'seven' })
      })
      dag.task(printOp, { message: 'eight' }, { after: [seven!] })
    })
  })
}
