import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_exit_handler.yaml'
export const twins = ['current/valid/failing/pipeline_with_exit_handler.yaml']

export function build(goldenText: string): PipelineNode {
  const { 'print-op': printOp, 'fail-op': failOp } = loadPipelineComponents(goldenText)
  return pipeline({
    name: 'pipeline-with-exit-handler',
    inputs: { message: param.string({ default: 'Hello World!' }) },
  }, (dag, p) => {
    dag.exitHandler(() => dag.task(printOp!, { message: 'Exit handler has worked!' }), () => {
      dag.task(printOp!, { message: p.message })
      dag.task(failOp!, { message: 'Task failed.' })
    })
  })
}
