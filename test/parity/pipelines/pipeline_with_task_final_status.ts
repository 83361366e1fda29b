import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_task_final_status.yaml'
export const twins = ['current/valid/pipeline_with_task_final_status.yaml']

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({
    name: 'pipeline-with-task-final-status',
    inputs: { message: param.string({ default: 'Hello World!' }) },
  }, (dag, p) => {
    dag.exitHandler((status) => dag.task(c['exit-op']!, { user_input: p.message, status }), () => {
      dag.task(c['print-op']!, { message: p.message })
      dag.task(c['fail-op']!, { message: 'Task failed.' })
    }, { displayName: 'my-pipeline' })
  })
}
