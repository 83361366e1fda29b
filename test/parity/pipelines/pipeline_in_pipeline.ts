import { component, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_in_pipeline.yaml'

const printOp2 = component({
  name: 'print-op2',
  image: 'alpine',
  inputs: { msg: param.string() },
  command: ({ inputs }) => ['echo', inputs.msg.value],
})

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const printOp1 = components['print-op1']!
  const innerPipeline = pipeline({
    name: 'inner-pipeline',
    inputs: { msg: param.string() },
  }, (dag, p) => {
    const printOp1Task = dag.task(printOp1, { msg: p.msg })
    dag.task(printOp2, { msg: printOp1Task.outputs.Output! })
  })
  return pipeline({ name: 'pipeline-in-pipeline' }, (dag) => {
    dag.task(innerPipeline, { msg: 'world' })
    dag.task(printOp1, { msg: 'Hello' })
  })
}
