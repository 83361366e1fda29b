import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_multiple_exit_handlers.yaml'
export const twins = ['current/valid/failing/pipeline_with_multiple_exit_handlers.yaml']

export function build(goldenText: string): PipelineNode {
  const { 'print-op': printOp, 'fail-op': failOp } = loadPipelineComponents(goldenText)
  return pipeline({
    name: 'pipeline-with-multiple-exit-handlers',
    inputs: { message: param.string({ default: 'Hello World!' }) },
  }, (dag, p) => {
    dag.exitHandler(() => dag.task(printOp!, { message: 'First exit handler has worked!' }), () => {
      dag.task(printOp!, { message: p.message })
      dag.task(failOp!, { message: 'Task failed.' })
    })
    dag.exitHandler(() => dag.task(printOp!, { message: 'Second exit handler has worked!' }), () => {
      dag.task(printOp!, { message: p.message })
    })
    dag.exitHandler(() => dag.task(printOp!, { message: 'Third exit handler has worked!' }), () => {
      dag.task(printOp!, { message: p.message })
    })
  })
}
