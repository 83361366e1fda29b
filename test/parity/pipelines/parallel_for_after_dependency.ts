import { type AnyTask, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/critical/parallel_for_after_dependency.yaml'

export function build(goldenText: string): PipelineNode {
  const printOp = loadPipelineComponents(goldenText)['print-op']!
  return pipeline({ name: 'loop-with-after-dependency-set' }, (dag) => {
    let foo: AnyTask | undefined
    dag.forEach([1, 2, 3], () => {
      foo = dag.task(printOp, { message: 'foo' })
    })
    dag.task(printOp, { message: 'bar' }, { after: [foo!] })
    dag.task(printOp, { message: 'baz' }, { after: [foo!] })
  })
}
